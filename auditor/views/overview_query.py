"""The overview screen and the components table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, false, func, select
from sqlalchemy.engine import Connection

from auditor.resolve.locations.index import LocationIndex
from auditor.store.activity import person_commit_totals
from auditor.views.activity import _attribution, _high_share
from auditor.views.common import (
    SENSITIVITY_ORDER,
    SEVERITY_ORDER,
    TIERS,
    ViewContext,
    _commit,
    _component,
    _day,
    _finding,
    _person,
    _run,
)
from auditor.views.findings_query import (
    FindingRow,
    _findings_per_component,
    _rank,
    findings,
)

# --- overview -------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    components: int
    sensitive_components: int
    people: int
    commits_in_window: int
    last_run: str | None  # "analyze 2026-10-01 (#3)" or None when never analysed
    findings_by_severity: tuple[tuple[str, int], ...]


def totals(ctx: ViewContext) -> Totals:
    """The cheap numbers of the overview: counts only, no attribution."""
    sensitive = list(ctx.config.policy.sensitive)
    with ctx.engine.connect() as conn:
        components, sensitive_n = conn.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(case((_component.c.sensitivity.in_(sensitive), 1), else_=0)), 0
                ),
            ).where(ctx.of(_component))
        ).one()
        people = (
            conn.execute(
                select(func.count()).where(_person.c.bot == false(), ctx.of(_person))
            ).scalar()
            or 0
        )
        commits = (
            conn.execute(
                select(func.count()).where(
                    _commit.c.authored_at >= ctx.start_ts, _commit.c.authored_at < ctx.end_ts
                )
            ).scalar()
            or 0
        )
        run_id = ctx.run_id
        by_severity: Counter[str] = Counter()
        last_run = None
        if run_id is not None:
            run = conn.execute(select(_run).where(_run.c.id == run_id)).mappings().one()
            last_run = f"{run['kind']} as of {run['as_of'] or '?'} (run #{run_id})"
            for sev, n in conn.execute(
                select(_finding.c.severity, func.count())
                .where(_finding.c.run_id == run_id)
                .group_by(_finding.c.severity)
            ):
                by_severity[sev] = int(n)
    ordered = [s for s in SEVERITY_ORDER] + sorted(set(by_severity) - set(SEVERITY_ORDER))
    return Totals(
        components=int(components or 0),
        sensitive_components=int(sensitive_n or 0),
        people=int(people),
        commits_in_window=int(commits),
        last_run=last_run,
        findings_by_severity=tuple((s, by_severity.get(s, 0)) for s in ordered),
    )


@dataclass(frozen=True)
class ComponentRow:
    name: str
    sensitivity: str
    sensitive: bool
    churn: int
    commits: int
    people: int
    share_min: float
    share_max: float
    findings: int


@dataclass(frozen=True)
class Overview:
    totals: Totals
    churn_by_tier: tuple[tuple[str, int], ...]  # over every component, in TIERS order
    top_risky: tuple[ComponentRow, ...]
    top_findings: tuple[FindingRow, ...] = ()  # most severe open findings first


def components(ctx: ViewContext, *, index: LocationIndex | None = None) -> list[ComponentRow]:
    """Every component with its activity and high-risk share in the window."""
    index = index or LocationIndex.load(ctx.engine, ctx.resolution_id)
    attribution = _attribution(ctx, index)
    with ctx.engine.connect() as conn:
        counts = _findings_per_component(conn, ctx.run_id)
    rows = []
    for att in attribution.values():
        low, high = _high_share(att)
        rows.append(
            ComponentRow(
                name=att.component,
                sensitivity=att.sensitivity,
                sensitive=ctx.is_sensitive(att.sensitivity),
                churn=att.churn,
                commits=att.commits,
                people=att.people,
                share_min=low,
                share_max=high,
                findings=counts.get(att.component, 0),
            )
        )
    rows.sort(key=lambda r: (_rank(SENSITIVITY_ORDER, r.sensitivity), -r.churn, r.name))
    return rows


def overview(ctx: ViewContext, *, top: int = 5, top_findings: int = 8) -> Overview:
    index = LocationIndex.load(ctx.engine, ctx.resolution_id)
    rows = components(ctx, index=index)
    with ctx.engine.connect() as conn:
        tier_churn = _churn_by_tier(conn, ctx, index)
    risky = sorted(
        (r for r in rows if r.sensitive and (r.share_max > 0 or r.findings)),
        # certain high-risk churn (lower bound) outranks merely possible (upper bound)
        key=lambda r: (-r.share_min, -r.share_max, -r.findings, r.name),
    )[:top]
    severe = [f for f in findings(ctx) if f.status == "new"][:top_findings]
    return Overview(
        totals=totals(ctx),
        churn_by_tier=tier_churn,
        top_risky=tuple(risky),
        top_findings=tuple(severe),
    )


def _churn_by_tier(
    conn: Connection, ctx: ViewContext, index: LocationIndex
) -> tuple[tuple[str, int], ...]:
    """Churn of every commit in the window (commit totals: no file join) by author tier."""
    churn: Counter[str] = Counter()
    for t in person_commit_totals(conn, ctx.window, ctx.resolution_id, per_day=True, bots=False):
        loc = index.at(t.person_id, _day(t.day))
        churn[ctx.tier(loc.country, loc.candidates)] += t.churn
    return tuple((t, churn.get(t, 0)) for t in TIERS)
