"""`collect --jobs N` killed with SIGKILL leaves nothing running; two collects at once (#13.8)."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from auditor.ingest.git import RANGE_MIN_COMMITS
from auditor.store.engine import make_engine
from collectors.git_mirror import mirror_lock
from tests.postgres.support import commit_shas, counts, duplicate_shas
from tests.stress.support import collect, finish, repos, workspace

COMMITS = RANGE_MIN_COMMITS + 1000  # one history long enough to be split across workers


@pytest.fixture(scope="module")
def repo_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return repos(tmp_path_factory.mktemp("parallel-repos"), 2, COMMITS)


def _descendants(root: int) -> set[int]:
    """Every live process below `root`, from /proc (ppid is field 4 of /proc/PID/stat)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _commits(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute('SELECT count(*) FROM "commit"').fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_sigkill_of_a_parallel_collect_stops_its_workers(
    tmp_path: Path, repo_paths: list[Path]
) -> None:
    db = tmp_path / "store.db"
    config = workspace(tmp_path, f"sqlite:///{db}", repo_paths[:1])
    proc = collect(config)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    # Mining in ranges has started: commits are arriving and worker processes run git.
    while proc.poll() is None and time.monotonic() < deadline:
        workers = _descendants(proc.pid)
        if _commits(db) > 0 and len(workers) >= 4:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "collect finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    workers |= _descendants(proc.pid)
    deadline = time.monotonic() + 5
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(workers) == set()
    written = _commits(db)
    assert written < COMMITS + 1
    finish(collect(config))  # the next run completes the store
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert duplicate_shas(engine) == []
        assert counts(engine)["commit"] == COMMITS + 1
    finally:
        engine.dispose()


def test_two_collects_of_one_workspace_at_once_both_succeed(
    tmp_path: Path, repo_paths: list[Path]
) -> None:
    db = tmp_path / "store.db"
    config = workspace(tmp_path, f"sqlite:///{db}", repo_paths)
    first, second = collect(config), collect(config)
    finish(first)
    finish(second)
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert duplicate_shas(engine) == []
        assert counts(engine)["commit"] == 2 * (COMMITS + 1)
        assert len(commit_shas(engine)) == 2
    finally:
        engine.dispose()


def test_a_collect_waits_for_the_mirror_and_says_so(tmp_path: Path, repo_paths: list[Path]) -> None:
    db = tmp_path / "store.db"
    config = workspace(tmp_path, f"sqlite:///{db}", repo_paths[:1])
    mirror = tmp_path / ".auditor" / "mirrors" / "r0.git"
    with mirror_lock(mirror):
        proc = collect(config, "r0")
        assert proc.stderr is not None
        line = proc.stderr.readline()  # blocks until the collect reports that it waits
        assert line.startswith("waiting for another collect of r0.git to finish")
        assert proc.poll() is None
    finish(proc)
    assert _commits(db) == COMMITS + 1
