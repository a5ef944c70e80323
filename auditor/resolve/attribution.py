"""Who changed each component, from which jurisdiction: shares as intervals.

For a window [start, end] (days, inclusive; commits by author date in UTC) and
each component, churn (added + deleted lines of text files) and commits of
non-merge commits by people who are not bots, on paths mapped to the
component, split by where the author was on the commit's day
(`LocationIndex.at`):

- `churn` / `commits` / `share_min` for a country count authors *resolved* to it;
- `churn_max` / `commits_max` / `share_max` also count authors whose candidate
  set includes it (country unknown but possibly this one).

Per tier (`high`, `elevated`, `trusted`, `other`, `unknown`, from
`[jurisdictions]`): `share_min` counts authors resolved to a country of the
tier, `share_max` also those whose candidates include one. For `unknown`,
`share_min` counts authors with no candidate at all and `share_max` every
author without a resolved country. Shares are of the component's total churn
in the window (0.0 when it is 0).

SQL does the heavy lifting: `auditor.store.activity.component_activity`, the
one activity query, returns (component, person, resolved period, churn,
commits, first day); Python looks the location up once per group. Grouping by
the `resolved_location` row a commit's day falls in, rather than by day, gives
the same sums (a person is in one place for the whole period) with a tenth of
the rows: a quarter of a million-commit history is 24k groups instead of 170k.
Should periods ever overlap, groups fall back to one per day, as
`LocationIndex.at` then decides day by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.enums import Tier
from auditor.kernel.window import Window
from auditor.resolve.locations.index import LocationIndex, ResolvedAt
from auditor.store import models
from auditor.store.activity import Activity, Bucket, component_activity
from auditor.store.resolutions import of

# a person's share is resolved or unknown here: "ambiguous" is the views' reading of unknown
TIERS: tuple[str, ...] = tuple(tier for tier in Tier if tier is not Tier.AMBIGUOUS)


@dataclass(frozen=True, slots=True)
class JurisdictionShare:
    country: str
    tier: str  # high | elevated | trusted | other
    churn: int  # authors resolved to the country
    commits: int
    churn_max: int  # ... or whose candidate set includes it
    commits_max: int
    share_min: float
    share_max: float


@dataclass(frozen=True, slots=True)
class TierShare:
    tier: str
    churn_min: int
    churn_max: int
    share_min: float
    share_max: float


@dataclass(frozen=True, slots=True)
class ComponentAttribution:
    component: str
    sensitivity: str
    churn: int  # total in the window, bots and merges excluded
    commits: int
    people: int  # distinct authors
    jurisdictions: tuple[JurisdictionShare, ...]  # by churn_max, then churn, descending
    tiers: dict[str, TierShare]  # every tier of TIERS

    def jurisdiction(self, country: str) -> JurisdictionShare | None:
        return next((j for j in self.jurisdictions if j.country == country), None)


def attribution_activity(
    conn: Connection, window: Window, resolution_id: int | None, index: LocationIndex
) -> list[Activity]:
    """The activity attribution reads: per location period when no person's periods
    overlap (a tenth of the rows), else per day."""
    bucket: Bucket = "period" if index.disjoint() else "day"
    return component_activity(conn, window, bucket, resolution_id)


def component_attribution(
    engine: Engine,
    loaded: LoadedConfig,
    start: date,
    end: date,
    *,
    resolution_id: int | None,
    index: LocationIndex | None = None,
    rows: list[Activity] | None = None,
) -> list[ComponentAttribution]:
    """One entry per component of resolution `resolution_id` (those without churn
    included), in component-name order; `rows`: `attribution_activity`'s, if read already."""
    index = index or LocationIndex.load(engine, resolution_id)
    comp = models.Component
    with engine.connect() as conn:
        names = {
            cid: (name, sens)
            for cid, name, sens in conn.execute(
                select(comp.c.id, comp.c.name, comp.c.sensitivity).where(of(comp, resolution_id))
            )
        }
        if rows is None:
            rows = attribution_activity(conn, Window(start, end), resolution_id, index)
    # The same commit counted once per component even when it touches many mapped files;
    # over several days or people a commit is still one commit: per-group distinct is exact
    # because a commit has one author and one day.
    jur = loaded.config.jurisdictions
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[int, set[int]] = defaultdict(set)
    by_country: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    by_tier: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        cid, pid, lines, commits = row.component_id, row.person_id, row.churn, row.commits
        # every day of the group has the location of its first day (same period, or none)
        where: ResolvedAt = index.at(pid, row.first_day)
        totals[cid][0] += lines
        totals[cid][1] += commits
        people[cid].add(pid)
        countries = by_country[cid]
        tiers = by_tier[cid]
        if where.country is not None:
            cell = countries[where.country]
            cell[0] += lines
            cell[1] += commits
            cell[2] += lines
            cell[3] += commits
            tier_cell = tiers[_tier(jur.tier(where.country))]
            tier_cell[0] += lines
            tier_cell[1] += lines
            continue
        for country in where.candidates:
            cell = countries[country]
            cell[2] += lines
            cell[3] += commits
        for tier in {_tier(jur.tier(c)) for c in where.candidates}:
            tiers[tier][1] += lines
        if not where.candidates:
            tiers["unknown"][0] += lines
        tiers["unknown"][1] += lines

    out = []
    for cid, (name, sensitivity) in sorted(names.items(), key=lambda kv: kv[1][0]):
        total_churn, total_commits = totals.get(cid, [0, 0])

        def share(value: int, total: int = total_churn) -> float:
            return value / total if total else 0.0

        shares = tuple(
            sorted(
                (
                    JurisdictionShare(
                        country=c,
                        tier=_tier(jur.tier(c)),
                        churn=v[0],
                        commits=v[1],
                        churn_max=v[2],
                        commits_max=v[3],
                        share_min=share(v[0]),
                        share_max=share(v[2]),
                    )
                    for c, v in by_country.get(cid, {}).items()
                ),
                key=lambda j: (-j.churn_max, -j.churn, j.country),
            )
        )
        tier_cells = by_tier.get(cid, {})
        tier_shares = {
            t: TierShare(
                t,
                tier_cells.get(t, [0, 0])[0],
                tier_cells.get(t, [0, 0])[1],
                share(tier_cells.get(t, [0, 0])[0]),
                share(tier_cells.get(t, [0, 0])[1]),
            )
            for t in TIERS
        }
        out.append(
            ComponentAttribution(
                component=name,
                sensitivity=sensitivity,
                churn=total_churn,
                commits=total_commits,
                people=len(people.get(cid, ())),
                jurisdictions=shares,
                tiers=tier_shares,
            )
        )
    return out


def _tier(tier: str | None) -> str:
    return tier if tier is not None else "other"
