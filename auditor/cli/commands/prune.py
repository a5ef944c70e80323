from __future__ import annotations

from typing import Annotated

import typer

from auditor.cli.common import DEFAULT_CONFIG, ConfigOption, app, load, out
from auditor.kernel.wording import counted


@app.command()
def prune(
    keep: Annotated[
        int,
        typer.Option(
            "--keep", help="Runs to keep of each kind (analyze, check, export, collect).", min=1
        ),
    ],
    config: ConfigOption = DEFAULT_CONFIG,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; write nothing.")
    ] = False,
) -> None:
    """Delete old runs with their findings, and the resolutions no kept run uses.

    Keeps the N newest runs of each kind and outcome, every resolution a kept run
    evaluated and the newest resolution; collected sources are never touched.
    """
    from auditor.store.engine import make_engine
    from auditor.store.prune import prune as prune_store

    loaded = load(config)
    engine = make_engine(loaded.store_url)
    try:
        report = prune_store(engine, keep, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "would remove" if report.dry_run else "removed"
    if not report.removed_anything:
        out.print(f"nothing to prune: {counted(report.kept_runs, 'run')} kept", markup=False)
        return
    runs = ", ".join(f"{n} {kind}" for kind, n in report.runs) or "none"
    out.print(
        f"{verb} runs: {runs} ({counted(report.findings, 'finding')}); "
        f"{counted(report.resolutions, 'resolution')}",
        markup=False,
    )
    for name, n in report.derived_rows:
        out.print(f"  {name}: {n} rows", markup=False)
    out.print(
        f"kept {counted(report.kept_runs, 'run')} and "
        f"{counted(report.kept_resolutions, 'resolution')}",
        markup=False,
    )
