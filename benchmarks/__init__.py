"""Benchmarks: `make bench` = `python -m benchmarks.run [--only NAME] [--quick]`.

Each `benchmarks/bench_<name>.py` exposes `run(workdir: Path, quick: bool) ->
list[dict]`: one dict per measurement, with at least `name` and usually
`seconds`; optional `target` (text, or `target_seconds`) and `ok` (bool) say
what was aimed at and whether it was met. Any other keys are reported as details. `workdir` is a
folder of its own under `bench-work/` that survives between runs, so slow
fixtures (synthetic repositories) are built once. `benchmarks/run.py` prints
the rows and rewrites that benchmark's section of `docs/benchmarks.md`.

Optional, for a benchmark whose input is named from outside (`bench_real.py`):
`run` raises `Skipped` when the input is missing; `MEASUREMENT_ONLY = True` makes
a missed target a reported figure rather than a failing run; `section_key()` and
`command()` name its subsection (one per input, inside its own marked section) and
the command line that produced it.
"""


class Skipped(Exception):
    """A benchmark whose input is not on this machine: said on the console, nothing recorded."""
