"""Benchmark: the TUI's first screen on a store built from the 100k-commit benchmark repository.

The repository is `benchmarks/synthetic.py`'s (shared with `bench_git`'s cache);
it is collected with `auditor.collect.collect_all` together with a roster that
places its 300 authors in a dozen countries, then analysed once
(`auditor.analyze.analyze`, as of the last commit's day). The app then runs
headless (`App.run_test`) and we time, from the moment it starts:

- first paint: the overview shows its totals and findings by severity
  (target ≤ 1 s; best of three runs, each listed);
- overview complete: churn by tier and top risky components (the attribution
  worker) are on screen too.

`run(workdir, quick)` returns one dict per measurement for `benchmarks/run.py`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from auditor import models
from auditor.analyze import analyze
from auditor.collect import collect_all
from auditor.config import LoadedConfig, load_config
from auditor.store import make_engine, table
from benchmarks.synthetic import synthetic_repo

COMMITS, QUICK_COMMITS = 100_000, 20_000
TARGET_SECONDS = 1.0
RUNS = 3
SIZE = (140, 45)
COUNTRIES = ("US", "DE", "IN", "CN", "IE", "GB", "RU", "PL", "SG", "BR", "JP", "BY")

CONFIG = """
[store]
url = "sqlite:///audit.db"

[[git]]
name = "synthetic"
path = "{repo}"
branch = "main"

[[roster]]
path = "roster.csv"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["synthetic:src/alpha/**", "synthetic:src/bravo/**"]

[[components]]
name = "Gateway"
sensitivity = "high"
paths = ["synthetic:src/charlie/**", "synthetic:src/delta/**"]

[[components]]
name = "Platform"
paths = ["synthetic:src/**", "synthetic:lib/**"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["synthetic:docs/**"]
"""


def _workspace(workdir: Path, commits: int) -> LoadedConfig:
    # bench_git builds the same repository: share its cache
    repo = synthetic_repo(workdir.parent / "git" / "repos", commits)
    space = workdir / f"store-{commits}"
    space.mkdir(parents=True, exist_ok=True)
    roster = ["email,name,country"] + [
        f"dev{i:03d}@example{i % 7}.com,Developer {i:03d},{COUNTRIES[i % len(COUNTRIES)]}"
        for i in range(300)
        if i % 5  # every fifth author is left to the commit offsets
    ]
    (space / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    (space / "auditor.toml").write_text(CONFIG.format(repo=repo), encoding="utf-8")
    return load_config(space / "auditor.toml")


async def _time_overview(engine: Any, loaded: LoadedConfig, as_of: Any) -> tuple[float, float]:
    from tui.app import make_app
    from tui.screens.overview import OverviewScreen

    app = make_app(engine, as_of=as_of, config=loaded)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        # the screen stamps the refresh after each stage; polling here only waits for it
        while True:
            await pilot.pause(0.05)
            screen = app.screen
            if isinstance(screen, OverviewScreen) and screen.attribution_painted_at:
                assert screen.painted_at is not None
                return screen.painted_at - started, screen.attribution_painted_at - started
            if time.perf_counter() - started > 120:
                raise RuntimeError("overview did not finish loading in 120 s")


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    commits = QUICK_COMMITS if quick else COMMITS
    loaded = _workspace(Path(workdir), commits)
    engine = make_engine(loaded.store_url)
    try:
        t0 = time.perf_counter()
        collect_all(loaded, engine)  # incremental: nothing to do on a re-run
        t1 = time.perf_counter()
        with engine.connect() as conn:
            last = conn.execute(select(func.max(table(models.Commit).c.authored_at))).scalar()
        as_of = datetime.fromtimestamp(int(last or 0), UTC).date()
        result = analyze(engine, loaded, as_of)
        t2 = time.perf_counter()
        # best of a few runs: the figure is the app's, not the machine's other load
        runs = [asyncio.run(_time_overview(engine, loaded, as_of)) for _ in range(RUNS)]
        first, complete = min(r[0] for r in runs), min(r[1] for r in runs)
    finally:
        engine.dispose()
    return [
        {
            "name": "collect + analyze (the store the TUI opens)",
            "commits": commits,
            "seconds": round(t2 - t0, 3),
            "collect_seconds": round(t1 - t0, 3),
            "findings": len(result.findings),
            "as_of": as_of.isoformat(),
        },
        {
            "name": "tui first paint (overview totals)",
            "commits": commits,
            "seconds": round(first, 3),
            "target_seconds": TARGET_SECONDS,
            "ok": first <= TARGET_SECONDS,
            "runs": " / ".join(f"{r[0]:.3f}" for r in runs),
        },
        {
            "name": "tui overview complete (attribution worker)",
            "commits": commits,
            "seconds": round(complete, 3),
            "runs": " / ".join(f"{r[1]:.3f}" for r in runs),
        },
    ]


if __name__ == "__main__":
    import json
    import sys

    for row in run(Path("bench-work") / "tui", quick="--quick" in sys.argv):
        print(json.dumps(row))
