"""Commit ↔ work-item links: message keys per tracker, GitHub numbers per repository, PR shas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from auditor.ingest.links import link_commits
from auditor.ingest.trackers import import_trackers
from auditor.kernel.config import LoadedConfig
from auditor.kernel.errors import ConfigError
from auditor.store import models
from auditor.store.engine import transaction, upsert
from tests.fixtures.workspace import count, rows, workspace

GIT = [
    {"name": "collab-server", "path": "repos/collab-server"},
    {"name": "gateway", "path": "repos/gateway"},
]
TRACKERS: list[dict[str, Any]] = [
    {"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"},
    {"kind": "ado-csv", "fixture": "ado_csv/export.csv"},
    {"kind": "github-json", "fixture": "github_json/repo.json"},
]
# (repository, sha, message)
COMMITS = [
    ("collab-server", "1" * 40, "SPO-1423: harden NTLM fallback\n\nAlso fixes UTF-8 handling"),
    ("collab-server", "2" * 40, "Fix farm token expiry (#12)"),
    ("gateway", "3" * 40, "Fix #12 in the gateway"),
    ("collab-server", "a" * 40, "Merge pull request #14 from bozhang/fix-expiry"),
    ("collab-server", "b" * 40, "fix expiry"),
    ("collab-server", "4" * 40, "Closes AB#4411 and AB#9999"),
    ("collab-server", "5" * 40, "Refs SPO-9999 and ABC-1"),
    ("collab-server", "6" * 40, "see issue#12 and docs/#12"),
]


def _store_commits(engine: Engine) -> None:
    """Commits as the git collector stores them (only the columns links read matter here)."""
    with transaction(engine) as conn:
        for name in ("collab-server", "gateway"):
            upsert(
                conn,
                models.Source,
                [{"name": name, "kind": "git", "location": f"repos/{name}", "records": 0}],
                key=["name"],
            )
        upsert(
            conn,
            models.Identity,
            [{"kind": "git", "key": "Bo Zhang <bo@contoso.com>", "name": "Bo Zhang"}],
            key=["kind", "key"],
        )
        ids = dict(
            conn.execute(
                models.Source.select().with_only_columns(models.Source.c.name, models.Source.c.id)
            ).all()
        )
        author = conn.execute(
            models.Identity.select()
            .with_only_columns(models.Identity.c.id)
            .where(models.Identity.c.kind == "git")
        ).scalar_one()
        conn.execute(
            models.Commit.insert(),
            [
                {
                    "source_id": ids[repo],
                    "sha": sha,
                    "author_id": author,
                    "committer_id": author,
                    "authored_at": 1_770_000_000 + n,
                    "committed_at": 1_770_000_000 + n,
                    "message": message,
                }
                for n, (repo, sha, message) in enumerate(COMMITS)
            ],
        )


def _links(engine: Engine) -> set[tuple[str, str, str]]:
    return set(
        rows(
            engine,
            "SELECT substr(c.sha, 1, 1), w.key, l.via FROM commit_work_item l "
            'JOIN "commit" c ON c.id = l.commit_id JOIN work_item w ON w.id = l.work_item_id',
        )
    )


def _setup(engine: Engine, tmp_path: Path, **kwargs: Any) -> LoadedConfig:
    loaded = workspace(tmp_path, trackers=kwargs.pop("trackers", TRACKERS), git=GIT, **kwargs)
    import_trackers(loaded, engine)
    _store_commits(engine)
    return loaded


def test_links_from_messages_and_pull_requests(engine: Engine, tmp_path: Path) -> None:
    loaded = _setup(engine, tmp_path)
    summary = link_commits(engine, loaded)
    expected = {
        ("1", "SPO-1423", "message"),
        ("2", "contoso/collab-server#12", "message"),
        # the merge commit's message also says #14: the stronger link wins
        ("a", "contoso/collab-server#14", "merge_commit"),
        ("b", "contoso/collab-server#14", "head_commit"),
        ("4", "4411", "message"),
    }
    assert _links(engine) == expected
    assert (summary.links, summary.commits_linked, summary.work_items_linked) == (5, 5, 4)
    assert summary.by_via == {"message": 3, "merge_commit": 1, "head_commit": 1}


def test_linking_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    loaded = _setup(engine, tmp_path)
    first = link_commits(engine, loaded)
    before = _links(engine)
    second = link_commits(engine, loaded)
    assert second == first and _links(engine) == before
    assert count(engine, "commit_work_item") == 5


def test_configured_repo_decides_where_hash_numbers_point(engine: Engine, tmp_path: Path) -> None:
    trackers = [dict(t) for t in TRACKERS]
    trackers[2]["repo"] = "gateway"
    loaded = _setup(engine, tmp_path, trackers=trackers)
    link_commits(engine, loaded)
    links = _links(engine)
    assert ("3", "contoso/collab-server#12", "message") in links
    assert not any(sha == "2" for sha, _, _ in links)


def test_unknown_repo_is_a_configuration_error(engine: Engine, tmp_path: Path) -> None:
    trackers = [dict(t) for t in TRACKERS]
    trackers[2]["repo"] = "nope"
    loaded = _setup(engine, tmp_path, trackers=trackers)
    with pytest.raises(ConfigError) as caught:
        link_commits(engine, loaded)
    assert caught.value.field == "tracker[2].repo"


def test_custom_patterns(engine: Engine, tmp_path: Path) -> None:
    loaded = _setup(
        engine, tmp_path, extra='[links]\npatterns = ["\\\\bAB#(\\\\d+)", "(?i)\\\\bspo-\\\\d+"]\n'
    )
    link_commits(engine, loaded)
    # '#12' is no longer a pattern; Jira keys match case-insensitively and are upper-cased
    assert _links(engine) == {
        ("1", "SPO-1423", "message"),
        ("a", "contoso/collab-server#14", "merge_commit"),
        ("b", "contoso/collab-server#14", "head_commit"),
        ("4", "4411", "message"),
    }


def test_no_work_items_no_links(engine: Engine, tmp_path: Path) -> None:
    loaded = _setup(engine, tmp_path, trackers=[])
    assert link_commits(engine, loaded).links == 0
    assert count(engine, "commit_work_item") == 0


def test_relinking_with_other_patterns_removes_stale_links(engine: Engine, tmp_path: Path) -> None:
    loaded = _setup(engine, tmp_path)
    link_commits(engine, loaded)
    narrower = workspace(
        tmp_path / "narrower",
        trackers=TRACKERS,
        git=GIT,
        extra='[links]\npatterns = ["AB#\\\\d+"]\n',
    )
    summary = link_commits(engine, narrower)
    assert _links(engine) == {
        ("a", "contoso/collab-server#14", "merge_commit"),
        ("b", "contoso/collab-server#14", "head_commit"),
        ("4", "4411", "message"),
    }
    assert summary.links == 3
