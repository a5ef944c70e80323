"""`auditor collect` killed with SIGKILL at several points, then re-run, ends as a clean run."""

from __future__ import annotations

import functools
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from auditor.evaluate.run import analyze
from auditor.kernel.config import load_config
from auditor.report.triage import configured
from auditor.store.engine import make_engine
from tests.postgres.support import commit_shas, counts, duplicate_shas, latest_fingerprints
from tests.stress.support import collect, finish, repos, workspace

COMMITS = 2500  # three batches per repository


def _peek(db: Path, sql: str) -> int:
    """A read of the store while the collector writes (WAL readers do not block it)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0] or 0)
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def _kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool]) -> bool:
    """SIGKILL `proc` as soon as `ready()`; False when it finished first."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            return True
        time.sleep(0.005)
    proc.communicate()
    return False


@pytest.fixture(scope="module")
def repo_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return repos(tmp_path_factory.mktemp("crash-repos"), 3, COMMITS)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, repo_paths: list[Path]) -> tuple[object, ...]:
    root = tmp_path_factory.mktemp("clean")
    url = f"sqlite:///{root / 'clean.db'}"
    finish(collect(workspace(root, url, repo_paths)))
    engine = make_engine(url)
    try:
        return counts(engine), commit_shas(engine)
    finally:
        engine.dispose()


def _commits(db: Path, source: str | None = None) -> int:
    where = f" WHERE source_id = (SELECT id FROM source WHERE name = '{source}')" if source else ""
    return _peek(db, f'SELECT count(*) FROM "commit"{where}')


def _any_commit(db: Path) -> bool:
    return _commits(db) > 0


@pytest.mark.parametrize("point", ["mid-first-batch", "mid-repository", "between-repositories"])
def test_killed_collect_recovers(
    point: str, tmp_path: Path, repo_paths: list[Path], clean: tuple[object, ...]
) -> None:
    db = tmp_path / "store.db"
    config = workspace(tmp_path, f"sqlite:///{db}", repo_paths)
    ready: dict[str, Callable[[], bool]] = {
        # the store exists and its tables are there, the first batch is not committed yet
        "mid-first-batch": lambda: _peek(db, "SELECT count(*) FROM source") > 0,
        # one batch of the first repository committed, the rest not
        "mid-repository": lambda: 0 < _commits(db) < COMMITS,
        # the first repository complete, the next one not finished
        "between-repositories": lambda: (
            _commits(db, "r0") == COMMITS + 1 and _commits(db) < 3 * (COMMITS + 1)
        ),
    }
    for _ in range(3):  # a loaded machine may run past a short window: start over
        if _kill_when(collect(config), ready[point]):
            break
        for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            leftover.unlink(missing_ok=True)
    else:
        pytest.fail(f"collect finished before the kill point {point} three times")
    assert _commits(db) < 3 * (COMMITS + 1)
    finish(collect(config))
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert duplicate_shas(engine) == []
        assert (counts(engine), commit_shas(engine)) == clean
    finally:
        engine.dispose()


def test_killed_sample_collect_gives_same_findings(sample_workspace: Path, tmp_path: Path) -> None:
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(sample_workspace, target, ignore=shutil.ignore_patterns(".auditor"))
        return target

    as_of = date(2026, 6, 30)
    results = []
    for name, kill in (("clean", False), ("killed", True)):
        root = copy(name)
        db = root / ".auditor" / "audit.db"
        if kill:
            proc = collect(root / "auditor.toml")
            assert _kill_when(proc, functools.partial(_any_commit, db))
        finish(collect(root / "auditor.toml"))
        loaded = load_config(root / "auditor.toml")
        engine = make_engine(loaded.store_url)
        try:
            analyze(engine, loaded, as_of, triage=configured(loaded, as_of))
            results.append((counts(engine), commit_shas(engine), latest_fingerprints(engine)))
        finally:
            engine.dispose()
    assert results[0][2], "the sample organisation has findings"
    assert results[1] == results[0]
