"""One small organisation per live tracker kind, seeded into its fake API, with its config."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Response

from tests.collectors.fake_apis import (
    FakeAdo,
    FakeApi,
    FakeGitHub,
    FakeJira,
    ado_identity,
    gh_user,
    jira_user,
)

TOKEN = "s3cr3t-tok-7Hq2Zp9w"  # what each test's environment variable holds
HEAD_SHA = "a" * 40
MERGE_SHA = "b" * 40


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self, start: float = 1_780_000_000.0):
        self.current = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += seconds


@dataclass
class Scenario:
    kind: str
    api: FakeApi
    env_var: str
    tracker_toml: str
    keys: set[str]
    touch_two: Callable[[], None]
    touched: dict[str, str]  # key -> new title after touch_two
    rate_limit: Callable[[FakeClock], Callable[[], Response]]
    expected_wait: Callable[[FakeClock], float]
    extra_env: dict[str, str] = field(default_factory=dict)

    def write_workspace(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        path = root / "auditor.toml"
        path.write_text(
            '[store]\nurl = "sqlite:///.auditor/audit.db"\n\n' + self.tracker_toml, "utf-8"
        )
        return path

    def env(self, token: str = TOKEN) -> dict[str, str]:
        return {
            **os.environ,
            "COLUMNS": "400",
            "NO_PROXY": "127.0.0.1,localhost",
            self.env_var: token,
            **self.extra_env,
        }

    def auditor(self, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "auditor", *args],
            capture_output=True,
            text=True,
            env=self.env(token),
            check=False,
        )


def github(server: HTTPServer) -> Scenario:
    api = FakeGitHub(server, TOKEN)
    bo = api.profile("bozhang", 11, name="Bo Zhang", company="@contoso", location="Shanghai, China")
    dana = api.profile("dortiz", 12, name="Dana Ortiz", location="Dublin, Ireland")
    bot = gh_user("dependabot[bot]", 49699333, "Bot")
    api.add_issue(
        1, "Harden NTLM fallback", bo, assignees=[bo], labels=[{"id": 1, "name": "area/onprem"}]
    )
    api.add_issue(2, "Farm token expiry", dana)
    api.add_pull(
        3,
        "Fix farm token expiry",
        bo,
        merged=True,
        head=HEAD_SHA,
        merge=MERGE_SHA,
        reviews=[(dana, "APPROVED", HEAD_SHA), (bo, "COMMENTED", HEAD_SHA)],
    )
    api.add_pull(4, "Bump lxml", bot, merged=False, head="c" * 40, merge="d" * 40, reviews=[])
    api.add_issue(5, "Docs typo", dana)
    repo = "contoso/collab-server"

    def touch_two() -> None:
        api.touch(2, title="Farm token expiry (reopened)")
        api.touch(4, title="Bump lxml to 5.3")

    return Scenario(
        kind="github-api",
        api=api,
        env_var="AUDIT_GH_TOKEN",
        tracker_toml=(
            f'[[tracker]]\nkind = "github-api"\nrepo = "{repo}"\n'
            f'api_url = "{api.base_url}"\ntoken_env = "AUDIT_GH_TOKEN"\n'
        ),
        keys={f"{repo}#{n}" for n in range(1, 6)},
        touch_two=touch_two,
        touched={f"{repo}#2": "Farm token expiry (reopened)", f"{repo}#4": "Bump lxml to 5.3"},
        rate_limit=lambda clock: api.rate_limited(clock.now() + 30),
        expected_wait=lambda clock: 31.0,
    )


def jira(server: HTTPServer, *, cloud: bool = True) -> Scenario:
    api = FakeJira(server, TOKEN, user="audit@contoso.com" if cloud else None)
    wei = jira_user("712020:9f1c", "Wei Zhang", "Asia/Shanghai", email="wei.zhang@contoso.com")
    dana = jira_user("5b10ac8d82e05b22cc7d4ef5", "Dana Ortiz", "Europe/Dublin")
    app = jira_user("557058:f58131cb", "Automation for Jira", None, kind="app")
    api.add_issue("SPO-1", "Harden NTLM fallback", wei, dana, components=("Collab OnPrem",))
    api.add_issue("SPO-2", "Farm token expiry", dana, dana, hours=1)
    api.add_issue("SPO-3", "Nightly rebuild", app, app, hours=2)
    api.add_issue("SPO-4", "Claims auth", wei, dana, components=("Collab OnPrem",), hours=3)
    api.add_issue("SPO-5", "Docs typo", None, dana, hours=4)

    def touch_two() -> None:
        api.touch("SPO-2", summary="Farm token expiry (reopened)")
        api.touch("SPO-4", summary="Claims auth in farm")

    user_line = 'user_env = "AUDIT_JIRA_USER"\n' if cloud else ""
    return Scenario(
        kind="jira-api",
        api=api,
        env_var="AUDIT_JIRA_TOKEN",
        tracker_toml=(
            f'[[tracker]]\nkind = "jira-api"\nurl = "{api.base_url}"\njql = "project = SPO"\n'
            f'{user_line}token_env = "AUDIT_JIRA_TOKEN"\n'
        ),
        keys={f"SPO-{n}" for n in range(1, 6)},
        touch_two=touch_two,
        touched={"SPO-2": "Farm token expiry (reopened)", "SPO-4": "Claims auth in farm"},
        rate_limit=lambda clock: api.rate_limited(20),
        expected_wait=lambda clock: 20.0,
        extra_env={"AUDIT_JIRA_USER": "audit@contoso.com"} if cloud else {},
    )


def ado(server: HTTPServer) -> Scenario:
    api = FakeAdo(server, TOKEN)
    alice = ado_identity("Alice Chen", "alice.chen@contoso.com")
    bo = ado_identity("Bo Zhang", "bo.zhang@contoso.com")
    onprem = "Contoso\\Collab\\OnPrem"
    api.add_item(4411, "Fix claims auth in farm", alice, onprem, "security; auth")
    api.add_item(4412, "Rotate farm keys", bo, onprem)
    api.add_item(4413, "Docs", None, "Contoso\\Collab\\Docs")
    api.add_item(4414, "Upgrade installer", bo, onprem, "installer")
    api.add_item(4415, "Search crawl", alice, "Contoso\\Collab\\Search")

    def touch_two() -> None:
        api.touch(4412, **{"System.Title": "Rotate farm keys (again)"})
        api.touch(4415, **{"System.Title": "Search crawl fix"})

    return Scenario(
        kind="ado-api",
        api=api,
        env_var="AUDIT_ADO_TOKEN",
        tracker_toml=(
            f'[[tracker]]\nkind = "ado-api"\norganization_url = "{api.base_url}"\n'
            f'project = "Collab"\n'
            "wiql = \"SELECT [System.Id] FROM WorkItems WHERE [System.AreaPath] UNDER 'Contoso'\"\n"
            'token_env = "AUDIT_ADO_TOKEN"\n'
        ),
        keys={str(n) for n in range(4411, 4416)},
        touch_two=touch_two,
        touched={"4412": "Rotate farm keys (again)", "4415": "Search crawl fix"},
        rate_limit=lambda clock: api.rate_limited(10),
        expected_wait=lambda clock: 10.0,
    )


SCENARIOS: dict[str, Callable[[HTTPServer], Scenario]] = {
    "github-api": github,
    "jira-api": jira,
    "ado-api": ado,
}


def stored_items(db: Path) -> dict[str, dict[str, Any]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT w.key, w.title, w.status, w.area_path, w.merge_commit_sha, "
            "w.head_commit_sha, a.key AS assignee FROM work_item w "
            "LEFT JOIN identity a ON a.id = w.assignee_id"
        ).fetchall()
    return {row["key"]: dict(row) for row in rows}
