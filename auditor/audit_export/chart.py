"""The quarter's picture for the Markdown summary: churn by tier per component, as Mermaid.

GitHub, GitLab and most Markdown viewers render a ```mermaid block as a chart
(here `xychart-beta` bars). One chart per sensitive component, two bars per
tier: the previous export's period beside this one, so a shift towards
high-risk jurisdictions is visible at a glance. Bars count lines changed:
resolved tiers count people resolved there (the lower bound of the tables),
"unresolved" every author without one country.

Component names come from configuration and exports: inside a code fence no
Markdown escaping applies, so a name keeps only characters that cannot end the
fence, the quoted title or the Mermaid statement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

CHART_TIERS = ("high", "elevated", "trusted", "other")
MAX_CHARTS = 8  # the largest components by churn; the table lists every one
_UNSAFE = re.compile(r"[^0-9A-Za-z _.,:/()+&-]+")


def chart_label(value: object, width: int = 60) -> str:
    """Text safe inside a Mermaid quoted string: no quotes, backticks, brackets or breaks."""
    text = " ".join(_UNSAFE.sub(" ", str(value)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def period_label(period: Mapping[str, Any]) -> str:
    """'2026-Q3' for a calendar quarter, else 'start..end'."""
    start, end = date.fromisoformat(str(period["start"])), date.fromisoformat(str(period["end"]))
    quarter = (start.month - 1) // 3
    if start.day == 1 and start.month == quarter * 3 + 1:
        last_month = quarter * 3 + 3
        next_start = date(start.year + (last_month == 12), last_month % 12 + 1, 1)
        if (next_start - end).days == 1:
            return f"{start.year}-Q{quarter + 1}"
    return f"{start}..{end}"


def tier_churn(component: Mapping[str, Any]) -> dict[str, int]:
    """Lines per tier: resolved tiers at their lower bound, the rest as 'unresolved'."""
    total = int(component["activity"]["churn"])
    tiers = component["tiers"]
    out = {t: round(float(tiers[t]["share_min"]) * total) for t in CHART_TIERS}
    out["unresolved"] = round(float(tiers["unknown"]["share_max"]) * total)
    return out


def churn_charts(
    components: Sequence[Mapping[str, Any]],
    period: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
) -> list[str]:
    """Markdown lines: a caption and one Mermaid chart per component (largest first)."""
    shown = sorted(components, key=lambda c: (-c["activity"]["churn"], c["name"]))[:MAX_CHARTS]
    if not shown:
        return []
    now = period_label(period)
    before = {c["name"]: c for c in (previous or {}).get("components", [])}
    then = period_label(previous["period"]) if previous else None
    caption = (
        f"Lines changed per jurisdiction tier, {then} (previous export) beside {now}."
        if then
        else f"Lines changed per jurisdiction tier in {now} (no previous export to compare)."
    )
    lines = [caption]
    if len(components) > len(shown):
        lines[0] += f" The {len(shown)} largest components; the table lists all."
    tiers = (*CHART_TIERS, "unresolved")
    for comp in shown:
        current = tier_churn(comp)
        old = before.get(comp["name"])
        past = tier_churn(old) if old is not None else None
        labels: list[str] = []
        values: list[int] = []
        for tier in tiers:
            if then is not None:
                labels.append(f"{tier} {then}")
                values.append(past[tier] if past is not None else 0)
            labels.append(f"{tier} {now}")
            values.append(current[tier])
        title = chart_label(comp["name"])
        if then is not None and past is None:
            title += f" (not in the {then} export)"
        lines += [
            "",
            "```mermaid",
            "xychart-beta",
            f'    title "{title}: lines changed by tier"',
            "    x-axis [" + ", ".join(f'"{label}"' for label in labels) + "]",
            '    y-axis "lines changed"',
            "    bar [" + ", ".join(str(v) for v in values) + "]",
            "```",
        ]
    return lines
