"""Mining a hostile repository executes nothing it contains.

Every vector below would touch a marker file if git ran it; after collection
(mirror, incremental fetch, log, cat-file, mailmap) no marker may exist.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from auditor import models
from auditor.errors import CollectorError
from auditor.ingest_git import collect_repository
from collectors.git_safety import check_url
from tests.gitrepo import GitRepo, Who, git

EVE = Who("Eve", "eve@example.org")


def _touch(markers: Path, name: str) -> str:
    return f"touch {markers / name}"


def _hostile_repo(repo: GitRepo, markers: Path) -> None:
    markers.mkdir()
    evil_script = markers.parent / "evil.sh"
    evil_script.write_text(f'#!/bin/sh\ntouch {markers}/script-$(basename "$0")\nexit 0\n')
    evil_script.chmod(0o755)
    include = markers.parent / "included.cfg"
    include.write_text(f"[core]\n\tfsmonitor = {_touch(markers, 'include-fsmonitor')}\n")
    config = {
        "core.fsmonitor": _touch(markers, "fsmonitor"),
        "core.pager": _touch(markers, "pager"),
        "core.sshCommand": _touch(markers, "sshcommand"),
        "core.askPass": _touch(markers, "askpass"),
        "diff.external": str(evil_script),
        "diff.evil.textconv": _touch(markers, "textconv") + " ;cat",
        "filter.evil.clean": _touch(markers, "clean") + " ;cat",
        "filter.evil.smudge": _touch(markers, "smudge") + " ;cat",
        "filter.evil.process": _touch(markers, "process"),
        "filter.evil.required": "true",
        "include.path": str(include),
        "uploadpack.packObjectsHook": _touch(markers, "packobjectshook"),
        "gpg.program": _touch(markers, "gpg"),
        "log.showSignature": "true",
        "core.hooksPath": str(markers.parent / "hooks"),
    }
    repo.commit(
        "Innocent",
        author=EVE,
        date="2025-01-01T10:00:00+0000",
        files={
            "a.txt": "1\n",
            ".gitattributes": "* filter=evil diff=evil\n",
            ".mailmap": "Eve <eve@example.org> <x@y>\n",
        },
    )
    hooks = [repo.path / ".git" / "hooks", markers.parent / "hooks"]
    for hook_dir in hooks:
        hook_dir.mkdir(parents=True, exist_ok=True)
        for hook in (
            "post-checkout",
            "pre-commit",
            "post-commit",
            "reference-transaction",
            "post-merge",
            "pre-push",
            "post-rewrite",
            "fsmonitor-watchman",
        ):
            path = hook_dir / hook
            path.write_text(f"#!/bin/sh\ntouch {markers}/hook-{hook}\n")
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
    for key, value in config.items():
        git(repo.path, "config", key, value)
    assert not list(markers.iterdir())


def _commit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.Commit)).scalar_one()


def test_hostile_repository_executes_nothing(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo("hostile")
    markers = tmp_path / "markers"
    _hostile_repo(repo, markers)

    # a `.git` file pointing at the hostile repository's git dir
    pointer = tmp_path / "pointer"
    pointer.mkdir()
    (pointer / ".git").write_text(f"gitdir: {repo.path / '.git'}\n")
    # core.worktree pointing at a checkout with filters in .gitattributes
    git(repo.path, "config", "core.worktree", str(repo.path))

    mirrors = tmp_path / "mirrors"
    for name, location in (("hostile", repo.path), ("pointer", pointer)):
        result = collect_repository(
            engine, name=name, location=str(location), branch=None, mirrors=mirrors
        )
        assert result.new_commits == 1
    # an incremental run (fetch into the mirror) after a new commit
    safe = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")
    author = {
        "GIT_AUTHOR_NAME": "Eve",
        "GIT_AUTHOR_EMAIL": "eve@example.org",
        "GIT_COMMITTER_NAME": "Eve",
        "GIT_COMMITTER_EMAIL": "eve@example.org",
    }
    second = git(
        repo.path, *safe, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "second", env=author
    ).strip()
    git(repo.path, *safe, "update-ref", "refs/heads/main", second)
    again = collect_repository(
        engine, name="hostile", location=str(repo.path), branch=None, mirrors=mirrors
    )
    assert again.new_commits == 1
    assert _commit_count(engine) == 3  # the same first commit in two sources, then one more
    assert sorted(p.name for p in markers.iterdir()) == []


def test_branch_named_like_an_option_writes_no_file(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo()
    repo.commit("one", author=EVE, date="2025-01-01T10:00:00+0000", files={"a": "1\n"})
    target = tmp_path / "written-by-option"
    with pytest.raises(CollectorError, match="branch"):
        collect_repository(
            engine,
            name="r",
            location=str(repo.path),
            branch=f"--output={target}",
            mirrors=tmp_path / "mirrors",
        )
    assert not target.exists()


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "EXT::sh -c id",
        "fd::17",
        "ftp://example.com/repo.git",
        "http+evil://x/y",
    ],
)
def test_disallowed_transports_are_refused(url: str) -> None:
    with pytest.raises(CollectorError):
        check_url(url)
    assert not os.path.exists("/tmp/pwned")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/r.git",
        "ssh://git@example.com/r.git",
        "git://example.com/r.git",
        "git@example.com:org/r.git",
    ],
)
def test_allowed_transports_pass_the_check(url: str) -> None:
    check_url(url)
