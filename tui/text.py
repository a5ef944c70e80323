"""Turning view values into Rich `Text`: untrusted strings are never markup.

Every string that came from a repository, export or roster goes through
`safe` (control characters made visible, wrapped in `Text`), so `[@click=...]`
or `\\x1b]8;;` in a commit message is shown, not obeyed.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from auditor.safe_text import plain, visible

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
CANDIDATES_SHOWN = 4
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


def number(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def share(low: float, high: float) -> Text:
    """The high-risk share interval, `min–max`, red when the lower bound is not zero."""
    style = "bold red" if low > 0 else ("magenta" if high > 0 else "")
    return Text(f"{percent(low)}–{percent(high)}", style=style, justify="right")


def interval(low: float, high: float) -> Text:
    """A share that may be uncertain: `40%`, or `40%–55%` when the bounds differ."""
    shown = percent(low) if percent(low) == percent(high) else f"{percent(low)}–{percent(high)}"
    return Text(shown, justify="right")


def tier(value: str) -> Text:
    return Text(value, style=TIER_STYLE.get(value, ""))


def severity(value: str) -> Text:
    return Text(visible(value), style=SEVERITY_STYLE.get(value, ""))


def sensitivity(value: str) -> Text:
    return Text(visible(value), style=SENSITIVITY_STYLE.get(value, ""))


def location(country: str | None, candidates: tuple[str, ...]) -> Text:
    if country:
        return Text(visible(country))
    if candidates:
        # offsets alone allow dozens of countries: show a few and count the rest
        shown = "/".join(visible(c) for c in candidates[:CANDIDATES_SHOWN])
        more = len(candidates) - CANDIDATES_SHOWN
        return Text(f"?{shown}" + (f" +{more}" if more > 0 else ""), style="italic")
    return Text("unknown", style="grey50")


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 conflict', '2 conflicts', '0 identities' (give `plural` when it is not noun + s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


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
