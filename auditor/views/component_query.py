"""One component: jurisdictions, maintainers with evidence, commits and work items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from auditor.resolve.locations.index import LocationIndex
from auditor.store.activity import CHURN, Activity
from auditor.views.activity import (
    JurisdictionShare,
    _attribution,
    _component_activity,
    _high_share,
    _jurisdictions,
)
from auditor.views.common import (
    _DAY,
    TIERS,
    ViewContext,
    _change,
    _commit,
    _component,
    _day,
    _evidence,
    _first_line,
    _identity,
    _path_component,
    _person,
    _person_identity,
    _source,
    _work_item,
    _work_item_component,
    zone_patterns,
)
from auditor.views.findings_query import FindingRow, findings

# --- component detail -----------------------------------------------------------


@dataclass(frozen=True)
class Maintainer:
    person_id: int
    name: str
    email: str | None
    churn: int
    commits: int
    country: str | None
    candidates: tuple[str, ...]
    tier: str
    confidence: float
    evidence: tuple[str, ...]  # "kind: value" of the evidence behind the location
    location: str = ""  # the country, or a summary of the candidates


@dataclass(frozen=True)
class CommitRow:
    sha: str
    source: str
    authored: date
    offset: int | None
    author: str
    person_id: int | None
    summary: str
    churn: int


@dataclass(frozen=True)
class WorkItemRow:
    key: str
    source: str
    kind: str
    title: str
    status: str | None
    assignee: str | None


@dataclass(frozen=True)
class ComponentDetail:
    name: str
    sensitivity: str
    sensitive: bool
    tags: tuple[str, ...]
    paths: tuple[str, ...]
    churn: int
    commits: int
    people: int
    share_min: float
    share_max: float
    jurisdictions: tuple[JurisdictionShare, ...]
    maintainers: tuple[Maintainer, ...]
    months: tuple[str, ...]  # "2026-04", oldest first
    activity: tuple[tuple[str, tuple[int, ...]], ...]  # (tier, churn per month)
    recent_commits: tuple[CommitRow, ...]
    work_items: tuple[WorkItemRow, ...]
    findings: tuple[FindingRow, ...]


def _months(start: date, end: date) -> list[str]:
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def component_detail(ctx: ViewContext, name: str, *, recent: int = 30) -> ComponentDetail | None:
    with ctx.engine.connect() as conn:
        comp = (
            conn.execute(select(_component).where(_component.c.name == name, ctx.of(_component)))
            .mappings()
            .first()
        )
        if comp is None:
            return None
        cid = comp["id"]
        index = LocationIndex.load(conn, ctx.resolution_id)
        patterns = zone_patterns(conn, ctx.resolution_id)
        activity = _component_activity(conn, ctx, cid)
        maintainers = _maintainers(conn, ctx, activity, index, patterns)
        commits = _recent_commits(conn, ctx, cid, recent)
        items = _work_items(conn, ctx, cid)
    att = _attribution(ctx, index)[comp["name"]]
    share_min, share_max = _high_share(att)
    months = _months(ctx.start, ctx.as_of)
    series: dict[str, list[int]] = {t: [0] * len(months) for t in TIERS}
    month_at = {m: i for i, m in enumerate(months)}
    for a in activity:
        loc = index.at(a.person_id, a.first_day)
        series[ctx.tier(loc.country, loc.candidates)][month_at[a.first_day.strftime("%Y-%m")]] += (
            a.churn
        )
    return ComponentDetail(
        name=comp["name"],
        sensitivity=comp["sensitivity"],
        sensitive=ctx.is_sensitive(comp["sensitivity"]),
        tags=tuple(comp["tags"] or ()),
        paths=tuple(comp["paths"] or ()),
        churn=att.churn,
        commits=att.commits,
        people=att.people,
        share_min=share_min,
        share_max=share_max,
        jurisdictions=_jurisdictions(ctx, att, activity, index, patterns),
        maintainers=maintainers,
        months=tuple(months),
        activity=tuple((t, tuple(series[t])) for t in TIERS),
        recent_commits=commits,
        work_items=items,
        findings=tuple(findings(ctx, component=name)),
    )


def _maintainers(
    conn: Connection,
    ctx: ViewContext,
    activity: Sequence[Activity],
    index: LocationIndex,
    patterns: dict[tuple[int, tuple[int, ...]], str],
) -> tuple[Maintainer, ...]:
    churn: Counter[int] = Counter()
    commits: Counter[int] = Counter()
    for a in activity:
        churn[a.person_id] += a.churn
        commits[a.person_id] += a.commits
    if not churn:
        return ()
    people = {
        pid: (name, email)
        for pid, name, email in conn.execute(
            select(_person.c.id, _person.c.name, _person.c.primary_email).where(
                _person.c.id.in_(list(churn)), ctx.of(_person)
            )
        )
    }
    located = {pid: index.at(pid, ctx.as_of) for pid in churn}
    cited = [i for loc in located.values() for i in loc.evidence_ids]
    evidence = _evidence_text(conn, ctx, cited)
    out = []
    for pid, person_churn in churn.most_common():
        loc = located[pid]
        name, email = people.get(pid, (f"person {pid}", None))
        out.append(
            Maintainer(
                person_id=pid,
                name=name,
                email=email,
                churn=person_churn,
                commits=commits[pid],
                country=loc.country,
                candidates=tuple(sorted(loc.candidates)),
                tier=ctx.tier(loc.country, loc.candidates),
                confidence=loc.confidence,
                evidence=tuple(evidence[i][1] for i in _by_weight(loc.evidence_ids, evidence)),
                location=ctx.location_label(
                    loc.country, loc.candidates, patterns.get((pid, loc.evidence_ids))
                ),
            )
        )
    return tuple(out)


def _evidence_text(
    conn: Connection, ctx: ViewContext, ids: Iterable[int]
) -> dict[int, tuple[float, str]]:
    """(weight, "kind: value") per evidence row id."""
    wanted = list(dict.fromkeys(ids))
    out: dict[int, tuple[float, str]] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(
            _evidence.c.id, _evidence.c.weight, _evidence.c.kind, _evidence.c.value
        ).where(_evidence.c.id.in_(wanted[start : start + 500]), ctx.of(_evidence))
        for eid, weight, kind, value in conn.execute(stmt):
            out[eid] = (float(weight), f"{kind}: {value}")
    return out


def _by_weight(ids: Iterable[int], known: dict[int, tuple[float, str]]) -> list[int]:
    """Strongest evidence first."""
    return sorted((i for i in ids if i in known), key=lambda i: (-known[i][0], i))


def _recent_commits(
    conn: Connection, ctx: ViewContext, component_id: int, limit: int
) -> tuple[CommitRow, ...]:
    touching = (
        select(_change.c.commit_id, func.sum(CHURN).label("churn"))
        .join(_commit, _commit.c.id == _change.c.commit_id)
        .join(
            _path_component,
            and_(
                _path_component.c.source_id == _commit.c.source_id,
                _path_component.c.path_id == _change.c.path_id,
            ),
        )
        .where(
            _path_component.c.component_id == component_id,
            ctx.of(_path_component),
            _commit.c.authored_at < ctx.end_ts,
        )
        .group_by(_change.c.commit_id)
        .subquery()
    )
    stmt = (
        select(
            _commit.c.sha,
            _source.c.name,
            _commit.c.authored_at,
            _commit.c.author_offset,
            func.coalesce(_identity.c.mapped_name, _identity.c.name, _identity.c.key),
            _person_identity.c.person_id,
            _commit.c.message,
            touching.c.churn,
        )
        .join(touching, touching.c.commit_id == _commit.c.id)
        .join(_source, _source.c.id == _commit.c.source_id)
        .join(_identity, _identity.c.id == _commit.c.author_id)
        .outerjoin(
            _person_identity,
            and_(_person_identity.c.identity_id == _commit.c.author_id, ctx.of(_person_identity)),
        )
        .order_by(_commit.c.authored_at.desc(), _commit.c.sha)
        .limit(limit)
    )
    return tuple(
        CommitRow(
            sha=sha,
            source=source,
            authored=_day(ts // _DAY),
            offset=offset,
            author=author or "",
            person_id=pid,
            summary=_first_line(message),
            churn=int(churn or 0),
        )
        for sha, source, ts, offset, author, pid, message, churn in conn.execute(stmt)
    )


def _work_items(
    conn: Connection, ctx: ViewContext, component_id: int, limit: int = 50
) -> tuple[WorkItemRow, ...]:
    stmt = (
        select(
            _work_item.c.key,
            _source.c.name,
            _work_item.c.kind,
            _work_item.c.title,
            _work_item.c.status,
            func.coalesce(_identity.c.name, _identity.c.key),
        )
        .join(_work_item_component, _work_item_component.c.work_item_id == _work_item.c.id)
        .join(_source, _source.c.id == _work_item.c.source_id)
        .outerjoin(_identity, _identity.c.id == _work_item.c.assignee_id)
        .where(_work_item_component.c.component_id == component_id, ctx.of(_work_item_component))
        .order_by(_work_item.c.created_at.desc(), _work_item.c.key, _source.c.name)
        .limit(4 * limit)
    )
    # One item read from a file export and from the API is one item (the rules count keys)
    seen: dict[str, WorkItemRow] = {}
    for row in conn.execute(stmt):
        seen.setdefault(row[0], WorkItemRow(*row))
    return tuple(seen.values())[:limit]
