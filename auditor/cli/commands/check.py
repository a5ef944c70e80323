from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli.common import (
    DEFAULT_CONFIG,
    AsOfOption,
    ConfigOption,
    app,
    err,
    load,
    out,
    parse_as_of,
)
from auditor.kernel.enums import Severity

if TYPE_CHECKING:
    from auditor.report.formats.interface import Report


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


@app.command()
def check(
    config: ConfigOption = DEFAULT_CONFIG,
    as_of: AsOfOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="JSON file of accepted finding fingerprints.", dir_okay=False
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Accept every current unwaived finding."),
    ] = False,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text, json, sarif or github.")
    ] = CheckFormat.text,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Lowest severity that fails (default: [policy] fail_on)."),
    ] = None,
    commit_range: Annotated[
        str | None,
        typer.Option("--range", help="BASE..HEAD: evaluate only these commits (pull requests)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here.", dir_okay=False)
    ] = None,
) -> None:
    """Collect, analyze, compare with baseline and waivers; exit 1 on a new finding."""
    from auditor.ingest.collect import usable_cores
    from auditor.ingest.progress_lines import ProgressLines
    from auditor.kernel.errors import NothingToJudgeError
    from auditor.report.check import CheckRequest, run_check
    from auditor.report.formats import exporter_for
    from auditor.report.formats.workflow_commands import log_safe

    day = parse_as_of(as_of)
    request = CheckRequest(
        baseline=baseline,
        update_baseline=update_baseline,
        fail_on=fail_on.value if fail_on is not None else None,
        commit_range=commit_range,
    )

    def say(text: str) -> None:  # rate-limit waits, retries: a waiting CI job says why
        err.print(log_safe(text), markup=False)

    # CI logs have no terminal: a long first collect prints a line every 10 s instead.
    progress = None if err.is_terminal else ProgressLines(say)
    outcome = run_check(
        load(config), day, request, jobs=usable_cores(), progress=progress, notify=say
    )
    if outcome.baseline_written is not None:
        err.print(f"baseline {baseline}: {outcome.baseline_written} fingerprints", markup=False)
    report = outcome.report
    _emit(report, format, output, exporter_for(format.value).render(report))
    if outcome.nothing_to_judge is not None:
        # the report says so too; the exit status must not read as clean
        raise NothingToJudgeError(outcome.nothing_to_judge)
    if report.failing:
        raise typer.Exit(1)


def _emit(report: Report, format: CheckFormat, output: Path | None, rendered: str) -> None:
    from auditor.report.formats.text import report_blocks, report_renderable
    from auditor.report.formats.workflow_commands import log_safe as visible

    if format is not CheckFormat.text and format is not CheckFormat.github:
        # Machine formats keep to their contract; the notes go to stderr.
        for note in report.unavailable:
            where = f" {note.component}" if note.component else ""
            err.print(f"not available: {note.rule}{where}: {visible(note.reason)}", markup=False)
        for waiver in report.unmatched_waivers:
            label = waiver.fingerprint or f"{waiver.rule} {waiver.component}"
            err.print(f"waiver matches nothing: {visible(label)}", markup=False)
        for waiver in report.expired_waivers:
            label = waiver.fingerprint or f"{waiver.rule} {waiver.component}"
            err.print(f"expired waiver: {visible(label)} ({waiver.expires})", markup=False)
        for line in report.warnings:
            err.print(f"warning: {visible(line)}", markup=False)
    if output is not None:
        from auditor.kernel.files import write_atomically

        # Atomic, and an unwritable path is exit 2 with one line, never exit 1.
        write_atomically(output, rendered.encode("utf-8"))
        return
    if format is CheckFormat.text and out.is_terminal:
        out.print(report_renderable(report))
    elif format is CheckFormat.text:
        # CI logs: whole lines, one block per finding, instead of an 80-column table.
        out.print(report_blocks(report), soft_wrap=True)
    else:
        typer.echo(rendered, nl=False)
