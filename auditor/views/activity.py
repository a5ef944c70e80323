"""Activity per (component, person, day) in SQL, then attributed to jurisdictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from auditor.resolve.attribution import ComponentAttribution, component_attribution
from auditor.resolve.locations.index import LocationIndex
from auditor.store.activity import Activity, component_activity
from auditor.views.common import ViewContext

# --- activity aggregation -------------------------------------------------------


def _component_activity(
    conn: Connection, ctx: ViewContext, component_id: int | None = None
) -> list[Activity]:
    """Churn and commits per (component, person, day) in the window; merges and bots left out."""
    # Filtering on the component in SQL lets SQLite's planner (parameters unseen) start
    # from path_component and nest commits inside: 100x slower than scanning changes once.
    return [
        a
        for a in component_activity(conn, ctx.window, "day", ctx.resolution_id)
        if component_id is None or a.component_id == component_id
    ]


@dataclass(frozen=True)
class JurisdictionShare:
    """Churn by authors located in one country; `country` None = a group not resolved to one.

    `churn` counts authors resolved to the country, `churn_max` also those whose
    candidate set includes it; shares are of the component's churn.
    """

    country: str | None
    tier: str
    churn: int
    churn_max: int
    share_min: float
    share_max: float
    reason: str = ""
    label: str = ""  # the country, or the candidate pattern of an unresolved group


def _high_share(att: ComponentAttribution) -> tuple[float, float]:
    high = att.tiers.get("high")
    return (high.share_min, high.share_max) if high else (0.0, 0.0)


def _jurisdictions(
    ctx: ViewContext,
    att: ComponentAttribution,
    activity: Sequence[Activity],
    index: LocationIndex,
    patterns: dict[tuple[int, tuple[int, ...]], str],
) -> tuple[JurisdictionShare, ...]:
    """Countries people are resolved to (by churn), then unresolved churn by candidate pattern.

    A country that only appears in candidate sets gets no row of its own: its
    churn is in the group of the pattern it belongs to ("UTC+8 · 13 incl. CN, RU"),
    and in the upper bound of the resolved country's row.
    """
    rows = [
        JurisdictionShare(
            country=j.country,
            tier=ctx.tier(j.country),
            churn=j.churn,
            churn_max=j.churn_max,
            share_min=j.share_min,
            share_max=j.share_max,
            reason=ctx.reason(j.country),
            label=j.country,
        )
        for j in att.jurisdictions
        if j.churn
    ]
    rows.sort(key=lambda r: (-r.churn, r.label))
    groups: dict[str, list[int]] = {}
    tiers: dict[str, str] = {}
    for a in activity:
        loc = index.at(a.person_id, a.first_day)
        if loc.country is not None:
            continue
        pattern = patterns.get((a.person_id, loc.evidence_ids))
        label = ctx.location_label(None, loc.candidates, pattern)
        groups.setdefault(label, [0])[0] += a.churn
        tier = ctx.tier(None, loc.candidates)
        if tiers.get(label) != "ambiguous":
            tiers[label] = tier
    total = att.churn or 1
    for label, (churn,) in sorted(groups.items(), key=lambda g: (-g[1][0], g[0])):
        rows.append(
            JurisdictionShare(
                country=None,
                tier=tiers[label],
                churn=churn,
                churn_max=churn,
                share_min=churn / total,
                share_max=churn / total,
                label=label,
            )
        )
    return tuple(rows)


def _attribution(ctx: ViewContext, index: LocationIndex) -> dict[str, ComponentAttribution]:
    return {
        a.component: a
        for a in component_attribution(
            ctx.engine,
            ctx.loaded,
            ctx.start,
            ctx.as_of,
            resolution_id=ctx.resolution_id,
            index=index,
        )
    }
