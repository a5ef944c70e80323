"""One short, honest line for a location that is not one country.

Commit offsets alone allow dozens of countries; listing the first few
alphabetically ("?AD/AL/AT/BA +31") hides the one thing a reader needs: does the
set include a high-risk jurisdiction? `summarize_candidates` says that first:

    "DE"                                      one country
    "CN or TW"                                two or three: all of them, riskiest first
    "EET with EU DST · 10 countries, none high-risk"
    "UTC+8 · 13 incl. CN, RU"                 high-risk (then elevated) codes named
    "unknown"                                 no candidate at all

The zone pattern ("EET with EU DST", "UTC+8") comes from location resolution
when it has one; without it the count stands alone. Nothing here reads names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

NAMED_RISKY = 4  # high-risk/elevated codes spelled out before "+n more"
LISTED_MAX = 3  # up to this many candidates are listed in full
_RISK_ORDER = {"high": 0, "elevated": 1}


def summarize_candidates(
    countries: Collection[str],
    tier_of: Callable[[str], str | None],
    pattern: str | None = None,
) -> str:
    """A reader's summary of a candidate set; `tier_of` gives a country's policy tier."""
    codes = sorted(set(countries))
    prefix = f"{pattern} · " if pattern else ""
    if not codes:
        return f"{pattern} · no country" if pattern else "unknown"
    if len(codes) == 1:
        return codes[0]
    tiers = {c: tier_of(c) for c in codes}
    risky = sorted(
        (c for c in codes if tiers[c] in _RISK_ORDER),
        key=lambda c: (_RISK_ORDER[tiers[c] or ""], c),
    )
    if len(codes) <= LISTED_MAX:
        ordered = risky + [c for c in codes if c not in risky]
        return prefix + ", ".join(ordered[:-1]) + " or " + ordered[-1]
    if not risky:
        return f"{prefix}{len(codes)} countries, none high-risk"
    named = ", ".join(risky[:NAMED_RISKY])
    more = len(risky) - NAMED_RISKY
    if more > 0:
        named += f" +{more} more"
    if not any(tiers[c] == "high" for c in risky):
        named += " (elevated), none high-risk"
    return (
        f"{prefix}{len(codes)} incl. {named}"
        if pattern
        else f"{len(codes)} countries incl. {named}"
    )


def fit_summary(label: str, width: int) -> str:
    """A location summary in `width` characters, the verdict kept: the zone pattern goes
    first ("EET with EU DST · 10 countries, none high-risk" -> "10 countries, none
    high-risk"), then the end, marked with an ellipsis. The TUI and `auditor people` both
    fit their columns with it; the person's own screen shows the whole line."""
    if len(label) > width and " · " in label:
        label = label.split(" · ", 1)[1]
    return label if len(label) <= width else label[: max(width - 1, 0)] + "…"
