"""How numbers read in messages: "1 person", "2 people"; "85%", not "85%–85%"."""

from __future__ import annotations

IRREGULAR = {"person": "people", "identity": "identities", "work item": "work items"}


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 commit', '2 commits', '1 person', '3 people', '2 countries' (`plural` if irregular)."""
    return f"{n:,} {noun if n == 1 else plural or _plural(noun)}"


def _plural(noun: str) -> str:
    if noun in IRREGULAR:
        return IRREGULAR[noun]
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u", ""):
        return noun[:-1] + "ies"
    return noun + "s"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def percent_range(low: float, high: float, sep: str = "–") -> str:
    """`40%–55%`, or one number when both bounds print the same."""
    a, b = percent(low), percent(high)
    return a if a == b else f"{a}{sep}{b}"
