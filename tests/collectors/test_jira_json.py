"""Jira REST JSON: user objects with nullable fields, JSON-path errors, strict JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.jira_json import JiraJsonCollector
from tests.fixtures.workspace import count, fixture, rows, workspace


def _error(relative: str) -> InputFormatError:
    with pytest.raises(InputFormatError) as caught:
        list(JiraJsonCollector(fixture(relative), display=relative).collect())
    return caught.value


def test_search_results_are_read() -> None:
    items = {i.key: i for i in JiraJsonCollector(fixture("jira_json/search.json")).collect()}
    assert list(items) == ["SPO-1423", "SPO-1424", "SPO-1430"]
    first = items["SPO-1423"]
    assert first.components == ("Collab OnPrem", "Auth")
    assert first.labels == ("security", "ntlm")
    assert first.created_at == datetime(2024, 3, 12, 1, 41, tzinfo=UTC)  # +0800 to UTC
    assert first.assignee is not None
    assert (first.assignee.key, first.assignee.email, first.assignee.time_zone) == (
        "712020:9f1c",
        "wei.zhang@contoso.com",
        "Asia/Shanghai",
    )
    assert first.reporter is not None and first.reporter.email is None
    assert items["SPO-1430"].labels == () and items["SPO-1430"].assignee is None


def test_import_keeps_what_a_later_csv_does_not_know(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        trackers=[
            {"kind": "jira-json", "fixture": "jira_json/search.json"},
            {"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"},
        ],
    )
    results = import_trackers(loaded, engine)
    assert [(r.kind, r.records) for r in results] == [("jira-json", 3), ("jira-csv", 3)]
    # same account ids in both: one identity each, e-mail and zone from the JSON kept
    assert count(engine, "identity") == 3
    assert rows(
        engine, "SELECT name, email, time_zone FROM identity WHERE key = '712020:9f1c'"
    ) == [("Wei Zhang", "wei.zhang@contoso.com", "Asia/Shanghai")]
    assert rows(engine, "SELECT time_zone FROM identity WHERE key = '712020:77ab'") == [
        ("Asia/Shanghai",)
    ]
    # one work item per source and key
    assert rows(engine, "SELECT count(*) FROM work_item WHERE key = 'SPO-1423'") == [(2,)]


def test_plain_array_of_issues_is_accepted(tmp_path: Path) -> None:
    issues = json.loads(fixture("jira_json/search.json").read_text())["issues"]
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues))
    assert [i.key for i in JiraJsonCollector(path).collect()] == [
        "SPO-1423",
        "SPO-1424",
        "SPO-1430",
    ]


def test_bad_date_names_the_json_path() -> None:
    error = _error("jira_json/malformed_bad_date.json")
    assert str(error) == (
        "jira_json/malformed_bad_date.json:$.issues[1].fields.created: field 'created': "
        "not an ISO 8601 date: 'yesterday'"
    )
    assert error.field == "created"


def test_duplicate_key_is_refused() -> None:
    assert str(_error("jira_json/malformed_duplicate_key.json")) == (
        "jira_json/malformed_duplicate_key.json:$.issues[2].key: field 'key': "
        "duplicate key 'key' in one object"
    )


def test_nan_is_refused() -> None:
    assert str(_error("jira_json/malformed_nan.json")) == (
        "jira_json/malformed_nan.json:$.total: field 'total': NaN is not a valid JSON number"
    )


def test_missing_fields_object() -> None:
    assert str(_error("jira_json/malformed_missing_fields.json")) == (
        "jira_json/malformed_missing_fields.json:$.issues[1].fields: field 'fields': "
        "required key 'fields' is missing"
    )


def test_too_deep_nesting_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"issues":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputFormatError) as caught:
        list(JiraJsonCollector(path, display="deep.json").collect())
    assert str(caught.value) == "deep.json:2: JSON nested deeper than 64 levels"


def test_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"issues": [\n  {"key": "SPO-1",}\n]}')
    with pytest.raises(InputFormatError) as caught:
        list(JiraJsonCollector(path, display="broken.json").collect())
    assert str(caught.value).startswith("broken.json:2: invalid JSON: ")


def test_wrong_type_names_path(tmp_path: Path) -> None:
    path = tmp_path / "types.json"
    path.write_text('{"issues": [{"key": "SPO-1", "fields": {"summary": "x", "labels": "oops"}}]}')
    with pytest.raises(InputFormatError) as caught:
        list(JiraJsonCollector(path, display="types.json").collect())
    assert str(caught.value) == (
        "types.json:$.issues[0].fields.labels: field 'labels': expected an array, got a string"
    )


def test_malformed_json_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "jira-json", "fixture": "jira_json/malformed_nan.json"}]
    )
    with pytest.raises(InputFormatError):
        import_trackers(loaded, engine)
    assert [count(engine, t) for t in ("source", "work_item", "identity")] == [0, 0, 0]
