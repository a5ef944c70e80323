"""Helpers for git collector tests: write raw commit objects that porcelain refuses to make."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.gitrepo import GitRepo, Who, git


def empty_tree(repo: Path) -> str:
    return git(repo, "hash-object", "-t", "tree", "-w", "--stdin", input=b"").strip()


def raw_commit(repo: Path, body: bytes, *, branch: str = "main") -> str:
    """Store `body` as a commit object verbatim and point `branch` at it."""
    sha = git(
        repo, "hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=body
    ).strip()
    git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha


def partial_clone(make_repo: Callable[..., GitRepo], tmp_path: Path) -> Path:
    """A `--filter=blob:none` clone of a 4-commit history from a file:// source allowing filters.

    c0 adds `keep.txt`; c1..c3 change `a.txt`, so only its last version is present in
    the clone; `keep.txt` and `f1.txt`..`f3.txt` are added once and checked out, so present.
    """
    source = make_repo("source")
    git(source.path, "config", "uploadpack.allowFilter", "true")
    source.commit(
        "c0", author=Who("Eve", "eve@example.org"), date="2024-12-31T10:00:00+0000",
        files={"keep.txt": "kept\n"},
    )  # fmt: skip
    for day in range(1, 4):
        source.commit(
            f"c{day}",
            author=Who("Eve", "eve@example.org"),
            date=f"2025-01-0{day}T10:00:00+0000",
            files={"a.txt": f"{day}\n" * day, f"f{day}.txt": "x\n"},
        )
    partial = tmp_path / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", f"file://{source.path}", str(partial)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )
    return partial
