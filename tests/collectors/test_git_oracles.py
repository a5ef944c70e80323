"""GitPython and PyDriller as independent oracles for the git collector.

The collector runs git itself (a sanitized mirror, one `git log` stream); on a trusted
repository built here, each commit's sha, parents, dates, UTC offsets and per-file line
counts must equal what the two libraries read. They are test dependencies only (the
dev extra): the product never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import git as gitpython
from pydriller import Repository

from collectors.interface import CommitRecord
from tests.collectors.test_git_collector import mine
from tests.gitrepo import GitRepo, Who, git

WEI = Who("Wei Zhang", "wei@contoso.cn")
DANA = Who("Dana Ortiz", "dana@contoso.com")
ANIL = Who("Anil Rao", "anil@contoso.com")
KIRI = Who("Kiri Tane", "kiri@contoso.ki")


def _history(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """Offsets east and west, half and quarter hours, +14:00; edits, a rename, a binary, a merge."""
    repo = make_repo()
    repo.commit(
        "Add core",
        author=WEI,
        date="2025-03-01T10:00:00+0800",
        files={"src/core.py": "a\nb\nc\n", "logo.png": b"\x89PNG\x00\x01\x02", "README": "x\n"},
    )
    repo.commit(
        "Harden fallback",
        author=WEI,
        date="2025-07-01T09:30:00+0800",
        committer=DANA,
        commit_date="2025-07-01T08:00:00-0700",
        files={"src/core.py": "a\nB\nc\nd\n", "logo.png": b"\x89PNG\x00\x03"},
    )
    git(repo.path, "mv", "src/core.py", "src/engine.py")
    repo.commit(
        "Rename and edit", author=ANIL, date="2025-08-01T12:00:00+0530", files={"README": "y\n"}
    )
    git(repo.path, "checkout", "-q", "-b", "side", "HEAD~1")
    repo.commit("Side", author=ANIL, date="2025-08-02T12:00:00+0545", files={"side.txt": "1\n2\n"})
    git(repo.path, "checkout", "-q", "main")
    repo.commit("Main", author=KIRI, date="2025-08-03T23:59:00+1400", files={"m.txt": "m\n"})
    merge_env = {
        "GIT_AUTHOR_NAME": DANA.name,
        "GIT_AUTHOR_EMAIL": DANA.email,
        "GIT_AUTHOR_DATE": "2025-08-04T00:00:00-0330",
        "GIT_COMMITTER_NAME": DANA.name,
        "GIT_COMMITTER_EMAIL": DANA.email,
        "GIT_COMMITTER_DATE": "2025-08-04T00:00:00-0330",
    }
    git(repo.path, "merge", "-q", "--no-ff", "-m", "Merge side", "side", env=merge_env)
    repo.commit("Remove", author=DANA, date="2025-09-01T08:00:00-0000", remove=["m.txt"])
    return repo


def _collected(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> tuple[Path, list[CommitRecord]]:
    repo = _history(make_repo)
    return repo.path, mine(repo.path, tmp_path)


def test_commits_dates_and_offsets_equal_gitpython(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    path, records = _collected(make_repo, tmp_path)
    oracle = {c.hexsha: c for c in gitpython.Repo(path).iter_commits("HEAD")}
    assert {r.sha for r in records} == set(oracle)
    for record in records:
        commit = oracle[record.sha]
        assert record.parents == tuple(p.hexsha for p in commit.parents)
        assert (record.author.name, record.author.email) == (
            commit.author.name,
            commit.author.email,
        )
        assert (record.committer.name, record.committer.email) == (
            commit.committer.name,
            commit.committer.email,
        )
        assert record.author.timestamp == commit.authored_date
        assert record.committer.timestamp == commit.committed_date
        # GitPython counts seconds west of UTC; the collector minutes east
        assert record.author.offset_minutes == -commit.author_tz_offset // 60
        assert record.committer.offset_minutes == -commit.committer_tz_offset // 60
        assert record.message == commit.message


def test_line_counts_equal_gitpython_outside_renames(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    path, records = _collected(make_repo, tmp_path)
    repo = gitpython.Repo(path)
    compared = 0
    for record in records:
        if record.is_merge:
            assert record.changes == ()  # merges' churn is not counted twice
            continue
        stats = repo.commit(record.sha).stats.files  # numstat; binary files count 0
        for change in record.changes:
            if change.old_path is not None:
                continue  # GitPython spells a rename "src/{core.py => engine.py}"
            expected = stats[change.path]
            assert (change.added or 0, change.deleted or 0) == (
                expected["insertions"],
                expected["deletions"],
            )
            assert change.binary == (change.added is None)
            compared += 1
    assert compared >= 8


def test_files_renames_and_line_counts_equal_pydriller(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    path, records = _collected(make_repo, tmp_path)
    mined = {r.sha: r for r in records}
    seen = 0
    for commit in Repository(str(path)).traverse_commits():
        record = mined[commit.hash]
        assert record.author.timestamp == int(commit.author_date.timestamp())
        assert record.author.offset_minutes == -commit.author_timezone // 60
        if commit.merge:
            continue
        expected = {
            (
                f.new_path or f.old_path,
                f.old_path if f.new_path and f.old_path != f.new_path else None,
            ): (f.added_lines, f.deleted_lines)
            for f in commit.modified_files
        }
        got = {(c.path, c.old_path): (c.added or 0, c.deleted or 0) for c in record.changes}
        assert got == expected, commit.msg
        seen += 1
    assert seen == len([r for r in records if not r.is_merge]) == 6
    renamed = [c for r in records for c in r.changes if c.old_path]
    assert [(c.old_path, c.path) for c in renamed] == [("src/core.py", "src/engine.py")]
