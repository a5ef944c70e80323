"""The API client and collectors under failure: retries, waits, bounds, resumption, secrets."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from auditor.ingest.collect import collect_all
from auditor.ingest.trackers import tracker_name
from auditor.kernel.config import load_config
from auditor.kernel.errors import ApiError
from auditor.store.engine import make_engine
from collectors.api_cursor import Cursor
from collectors.github_api import GitHubApiCollector
from collectors.http_client import ApiClient, ApiProgress, AuthHelp
from tests.collectors.api_scenarios import (
    TOKEN,
    FakeClock,
    Scenario,
    ado,
    github,
    jira,
    stored_items,
)
from tests.collectors.fake_apis import FakeGitHub, json_response, server_error


def _collect(scenario: Scenario, root: Path, clock: FakeClock) -> list[str]:
    """Run collect_all in-process with a clock that does not sleep; returns its messages."""
    loaded = load_config(scenario.write_workspace(root))
    messages: list[str] = []
    engine = make_engine(loaded.store_url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in scenario.env().items():
                patch.setenv(key, value)
            collect_all(loaded, engine, clock=clock, notify=messages.append)
    finally:
        engine.dispose()
    return messages


def test_a_server_error_is_retried_after_a_backoff(httpserver: HTTPServer, tmp_path: Path) -> None:
    scenario = github(httpserver)
    scenario.api.fail(server_error, times=2)
    clock = FakeClock()
    messages = _collect(scenario, tmp_path, clock)
    assert clock.slept == [1.0, 2.0]
    assert any("HTTP 500, retry 1 of 4" in m for m in messages), messages
    assert set(stored_items(tmp_path / ".auditor" / "audit.db")) == scenario.keys


def test_a_service_that_keeps_failing_stops_with_the_count(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = jira(httpserver)
    scenario.api.fail(server_error, times=10)
    clock = FakeClock()
    with pytest.raises(ApiError, match=r"Jira answered 500 5 times in a row \(Server Error\)"):
        _collect(scenario, tmp_path, clock)
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]


def test_an_unreachable_host_is_named_with_the_attempts() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    client = ApiClient(
        f"http://127.0.0.1:{port}",
        service="GitHub",
        headers={},
        auth=AuthHelp(None, "nothing"),
        not_found="",
        clock=clock,
    )
    with client, pytest.raises(ApiError) as caught:
        client.get("/repos/o/r/issues")
    assert "cannot reach 127.0.0.1 after 5 attempts (ConnectError" in str(caught.value)
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]


def test_a_wait_beyond_the_cap_is_an_error_saying_until_when(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = github(httpserver)
    clock = FakeClock()
    scenario.api.fail(scenario.api.rate_limited(clock.now() + 3600))
    with pytest.raises(ApiError) as caught:
        _collect(scenario, tmp_path, clock)
    assert "rate limit: asked to wait 3601 s (until " in str(caught.value)
    assert "more than the 900 s a run waits" in str(caught.value)
    assert clock.slept == []


def test_a_spent_quota_makes_the_next_request_wait(httpserver: HTTPServer) -> None:
    clock = FakeClock()
    reset = int(clock.now()) + 40
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    httpserver.expect_request("/a").respond_with_json([], headers=headers)
    httpserver.expect_request("/b").respond_with_json([])
    progress = ApiProgress()
    with ApiClient(
        httpserver.url_for(""),
        service="GitHub",
        headers={},
        auth=AuthHelp(None, ""),
        not_found="",
        clock=clock,
        progress=progress,
    ) as client:
        client.get("/a")
        assert clock.slept == []
        client.get("/b")
    assert clock.slept == [41.0] and progress.waits == 1


def test_pagination_stops_at_its_bound_with_a_clear_error(httpserver: HTTPServer) -> None:
    scenario = github(httpserver)
    client = ApiClient(
        scenario.api.base_url,
        service="GitHub",
        headers={"Authorization": f"Bearer {TOKEN}"},
        auth=AuthHelp("AUDIT_GH_TOKEN", ""),
        not_found="",
        clock=FakeClock(),
    )
    collector = GitHubApiCollector(client, "contoso/collab-server", Cursor(), max_pages=2)
    with client, pytest.raises(ApiError, match="the issue listing has more than 2 pages"):
        list(collector.pages())


def test_a_next_link_to_another_host_is_not_followed(httpserver: HTTPServer) -> None:
    link = '<https://attacker.example/steal?page=2>; rel="next"'
    httpserver.expect_request("/repos/o/r/issues").respond_with_json([], headers={"Link": link})
    client = ApiClient(
        httpserver.url_for(""),
        service="GitHub",
        headers={},
        auth=AuthHelp(None, ""),
        not_found="",
        clock=FakeClock(),
    )
    with client, pytest.raises(ApiError, match="points to another host"):
        list(GitHubApiCollector(client, "o/r", Cursor()).pages())


def test_a_failure_keeps_whole_pages_and_the_next_run_resumes(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = github(httpserver)

    def second_page(request: Request) -> bool:
        return request.path.endswith("/issues") and request.args.get("page") == "2"

    scenario.api.fail(server_error, times=5, when=second_page)
    with pytest.raises(ApiError, match="answered 500 5 times"):
        _collect(scenario, tmp_path, FakeClock())
    db = tmp_path / ".auditor" / "audit.db"
    assert set(stored_items(db)) == {"contoso/collab-server#1", "contoso/collab-server#2"}
    with sqlite3.connect(db) as conn:
        (head,) = conn.execute("SELECT head FROM source").fetchone()
    assert Cursor.loads(head, source="x").keys == {"contoso/collab-server#2"}
    scenario.api.requests.clear()
    _collect(scenario, tmp_path, FakeClock())
    assert set(stored_items(db)) == scenario.keys
    # resumed after page 1: issue #1 and #2's profiles are not asked again
    assert scenario.api.requests[0] == "GET /repos/contoso/collab-server/issues"
    assert "GET /users/dortiz" in scenario.api.requests  # the author of #5, on a later page


def test_the_token_is_never_stored_printed_or_exported(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = github(httpserver)
    config = scenario.write_workspace(tmp_path)
    outputs = []
    for args in (
        ("collect",),
        ("people", "--format", "json", "--as-of", "2026-06-01"),
        ("check", "--format", "json", "--as-of", "2026-06-01"),
        ("export", "--period", "2026-Q1", "--allow-empty", "-o", str(tmp_path / "q.json")),
    ):
        result = scenario.auditor(*args, "--config", str(config))
        # no [[git]] source: check says there is nothing to judge (exit 2), never "clean"
        expected = (2,) if args[0] == "check" else (0, 1)
        assert result.returncode in expected, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    verified = subprocess.run(
        [sys.executable, "-m", "auditor", "verify", str(tmp_path / "q.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr  # API kinds are valid
    scenario.api.fail(server_error, times=5)
    failed = scenario.auditor("collect", "--config", str(config))
    assert failed.returncode == 2
    outputs += [failed.stdout, failed.stderr]
    scenario.api.fail(scenario.api.unauthorized)
    refused = scenario.auditor("collect", "--config", str(config))
    assert refused.returncode == 2 and "401" in refused.stderr
    outputs += [refused.stdout, refused.stderr]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert tmp_path / "q.json" in files and len(files) >= 3
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    for text in outputs:
        assert TOKEN not in text


def test_a_sign_in_page_instead_of_json_points_at_the_token(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = ado(httpserver)
    page = "<html><head><title>Azure DevOps Services | Sign In</title></head></html>"
    scenario.api.fail(lambda: Response(page, status=203, content_type="text/html"))
    with pytest.raises(ApiError) as caught:
        _collect(scenario, tmp_path, FakeClock())
    message = str(caught.value)
    assert "did not answer JSON (203, text/html" in message
    assert "a sign-in page means the token was not accepted" in message
    assert set(stored_items(tmp_path / ".auditor" / "audit.db")) == set()


def test_a_secondary_limit_without_hints_waits_a_minute_then_longer(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = github(httpserver)
    message = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    scenario.api.fail(lambda: json_response(message, 403), times=2)
    clock = FakeClock()
    _collect(scenario, tmp_path, clock)
    assert clock.slept == [60.0, 120.0]
    assert set(stored_items(tmp_path / ".auditor" / "audit.db")) == scenario.keys


def test_a_cursor_never_moves_back() -> None:
    from datetime import UTC, datetime

    early = Cursor(datetime(2026, 3, 1, tzinfo=UTC), frozenset({"a"}))
    late = Cursor(datetime(2026, 3, 2, tzinfo=UTC), frozenset({"b"}))
    same = Cursor(late.updated, frozenset({"c"}))
    assert early.later(late) == late and late.later(early) == late
    assert late.later(same).keys == {"b", "c"}
    assert Cursor().later(early) == early and early.later(Cursor()) == early
    assert late.seen("b", late.updated) and not late.seen("z", late.updated)
    assert late.seen("z", early.updated) and not late.seen("b", datetime(2026, 3, 3, tzinfo=UTC))
    assert Cursor.loads(late.dumps(), source="s") == late


def test_a_malformed_item_names_the_request_and_json_path_and_writes_nothing(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    scenario = github(httpserver)
    assert isinstance(scenario.api, FakeGitHub)
    scenario.api.issues[1]["created_at"] = "yesterday"
    config = scenario.write_workspace(tmp_path)
    result = scenario.auditor("collect", "--config", str(config))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "GET http://" in line and "/repos/contoso/collab-server/issues" in line
    assert "created_at" in line and "yesterday" in line and "Traceback" not in result.stderr
    assert stored_items(tmp_path / ".auditor" / "audit.db") == {}


def test_progress_follows_each_stored_page(httpserver: HTTPServer, tmp_path: Path) -> None:
    scenario = jira(httpserver)
    loaded = load_config(scenario.write_workspace(tmp_path))
    seen: list[tuple[str, int]] = []
    engine = make_engine(loaded.store_url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in scenario.env().items():
                patch.setenv(key, value)
            collect_all(
                loaded, engine, clock=FakeClock(), progress=lambda n, c, _total: seen.append((n, c))
            )
    finally:
        engine.dispose()
    name = tracker_name(loaded.config.tracker[0])  # "jira:localhost"
    assert seen == [(name, 2), (name, 4), (name, 5)]
