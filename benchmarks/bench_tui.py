"""Benchmark: the TUI's first screen on a store built from 100k commits (target ≤ 1 s).

The store comes from `benchmarks.bench_resolve.build_store` (the deterministic
100k-commit synthetic organisation), resolved and analysed once with
`auditor.analyze.analyze`. Then the app runs headless (`App.run_test`) and we
time, from the moment the app starts:

- first paint: the overview shows its totals and findings by severity;
- overview complete: churn by tier and top risky components (the attribution
  worker) are on screen too.

`run(workdir, quick)` returns one dict per measurement for `benchmarks/run.py`.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from auditor.analyze import analyze
from auditor.config import load_config
from auditor.store import make_engine
from benchmarks.bench_resolve import AS_OF, build_store

TARGET_SECONDS = 1.0
SIZE = (140, 45)


async def _time_overview(engine: Any, loaded: Any) -> tuple[float, float]:
    from tui.app import make_app
    from tui.screens.overview import OverviewScreen

    app = make_app(engine, as_of=AS_OF, config=loaded)
    started = time.perf_counter()
    first = complete = 0.0
    async with app.run_test(size=SIZE) as pilot:
        while not complete:
            await pilot.pause(0.005)
            screen = app.screen
            if not isinstance(screen, OverviewScreen):
                continue
            if not first and screen.loaded:
                first = time.perf_counter() - started
            if screen.attribution_loaded:
                complete = time.perf_counter() - started
            if time.perf_counter() - started > 120:
                raise RuntimeError("overview did not finish loading in 120 s")
    return first, complete


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    commits = 20_000 if quick else 100_000
    config = build_store(Path(workdir) / "tui", commits)
    loaded = load_config(config)
    engine = make_engine(loaded.store_url)
    try:
        t0 = time.perf_counter()
        result = analyze(engine, loaded, AS_OF)
        analysed = time.perf_counter() - t0
        first, complete = asyncio.run(_time_overview(engine, loaded))
    finally:
        engine.dispose()
    return [
        {
            "name": "analyze (store for the TUI)",
            "commits": commits,
            "seconds": round(analysed, 3),
            "findings": len(result.findings),
        },
        {
            "name": "tui first paint (overview totals)",
            "commits": commits,
            "seconds": round(first, 3),
            "target_seconds": TARGET_SECONDS,
            "ok": first <= TARGET_SECONDS,
        },
        {
            "name": "tui overview complete (attribution worker)",
            "commits": commits,
            "seconds": round(complete, 3),
        },
    ]


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(Path(tmp), quick="--quick" in sys.argv):
            print(json.dumps(row))
