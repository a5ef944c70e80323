"""An item read from the API is the record its file export gives; bots and profiles are marked."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

from pytest_httpserver import HTTPServer

from collectors.ado_api import AdoApiCollector
from collectors.ado_csv import AdoCsvCollector
from collectors.api_cursor import Cursor
from collectors.api_source import with_users
from collectors.github_api import GitHubApiCollector
from collectors.github_json import GitHubJsonCollector
from collectors.http_client import ApiClient, AuthHelp
from collectors.interface import TrackerUser, WorkItemRecord
from collectors.jira_api import JiraApiCollector
from collectors.jira_json import JiraJsonCollector
from tests.collectors.api_scenarios import TOKEN, FakeClock, ado, github, jira
from tests.collectors.fake_apis import FakeAdo, FakeGitHub, FakeJira


def _client(base: str, headers: dict[str, str]) -> ApiClient:
    return ApiClient(
        base,
        service="test",
        headers=headers,
        auth=AuthHelp("X", ""),
        not_found="",
        clock=FakeClock(),
    )


def _plain(user: TrackerUser) -> TrackerUser:
    # company comes from the profile endpoint, which an export does not carry
    return dataclasses.replace(user, company=None)


def _by_key(records: object) -> dict[str, WorkItemRecord]:
    return {r.key: r for r in records if isinstance(r, WorkItemRecord)}  # type: ignore[attr-defined]


def test_github_items_are_the_records_of_their_json_export(httpserver: HTTPServer) -> None:
    scenario = github(httpserver)
    api = scenario.api
    assert isinstance(api, FakeGitHub)
    with _client(api.base_url, {"Authorization": f"Bearer {TOKEN}"}) as client:
        live = _by_key(GitHubApiCollector(client, api.repo, Cursor()).collect())
    export = {
        "repository": api.repo,
        "issues": [i for i in api.issues.values() if "pull_request" not in i],
        "pull_requests": [{**api.pulls[n], "reviews": api.reviews[n]} for n in api.pulls],
        "users": api.users,
    }
    filed = _by_key(
        GitHubJsonCollector(Path("gh.json"), data=json.dumps(export).encode()).collect()
    )
    assert {k: with_users(r, _plain) for k, r in live.items()} == filed
    pr = live["contoso/collab-server#3"]
    assert pr.reporter is not None and pr.reporter.company == "@contoso"
    assert pr.reporter.location == "Shanghai, China"  # the profile's, with GitHub as source
    bot_pr = live["contoso/collab-server#4"]
    assert bot_pr.reporter is not None and bot_pr.reporter.bot
    assert bot_pr.status == "open" and pr.status == "merged"
    assert [r.reviewer.key for r in pr.reviews] == ["dortiz", "bozhang"]
    assert {r.commit_sha for r in pr.reviews} == {"a" * 40}


def test_jira_issues_are_the_records_of_their_json_export(httpserver: HTTPServer) -> None:
    api = jira(httpserver).api
    assert isinstance(api, FakeJira)
    import base64

    basic = base64.b64encode(f"audit@contoso.com:{TOKEN}".encode()).decode()
    with _client(api.base_url, {"Authorization": f"Basic {basic}"}) as client:
        live = _by_key(JiraApiCollector(client, "project = SPO", Cursor(), cloud=True).collect())
    export = json.dumps({"issues": list(api.issues.values())}).encode()
    filed = _by_key(JiraJsonCollector(Path("jira.json"), data=export).collect())
    assert {k: with_users(r, _plain) for k, r in live.items()} == filed
    automation = live["SPO-3"].assignee
    assert automation is not None and automation.bot  # accountType "app"
    wei = live["SPO-1"].assignee
    assert wei is not None and not wei.bot and wei.time_zone == "Asia/Shanghai"


def test_jira_data_center_pages_by_start_at(httpserver: HTTPServer, tmp_path: Path) -> None:
    scenario = jira(httpserver, cloud=False)
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout and "3 pages" in result.stdout
    assert scenario.api.requests == ["GET /rest/api/2/search"] * 3


def test_ado_items_are_the_records_of_their_csv_export(httpserver: HTTPServer) -> None:
    api = ado(httpserver).api
    assert isinstance(api, FakeAdo)
    import base64

    basic = base64.b64encode(f":{TOKEN}".encode()).decode()
    with _client(api.base_url, {"Authorization": f"Basic {basic}"}) as client:
        live = _by_key(
            AdoApiCollector(
                client, "Collab", "SELECT [System.Id] FROM WorkItems", Cursor()
            ).collect()
        )
    lines = ["ID,Work Item Type,Title,Assigned To,State,Tags,Area Path,Created Date,Created By"]
    for item in api.items.values():
        f = item["fields"]
        who = f.get("System.AssignedTo")
        assigned = f"{who['displayName']} <{who['uniqueName']}>" if who else ""
        by = f["System.CreatedBy"]
        lines.append(
            ",".join(
                f'"{v}"'
                for v in (
                    item["id"],
                    f["System.WorkItemType"],
                    f["System.Title"],
                    assigned,
                    f["System.State"],
                    f.get("System.Tags", ""),
                    f["System.AreaPath"],
                    f["System.CreatedDate"],
                    f"{by['displayName']} <{by['uniqueName']}>",
                )
            )
        )
    csv = ("\r\n".join(lines) + "\r\n").encode()
    filed = {
        k: dataclasses.replace(r, line=None)
        for k, r in _by_key(AdoCsvCollector(Path("ado.csv"), data=csv).collect()).items()
    }
    assert live == filed
    assert live["4411"].labels == ("security", "auth")


def test_a_file_export_and_the_api_share_identities(httpserver: HTTPServer, tmp_path: Path) -> None:
    scenario = github(httpserver)
    api = scenario.api
    assert isinstance(api, FakeGitHub)
    export = {
        "repository": api.repo,
        "issues": list(api.issues.values()),
        "pull_requests": [{**api.pulls[n], "reviews": api.reviews[n]} for n in api.pulls],
        "users": api.users,
    }
    (tmp_path / "gh.json").write_text(json.dumps(export), "utf-8")
    scenario.tracker_toml += '\n[[tracker]]\nkind = "github-json"\npath = "gh.json"\n'
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / ".auditor" / "audit.db") as conn:
        people = conn.execute("SELECT kind, key FROM identity ORDER BY key").fetchall()
        keys = conn.execute(
            "SELECT key, count(*), count(DISTINCT content_hash) FROM work_item GROUP BY key"
        ).fetchall()
    assert people == [("github", "bozhang"), ("github", "dependabot[bot]"), ("github", "dortiz")]
    assert {key for key, _n, _h in keys} == scenario.keys
    assert all(n == 2 for _key, n, _h in keys)  # one row per source, under one key
