"""Repositories that lack objects or cannot be read (#15.4).

A partial clone (`--filter=blob:none`) has every commit and tree but few
blobs: every commit and its paths are stored, line counts are None where they
could not be computed (the commit flagged `lines-unknown`), and the result
names the first missing object. A repository that cannot be read at all gets
one line saying why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor.ingest.git import collect_repository
from auditor.kernel.errors import CollectorError
from auditor.store import models
from tests.collectors.git_helpers import partial_clone
from tests.gitrepo import GitRepo, git


def _commits(engine: Engine) -> dict[str, tuple[list[str], int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(models.Commit.c.message, models.Commit.c.flags, models.Commit.c.added,  # type: ignore[call-overload]
                   models.Commit.c.files)
        ).all()  # fmt: skip
    return {
        row.message.strip(): (
            json.loads(row.flags) if isinstance(row.flags, str) else row.flags,
            row.added,
            row.files,
        )
        for row in rows
    }


def test_partial_clone_records_every_commit_and_path_with_unknown_line_counts(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    partial = partial_clone(make_repo, tmp_path)
    result = collect_repository(
        engine, name="p", location=str(partial), branch=None, mirrors=tmp_path / "m"
    )
    assert (result.new_commits, result.total_commits) == (4, 4)
    commits = _commits(engine)
    assert set(commits) == {"c0", "c1", "c2", "c3"}
    assert [commits[c][2] for c in ("c0", "c1", "c2", "c3")] == [1, 2, 2, 2]
    # Newest first: c3's diff already needs the a.txt of c2, which the clone lacks; c0's
    # only blob (keep.txt) is checked out, so c0 is counted after all.
    unknown = {message for message, (flags, _a, _f) in commits.items() if "lines-unknown" in flags}
    assert unknown == {"c1", "c2", "c3"}
    assert commits["c0"][1] == 1
    with engine.connect() as conn:
        changes = conn.execute(
            select(
                models.FileChange.c.added, models.FileChange.c.deleted, models.FileChange.c.binary
            )  # type: ignore[call-overload]
        ).all()
    assert len(changes) == 7
    assert sorted(c.added for c in changes if c.added is not None) == [1]
    assert any(c.added is None and c.deleted is None and not c.binary for c in changes)
    missing_blob = git(partial, "rev-parse", "HEAD~1:a.txt").strip()
    assert result.notes == (
        f"line counts unknown for 3 commits: objects missing (first: {missing_blob}); "
        "their paths are recorded",
    )


def test_partial_clone_collect_from_the_cli_says_what_is_unknown(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    partial = partial_clone(make_repo, tmp_path)
    (tmp_path / "auditor.toml").write_text(
        f'[[git]]\nname = "p"\npath = "{partial}"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "collect", "-c", str(tmp_path / "auditor.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "invalid index-pack output" not in done.stderr
    assert "p: line counts unknown for" in done.stderr


def test_plain_folder_is_not_a_git_repository(tmp_path: Path, engine: Engine) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "README").write_text("hello\n")
    with pytest.raises(CollectorError, match="not a git repository"):
        collect_repository(
            engine, name="x", location=str(folder), branch=None, mirrors=tmp_path / "m"
        )


def test_repository_without_commits_says_so(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo()
    with pytest.raises(CollectorError, match="no commits"):
        collect_repository(
            engine, name="x", location=str(repo.path), branch=None, mirrors=tmp_path / "m"
        )


def test_unreadable_repository_from_the_cli_is_one_line_with_status_2(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (tmp_path / "auditor.toml").write_text(
        f'[[git]]\nname = "x"\npath = "{folder}"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "collect", "-c", str(tmp_path / "auditor.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: not a git repository: {folder}"]


def test_corrupt_pack_names_the_repository_and_the_object(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    """A commit object missing from the pack: the message names the repository and the sha."""
    repo = make_repo()
    repo.commit("one", author=_who(), date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    first = repo.head()
    repo.commit("two", author=_who(), date="2025-01-02T10:00:00+0000", files={"a": "2\n"})
    loose = repo.path / ".git" / "objects" / first[:2] / first[2:]
    loose.unlink()
    with pytest.raises(CollectorError) as caught:
        collect_repository(
            engine, name="x", location=str(repo.path), branch=None, mirrors=tmp_path / "m"
        )
    message = str(caught.value)
    assert str(repo.path) in message and first in message
    assert len(message.splitlines()) == 1


def _who():  # type: ignore[no-untyped-def]
    from tests.gitrepo import Who

    return Who("Eve", "eve@example.org")
