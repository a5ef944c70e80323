"""Turning view values into Rich `Text`: untrusted strings are never markup.

Every string that came from a repository, export or roster goes through
`safe` (control characters made visible, wrapped in `Text`), so `[@click=...]`
or `\\x1b]8;;` in a commit message is shown, not obeyed.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from auditor.kernel import wording
from auditor.report.display_text import plain, visible
from auditor.resolve.locations.summary import fit_summary

TIER_STYLE = {
    "high": "bold red",
    "elevated": "dark_orange",
    "ambiguous": "magenta",
    "trusted": "green",
    "other": "cyan",
    "unknown": "grey50",
    "unresolved": "magenta",
}
SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "dark_orange",
    "low": "yellow",
    "info": "grey50",
}
WIDE_FROM = 120  # terminal columns from which side-by-side panels and full cells fit
SENSITIVITY_STYLE = {"critical": "bold red", "high": "red", "normal": "", "low": "grey50"}


def safe(value: object, style: str = "") -> Text:
    """Untrusted text as a single line: no markup, control characters escaped."""
    return plain("" if value is None else value, style=style)


def safe_block(value: object, style: str = "") -> Text:
    """Untrusted multi-line text (commit messages): newlines kept, nothing else."""
    return Text(visible("" if value is None else value, keep_newlines=True), style=style)


def clip(value: str, width: int) -> str:
    """At most `width` characters, an ellipsis marking the cut (the detail shows it all)."""
    return value if len(value) <= width else value[: width - 1] + "…"


def fit_location(label: str, width: int) -> str:
    """A location summary in `width` characters, the verdict kept (see `fit_summary`)."""
    return fit_summary(label, width)


def number(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


def percent(value: float) -> str:
    return wording.percent(value)


def share(low: float, high: float) -> Text:
    """The high-risk share, `min–max` (one number when both round alike), red above zero."""
    style = "bold red" if low > 0 else ("magenta" if high > 0 else "")
    return Text(interval(low, high).plain, style=style, justify="right")


def interval(low: float, high: float) -> Text:
    """A share that may be uncertain: `40%`, or `40%–55%` when the bounds differ."""
    return Text(wording.percent_range(low, high), justify="right")


def tier(value: str) -> Text:
    return Text(value, style=TIER_STYLE.get(value, ""))


def severity(value: str) -> Text:
    return Text(visible(value), style=SEVERITY_STYLE.get(value, ""))


def sensitivity(value: str) -> Text:
    return Text(visible(value), style=SENSITIVITY_STYLE.get(value, ""))


def location(country: str | None, label: str) -> Text:
    """A resolved country as is; a candidate summary (`views` builds it) in italics."""
    if country:
        return Text(visible(country))
    if label and label != "unknown":
        return Text(visible(label), style="italic")
    return Text("unknown", style="grey50")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 conflict', '2 conflicts', '0 identities' (give `plural` when it is not noun + s)."""
    return wording.counted(n, noun, plural)


def day(value: date | None, empty: str = "…") -> str:
    return value.isoformat() if value else empty


def offset(minutes: int | None) -> str:
    if minutes is None:
        return "bogus"
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{mins:02d}"


def join(*parts: Text | str) -> Text:
    out = Text()
    for part in parts:
        out.append_text(part) if isinstance(part, Text) else out.append(part)
    return out
