"""`--format text`: a Rich table of findings plus notes; untrusted text never becomes markup."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.exporters.interface import Exporter, Report
from auditor.safe_text import plain

STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def report_renderable(report: Report) -> RenderableType:
    title = f"Findings as of {report.as_of.isoformat()}"
    if report.range_commits is not None:
        title += f" (range: {report.range_commits} commits)"
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("status", "severity", "conf.", "rule", "component", "subject", "message"):
        table.add_column(column, overflow="fold")
    for item in report.findings:
        f = item.finding
        table.add_row(
            Text(item.status, style="bold" if item.status == "new" else "dim"),
            Text(f.severity, style=STYLES.get(f.severity, "")),
            Text(f.confidence),
            Text(f.rule),
            plain(f.component or "-"),
            plain(f.subject),
            plain(f.message),
        )
    parts: list[RenderableType] = [table]
    notes = Text()
    for note in report.unavailable:
        notes.append("not available: ", style="yellow")
        notes.append_text(plain(f"{note.rule}{' ' + note.component if note.component else ''}"))
        notes.append(" – ")
        notes.append_text(plain(note.reason))
        notes.append("\n")
    for waiver in report.expired_waivers:
        notes.append("expired waiver: ", style="red")
        notes.append_text(plain(_waiver_label(waiver) + f" expired {waiver.expires}"))
        notes.append("\n")
    for waiver in report.unmatched_waivers:
        notes.append("waiver matches nothing: ", style="yellow")
        notes.append_text(plain(_waiver_label(waiver)))
        notes.append("\n")
    failing = len(report.failing)
    notes.append(
        f"{report.count('new')} new, {report.count('baselined')} baselined, "
        f"{report.count('waived')} waived; {failing} new at or above {report.fail_on}",
        style="bold red" if failing else "bold green",
    )
    parts.append(notes)
    return Group(*parts)


def _waiver_label(waiver: object) -> str:
    rule = getattr(waiver, "rule", None)
    component = getattr(waiver, "component", None)
    subject = getattr(waiver, "subject", None)
    fingerprint = getattr(waiver, "fingerprint", None)
    label = " ".join(str(x) for x in (rule, component, subject) if x)
    return label or f"fingerprint {str(fingerprint)[:12]}"


class TextExporter(Exporter):
    name = "text"

    def __init__(self, width: int = 160):
        self.width = width

    def render(self, report: Report) -> str:
        buffer = io.StringIO()
        console = Console(file=buffer, width=self.width, highlight=False, color_system=None)
        console.print(report_renderable(report))
        return buffer.getvalue()
