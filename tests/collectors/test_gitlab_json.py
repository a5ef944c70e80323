"""GitLab issues/merge requests (REST v4 shape): a tracker kind linked to commits by sha."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.gitlab_json import GitLabJsonCollector
from tests.fixtures.workspace import fixture, rows, workspace


def test_project_export_reads_issues_merge_requests_and_approvals() -> None:
    items = list(GitLabJsonCollector(fixture("gitlab_json/project.json")).collect())
    assert [(i.key, i.kind, i.status) for i in items] == [
        ("contoso/platform/gateway#12", "issue", "closed"),
        ("contoso/platform/gateway!5", "merge_request", "merged"),
        ("contoso/platform/gateway!6", "merge_request", "closed"),
        ("contoso/platform/gateway!7", "merge_request", "open"),
    ]
    issue, merged, closed, opened = items
    assert issue.labels == ("security", "area::gateway")
    assert [a.key for a in issue.assignees] == ["bzhang"]
    assert (merged.merge_commit_sha, merged.head_commit_sha) == ("3" * 40, "4" * 40)
    assert [(r.reviewer.key, r.state) for r in merged.reviews] == [("dortiz", "APPROVED")]
    assert closed.reporter is not None and closed.reporter.bot is True
    # an open MR's merge_commit_sha is not history
    assert opened.merge_commit_sha is None and [a.key for a in opened.assignees] == ["dortiz"]


def test_plain_list_squash_merge_and_label_objects() -> None:
    [item] = GitLabJsonCollector(fixture("gitlab_json/mr_list.json")).collect()
    assert (item.key, item.status, item.merge_commit_sha) == (
        "contoso/tools!9",
        "merged",
        "a" * 40,
    )
    assert item.labels == ("security",)
    assert [r.reviewer.key for r in item.reviews] == ["dortiz"]


def test_stored_as_a_tracker_kind_with_its_project(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "gitlab-json", "fixture": "gitlab_json/project.json"}]
    )
    [result] = import_trackers(loaded, engine)
    assert (result.records, result.added) == (4, 4)
    assert rows(engine, "SELECT kind, ref FROM source") == [
        ("gitlab-json", "contoso/platform/gateway")
    ]
    assert rows(engine, "SELECT key, bot FROM identity WHERE kind = 'gitlab' ORDER BY key") == [
        ("bzhang", 0),
        ("dortiz", 0),
        ("project_77_bot_3f2a9c", 1),
    ]


def test_unknown_shape_and_state_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "gl.json"
    path.write_text('{"message": "401 Unauthorized"}')
    with pytest.raises(InputFormatError, match="keys found: message"):
        list(GitLabJsonCollector(path, display="gl.json").collect())
    path.write_text(
        '[{"iid": 1, "state": "reopened", "web_url": "https://g.example/a/b/-/issues/1"}]'
    )
    with pytest.raises(InputFormatError, match=r"gl.json:\$\[0\]\.state: .*unknown state"):
        list(GitLabJsonCollector(path, display="gl.json").collect())


def test_merge_request_shas_link_to_commits(engine: Engine, tmp_path: Path) -> None:
    from auditor.ingest.links import link_commits
    from tests.collectors.test_links import _links, _setup

    loaded = _setup(
        engine, tmp_path, trackers=[{"kind": "gitlab-json", "fixture": "gitlab_json/project.json"}]
    )
    link_commits(engine, loaded)
    assert _links(engine) == {
        # "Fix #12 in the gateway": the gateway's GitLab issue, as GitHub's `#12` would link
        ("3", "contoso/platform/gateway#12", "message"),
        ("3", "contoso/platform/gateway!5", "merge_commit"),
        ("4", "contoso/platform/gateway!5", "head_commit"),
        ("6", "contoso/platform/gateway!6", "head_commit"),
    }


def test_merge_requests_named_in_messages_link_to_commits(engine: Engine, tmp_path: Path) -> None:
    """`!6` in a gateway commit's message names the gateway's merge request, as `#14` names a
    GitHub pull request; `a!6` is no reference."""
    from sqlalchemy import update

    from auditor.ingest.links import link_commits
    from auditor.store import models
    from tests.collectors.test_links import _links, _setup

    loaded = _setup(
        engine, tmp_path, trackers=[{"kind": "gitlab-json", "fixture": "gitlab_json/project.json"}]
    )
    commit = models.Commit
    with engine.begin() as conn:
        conn.execute(
            update(commit).where(commit.c.sha == "3" * 40).values(message="Follow-up to !6")
        )
        conn.execute(update(commit).where(commit.c.sha == "5" * 40).values(message="a!6 x/!6"))
    link_commits(engine, loaded)
    found = {(sha, key) for sha, key, via in _links(engine) if via == "message"}
    assert found == {("3", "contoso/platform/gateway!6")}
