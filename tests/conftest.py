"""Shared fixtures: real SQLite stores and real git repositories in tmp dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.store import make_engine
from tests.gitrepo import GitRepo


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'audit.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def make_repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _make(name: str = "repo", branch: str = "main") -> GitRepo:
        return GitRepo(tmp_path / name, branch=branch)

    return _make


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample organisation, built once per test process (about 2 s)."""
    from sample_repos.build import build_organisation

    workspace = tmp_path_factory.mktemp("sample-org")
    build_organisation(workspace)
    return workspace
