"""Run the benchmarks and record their figures in docs/benchmarks.md.

    python -m benchmarks.run                 # every benchmarks/bench_*.py
    python -m benchmarks.run --only git      # benchmarks/bench_git.py only
    python -m benchmarks.run --quick         # smaller inputs, figures not recorded

Each benchmark's section in docs/benchmarks.md sits between
`<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` and is rewritten
whole by a full run; everything outside the markers is left as written.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchmarks
from benchmarks import Skipped

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "bench-work"


def discover() -> list[str]:
    """Names of the benchmark modules: `bench_git.py` -> "git"."""
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def machine() -> str:
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {git}"
    )


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def table(rows: list[dict[str, Any]]) -> list[str]:
    """A Markdown table: measurement, seconds, target, met, then the other keys as details."""
    lines = [
        "| measurement | seconds | target | met | details |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for row in rows:
        details = ", ".join(
            f"{key} {_cell(value)}"
            for key, value in row.items()
            if key not in ("name", "seconds", "target", "target_seconds", "ok")
        )
        target = row.get("target") or (
            f"≤ {_cell(row['target_seconds'])} s" if "target_seconds" in row else ""
        )
        lines.append(
            "| "
            + " | ".join(
                [
                    _cell(row.get("name", "")),
                    _cell(row["seconds"]) if "seconds" in row else "",
                    _cell(target),
                    _cell(row["ok"]) if "ok" in row else "",
                    details,
                ]
            )
            + " |"
        )
    return lines


def load() -> str:
    """The 1-minute load average: how busy the machine was (others' work skews wall times)."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"


def section(
    name: str, rows: list[dict[str, Any]], seconds: float, loads: str, command: str | None = None
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<!-- bench:{name}:start -->",
        f"### {name}",
        "",
        f"{command or f'`python -m benchmarks.run --only {name}`'} on {when} ({machine()}); "
        f"the whole benchmark took {seconds:,.0f} s; load average {loads}.",
        "",
        *table(rows),
        f"<!-- bench:{name}:end -->",
    ]
    return "\n".join(body)


def record(name: str, text: str, doc: Path = DOC, within: str | None = None) -> None:
    """Replace the benchmark's marked section in `doc`, or append it (at the end of the
    section `within` when that one is marked: one subsection per input of a benchmark)."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    outer_end = f"<!-- bench:{within}:end -->" if within else None
    if start in current and end in current:
        before, _, rest = current.partition(start)
        _, _, after = rest.partition(end)
        updated = before + text + after
    elif outer_end and outer_end in current:
        before, _, after = current.partition(outer_end)
        updated = before.rstrip("\n") + "\n\n" + text + "\n" + outer_end + after
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--only", action="append", help="benchmark name (repeatable), e.g. git")
    parser.add_argument("--quick", action="store_true", help="small inputs; docs not updated")
    parser.add_argument("--workdir", type=Path, default=WORK, help="cache folder (bench-work/)")
    parser.add_argument("--no-record", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = discover()
    unknown = sorted(set(args.only or ()) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {names}")
    failed = False
    for name in args.only or names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        workdir = args.workdir.resolve() / name
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"== {name} ==", flush=True)
        started, load_before = time.perf_counter(), load()
        try:
            rows: list[dict[str, Any]] = module.run(workdir, args.quick)
        except Skipped as skipped:
            print(f"skipped: {skipped}", flush=True)
            continue
        elapsed = time.perf_counter() - started
        loads = f"{load_before} at the start, {load()} at the end"
        for line in table(rows):
            print(line)
        # a measurement-only benchmark reports a missed target without failing the run
        if not getattr(module, "MEASUREMENT_ONLY", False):
            failed = failed or any(row.get("ok") is False for row in rows)
        if not (args.quick or args.no_record):
            # a benchmark with one subsection per input names it (`real/bench-git`)
            key = module.section_key() if hasattr(module, "section_key") else name
            command = module.command() if hasattr(module, "command") else None
            text = section(key, rows, elapsed, loads, command)
            record(key, text, within=name if key != name else None)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
