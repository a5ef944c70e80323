from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.common import AsOfOption, app, out, parse_as_of


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option(help="Where to build the sample organisation.")] = Path(
        "demo"
    ),
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Print the report, do not open the TUI.")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Build the sample organisation, audit it, open the TUI (no terminal: print the report)."""
    from rich.table import Table

    from auditor.cli.demo import run_demo
    from auditor.report.formats.text import report_blocks
    from sample_repos.spec import AS_OF

    day = parse_as_of(as_of) if as_of else AS_OF
    result = run_demo(workspace, as_of=day)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not no_tui
    if interactive:
        from tui.app import make_app

        make_app(result.engine, as_of=day, config=result.loaded).run()
        return

    out.print(f"Sample organisation audited as of {day}", markup=False, soft_wrap=True)
    summary = Table()
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for repo in result.collected.git:
        summary.add_row(f"commits in {repo.name}", f"{repo.total_commits:,}")
    for imported in [*result.collected.trackers, *result.collected.rosters]:
        summary.add_row(f"records in {imported.name}", f"{imported.records:,}")
    if result.collected.links:
        summary.add_row(
            "commits linked to work items", f"{result.collected.links.commits_linked:,}"
        )
    summary.add_row("people", f"{result.analysis.resolve.people:,}")
    for severity, count in result.findings_by_severity():
        summary.add_row(f"findings: {severity}", str(count))
    out.print(summary)

    # The same status, waiver and expired-waiver reporting as `auditor check`.
    out.print()
    out.print(report_blocks(result.report()), soft_wrap=True)
    out.print()
    out.print(
        f"workspace: {result.build.workspace}\n"
        f"next: auditor tui -c {result.build.config}   "
        f"auditor check -c {result.build.config} --as-of {day}",
        markup=False,
        soft_wrap=True,  # a wrapped path cannot be copied
    )
