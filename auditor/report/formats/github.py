"""`--format github`: GitHub Actions workflow commands that annotate the job.

One line per finding that is not waived: `::error title=…::message` (or
`warning` / `notice` by severity). Messages escape `%`, CR and LF; property
values also escape `:` and `,`, as GitHub's runner requires, so untrusted text
can never end the command early or inject another one; `log_safe` also breaks
up `##[`, which the runner reads anywhere in a line.
"""

from __future__ import annotations

from auditor.report.formats.interface import Exporter, Report
from auditor.report.formats.workflow_commands import log_safe

LEVELS = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "notice",
    "info": "notice",
}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


class GitHubExporter(Exporter):
    name = "github"

    def render(self, report: Report) -> str:
        lines = []
        for item in report.findings:
            if item.status == "waived":
                continue
            f = item.finding
            level = LEVELS[f.severity]
            title = f"{f.rule} {f.component or '-'}: {f.subject} ({f.severity}, {item.status})"
            # log_safe() keeps other control characters (ESC, bidi) and `##[` out of the log.
            message = log_safe(f.message)
            lines.append(
                f"::{level} title={escape_property(log_safe(title))}::{escape_data(message)}"
            )
        for note in report.unavailable:
            where = f" {note.component}" if note.component else ""
            lines.append(
                f"::notice title={escape_property(f'{note.rule}{where} not available')}::"
                f"{escape_data(log_safe(note.reason))}"
            )
        for waiver in report.expired_waivers:
            title = f"expired waiver {waiver.rule or waiver.fingerprint}"
            lines.append(
                f"::warning title={escape_property(log_safe(title))}::"
                f"{escape_data(log_safe(f'expired {waiver.expires}: {waiver.reason}'))}"
            )
        lines.append(
            f"::notice title=auditor check::{report.count('new')} new, "
            f"{report.count('baselined')} baselined, {report.count('waived')} waived, "
            f"{len(report.failing)} at or above {report.fail_on}"
        )
        return "\n".join(lines) + "\n"
