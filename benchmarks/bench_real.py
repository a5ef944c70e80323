"""Benchmark: a real repository through the command line (issue 20, points 3, 5 and 6).

Runs when a local clone is named: `AUDITOR_BENCH_REPO=/tmp/bench-git python -m
benchmarks.run --only real`; without it the benchmark is skipped with a message.
The clone is only read: every store, mirror and small copy lives in the work folder.

Every `auditor` step is its own process started from a workspace folder, exactly
as a user or a CI job runs it, so the benchmark does not depend on how `auditor/`
is laid out inside. In one run, on the history of the clone's HEAD:

1. the floor: `git log --numstat -z HEAD` over the same history, output discarded;
2. `auditor collect`: first run (its sanitized mirror clone included), mining
   into a fresh store with the mirror cached, the same with `--jobs 2`, and a
   run with nothing new;
3. `auditor analyze`, `auditor check` with nothing new, `auditor check --range`
   over the last merges of HEAD (the store warm), `auditor export` of the last 90
   days, `auditor verify` of that export, and `auditor tui --screenshot` (the
   whole process until the overview is complete: an upper bound of first paint);
4. start-up on a small store (the first 300 commits of the same history, fetched
   into a bare repository of their own): `auditor version`, `people --format
   json`, `check` with nothing new and `verify`, each the median of 3 after one
   untimed run, with the `.pyc` an installed tool has (kept in the workspace);
5. PyDriller's `modified_files` traversal with line counts on the newest commits
   (a full walk of git/git would take hours), compared as commits per second.

Peak RSS is each auditor process's own (`ru_maxrss` of RUSAGE_SELF, written by
the process as it exits); git processes it starts are reported apart. A missed
target is reported, never a failure: this is a measurement on a shared machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import Skipped
from benchmarks.bench_git import MEASURED_CLI  # `auditor ARGS` with its peak RSS

ENV = "AUDITOR_BENCH_REPO"
MEASUREMENT_ONLY = True  # benchmarks.run: a missed target does not fail the run

FIRST_RUN_RATIO = 1.0  # first `auditor collect` ≤ 1.0× `git log --numstat -z`
JOBS_RATIO = 0.8  # `--jobs 2` mining ≤ 0.8× the floor
RSS_MB = 300
STARTUP_SECONDS = 0.45  # people / check / verify on a small store
RANGE_SECONDS, NOTHING_NEW_SECONDS = 3.0, 2.0  # check --range, check with nothing new
SMALL_COMMITS, QUICK_SMALL_COMMITS = 300, 10
PYDRILLER_SAMPLE, QUICK_PYDRILLER_SAMPLE = 1_000, 20
RANGE_MERGES = 10  # check --range HEAD~10..HEAD: a pull request's worth of commits
REPEATS = 3

# PyDriller as its users run it, newest commit first, stopping after `sample` commits.
_PYDRILLER = """
import json, resource, sys, time
from pydriller import Repository
path, sample = sys.argv[1], int(sys.argv[2])
started = time.perf_counter()
commits = lines = 0
for commit in Repository(path, order="reverse").traverse_commits():
    for change in commit.modified_files:
        lines += change.added_lines + change.deleted_lines
    commits += 1
    if commits >= sample:
        break
print(json.dumps({"seconds": time.perf_counter() - started, "commits": commits, "lines": lines,
                  "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


@dataclass(frozen=True)
class Step:
    """One finished auditor process."""

    seconds: float
    cpu: float  # user + system of the process and every child it waited for
    rss_mb: int  # the auditor process alone
    git_rss_mb: int  # the largest of its children (git)
    status: int


def repo_path() -> Path:
    """The clone named by AUDITOR_BENCH_REPO, or Skipped saying how to name one."""
    value = os.environ.get(ENV, "")
    if not value:
        raise Skipped(
            f"set {ENV} to a local clone, e.g. `git clone --no-local /work/.mirror/git+git/repo "
            f"/tmp/bench-git` then `{ENV}=/tmp/bench-git python -m benchmarks.run --only real`"
        )
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise Skipped(f"{ENV}={value}: no such folder")
    return path


def section_key() -> str:
    """Each repository's figures have their own subsection: `real/bench-git`."""
    return f"real/{repo_path().name}"


def command() -> str:
    return f"`{ENV}={repo_path()} python -m benchmarks.run --only real`"


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    repo = repo_path()
    ws = workdir / repo.name
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    commits = int(_git(repo, "rev-list", "--count", "HEAD"))
    as_of = _tip_day(repo)
    _write_config(ws, repo)
    rows: list[dict[str, Any]] = []
    steps: dict[str, Step] = {}

    # one untimed pass first: a fresh clone is not in the page cache yet, and a cold floor
    # (measured: 149 s against 28 s warm on git/git) would flatter every ratio to it
    _time_git(repo, "log", "--numstat", "-z", "HEAD")
    floor, floor_cpu = _time_git(repo, "log", "--numstat", "-z", "HEAD")
    steps["first"] = first = _auditor(ws, "collect")
    floor_before, _ = _time_git(repo, "log", "--numstat", "-z", "HEAD")
    _fresh_store(ws)
    steps["mined"] = mined = _auditor(ws, "collect")
    _fresh_store(ws)
    steps["jobs"] = jobs = _auditor(ws, "collect", "--jobs", "2")
    floor_after, _ = _time_git(repo, "log", "--numstat", "-z", "HEAD")
    floor_mean = (floor + floor_before + floor_after) / 3
    steps["again"] = again = _auditor(ws, "collect")
    stored = _stored_commits(ws)
    # what the first run's sanitized mirror costs on its own (the collector's clone options)
    copy = ws / "clone-alone.git"
    clone, _ = _time_git(
        ws, "clone", "-q", "--bare", "--no-local", "--no-hardlinks", str(repo), str(copy)
    )
    shutil.rmtree(copy)
    rows += [
        {
            "name": "git log --numstat -z HEAD (floor)",
            "seconds": round(floor, 2),
            "CPU s": round(floor_cpu, 2),
            "commits": commits,
            "again before / after mining": f"{floor_before:.2f} / {floor_after:.2f}",
        },
        _ratio_row("auditor collect, first run (incl. mirror clone)", first, floor_mean,
                   floor_cpu, FIRST_RUN_RATIO, commits),
        {
            "name": "git clone --bare --no-local (a mirror's cost alone)",
            "seconds": round(clone, 2),
            "× floor (mean of 3)": round(clone / floor_mean, 2),
        },
        _ratio_row("auditor collect, mirror cached (mining)", mined, floor_mean, floor_cpu,
                   None, commits, stored=stored),
        _ratio_row("auditor collect --jobs 2 (mining)", jobs, floor_mean, floor_cpu,
                   JOBS_RATIO, commits),
        _step_row("auditor collect, nothing new", again, NOTHING_NEW_SECONDS),
    ]  # fmt: skip

    day = as_of.isoformat()
    steps["analyze"] = step = _auditor(ws, "analyze", "--as-of", day)
    rows.append(_step_row("auditor analyze", step, None))
    steps["check"] = step = _check(ws, "--as-of", day)
    rows.append(_step_row("auditor check, nothing new", step, NOTHING_NEW_SECONDS))
    base, in_range = _range(repo)
    steps["range"] = step = _check(ws, "--as-of", day, "--range", f"{base}..HEAD")
    rows.append(
        _step_row(f"auditor check --range HEAD~{RANGE_MERGES}..HEAD", step, RANGE_SECONDS)
        | {"commits in range": in_range}
    )
    steps["people"] = step = _auditor(ws, "people", "--as-of", day, "--format", "json")
    rows.append(_step_row("auditor people --format json", step, None))
    start = (as_of - timedelta(days=89)).isoformat()
    steps["export"] = step = _auditor(
        ws, "export", "-o", "export.json", "--from", start, "--to", day
    )
    rows.append(_step_row("auditor export (last 90 days)", step, None))
    steps["verify"] = step = _auditor(ws, "verify", "export.json")
    rows.append(_step_row("auditor verify", step, None))
    steps["tui"] = step = _auditor(ws, "tui", "--screenshot", "overview.svg")
    rows.append(_step_row("auditor tui --screenshot (overview complete, whole process)", step,
                          None))  # fmt: skip

    rows += _small_store(workdir / f"{repo.name}-small", repo, quick)

    sample = QUICK_PYDRILLER_SAMPLE if quick else PYDRILLER_SAMPLE
    pyd = _pydriller(repo, sample)
    slice_floor, _ = _time_git(repo, "log", "--numstat", "-z", "-n", str(pyd["commits"]), "HEAD")
    pyd_rate = pyd["commits"] / pyd["seconds"]
    mined_rate = commits / mined.seconds
    rows += [
        {
            "name": f"PyDriller modified_files, newest {pyd['commits']:,} commits",
            "seconds": round(pyd["seconds"], 2),
            "commits/s": round(pyd_rate, 1),
            "peak RSS MB": round(pyd["self_kb"] / 1024),
            "git log --numstat on the same commits s": round(slice_floor, 2),
        },
        {
            "name": "auditor mining vs PyDriller (commits/s, whole history vs newest slice)",
            "auditor commits/s": round(mined_rate),
            "speed-up": round(mined_rate / pyd_rate, 1),
        },
    ]
    worst = max(steps.items(), key=lambda item: item[1].rss_mb)
    rows.append(
        {
            "name": "peak RSS of any auditor process",
            "target": f"≤ {RSS_MB} MB",
            "ok": worst[1].rss_mb <= RSS_MB,
            "peak RSS MB": worst[1].rss_mb,
            "step": worst[0],
            "collect MB": max(steps[k].rss_mb for k in ("first", "mined", "jobs", "again")),
        }
    )
    return rows


def _small_store(ws: Path, repo: Path, quick: bool) -> list[dict[str, Any]]:
    """The first SMALL_COMMITS commits of the history in a bare repository and a store."""
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    tip = _first_with_ancestors(repo, QUICK_SMALL_COMMITS if quick else SMALL_COMMITS)
    small = ws / "small.git"
    _git(ws, "init", "-q", "--bare", "-b", "main", str(small))
    _git(small, "fetch", "-q", "--no-tags", str(repo), f"{tip}:refs/heads/main")
    count = int(_git(small, "rev-list", "--count", "main"))
    day = _tip_day(small).isoformat()
    _write_config(ws, small)
    _auditor(ws, "collect")
    _auditor(ws, "analyze", "--as-of", day)
    start = (date.fromisoformat(day) - timedelta(days=89)).isoformat()
    _auditor(ws, "export", "-o", "export.json", "--from", start, "--to", day)
    repeats = 1 if quick else REPEATS
    # An installed tool starts from its .pyc; this environment may forbid writing them
    # (PYTHONDONTWRITEBYTECODE), which would time the compiling of the product's modules on
    # every start. So the timed runs keep theirs in a folder of the workspace, never in the
    # source tree, and each command has one untimed run first to write them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(ws / "pycache")
    measured = [
        ("auditor version (start-up floor)", ("version",), None),
        ("auditor people --format json", ("people", "--as-of", day, "--format", "json"),
         STARTUP_SECONDS),
        ("auditor check, nothing new", ("check", "--as-of", day), STARTUP_SECONDS),
        ("auditor verify", ("verify", "export.json"), STARTUP_SECONDS),
    ]  # fmt: skip
    rows = []
    for name, args, target in measured:
        _auditor(ws, *args, ok=(0, 1), env=env)  # warm-up: writes the .pyc
        runs = [_auditor(ws, *args, ok=(0, 1), env=env) for _ in range(repeats)]
        median = statistics.median(r.seconds for r in runs)
        row: dict[str, Any] = {
            "name": f"{name}, {count:,}-commit store",
            "seconds": round(median, 2),
        }
        if target is not None:
            row |= {"target": f"≤ {target} s (median of {repeats})", "ok": median <= target}
        rows.append(row | {"runs": " / ".join(f"{r.seconds:.2f}" for r in runs),
                           "imports share": _import_share(ws, *args, env=env),
                           "peak RSS MB": max(r.rss_mb for r in runs)})  # fmt: skip
    return rows


def _ratio_row(
    name: str,
    step: Step,
    floor: float,
    floor_cpu: float,
    limit: float | None,
    commits: int,
    **extra: Any,
) -> dict[str, Any]:
    ratio = step.seconds / floor
    row: dict[str, Any] = {"name": name, "seconds": round(step.seconds, 2)}
    if limit is not None:
        row |= {"target": f"≤ {limit}× floor", "ok": ratio <= limit}
    return row | {
        "× floor (mean of 3)": round(ratio, 2),
        "CPU s (auditor + git)": round(step.cpu, 2),
        "CPU × floor CPU": round(step.cpu / floor_cpu, 2),
        "commits/s": round(commits / step.seconds),
        **extra,
        "peak RSS MB": step.rss_mb,
        "git peak RSS MB": step.git_rss_mb,
    }


def _step_row(name: str, step: Step, limit: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "seconds": round(step.seconds, 2)}
    if limit is not None:
        row |= {"target_seconds": limit, "ok": step.seconds <= limit}
    row |= {"peak RSS MB": step.rss_mb}
    if step.status:
        row["exit status"] = step.status  # check: 1 means findings, not a failure here
    return row


def _write_config(ws: Path, repo: Path) -> None:
    """No `branch`: the collector mines HEAD, which `check --range` needs collected."""
    name = "bench"
    (ws / "auditor.toml").write_text(
        "[store]\n"
        'url = "sqlite:///audit.db"\n'
        'mirrors = "mirrors"\n\n'
        "[[git]]\n"
        f'name = "{name}"\n'
        f"path = {json.dumps(str(repo))}\n\n"
        "[[components]]\n"
        'name = "Whole repository"\n'
        'sensitivity = "critical"\n'
        f'paths = ["{name}:**"]\n',
        encoding="utf-8",
    )


def _fresh_store(ws: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        (ws / f"audit.db{suffix}").unlink(missing_ok=True)


def _check(ws: Path, *args: str) -> Step:
    return _auditor(ws, "check", *args, "--format", "json", "-o", "check.json", ok=(0, 1))


def _auditor(
    ws: Path, *args: str, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> Step:
    """Run `auditor ARGS` in `ws` as its own process; its wall time, CPU and peak RSS."""
    usage = ws / "rusage.json"
    usage.unlink(missing_ok=True)
    cpu, started = _children_cpu(), time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, *args],
        cwd=ws,
        env={**(os.environ if env is None else env), "BENCH_RUSAGE": str(usage)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seconds = time.perf_counter() - started
    if result.returncode not in ok:
        tail = result.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"auditor {' '.join(args)} exited {result.returncode}: {tail}")
    peaks = json.loads(usage.read_text())
    return Step(
        seconds=seconds,
        cpu=_children_cpu() - cpu,
        rss_mb=round(peaks["self_kb"] / 1024),
        git_rss_mb=round(peaks["children_kb"] / 1024),
        status=result.returncode,
    )


def _import_share(ws: Path, *args: str, env: dict[str, str]) -> str:
    """The share of `auditor ARGS`'s wall time spent importing modules, from one more run
    with `-X importtime` (which slows imports a little itself): the sum of the top-level
    imports' cumulative times, whatever the modules are called."""
    usage = ws / "rusage.json"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", MEASURED_CLI, *args],
        cwd=ws,
        env={**env, "BENCH_RUSAGE": str(usage)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    micros = 0
    for line in result.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3:
            name = fields[2].removeprefix(" ")
            if not name.startswith(" ") and fields[1].strip().isdigit():
                micros += int(fields[1])  # a top-level import: its children are inside it
    wall = time.perf_counter() - started
    return f"{micros / 1e6 / wall:.0%} of {wall:.2f} s"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_git(repo: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one git command, output discarded."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(["git", "-C", str(repo), *args], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def _tip_day(repo: Path) -> date:
    """The UTC day of HEAD's commit: the as-of day, so the policy window holds recent work."""
    return datetime.fromtimestamp(int(_git(repo, "log", "-1", "--format=%ct", "HEAD")), UTC).date()


def _range(repo: Path) -> tuple[str, int]:
    """HEAD~N on the first-parent line (N at most the line's length) and the commits HEAD adds."""
    line = _git(repo, "rev-list", "--first-parent", f"--max-count={RANGE_MERGES + 1}", "HEAD")
    base = line.split()[-1]
    count = int(_git(repo, "rev-list", "--no-merges", "--count", f"{base}..HEAD"))
    return base, count


def _first_with_ancestors(repo: Path, wanted: int) -> str:
    """The oldest commit on HEAD's first-parent line with at least `wanted` commits behind it
    (itself included), or HEAD: a prefix of the real history, merges and all."""
    line = _git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    low, high = 0, len(line) - 1
    while low < high:  # ancestor counts grow along the first-parent line
        middle = (low + high) // 2
        if int(_git(repo, "rev-list", "--count", line[middle])) >= wanted:
            high = middle
        else:
            low = middle + 1
    return line[low]


def _stored_commits(ws: Path) -> int:
    import sqlite3

    with sqlite3.connect(ws / "audit.db") as db:
        return int(db.execute('SELECT count(*) FROM "commit"').fetchone()[0])


def _pydriller(repo: Path, sample: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PYDRILLER, str(repo), str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))
