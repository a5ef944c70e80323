"""Export shapes as people really have them (#17): each is read or refused, never empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.github_json import GitHubJsonCollector
from collectors.interface import WorkItemRecord
from collectors.jira_json import JiraJsonCollector
from tests.fixtures.workspace import fixture, rows, workspace


def _items(collector_type: type, relative: str) -> list[WorkItemRecord]:
    return list(collector_type(fixture(relative), display=relative).collect())


def _error(collector_type: type, relative: str) -> str:
    with pytest.raises(InputFormatError) as caught:
        list(collector_type(fixture(relative), display=relative).collect())
    return str(caught.value)


def test_single_pull_request_object_is_read() -> None:
    [item] = _items(GitHubJsonCollector, "github_json/pull_single.json")
    assert (item.key, item.kind, item.status) == ("contoso/gateway#31", "pull_request", "merged")
    assert item.merge_commit_sha == "3" * 40
    assert item.head_commit_sha == "4" * 40
    assert item.labels == ("area/gateway",)


def test_search_response_keeps_merged_closed_and_open_apart() -> None:
    items = _items(GitHubJsonCollector, "github_json/search_issues.json")
    assert [(i.key, i.kind, i.status) for i in items] == [
        ("contoso/gateway#30", "issue", "closed"),
        ("contoso/gateway#31", "pull_request", "merged"),  # pull_request.merged_at
        ("contoso/gateway#32", "pull_request", "closed"),
        ("contoso/gateway#33", "pull_request", "open"),
    ]
    merged = items[1]
    assert merged.resolved_at is not None and merged.resolved_at.isoformat().startswith(
        "2026-05-06T09:00"
    )


def test_github_bot_accounts_are_flagged() -> None:
    items = _items(GitHubJsonCollector, "github_json/search_issues.json")
    copilot = items[3].reporter
    assert copilot is not None and (copilot.login, copilot.bot) == ("Copilot", True)
    assert items[0].reporter is not None and items[0].reporter.bot is False


def test_graphql_response_is_read_with_connections() -> None:
    items = _items(GitHubJsonCollector, "github_json/graphql.json")
    assert [(i.key, i.status) for i in items] == [
        ("contoso/gateway#31", "merged"),
        ("contoso/gateway#34", "closed"),
    ]
    first, second = items
    assert first.labels == ("area/gateway",) and [a.login for a in first.assignees] == ["bozhang"]
    assert [(r.reviewer.login, r.state, r.commit_sha) for r in first.reviews] == [
        ("dana-ortiz", "APPROVED", "4" * 40)
    ]
    assert first.merge_commit_sha == "3" * 40
    assert second.labels == ("deps",) and second.merge_commit_sha is None
    assert second.reporter is not None and second.reporter.bot is True


def test_reviews_only_list_is_refused_naming_the_shape() -> None:
    assert _error(GitHubJsonCollector, "github_json/reviews_only.json") == (
        "github_json/reviews_only.json:$: this is a list of pull request reviews "
        "(`.../pulls/N/reviews`), not issues or pull requests; put them under their pull "
        'request\'s "reviews" key'
    )


def test_an_api_error_object_is_refused_with_its_keys() -> None:
    assert _error(GitHubJsonCollector, "github_json/error_response.json").endswith(
        "keys found: documentation_url, message, status"
    )


def test_graphql_errors_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "gql.json"
    path.write_text('{"errors": [{"type": "NOT_FOUND", "message": "Could not resolve"}]}')
    with pytest.raises(InputFormatError, match="GraphQL response without data"):
        list(GitHubJsonCollector(path).collect())


def test_an_export_with_no_items_is_a_warning_naming_the_file(
    engine: Engine, tmp_path: Path
) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "github-json", "fixture": "github_json/search_empty.json"}]
    )
    [result] = import_trackers(loaded, engine)
    assert result.records == 0
    assert result.warnings == (
        f"{tmp_path / 'exports' / 'search_empty.json'}: no work items in this file",
    )


def test_jira_automation_app_is_a_bot_and_stored_as_one(engine: Engine, tmp_path: Path) -> None:
    [item] = _items(JiraJsonCollector, "jira_json/automation.json")
    assert item.assignee is not None and item.assignee.bot is True
    assert item.reporter is not None and item.reporter.bot is False
    loaded = workspace(
        tmp_path, trackers=[{"kind": "jira-json", "fixture": "jira_json/automation.json"}]
    )
    import_trackers(loaded, engine)
    assert rows(engine, "SELECT name, bot FROM identity ORDER BY name") == [
        ("Automation for Jira", 1),
        ("Li Na", 0),
    ]


def test_jira_single_issue_is_read_and_an_error_response_refused(tmp_path: Path) -> None:
    path = tmp_path / "issue.json"
    path.write_text(
        '{"id": "10423", "key": "SPO-1423", "fields": {"summary": "Harden NTLM fallback"}}'
    )
    [item] = JiraJsonCollector(path).collect()
    assert (item.key, item.title) == ("SPO-1423", "Harden NTLM fallback")
    path.write_text('{"errorMessages": ["Issue does not exist"], "errors": {}}')
    with pytest.raises(InputFormatError) as caught:
        list(JiraJsonCollector(path, display="issue.json").collect())
    assert str(caught.value).endswith("keys found: errorMessages, errors")
