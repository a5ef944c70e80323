"""Benchmark: a whole synthetic organisation through the CLI, as a CI job would run it.

Full scale: 1,000,000 commits by 2,000 people in 300 components over 50
repositories (targets: analyze ≤ 30 s, an incremental check after 100 new
commits ≤ 10 s, export ≤ 10 s, peak RSS ≤ 1 GB). `--quick` runs the same on
20,000 commits, 200 people, 30 components, 10 repositories.

Each repository is written by `git fast-import` from a seeded generator and
cached in the work folder: every person has a country (a roster row) and the
UTC offset of that country; every component is one directory of one
repository, a tenth of them critical; commits edit one or two small files.
Timed, each as its own `auditor` process (wall time and that process's peak
RSS from `wait4`): `collect --jobs 2` into a fresh SQLite store, `analyze`,
100 new commits in one repository then `check` (which collects them and
analyzes again), and the quarterly `export` of the last quarter. The check's
`--as-of` is the quarter's last day, so the export finds that run's analysis
inputs unchanged and reuses its findings (`auditor.evaluate.inputs`), as an
export issued right after the day's CI check would; it still assembles
every figure from the store.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

SEED = 20261124
START = 1_704_067_200  # 2024-01-01T00:00:00Z
SPAN = 2 * 365 * 86400  # two years of history
COUNTRIES = {  # country -> offset (minutes) its people commit with
    "US": -300, "DE": 60, "IN": 330, "CN": 480, "IE": 0, "GB": 0, "RU": 180,
    "PL": 60, "SG": 480, "BR": -180, "JP": 540, "BY": 180,
}  # fmt: skip
TARGETS = {"analyze": 30.0, "check": 10.0, "export": 10.0}
RSS_TARGET_MB = 1024


@dataclass(frozen=True)
class Scale:
    commits: int
    people: int
    components: int
    repos: int


FULL = Scale(1_000_000, 2_000, 300, 50)
QUICK = Scale(20_000, 200, 30, 10)


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    scale = QUICK if quick else FULL
    return measure(workdir, scale)


def measure(workdir: Path, scale: Scale) -> list[dict[str, Any]]:
    org = workdir / f"org-{scale.commits}"
    people = _people(scale)
    _build(org, scale, people)
    ws = workdir / f"ws-{scale.commits}"
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    # the repositories are copied so that the incremental commits never touch the cache
    for r in range(scale.repos):
        subprocess.run(
            ["git", "clone", "-q", "--bare", str(org / f"r{r}.git"), str(ws / f"r{r}.git")],
            check=True,
        )
    _write_config(ws, scale, people)
    as_of = datetime.fromtimestamp(START + SPAN, UTC).date()
    rows: list[dict[str, Any]] = []
    common = {"commits": scale.commits, "repos": scale.repos}

    seconds, rss = _auditor(ws, "collect", "--jobs", "2")
    rows.append({"name": "auditor collect --jobs 2 (fresh store)", "seconds": seconds,
                 "peak RSS MB": rss, **common})  # fmt: skip

    seconds, rss = _auditor(ws, "analyze", "--as-of", as_of.isoformat())
    rows.append(_row("auditor analyze", seconds, rss, "analyze", common))

    _append_commits(ws / "r0.git", 100, people, scale)
    seconds, rss = _auditor(
        ws, "check", "--as-of", as_of.isoformat(), "--format", "json", "-o", "check.json",
        ok_codes=(0, 1),
    )  # fmt: skip
    rows.append(_row("auditor check after 100 new commits", seconds, rss, "check", common))

    first = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    seconds, rss = _auditor(
        ws, "export", "-o", "export.json", "--from", first.isoformat(), "--to", as_of.isoformat()
    )
    rows.append(_row("auditor export (last quarter)", seconds, rss, "export", common))

    peak = max(row["peak RSS MB"] for row in rows)
    rows.append({"name": "peak RSS of any auditor process", "target": f"≤ {RSS_TARGET_MB} MB",
                 "ok": peak <= RSS_TARGET_MB, "peak RSS MB": peak})  # fmt: skip
    return rows


def _row(
    name: str, seconds: float, rss: int, target: str, common: dict[str, Any]
) -> dict[str, Any]:
    limit = TARGETS[target]
    return {"name": name, "seconds": seconds, "target_seconds": limit, "ok": seconds <= limit,
            "peak RSS MB": rss, **common}  # fmt: skip


def _auditor(ws: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Run one auditor command in `ws`; its wall time and peak RSS (MB, the process alone)."""
    exe = str(Path(sys.executable).with_name("auditor"))
    started = time.perf_counter()
    proc = subprocess.Popen([exe, *args], cwd=ws, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"auditor {args[0]} exited {proc.returncode}: {errors.decode()[-2000:]}")
    return round(seconds, 3), usage.ru_maxrss // 1024


@dataclass(frozen=True)
class _Person:
    name: str
    email: str
    country: str

    @property
    def offset(self) -> str:
        minutes = COUNTRIES[self.country]
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _people(scale: Scale) -> list[_Person]:
    rng = random.Random(SEED)
    countries = sorted(COUNTRIES)
    return [
        _Person(f"Person {i:04d}", f"p{i:04d}@corp{i % 5}.example", rng.choice(countries))
        for i in range(scale.people)
    ]


def _component_dirs(scale: Scale, repo: int) -> list[str]:
    return [f"c{k:03d}" for k in range(scale.components) if k % scale.repos == repo]


def _build(org: Path, scale: Scale, people: list[_Person]) -> None:
    done = org / "complete"
    if done.exists():
        return
    shutil.rmtree(org, ignore_errors=True)
    org.mkdir(parents=True)
    per_repo = scale.commits // scale.repos
    for r in range(scale.repos):
        repo = org / f"r{r}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True)
        rng = random.Random(SEED + r)
        # each repository is worked on by its own fifth of the people, plus a few visitors
        team = [p for i, p in enumerate(people) if i % scale.repos == r or rng.random() < 0.02]
        _fast_import(repo, _history(rng, per_repo, team, _component_dirs(scale, r), 0))
    done.write_text(f"{scale}\n")


def _history(
    rng: random.Random, count: int, team: list[_Person], dirs: list[str], first: int
) -> Any:
    step = SPAN // max(count, 1)
    for n in range(count):
        who = rng.choice(team)
        when = START + (first + n) * step + rng.randrange(step or 1)
        files = [f"{rng.choice(dirs)}/f{rng.randrange(40)}.txt" for _ in range(rng.randint(1, 2))]
        yield who, when, files, n


def _fast_import(repo: Path, history: Any, *, parent: bool = False) -> None:
    proc = subprocess.Popen(
        ["git", "--git-dir", str(repo), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )
    assert proc.stdin is not None
    out: IO[bytes] = proc.stdin
    for who, when, files, n in history:
        ident = f"{who.name} <{who.email}> {when} {who.offset}".encode()
        message = f"change {n} in {files[0].split('/')[0]}\n".encode()
        chunks = [b"commit refs/heads/main\n", b"author " + ident + b"\n",
                  b"committer " + ident + b"\n", b"data %d\n" % len(message), message]  # fmt: skip
        if parent:  # fast-import starts a branch it has not seen from nothing
            chunks.append(b"from refs/heads/main^0\n")
        for path in files:
            body = f"{n} {who.email}\n".encode() * (1 + n % 7)
            chunks.append(b"M 100644 inline " + path.encode() + b"\n")
            chunks.append(b"data %d\n" % len(body) + body)
        chunks.append(b"\n")
        out.write(b"".join(chunks))
        parent = False
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed for {repo}")


def _append_commits(repo: Path, count: int, people: list[_Person], scale: Scale) -> None:
    rng = random.Random(SEED - 1)
    history = list(_history(rng, count, people, _component_dirs(scale, 0), 0))
    late = [
        (who, START + SPAN - count + i, files, n) for i, (who, _, files, n) in enumerate(history)
    ]
    _fast_import(repo, late, parent=True)


def _write_config(ws: Path, scale: Scale, people: list[_Person]) -> None:
    lines = ["[store]", 'url = "sqlite:///audit.db"', 'mirrors = "mirrors"', ""]
    for r in range(scale.repos):
        lines += ["[[git]]", f'name = "r{r}"', f'path = "r{r}.git"', 'branch = "main"', ""]
    lines += ["[[roster]]", 'path = "roster.csv"', ""]
    lines += ["[jurisdictions]", 'high = ["CN", "RU"]', 'elevated = ["BY"]', ""]
    for k in range(scale.components):
        sensitivity = "critical" if k % 10 == 0 else "normal"
        lines += ["[[components]]", f'name = "Component {k:03d}"', f'sensitivity = "{sensitivity}"',
                  f'paths = ["r{k % scale.repos}:c{k:03d}/**"]', ""]  # fmt: skip
    (ws / "auditor.toml").write_text("\n".join(lines))
    roster = ["email,name,country,office,valid_from,valid_to"]
    roster += [f"{p.email},{p.name},{p.country},,2020-01-01," for p in people]
    (ws / "roster.csv").write_text("\n".join(roster) + "\n")


if __name__ == "__main__":  # python -m benchmarks.bench_scale COMMITS PEOPLE COMPONENTS REPOS
    numbers = [int(a) for a in sys.argv[1:5]]
    for row in measure(Path("bench-work/scale"), Scale(*numbers) if numbers else QUICK):
        print(row)
