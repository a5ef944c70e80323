"""`auditor collect` on live API sources, one local fake server per kind (GitHub, Jira, ADO).

For each kind: a full collect, a re-run with nothing new (one request), an update of
two items, a rate-limit wait (with a clock that does not sleep) and an auth failure.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.store.engine import make_engine
from tests.collectors.api_scenarios import SCENARIOS, TOKEN, FakeClock, Scenario, stored_items


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest, httpserver: HTTPServer) -> Scenario:
    return SCENARIOS[request.param](httpserver)


def _db(root: Path) -> Path:
    return root / ".auditor" / "audit.db"


def test_full_collect_stores_every_item_through_the_cli(scenario: Scenario, tmp_path: Path) -> None:
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "5 added, 0 updated" in result.stdout
    items = stored_items(_db(tmp_path))
    assert set(items) == scenario.keys
    with sqlite3.connect(_db(tmp_path)) as conn:
        kind, head, records = conn.execute("SELECT kind, head, records FROM source").fetchone()
        identities = {
            row[0]: row[1:]
            for row in conn.execute("SELECT key, kind, time_zone, location_text FROM identity")
        }
    assert kind == scenario.kind and records == 5
    assert head and '"updated"' in head  # the cursor the next run starts from
    if scenario.kind == "github-api":
        pr = items["contoso/collab-server#3"]
        assert (pr["status"], pr["merge_commit_sha"], pr["head_commit_sha"]) == (
            "merged",
            "b" * 40,
            "a" * 40,
        )
        assert items["contoso/collab-server#4"]["merge_commit_sha"] is None  # open: not history
        assert identities["bozhang"] == ("github", None, "Shanghai, China")  # profile evidence
        with sqlite3.connect(_db(tmp_path)) as conn:
            reviews = conn.execute(
                "SELECT i.key, r.state, r.commit_sha FROM review r "
                "JOIN identity i ON i.id = r.reviewer_id ORDER BY i.key"
            ).fetchall()
        assert reviews == [("bozhang", "COMMENTED", "a" * 40), ("dortiz", "APPROVED", "a" * 40)]
        assert "5 pages" in result.stdout  # 3 of issues, one of reviews per pull request
    elif scenario.kind == "jira-api":
        assert items["SPO-1"]["assignee"] == "712020:9f1c"
        assert identities["712020:9f1c"] == ("jira", "Asia/Shanghai", None)
        assert "3 pages" in result.stdout
    else:
        assert items["4411"]["assignee"] == "alice.chen@contoso.com"
        assert items["4411"]["area_path"] == "Contoso\\Collab\\OnPrem"
        assert identities["bo.zhang@contoso.com"][0] == "ado"


def test_a_rerun_with_nothing_new_makes_one_request(scenario: Scenario, tmp_path: Path) -> None:
    config = scenario.write_workspace(tmp_path)
    assert scenario.auditor("collect", "--config", str(config)).returncode == 0
    scenario.api.requests.clear()
    again = scenario.auditor("collect", "--config", str(config))
    assert again.returncode == 0, again.stderr
    assert len(scenario.api.requests) == 1, scenario.api.requests
    assert "0 added, 0 updated" in again.stdout
    assert set(stored_items(_db(tmp_path))) == scenario.keys


def test_an_update_of_two_items_fetches_and_rewrites_those(
    scenario: Scenario, tmp_path: Path
) -> None:
    config = scenario.write_workspace(tmp_path)
    assert scenario.auditor("collect", "--config", str(config)).returncode == 0
    scenario.touch_two()
    again = scenario.auditor("collect", "--config", str(config))
    assert again.returncode == 0, again.stderr
    assert "0 added, 2 updated" in again.stdout
    items = stored_items(_db(tmp_path))
    assert {key: items[key]["title"] for key in scenario.touched} == scenario.touched
    assert set(items) == scenario.keys
    scenario.api.requests.clear()
    third = scenario.auditor("collect", "--config", str(config))
    assert "0 added, 0 updated" in third.stdout and len(scenario.api.requests) == 1


def test_a_rate_limit_is_waited_out_as_the_service_says(scenario: Scenario, tmp_path: Path) -> None:
    loaded = load_config(scenario.write_workspace(tmp_path))
    clock = FakeClock()
    scenario.api.fail(scenario.rate_limit(clock))
    messages: list[str] = []
    engine = make_engine(loaded.store_url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in scenario.env().items():
                patch.setenv(key, value)
            summary = collect_all(loaded, engine, clock=clock, notify=messages.append)
    finally:
        engine.dispose()
    assert clock.slept == [scenario.expected_wait(clock)]
    (result,) = summary.trackers
    assert result.added == 5 and result.note is not None and "1 rate-limit waits" in result.note
    assert any("rate limit: waiting" in message for message in messages), messages
    assert set(stored_items(_db(tmp_path))) == scenario.keys


def test_a_rejected_token_exits_2_saying_which_variable_and_what_it_needs(
    scenario: Scenario, tmp_path: Path
) -> None:
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config), token="wrong-token")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"${scenario.env_var}" in lines[0] and "401" in lines[0] and "needs" in lines[0]
    assert "wrong-token" not in result.stderr + result.stdout
    assert TOKEN not in result.stderr + result.stdout


def test_a_missing_token_variable_is_named_before_any_request(
    scenario: Scenario, tmp_path: Path
) -> None:
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config), token="")
    assert result.returncode == 2
    assert f"environment variable {scenario.env_var} is not set or empty" in result.stderr
    assert scenario.api.requests == []
