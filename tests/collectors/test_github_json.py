"""GitHub JSON: REST and `gh --json` shapes, reviews, profiles, strict JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.github_json import GitHubJsonCollector
from tests.fixtures.workspace import count, fixture, rows, workspace


def _error(relative: str) -> InputFormatError:
    with pytest.raises(InputFormatError) as caught:
        list(GitHubJsonCollector(fixture(relative), display=relative).collect())
    return caught.value


def test_rest_shape_is_stored_with_reviews_and_profiles(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "github-json", "fixture": "github_json/repo.json"}]
    )
    [result] = import_trackers(loaded, engine)
    assert (result.records, result.added) == (3, 3)
    assert rows(engine, "SELECT kind, ref FROM source") == [
        ("github-json", "contoso/collab-server")
    ]
    items = rows(
        engine,
        "SELECT key, kind, status, labels, merge_commit_sha, head_commit_sha "
        "FROM work_item ORDER BY id",
    )
    assert [(k, kind, status) for k, kind, status, *_ in items] == [
        ("contoso/collab-server#12", "issue", "closed"),
        ("contoso/collab-server#14", "pull_request", "merged"),
        ("contoso/collab-server#15", "pull_request", "open"),
    ]
    assert json.loads(items[0][3]) == ["area/onprem", "bug"]
    # merge sha lower-cased; the open PR's test-merge sha is not history and is dropped
    assert items[1][4:] == ("a" * 40, "b" * 40)
    assert items[2][4:] == (None, "e" * 40)
    assignees = rows(
        engine,
        "SELECT i.login FROM work_item_assignee a JOIN identity i ON i.id = a.identity_id "
        "JOIN work_item w ON w.id = a.work_item_id WHERE w.key LIKE '%#12' ORDER BY i.login",
    )
    assert assignees == [("achen",), ("bozhang",)]
    reviews = rows(
        engine,
        "SELECT i.login, r.state, r.submitted_at, r.commit_sha FROM review r "
        "JOIN identity i ON i.id = r.reviewer_id ORDER BY r.submitted_at",
    )
    assert [(login, state, sha) for login, state, _at, sha in reviews] == [
        ("achen", "CHANGES_REQUESTED", "c" * 40),
        ("achen", "APPROVED", "b" * 40),
    ]
    assert rows(
        engine, "SELECT kind, name, location_text, email FROM identity WHERE key = 'bozhang'"
    ) == [("github", "Bo Zhang", "Shanghai, China", None)]
    assert rows(engine, "SELECT location_text FROM identity WHERE key = 'achen'") == [
        ("Dublin, Ireland",)
    ]


def test_gh_camel_case_list() -> None:
    items = list(GitHubJsonCollector(fixture("github_json/gh_pr_list.json")).collect())
    assert [i.key for i in items] == ["contoso/gateway#21", "contoso/gateway#22"]
    merged = items[0]
    assert (merged.kind, merged.status) == ("pull_request", "merged")
    assert merged.merge_commit_sha == "1" * 40 and merged.head_commit_sha == "2" * 40
    assert merged.resolved_at == datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    [review] = merged.reviews
    assert (review.reviewer.key, review.state, review.commit_sha) == ("achen", "APPROVED", "2" * 40)
    assert merged.reporter is not None and merged.reporter.key == "bozhang"
    assert items[1].merge_commit_sha is None and items[1].status == "open"


def test_updated_export_replaces_reviews_instead_of_adding(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "github-json", "fixture": "github_json/repo.json"}]
    )
    import_trackers(loaded, engine)
    path = tmp_path / "exports" / "repo.json"
    doc = json.loads(path.read_text())
    doc["pull_requests"][0]["reviews"].append(
        {"user": {"login": "dortiz"}, "state": "COMMENTED", "submitted_at": "2026-03-04T09:30:00Z"}
    )
    path.write_text(json.dumps(doc))
    [result] = import_trackers(loaded, engine)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)
    assert count(engine, "review") == 3
    assert count(engine, "work_item") == 3


def test_bad_review_date_names_the_json_path() -> None:
    assert str(_error("github_json/malformed_bad_date.json")) == (
        "github_json/malformed_bad_date.json:$.pull_requests[0].reviews[1].submitted_at: "
        "field 'submitted_at': not an ISO 8601 date: '04/03/2026'"
    )


def test_infinity_is_refused() -> None:
    assert str(_error("github_json/malformed_infinity.json")) == (
        "github_json/malformed_infinity.json:$.issues[0].assignees[1].id: field 'id': "
        "Infinity is not a valid JSON number"
    )


def test_duplicate_key_is_refused() -> None:
    assert str(_error("github_json/malformed_duplicate_key.json")) == (
        "github_json/malformed_duplicate_key.json:$.issues[0].state: field 'state': "
        "duplicate key 'state' in one object"
    )


def test_number_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text(
        json.dumps({"issues": [{"number": 1, "title": "a"}, {"number": 1, "title": "b"}]})
    )
    with pytest.raises(InputFormatError) as caught:
        list(GitHubJsonCollector(path, display="twice.json").collect())
    assert str(caught.value) == (
        "twice.json:$.issues[1].number: field 'number': "
        "number 1 appears twice (first at $.issues[0])"
    )


def test_oversized_string_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"number": 1, "title": "x" * (1024 * 1024 + 1)}]))
    with pytest.raises(InputFormatError) as caught:
        list(GitHubJsonCollector(path, display="big.json").collect())
    assert str(caught.value) == (
        "big.json:$[0].title: field 'title': string is longer than the 1048576 character limit"
    )
