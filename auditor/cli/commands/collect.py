from __future__ import annotations

from typing import Annotated

import typer

from auditor.cli.common import DEFAULT_CONFIG, ConfigOption, app, err, load, out


@app.command()
def collect(
    config: ConfigOption = DEFAULT_CONFIG,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", help="Collect only this source (repeatable): a [[git]] name or export."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes mining in parallel (repositories, or ranges of one long history); "
            "default: the usable cores.",
        ),
    ] = None,
) -> None:
    """Mine every configured source into the store (incremental, idempotent)."""
    import time

    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from auditor.ingest.collect import check_sources_exist, collect_all, usable_cores
    from auditor.ingest.progress_lines import ProgressLines
    from auditor.ingest.trackers import tracker_name
    from auditor.report.display_text import plain, visible
    from auditor.store.engine import make_engine

    loaded = load(config)
    check_sources_exist(loaded, only)  # a configuration that does not hold creates no store
    jobs = jobs or usable_cores()
    engine = make_engine(loaded.store_url)
    api_sources = {tracker_name(t) for t in loaded.config.tracker if t.is_api}
    started: dict[str, float] = {}
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>9,.0f} {task.fields[unit]}"),
        TextColumn("{task.fields[rate]:>8} {task.fields[unit]}/s"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    ) as bars:
        lines = ProgressLines(lambda text: err.print(plain(text)))

        def progress(name: str, count: int, total: int | None) -> None:
            if not err.is_terminal:
                lines(name, count, total)
                return
            if name not in tasks:
                started[name] = time.perf_counter()
                unit = "items" if name in api_sources else "commits"
                tasks[name] = bars.add_task(name, total=total, rate="", unit=unit)
            elapsed = max(time.perf_counter() - started[name], 1e-6)
            bars.update(tasks[name], completed=count, total=total, rate=f"{count / elapsed:,.0f}")

        def notify(message: str) -> None:  # API sources: rate-limit waits and retries
            err.print(plain(message))

        summary = collect_all(
            loaded, engine, only=only, jobs=jobs, progress=progress, notify=notify
        )

    table = Table(title="Collected", title_justify="left")
    for column in ("source", "kind", "new", "total", "note"):
        table.add_column(column, justify="right" if column in ("new", "total") else "left")
    for result in summary.git:
        note = (
            "up to date"
            if result.up_to_date
            else (
                f"history rewritten, {result.removed} commits removed"
                if result.rewritten
                else f"head {result.head[:12]}"
                if result.head
                else "empty"
            )
        )
        table.add_row(
            plain(result.name), "git", f"{result.new_commits:,}", f"{result.total_commits:,}", note
        )
    for imported in [*summary.trackers, *summary.rosters]:
        if imported.note is not None:  # an API source: what changed and what it took
            note = f"{imported.added} added, {imported.updated} updated; {imported.note}"
        else:
            note = (
                "unchanged file"
                if imported.skipped
                else f"{imported.added} added, {imported.updated} updated"
            )
        table.add_row(plain(imported.name), imported.kind, "", f"{imported.records:,}", plain(note))
    out.print(table)
    for result in summary.git:
        if result.shallow:
            err.print(f"warning: {visible(result.shallow)}", markup=False)
        for note in result.notes:
            err.print(plain(f"{result.name}: {note}"))
    for imported in [*summary.trackers, *summary.rosters]:
        for warning in dict.fromkeys(imported.warnings):
            err.print(plain(f"warning: {warning}"))
    if summary.links is not None:
        out.print(
            f"linked {summary.links.commits_linked:,} commits to "
            f"{summary.links.work_items_linked:,} work items ({summary.links.links:,} links)"
        )
