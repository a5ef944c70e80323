"""`--format text`: findings plus notes; untrusted text never becomes markup.

Names, messages and waiver terms come from repositories and configuration, and
the text report is what CI jobs print: each goes through `log_safe`, so it can
neither carry control sequences nor read as a runner's workflow command.

On a terminal the findings are a Rich table. In logs and files (no terminal)
they are one block per finding printed without wrapping: an 80-column table
would split words and stretch one finding over twenty lines.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.kernel.config import WaiverConfig
from auditor.report.formats.interface import Exporter, Report
from auditor.report.formats.workflow_commands import log_safe

STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def report_renderable(report: Report) -> RenderableType:
    table = Table(title=_title(report), title_justify="left", expand=False)
    for column in ("status", "severity", "conf.", "rule", "component", "subject", "message"):
        table.add_column(column, overflow="fold")
    for item in report.findings:
        f = item.finding
        table.add_row(
            Text(item.status, style="bold" if item.status == "new" else "dim"),
            Text(f.severity, style=STYLES.get(f.severity, "")),
            Text(f.confidence),
            Text(f.rule),
            _untrusted(f.component or "-"),
            _untrusted(f.subject),
            _untrusted(f.message),
        )
    return Group(table, report_notes(report))


def report_blocks(report: Report) -> Text:
    """The report as plain lines: a header line and an indented message per finding.

    Print it with `soft_wrap=True` (or into a wide console): each line is whole.
    """
    text = Text()
    text.append(_title(report) + "\n", style="bold")
    for item in report.findings:
        f = item.finding
        text.append("\n")
        text.append(item.status.upper(), style="bold" if item.status == "new" else "dim")
        text.append("  ")
        text.append(f.severity, style=STYLES.get(f.severity, ""))
        text.append(f"  {f.rule}  ")
        text.append_text(_untrusted(f.component or "-"))
        text.append("  ")
        text.append_text(_untrusted(f.subject))
        text.append(f"  (confidence {f.confidence}, fingerprint {f.fingerprint[:12]})\n")
        text.append("    ")
        text.append_text(_untrusted(f.message))
        text.append("\n")
        if item.waiver is not None:
            text.append("    waived: ", style="dim")
            text.append_text(_untrusted(_waiver_terms(item.waiver)))
            text.append("\n")
    if report.findings:
        text.append("\n")
    text.append_text(report_notes(report))
    return text


def report_notes(report: Report) -> Text:
    """Unavailable rules, expired and unmatched waivers, and the one-line tally."""
    notes = Text()
    if report.commits_in_window == 0:
        notes.append("no commits in the policy window: nothing was judged\n", style="bold red")
    elif report.commits_in_window is not None:
        notes.append(f"{report.commits_in_window:,} commits in the policy window\n")
    for line in report.warnings:
        notes.append("warning: ", style="yellow")
        notes.append_text(_untrusted(line))
        notes.append("\n")
    for note in report.unavailable:
        notes.append("not available: ", style="yellow")
        notes.append_text(
            _untrusted(f"{note.rule}{' ' + note.component if note.component else ''}")
        )
        notes.append(" – ")
        notes.append_text(_untrusted(note.reason))
        notes.append("\n")
    for waiver in report.expired_waivers:
        notes.append("expired waiver: ", style="red")
        notes.append_text(_untrusted(_waiver_label(waiver) + f" expired {waiver.expires}"))
        notes.append("\n")
    for waiver in report.unmatched_waivers:
        notes.append("waiver matches nothing: ", style="yellow")
        notes.append_text(_untrusted(_waiver_label(waiver)))
        notes.append("\n")
    failing = len(report.failing)
    notes.append(
        f"{report.count('new')} new, {report.count('baselined')} baselined, "
        f"{report.count('waived')} waived; {failing} new at or above {report.fail_on}"
        + (
            f" with {report.fail_on_confidence} confidence or more"
            if report.fail_on_confidence != "low"
            else ""
        ),
        # green only for a verdict over some commits: an empty window is no clean bill
        style="bold red"
        if failing
        else "bold yellow"
        if report.commits_in_window == 0
        else "bold green",
    )
    return notes


def _untrusted(value: object) -> Text:
    """Text from a repository or configuration, shown literally and inert in a CI log."""
    return Text(log_safe(value))


def _title(report: Report) -> str:
    title = f"Findings as of {report.as_of.isoformat()}"
    if report.range_commits is not None:
        title += f" (range: {report.range_commits} commits)"
    return title


def _waiver_terms(waiver: WaiverConfig) -> str:
    ticket = f", {waiver.ticket}" if waiver.ticket else ""
    return f"until {waiver.expires} by {waiver.approved_by}{ticket}: {waiver.reason}"


def _waiver_label(waiver: object) -> str:
    rule = getattr(waiver, "rule", None)
    component = getattr(waiver, "component", None)
    subject = getattr(waiver, "subject", None)
    fingerprint = getattr(waiver, "fingerprint", None)
    label = " ".join(str(x) for x in (rule, component, subject) if x)
    return label or f"fingerprint {str(fingerprint)[:12]}"


class TextExporter(Exporter):
    name = "text"

    def render(self, report: Report) -> str:
        """The block layout: a file is read in logs and editors, not at a terminal's width."""
        buffer = io.StringIO()
        console = Console(file=buffer, highlight=False, color_system=None, soft_wrap=True)
        console.print(report_blocks(report))
        return buffer.getvalue()
