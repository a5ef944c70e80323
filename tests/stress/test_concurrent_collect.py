"""Independent `auditor collect --only REPO` processes share one store: nothing lost or doubled."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.store.engine import make_engine
from tests.postgres.support import commit_shas, counts, duplicate_shas
from tests.stress.support import collect, finish, repos, workspace

COMMITS = 1000


@pytest.fixture(scope="module")
def repo_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return repos(tmp_path_factory.mktemp("stress-repos"), 4, COMMITS)


def _sequential(tmp_path: Path, paths: list[Path]) -> tuple[dict[str, int], dict[str, list[str]]]:
    url = f"sqlite:///{tmp_path / 'sequential.db'}"
    config = workspace(tmp_path / "sequential", url, paths)
    finish(collect(config))
    engine = make_engine(url)
    try:
        return counts(engine), commit_shas(engine)
    finally:
        engine.dispose()


def _concurrent(
    tmp_path: Path, url: str, paths: list[Path]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    config = workspace(tmp_path / "concurrent", url, paths)
    procs = [collect(config, f"r{i}") for i in range(len(paths))]
    for proc in procs:
        finish(proc)
    engine = make_engine(url)
    try:
        assert duplicate_shas(engine) == []
        return counts(engine), commit_shas(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_four_collectors_into_postgres(tmp_path: Path, pg_url: str, repo_paths: list[Path]) -> None:
    together = _concurrent(tmp_path, pg_url, repo_paths)
    alone = _sequential(tmp_path, repo_paths)
    assert together == alone
    assert together[0]["commit"] == 4 * (COMMITS + 1)
    assert len(together[1]) == 4


def test_two_collectors_into_sqlite(tmp_path: Path, repo_paths: list[Path]) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    together = _concurrent(tmp_path, url, repo_paths[:2])
    alone = _sequential(tmp_path, repo_paths[:2])
    assert together == alone
    assert together[0]["commit"] == 2 * (COMMITS + 1)
