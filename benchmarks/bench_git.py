"""Benchmark: mining a 100,000-commit history, against git itself and PyDriller.

In one run, on the synthetic repository of `benchmarks/synthetic.py`:

1. the floor: `git log --numstat -z` alone, output discarded (and the same with
   `-M`, the rename detection the collector asks for);
2. `auditor collect` into SQLite as a child process: a user's first run (the
   mirror set-up included, `--jobs` left at its default, the usable cores),
   the mirror set-up alone, mining with the mirror already set up in one
   process and in two ranges (the figures compared with the floor), a re-run
   with nothing new, and the same mining on the first quarter of the history,
   to show that peak memory does not grow with it;
3. PyDriller's `modified_files` traversal with line counts on a sample of
   commits, extrapolated to the whole history.

Peak RSS is the child's own `ru_maxrss` (git processes it starts are reported
apart). CPU seconds (user + system, the git children included) are reported
beside wall times because they hardly move with the machine's load: on a busy
shared machine wall times do. Targets: first run ≤ 1.0× the floor, mining ≤ 1.3× the floor in
one process and ≤ 0.8× in two ranges, ≥ 20× faster than PyDriller, peak RSS ≤ 300 MB whatever
the history length.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.synthetic import QUARTER, synthetic_repo
from collectors.git_safety import git_env

COMMITS, QUICK_COMMITS = 100_000, 20_000
PYDRILLER_SAMPLE, QUICK_PYDRILLER_SAMPLE = 2_000, 300
FLOOR_RATIO, PYDRILLER_SPEEDUP, RSS_MB = 1.3, 20.0, 300.0
FIRST_RUN_RATIO, RANGES_RATIO = 1.0, 0.8

# Runs `auditor ARGS` in this process, then reports its peak RSS (and its children's). Worker
# processes still exiting (collect goes on without waiting for them) are waited for first, or
# their peaks, and git's below them, would be missing from the children's figure.
MEASURED_CLI = """
import json, multiprocessing, os, resource, sys
sys.argv = ["auditor", *sys.argv[1:]]
try:
    from auditor.cli.entrypoint import main
    main()
finally:
    for worker in multiprocessing.active_children():
        worker.join()
    with open(os.environ["BENCH_RUSAGE"], "w") as f:
        json.dump({"self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, f)
"""

# PyDriller as its users run it: every commit's modified files and their line counts.
_PYDRILLER = """
import json, resource, sys, time
from pydriller import Repository
path, branch, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
commits = lines = 0
for commit in Repository(path, only_in_branch=branch).traverse_commits():
    for change in commit.modified_files:
        lines += change.added_lines + change.deleted_lines
    commits += 1
    if commits >= sample:
        break
print(json.dumps({"seconds": time.perf_counter() - started, "commits": commits, "lines": lines,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    commits = QUICK_COMMITS if quick else COMMITS
    repo = synthetic_repo(workdir / "repos", commits)
    count = int(_git(repo, "rev-list", "--count", "main").strip())
    assert count == commits, (count, commits)

    floor, floor_cpu = _time_git(repo, "log", "--numstat", "-z", "main")
    floor_m, floor_m_cpu = _time_git(repo, "log", "--numstat", "-z", "-M", "main")

    mirrors = workdir / "mirrors"
    full = _workspace(workdir / "collect-full", repo, mirrors, branch="main")
    quarter = _workspace(workdir / "collect-quarter", repo, mirrors, branch=QUARTER)
    shutil.rmtree(mirrors, ignore_errors=True)
    first = _collect(full, fresh=True, jobs=None)
    setup = _time_mirror(repo, workdir / "mirror-alone")
    # The floor again right before and after mining: the load of a shared machine drifts,
    # and the ratio is taken to the mean of the three floor runs.
    floor_before, _ = _time_git(repo, "log", "--numstat", "-z", "main")
    mined = _collect(full, fresh=True, jobs=1)
    ranged = _collect(full, fresh=True, jobs=2)  # the history split into two ranges
    floor_after, _ = _time_git(repo, "log", "--numstat", "-z", "main")
    floor_mean = (floor + floor_before + floor_after) / 3
    again = _collect(full, fresh=False)
    short = _collect(quarter, fresh=True)
    stored = _stored_commits(full)
    quarter_count = int(_git(repo, "rev-list", "--count", QUARTER).strip())

    sample = QUICK_PYDRILLER_SAMPLE if quick else PYDRILLER_SAMPLE
    pyd = _pydriller(repo, sample)
    pyd_total = pyd["seconds"] / pyd["commits"] * commits

    ratio = mined["seconds"] / floor_mean
    first_ratio = first["seconds"] / floor_mean
    ranged_ratio = ranged["seconds"] / floor_mean
    speedup = pyd_total / mined["seconds"]
    rss_growth = mined["rss_mb"] - short["rss_mb"]
    return [
        {
            "name": "git log --numstat -z (floor)",
            "seconds": round(floor, 2),
            "CPU s": round(floor_cpu, 2),
            "commits": commits,
            "again before / after mining": f"{floor_before:.2f} / {floor_after:.2f}",
        },
        {
            "name": "git log --numstat -z -M",
            "seconds": round(floor_m, 2),
            "CPU s": round(floor_m_cpu, 2),
        },
        {
            "name": "auditor collect, first run (mirror set-up included, default --jobs)",
            "seconds": round(first["seconds"], 2),
            "target": f"≤ {FIRST_RUN_RATIO}× floor",
            "ok": first_ratio <= FIRST_RUN_RATIO,
            "× floor (mean of 3)": round(first_ratio, 2),
            "CPU s (auditor + git)": round(first["cpu"], 2),
            "peak RSS MB": first["rss_mb"],
            "git peak RSS MB": first["git_rss_mb"],
        },
        {
            "name": "mirror set-up alone (first / again)",
            "seconds": f"{setup[0]:.3f} / {setup[1]:.3f}",
        },
        {
            "name": "auditor collect, mirror cached (mining)",
            "seconds": round(mined["seconds"], 2),
            "target": f"≤ {FLOOR_RATIO}× floor",
            "ok": ratio <= FLOOR_RATIO,
            "× floor (mean of 3)": round(ratio, 2),
            "CPU s (auditor + git)": round(mined["cpu"], 2),
            "CPU × floor CPU": round(mined["cpu"] / floor_cpu, 2),
            "commits/s": round(commits / mined["seconds"]),
            "stored": stored,
            "peak RSS MB": mined["rss_mb"],
            "git peak RSS MB": mined["git_rss_mb"],
        },
        {
            "name": "auditor collect --jobs 2 (two ranges in parallel)",
            "seconds": round(ranged["seconds"], 2),
            "target": f"≤ {RANGES_RATIO}× floor",
            "ok": ranged_ratio <= RANGES_RATIO,
            "× floor (mean of 3)": round(ranged_ratio, 2),
            "CPU s (auditor + git)": round(ranged["cpu"], 2),
            "commits/s": round(commits / ranged["seconds"]),
            "peak RSS MB": ranged["rss_mb"],
            "workers + git peak RSS MB": ranged["git_rss_mb"],
        },
        {
            "name": "auditor collect, nothing new",
            "seconds": round(again["seconds"], 2),
            "peak RSS MB": again["rss_mb"],
        },
        {
            "name": f"auditor collect, first quarter ({quarter_count:,} commits)",
            "seconds": round(short["seconds"], 2),
            "peak RSS MB": short["rss_mb"],
        },
        {
            "name": "peak RSS of auditor collect",
            "target": f"≤ {RSS_MB:.0f} MB, flat in history length",
            "ok": mined["rss_mb"] <= RSS_MB and rss_growth <= 0.25 * short["rss_mb"],
            "full history MB": mined["rss_mb"],
            "quarter MB": short["rss_mb"],
        },
        {
            "name": f"PyDriller modified_files ({pyd['commits']:,} commits, extrapolated)",
            "seconds": round(pyd_total, 1),
            "sampled seconds": round(pyd["seconds"], 2),
            "peak RSS MB": round(pyd["self_kb"] / 1024),
        },
        {
            "name": "auditor collect vs PyDriller",
            "target": f"≥ {PYDRILLER_SPEEDUP:.0f}× faster",
            "ok": speedup >= PYDRILLER_SPEEDUP,
            "speed-up": round(speedup, 1),
        },
    ]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args],
        env=git_env(),
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def _children_cpu() -> float:
    """CPU seconds of every finished child process (and theirs), as the kernel counts them."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_git(repo: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one git command, output discarded."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(
        ["git", "--git-dir", str(repo), *args], env=git_env(), stdout=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def _workspace(folder: Path, repo: Path, mirrors: Path, *, branch: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "auditor.toml"
    config.write_text(
        "[store]\n"
        'url = "sqlite:///audit.db"\n'
        f"mirrors = {json.dumps(str(mirrors))}\n\n"
        "[[git]]\n"
        'name = "synthetic"\n'
        f"path = {json.dumps(str(repo))}\n"
        f"branch = {json.dumps(branch)}\n",
        encoding="utf-8",
    )
    return config


def _time_mirror(repo: Path, folder: Path) -> tuple[float, float]:
    """Seconds to set up the sanitized mirror of `repo`, then to bring it up to date."""
    from collectors.git_mirror import mirror

    shutil.rmtree(folder, ignore_errors=True)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        mirror(str(repo), folder / "r.git")
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def _collect(config: Path, *, fresh: bool, jobs: int | None = 1) -> dict[str, Any]:
    if fresh:
        for suffix in ("", "-wal", "-shm", "-journal"):
            (config.parent / f"audit.db{suffix}").unlink(missing_ok=True)
    usage = config.parent / "rusage.json"
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURED_CLI,
            "collect",
            "--config",
            str(config),
            *(["--jobs", str(jobs)] if jobs else []),
        ],
        env={**os.environ, "BENCH_RUSAGE": str(usage)},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    seconds = time.perf_counter() - started
    peaks = json.loads(usage.read_text())
    return {
        "seconds": seconds,
        "cpu": _children_cpu() - cpu,
        "rss_mb": round(peaks["self_kb"] / 1024),
        "git_rss_mb": round(peaks["children_kb"] / 1024),
    }


def _stored_commits(config: Path) -> int:
    import sqlite3

    with sqlite3.connect(config.parent / "audit.db") as db:
        return int(db.execute('SELECT count(*) FROM "commit"').fetchone()[0])


def _pydriller(repo: Path, sample: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PYDRILLER, str(repo), "main", str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(Path(tmp), quick="--quick" in sys.argv):
            print(json.dumps(row))
