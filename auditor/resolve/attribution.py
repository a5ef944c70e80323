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

SQL does the heavy lifting: one grouped query returns (component, person,
resolved period, churn, commits, first day); Python looks the location up once
per group. Grouping by the `resolved_location` row a commit's day falls in,
rather than by day, gives the same sums (a person is in one place for the
whole period) with a tenth of the rows: a quarter of a million-commit history
is 24k groups instead of 170k. Should periods ever overlap, groups fall back to
one per day, as `LocationIndex.at` then decides day by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Engine, and_, cast, func, or_, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.enums import Tier
from auditor.kernel.window import Window
from auditor.resolve.locations.index import LocationIndex, ResolvedAt
from auditor.store import models
from auditor.store.engine import table
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


def component_attribution(
    engine: Engine,
    loaded: LoadedConfig,
    start: date,
    end: date,
    *,
    resolution_id: int | None,
    index: LocationIndex | None = None,
) -> list[ComponentAttribution]:
    """One entry per component of resolution `resolution_id` (those without churn
    included), in component-name order."""
    index = index or LocationIndex.load(engine, resolution_id)
    lo, hi = Window(start, end).bounds()
    comp, pc, fc, commit = (
        table(models.Component),
        table(models.PathComponent),
        table(models.FileChange),
        table(models.Commit),
    )
    pi, person = table(models.PersonIdentity), table(models.Person)
    rl = table(models.ResolvedLocation)
    churn = func.coalesce(fc.c.added, 0) + func.coalesce(fc.c.deleted, 0)
    joined = (
        fc.join(commit, commit.c.id == fc.c.commit_id)
        .join(pc, and_(pc.c.source_id == commit.c.source_id, pc.c.path_id == fc.c.path_id))
        .join(pi, pi.c.identity_id == commit.c.author_id)
        .join(person, person.c.id == pi.c.person_id)
    )
    with engine.connect() as conn:
        day = _utc_day(conn, commit.c.authored_at)
        if index.disjoint():
            joined = joined.outerjoin(
                rl,
                and_(
                    rl.c.person_id == pi.c.person_id,
                    of(rl, resolution_id),
                    or_(rl.c.valid_from.is_(None), rl.c.valid_from <= day),
                    or_(rl.c.valid_to.is_(None), rl.c.valid_to >= day),
                ),
            )
            bucket: Any = rl.c.id
        else:
            bucket = day
        query = (
            select(
                pc.c.component_id,
                pi.c.person_id,
                func.min(day),
                func.sum(churn),
                func.count(func.distinct(commit.c.id)),
            )
            .select_from(joined)
            .where(
                ~commit.c.is_merge,
                ~person.c.bot,
                of(pc, resolution_id),
                of(pi, resolution_id),
                of(person, resolution_id),
                commit.c.authored_at >= lo,
                commit.c.authored_at < hi,
            )
            .group_by(pc.c.component_id, pi.c.person_id, bucket)
        )
        names = {
            cid: (name, sens)
            for cid, name, sens in conn.execute(
                select(comp.c.id, comp.c.name, comp.c.sensitivity).where(of(comp, resolution_id))
            )
        }
        rows = list(conn.execute(query))
    # The same commit counted once per component even when it touches many mapped files;
    # over several days or people a commit is still one commit: per-group distinct is exact
    # because a commit has one author and one day.
    jur = loaded.config.jurisdictions
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[int, set[int]] = defaultdict(set)
    by_country: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    by_tier: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for cid, pid, first_day, lines, commits in rows:
        lines, commits = int(lines or 0), int(commits or 0)
        # every day of the group has the location of its first day (same period, or none)
        where: ResolvedAt = index.at(pid, _as_date(first_day))
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


def _utc_day(conn: Connection, seconds: Any) -> Any:
    """SQL for the UTC date of unix `seconds`, comparable with the store's DATE columns."""
    if conn.dialect.name == "postgresql":
        return cast(func.to_timestamp(seconds).op("AT TIME ZONE")("UTC"), Date)
    return func.date(seconds, "unixepoch", type_=Date)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _tier(tier: str | None) -> str:
    return tier if tier is not None else "other"
