"""Helpers for git collector tests: write raw commit objects that porcelain refuses to make."""

from __future__ import annotations

from pathlib import Path

from tests.gitrepo import git


def empty_tree(repo: Path) -> str:
    return git(repo, "hash-object", "-t", "tree", "-w", "--stdin", input=b"").strip()


def raw_commit(repo: Path, body: bytes, *, branch: str = "main") -> str:
    """Store `body` as a commit object verbatim and point `branch` at it."""
    sha = git(
        repo, "hash-object", "-t", "commit", "-w", "--literally", "--stdin", input=body
    ).strip()
    git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha
