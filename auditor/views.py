"""Read-only queries behind the TUI screens, as frozen dataclasses.

Nothing here imports `textual`: the TUI renders these records, tests assert on
them, and other front ends could reuse them. Strings are returned exactly as
stored (untrusted); whoever displays them makes them safe
(`auditor.safe_text.plain`).

Activity is aggregated in SQL per (component, person, day) and only then
attributed to jurisdictions in Python, so the work scales with people × days,
not with commits or file changes.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, and_, case, distinct, false, func, or_, select
from sqlalchemy.engine import Connection

from auditor import models, waivers
from auditor.attribution import ComponentAttribution, component_attribution
from auditor.config import DEFAULT_CONFIG_NAME, AuditorConfig, LoadedConfig, WaiverConfig
from auditor.locations.index import LocationIndex
from auditor.store import table

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
SENSITIVITY_ORDER = ("critical", "high", "normal", "low")
# Jurisdiction tiers as the views show them; "ambiguous" = unresolved but a
# candidate country is high-risk, "unknown" = no usable evidence.
# "other" = a known country outside an explicit `trusted` list.
TIERS = ("high", "elevated", "ambiguous", "trusted", "other", "unknown")

_commit = table(models.Commit)
_change = table(models.FileChange)
_path = table(models.Path)
_path_component = table(models.PathComponent)
_component = table(models.Component)
_person = table(models.Person)
_person_identity = table(models.PersonIdentity)
_identity = table(models.Identity)
_resolved = table(models.ResolvedLocation)
_evidence = table(models.LocationEvidence)
_conflict = table(models.LocationConflict)
_work_item = table(models.WorkItem)
_work_item_component = table(models.WorkItemComponent)
_source = table(models.Source)
_run = table(models.Run)
_finding = table(models.Finding)

_DAY = 86400


# --- context ------------------------------------------------------------------


@dataclass(frozen=True)
class ViewContext:
    """What every view needs: the store, the policy and the window [start, as_of]."""

    engine: Engine
    loaded: LoadedConfig
    as_of: date
    window_days: int

    @classmethod
    def build(
        cls,
        engine: Engine,
        config: AuditorConfig | LoadedConfig | None = None,
        *,
        as_of: date | None = None,
        window_days: int | None = None,
    ) -> ViewContext:
        if not isinstance(config, LoadedConfig):
            # no file behind it: nothing here resolves paths relative to the config
            config = LoadedConfig(config or AuditorConfig(), Path(DEFAULT_CONFIG_NAME), b"")
        return cls(
            engine=engine,
            loaded=config,
            as_of=as_of or date.today(),
            window_days=window_days or config.config.policy.window_days,
        )

    @property
    def config(self) -> AuditorConfig:
        return self.loaded.config

    @property
    def start(self) -> date:
        return self.as_of - timedelta(days=self.window_days - 1)

    @property
    def start_ts(self) -> int:
        return _epoch(self.start)

    @property
    def end_ts(self) -> int:
        """Exclusive: the first second after `as_of`."""
        return _epoch(self.as_of + timedelta(days=1))

    def tier(self, country: str | None, candidates: Iterable[str] = ()) -> str:
        juris = self.config.jurisdictions
        if country is not None:
            return juris.tier(country) or "other"
        if any(juris.tier(c) == "high" for c in candidates):
            return "ambiguous"
        return "unknown"

    def is_sensitive(self, sensitivity: str) -> bool:
        return sensitivity in self.config.policy.sensitive

    def reason(self, country: str | None) -> str:
        return self.config.jurisdictions.reasons.get(country or "", "")


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _day(day_number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day_number))


# --- activity aggregation -------------------------------------------------------


@dataclass(frozen=True)
class _Activity:
    component_id: int
    person_id: int
    day: date
    churn: int
    commits: int


def _churn_expr() -> Any:
    return func.coalesce(_change.c.added, 0) + func.coalesce(_change.c.deleted, 0)


def _component_activity(
    conn: Connection, ctx: ViewContext, component_id: int | None = None
) -> list[_Activity]:
    """Churn and commits per (component, person, day) in the window; merges and bots left out."""
    day = (_commit.c.authored_at / _DAY).label("day")
    stmt = (
        select(
            _path_component.c.component_id,
            _person_identity.c.person_id,
            day,
            func.sum(_churn_expr()),
            func.count(distinct(_commit.c.id)),
        )
        .select_from(_commit)
        .join(_change, _change.c.commit_id == _commit.c.id)
        .join(
            _path_component,
            and_(
                _path_component.c.source_id == _commit.c.source_id,
                _path_component.c.path_id == _change.c.path_id,
            ),
        )
        .join(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
        .join(_person, _person.c.id == _person_identity.c.person_id)
        .where(
            _commit.c.authored_at >= ctx.start_ts,
            _commit.c.authored_at < ctx.end_ts,
            _commit.c.is_merge == false(),
            _person.c.bot == false(),
        )
        .group_by(_path_component.c.component_id, _person_identity.c.person_id, day)
    )
    # Filtering on the component in SQL lets SQLite's planner (parameters unseen) start
    # from path_component and nest commits inside: 100x slower than scanning changes once.
    return [
        _Activity(cid, pid, _day(d), int(churn or 0), int(commits or 0))
        for cid, pid, d, churn, commits in conn.execute(stmt)
        if component_id is None or cid == component_id
    ]


@dataclass(frozen=True)
class JurisdictionShare:
    """Churn by authors located in one country; `country` None = not resolved to one.

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


def _high_share(att: ComponentAttribution) -> tuple[float, float]:
    high = att.tiers.get("high")
    return (high.share_min, high.share_max) if high else (0.0, 0.0)


def _jurisdictions(ctx: ViewContext, att: ComponentAttribution) -> tuple[JurisdictionShare, ...]:
    rows = [
        JurisdictionShare(
            country=j.country,
            tier=ctx.tier(j.country),
            churn=j.churn,
            churn_max=j.churn_max,
            share_min=j.share_min,
            share_max=j.share_max,
            reason=ctx.reason(j.country),
        )
        for j in att.jurisdictions
    ]
    unresolved = att.tiers.get("unknown")
    if unresolved and unresolved.churn_max:
        # authors with no single country: their candidates appear above as upper bounds
        rows.append(
            JurisdictionShare(
                country=None,
                tier="unresolved",
                churn=unresolved.churn_max,
                churn_max=unresolved.churn_max,
                share_min=unresolved.share_max,
                share_max=unresolved.share_max,
            )
        )
    return tuple(rows)


def _attribution(ctx: ViewContext, index: LocationIndex) -> dict[str, ComponentAttribution]:
    return {
        a.component: a
        for a in component_attribution(ctx.engine, ctx.loaded, ctx.start, ctx.as_of, index=index)
    }


# --- findings -------------------------------------------------------------------


def latest_run_id(conn: Connection) -> int | None:
    """The newest successful analysis: findings shown are that run's."""
    return conn.execute(
        select(_run.c.id)
        .where(_run.c.status == "ok", _run.c.kind.in_(("analyze", "check")))
        .order_by(_run.c.id.desc())
        .limit(1)
    ).scalar()


def rule_text(rule_id: str) -> str:
    """Why a rule flags: its title and documented sections, or '' for an unknown rule.

    Imported lazily: the rule registry loads every rule (and entry-point plugins).
    """
    try:
        registry = importlib.import_module("rules.registry")
    except ImportError:
        return ""
    rule = registry.get_rule(rule_id)
    if rule is None:
        return ""
    parts = [f"{rule.id} {rule.title}"]
    for heading in ("What it flags", "Why it matters", "Evidence used", "How to resolve"):
        body = rule.section(heading)
        if body:
            parts.append(f"{heading}: {body}")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Evidence:
    """One evidence reference of a finding, described from the store where it can be."""

    kind: str  # commit | work_item | location_evidence | location_conflict | ...
    ref: str
    detail: str = ""
    person_id: int | None = None  # whose commit / evidence row it is, to link to
    person: str | None = None


@dataclass(frozen=True)
class FindingRow:
    id: int
    fingerprint: str
    rule: str
    severity: str
    confidence: str
    component: str | None
    subject: str | None
    message: str
    status: str
    evidence: tuple[Evidence, ...]
    numbers: tuple[tuple[str, str], ...]  # (name, value) from the finding's data
    waiver: str = ""  # the live waiver that applies: reason, approver, ticket, expiry


def _numbers(
    data: dict[str, Any], names: dict[int, str] | None = None
) -> tuple[tuple[str, str], ...]:
    """The finding's figures; `person` (a store id, meaningless to a reader) by name."""
    out = []
    for key, value in sorted(data.items()):
        if key in ("status", "waiver"):
            continue
        if key == "person" and isinstance(value, int) and not isinstance(value, bool):
            out.append((key, (names or {}).get(value, f"#{value}")))
        elif isinstance(value, float):
            out.append((key, f"{value:.3f}"))
        elif isinstance(value, int | str | bool) or value is None:
            out.append((key, str(value)))
        else:
            out.append((key, repr(value)))
    return tuple(out)


def _evidence_refs(items: Iterable[Any]) -> tuple[Evidence, ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            kind = str(item.get("kind", "?"))
            ref = str(item.get("ref", ""))
            detail = " ".join(
                f"{k}={v}" for k, v in sorted(item.items()) if k not in ("kind", "ref")
            )
            out.append(Evidence(kind, ref, detail))
        else:
            out.append(Evidence("?", str(item)))
    return tuple(out)


def _describe_evidence(conn: Connection, items: Sequence[Any]) -> dict[tuple[str, str], Evidence]:
    """Commit summaries, evidence rows and work-item titles for the refs findings cite."""
    refs: dict[str, set[str]] = {}
    for item in items:
        if isinstance(item, dict):
            refs.setdefault(str(item.get("kind")), set()).add(str(item.get("ref", "")))
    out: dict[tuple[str, str], Evidence] = {}
    shas = sorted(refs.get("commit", ()))
    for start in range(0, len(shas), 500):
        commits = (
            select(
                _commit.c.sha,
                _commit.c.authored_at,
                _commit.c.message,
                func.coalesce(_identity.c.mapped_name, _identity.c.name, _identity.c.key),
                _person_identity.c.person_id,
            )
            .join(_identity, _identity.c.id == _commit.c.author_id)
            .outerjoin(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
            .where(_commit.c.sha.in_(shas[start : start + 500]))
        )
        for sha, ts, message, author, pid in conn.execute(commits):
            detail = f"{_day(ts // _DAY).isoformat()} {author}: {_first_line(message)}"
            out[("commit", sha)] = Evidence("commit", sha, detail, pid, author)
    ids = sorted(int(r) for r in refs.get("location_evidence", ()) if r.isdigit())
    for start in range(0, len(ids), 500):
        rows = (
            select(
                _evidence.c.id,
                _evidence.c.kind,
                _evidence.c.value,
                _evidence.c.ref,
                _person.c.name,
                _person.c.id,
            )
            .join(_person, _person.c.id == _evidence.c.person_id)
            .where(_evidence.c.id.in_(ids[start : start + 500]))
        )
        for eid, kind, value, ref, name, pid in conn.execute(rows):
            detail = f"{name}: {kind} {value}" + (f" ({ref})" if ref else "")
            out[("location_evidence", str(eid))] = Evidence(
                "location_evidence", str(eid), detail, pid, name
            )
    keys = sorted(refs.get("work_item", ()))
    for start in range(0, len(keys), 500):
        wanted = (
            select(_work_item.c.key, _work_item.c.title, _work_item.c.status)
            .where(_work_item.c.key.in_(keys[start : start + 500]))
            .order_by(_work_item.c.id)
        )
        for key, title, item_status in conn.execute(wanted):
            out.setdefault(
                ("work_item", key), Evidence("work_item", key, f"[{item_status or '?'}] {title}")
            )
    return out


def _person_names(conn: Connection, ids: Iterable[Any]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return {}
    stmt = select(_person.c.id, _person.c.name).where(_person.c.id.in_(wanted))
    return {pid: str(name) for pid, name in conn.execute(stmt)}


def findings(
    ctx: ViewContext,
    *,
    severity: str | None = None,
    rule: str | None = None,
    status: str | None = None,
    component: str | None = None,
) -> list[FindingRow]:
    """Findings of the latest successful run, most severe first; filters are exact matches."""
    with ctx.engine.connect() as conn:
        run_id = latest_run_id(conn)
        if run_id is None:
            return []
        stmt = select(_finding).where(_finding.c.run_id == run_id)
        if severity:
            stmt = stmt.where(_finding.c.severity == severity)
        if rule:
            stmt = stmt.where(_finding.c.rule == rule)
        if component:
            stmt = stmt.where(_finding.c.component == component)
        rows = conn.execute(stmt).mappings().all()
        described = _describe_evidence(conn, [e for row in rows for e in row["evidence"] or ()])
        names = _person_names(conn, [(row["data"] or {}).get("person") for row in rows])
    live = [w for w in ctx.config.waivers if w.expires >= ctx.as_of]
    out = []
    for row in rows:
        data = dict(row["data"] or {})
        # duck-typed: waivers match on fingerprint, rule, component and subject
        waiver = next((w for w in live if waivers.matches(w, cast(Any, _Subject(row)))), None)
        row_status = "waived" if waiver else str(data.get("status") or "new")
        if status and row_status != status:
            continue
        out.append(
            FindingRow(
                id=row["id"],
                fingerprint=row["fingerprint"],
                rule=row["rule"],
                severity=row["severity"],
                confidence=row["confidence"],
                component=row["component"],
                subject=row["subject"],
                message=row["message"],
                status=row_status,
                evidence=tuple(
                    described.get((e.kind, e.ref), e) for e in _evidence_refs(row["evidence"])
                ),
                numbers=_numbers(data, names),
                waiver=_describe_waiver(waiver) if waiver else "",
            )
        )
    out.sort(key=lambda f: (_rank(SEVERITY_ORDER, f.severity), f.rule, f.component or "", f.id))
    return out


class _Subject:
    """The fields of a stored finding that waivers match on."""

    def __init__(self, row: Any):
        self.fingerprint = row["fingerprint"]
        self.rule = row["rule"]
        self.component = row["component"]
        self.subject = row["subject"]


def _describe_waiver(waiver: WaiverConfig) -> str:
    ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
    return (
        f"{waiver.reason} (approved by {waiver.approved_by}{ticket}, "
        f"expires {waiver.expires.isoformat()})"
    )


def _rank(order: Sequence[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _findings_per_component(conn: Connection) -> Counter[str]:
    run_id = latest_run_id(conn)
    if run_id is None:
        return Counter()
    stmt = (
        select(_finding.c.component, func.count())
        .where(_finding.c.run_id == run_id, _finding.c.component.is_not(None))
        .group_by(_finding.c.component)
    )
    return Counter({name: int(n) for name, n in conn.execute(stmt)})


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
            )
        ).one()
        people = conn.execute(select(func.count()).where(_person.c.bot == false())).scalar() or 0
        commits = (
            conn.execute(
                select(func.count()).where(
                    _commit.c.authored_at >= ctx.start_ts, _commit.c.authored_at < ctx.end_ts
                )
            ).scalar()
            or 0
        )
        run_id = latest_run_id(conn)
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
    index = index or LocationIndex.load(ctx.engine)
    attribution = _attribution(ctx, index)
    with ctx.engine.connect() as conn:
        counts = _findings_per_component(conn)
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
    index = LocationIndex.load(ctx.engine)
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
    day = (_commit.c.authored_at / _DAY).label("day")
    stmt = (
        select(_person_identity.c.person_id, day, func.sum(_commit.c.added + _commit.c.deleted))
        .select_from(_commit)
        .join(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
        .join(_person, _person.c.id == _person_identity.c.person_id)
        .where(
            _commit.c.authored_at >= ctx.start_ts,
            _commit.c.authored_at < ctx.end_ts,
            _commit.c.is_merge == false(),
            _person.c.bot == false(),
        )
        .group_by(_person_identity.c.person_id, day)
    )
    churn: Counter[str] = Counter()
    for pid, d, total in conn.execute(stmt):
        loc = index.at(pid, _day(d))
        churn[ctx.tier(loc.country, loc.candidates)] += int(total or 0)
    return tuple((t, churn.get(t, 0)) for t in TIERS)


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
        comp = conn.execute(select(_component).where(_component.c.name == name)).mappings().first()
        if comp is None:
            return None
        cid = comp["id"]
        index = LocationIndex.load(conn)
        activity = _component_activity(conn, ctx, cid)
        maintainers = _maintainers(conn, ctx, activity, index)
        commits = _recent_commits(conn, ctx, cid, recent)
        items = _work_items(conn, cid)
    att = _attribution(ctx, index)[comp["name"]]
    share_min, share_max = _high_share(att)
    months = _months(ctx.start, ctx.as_of)
    series: dict[str, list[int]] = {t: [0] * len(months) for t in TIERS}
    month_at = {m: i for i, m in enumerate(months)}
    for a in activity:
        loc = index.at(a.person_id, a.day)
        series[ctx.tier(loc.country, loc.candidates)][month_at[a.day.strftime("%Y-%m")]] += a.churn
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
        jurisdictions=_jurisdictions(ctx, att),
        maintainers=maintainers,
        months=tuple(months),
        activity=tuple((t, tuple(series[t])) for t in TIERS),
        recent_commits=commits,
        work_items=items,
        findings=tuple(findings(ctx, component=name)),
    )


def _maintainers(
    conn: Connection, ctx: ViewContext, activity: Sequence[_Activity], index: LocationIndex
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
                _person.c.id.in_(list(churn))
            )
        )
    }
    located = {pid: index.at(pid, ctx.as_of) for pid in churn}
    evidence = _evidence_text(conn, [i for loc in located.values() for i in loc.evidence_ids])
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
            )
        )
    return tuple(out)


def _evidence_text(conn: Connection, ids: Iterable[int]) -> dict[int, tuple[float, str]]:
    """(weight, "kind: value") per evidence row id."""
    wanted = list(dict.fromkeys(ids))
    out: dict[int, tuple[float, str]] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(
            _evidence.c.id, _evidence.c.weight, _evidence.c.kind, _evidence.c.value
        ).where(_evidence.c.id.in_(wanted[start : start + 500]))
        for eid, weight, kind, value in conn.execute(stmt):
            out[eid] = (float(weight), f"{kind}: {value}")
    return out


def _by_weight(ids: Iterable[int], known: dict[int, tuple[float, str]]) -> list[int]:
    """Strongest evidence first."""
    return sorted((i for i in ids if i in known), key=lambda i: (-known[i][0], i))


def _first_line(message: str) -> str:
    return (message or "").strip().splitlines()[0] if (message or "").strip() else ""


def _recent_commits(
    conn: Connection, ctx: ViewContext, component_id: int, limit: int
) -> tuple[CommitRow, ...]:
    touching = (
        select(_change.c.commit_id, func.sum(_churn_expr()).label("churn"))
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
        .outerjoin(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
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


def _work_items(conn: Connection, component_id: int, limit: int = 50) -> tuple[WorkItemRow, ...]:
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
        .where(_work_item_component.c.component_id == component_id)
        .order_by(_work_item.c.created_at.desc(), _work_item.c.key)
        .limit(limit)
    )
    return tuple(WorkItemRow(*row) for row in conn.execute(stmt))


# --- people ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    email: str | None
    bot: bool
    identities: int
    country: str | None
    candidates: tuple[str, ...]
    tier: str
    confidence: float
    commits: int
    conflicts: int


def people(ctx: ViewContext) -> list[PersonRow]:
    """Every person with their location as of `as_of` and commits in the window."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(_person.c.id, _person.c.name, _person.c.primary_email, _person.c.bot)
        ).all()
        identities: dict[int, int] = dict(
            conn.execute(
                select(_person_identity.c.person_id, func.count()).group_by(
                    _person_identity.c.person_id
                )
            ).all()
        )
        commits: dict[int, int] = dict(
            conn.execute(
                select(_person_identity.c.person_id, func.count())
                .select_from(_commit)
                .join(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
                .where(_commit.c.authored_at >= ctx.start_ts, _commit.c.authored_at < ctx.end_ts)
                .group_by(_person_identity.c.person_id)
            ).all()
        )
        conflicts: dict[int, int] = dict(
            conn.execute(
                select(_conflict.c.person_id, func.count()).group_by(_conflict.c.person_id)
            ).all()
        )
        index = LocationIndex.load(conn)
    out = []
    for pid, name, email, bot in rows:
        loc = index.at(pid, ctx.as_of)
        out.append(
            PersonRow(
                id=pid,
                name=name,
                email=email,
                bot=bool(bot),
                identities=int(identities.get(pid, 0)),
                country=loc.country,
                candidates=tuple(sorted(loc.candidates)),
                tier=ctx.tier(loc.country, loc.candidates),
                confidence=loc.confidence,
                commits=int(commits.get(pid, 0)),
                conflicts=int(conflicts.get(pid, 0)),
            )
        )
    out.sort(key=lambda p: (p.bot, -p.commits, p.name.casefold(), p.id))
    return out


@dataclass(frozen=True)
class IdentityRow:
    kind: str
    key: str
    name: str | None
    email: str | None
    via: str
    time_zone: str | None
    location_text: str | None


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    kind: str
    value: str
    countries: tuple[str, ...]
    weight: float
    valid_from: date | None
    valid_to: date | None
    ref: str | None


@dataclass(frozen=True)
class LocationPeriod:
    country: str | None
    candidates: tuple[str, ...]
    tier: str
    confidence: float
    valid_from: date | None
    valid_to: date | None
    evidence: tuple[EvidenceRow, ...]  # every row the period rests on


@dataclass(frozen=True)
class ConflictRow:
    description: str
    countries: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None
    evidence: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class PersonDetail:
    id: int
    name: str
    email: str | None
    bot: bool
    identities: tuple[IdentityRow, ...]
    periods: tuple[LocationPeriod, ...]
    evidence: tuple[EvidenceRow, ...]  # all rows, including those no period used
    offsets: tuple[tuple[int | None, int], ...]  # (minutes east of UTC, commits), by offset
    conflicts: tuple[ConflictRow, ...]
    commits: tuple[CommitRow, ...] = field(default=())


def person_detail(ctx: ViewContext, person_id: int, *, recent: int = 20) -> PersonDetail | None:
    with ctx.engine.connect() as conn:
        person = conn.execute(select(_person).where(_person.c.id == person_id)).mappings().first()
        if person is None:
            return None
        identities = tuple(
            IdentityRow(kind, key, name, email, via, tz, loc)
            for kind, key, name, email, via, tz, loc in conn.execute(
                select(
                    _identity.c.kind,
                    _identity.c.key,
                    func.coalesce(_identity.c.mapped_name, _identity.c.name),
                    func.coalesce(_identity.c.mapped_email, _identity.c.email),
                    _person_identity.c.via,
                    _identity.c.time_zone,
                    _identity.c.location_text,
                )
                .join(_person_identity, _person_identity.c.identity_id == _identity.c.id)
                .where(_person_identity.c.person_id == person_id)
                .order_by(_identity.c.kind, _identity.c.key)
            )
        )
        evidence = {
            row.id: row
            for row in (
                EvidenceRow(
                    id=r.id,
                    kind=r.kind,
                    value=r.value,
                    countries=tuple(r.countries or ()),
                    weight=float(r.weight),
                    valid_from=r.valid_from,
                    valid_to=r.valid_to,
                    ref=r.ref,
                )
                for r in conn.execute(
                    select(_evidence)
                    .where(_evidence.c.person_id == person_id)
                    .order_by(_evidence.c.weight.desc(), _evidence.c.id)
                )
            )
        }
        periods = tuple(
            LocationPeriod(
                country=r.country,
                candidates=tuple(sorted(r.candidates or ())),
                tier=ctx.tier(r.country, r.candidates or ()),
                confidence=float(r.confidence or 0.0),
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                evidence=tuple(evidence[i] for i in (r.evidence_ids or ()) if i in evidence),
            )
            for r in conn.execute(
                select(_resolved)
                .where(_resolved.c.person_id == person_id)
                .order_by(_resolved.c.valid_from, _resolved.c.id)
            )
        )
        conflicts = tuple(
            ConflictRow(
                description=r.description,
                countries=tuple(r.countries or ()),
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                evidence=tuple(evidence[i] for i in (r.evidence_ids or ()) if i in evidence),
            )
            for r in conn.execute(
                select(_conflict).where(_conflict.c.person_id == person_id).order_by(_conflict.c.id)
            )
        )
        authored = (
            select(_person_identity.c.identity_id)
            .where(_person_identity.c.person_id == person_id)
            .scalar_subquery()
        )
        offsets = tuple(
            (offset, int(n))
            for offset, n in conn.execute(
                select(_commit.c.author_offset, func.count())
                .where(_commit.c.author_id.in_(authored))
                .group_by(_commit.c.author_offset)
                .order_by(_commit.c.author_offset)
            )
        )
        commits = tuple(
            CommitRow(
                sha=sha,
                source=source,
                authored=_day(ts // _DAY),
                offset=offset,
                author=person["name"],
                person_id=person_id,
                summary=_first_line(message),
                churn=int((added or 0) + (deleted or 0)),
            )
            for sha, source, ts, offset, message, added, deleted in conn.execute(
                select(
                    _commit.c.sha,
                    _source.c.name,
                    _commit.c.authored_at,
                    _commit.c.author_offset,
                    _commit.c.message,
                    _commit.c.added,
                    _commit.c.deleted,
                )
                .join(_source, _source.c.id == _commit.c.source_id)
                .where(_commit.c.author_id.in_(authored), _commit.c.authored_at < ctx.end_ts)
                .order_by(_commit.c.authored_at.desc(), _commit.c.sha)
                .limit(recent)
            )
        )
    return PersonDetail(
        id=person_id,
        name=person["name"],
        email=person["primary_email"],
        bot=bool(person["bot"]),
        identities=identities,
        periods=periods,
        evidence=tuple(evidence.values()),
        offsets=offsets,
        conflicts=conflicts,
        commits=commits,
    )


def person_id_for(ctx: ViewContext, subject: str) -> int | None:
    """The person a finding's subject names (by name, key or primary e-mail), if any."""
    with ctx.engine.connect() as conn:
        return conn.execute(
            select(_person.c.id)
            .where(
                or_(
                    _person.c.name == subject,
                    _person.c.key == subject.lower(),
                    _person.c.primary_email == subject,
                )
            )
            .order_by(_person.c.id)
            .limit(1)
        ).scalar()


# --- commit and search ------------------------------------------------------------


@dataclass(frozen=True)
class CommitDetail:
    sha: str
    source: str
    author: str
    committer: str
    authored: datetime
    offset: int | None
    message: str
    churn: int
    paths: tuple[str, ...]


def commit_detail(ctx: ViewContext, sha: str) -> CommitDetail | None:
    """A commit by full sha or unique prefix, with the paths it changed."""
    committer = _identity.alias("committer")
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(
                _commit.c.id,
                _commit.c.sha,
                _source.c.name,
                func.coalesce(_identity.c.mapped_name, _identity.c.name, _identity.c.key),
                func.coalesce(committer.c.mapped_name, committer.c.name, committer.c.key),
                _commit.c.authored_at,
                _commit.c.author_offset,
                _commit.c.message,
                _commit.c.added,
                _commit.c.deleted,
            )
            .join(_source, _source.c.id == _commit.c.source_id)
            .join(_identity, _identity.c.id == _commit.c.author_id)
            .join(committer, committer.c.id == _commit.c.committer_id)
            .where(_commit.c.sha.startswith(sha, autoescape=True))
            .order_by(_commit.c.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        paths = tuple(
            p
            for (p,) in conn.execute(
                select(_path.c.path)
                .join(_change, _change.c.path_id == _path.c.id)
                .where(_change.c.commit_id == row[0])
                .order_by(_path.c.path)
            )
        )
    _, full, source, author, committer_name, ts, offset, message, added, deleted = row
    return CommitDetail(
        sha=full,
        source=source,
        author=author or "",
        committer=committer_name or "",
        authored=datetime.fromtimestamp(ts, UTC),
        offset=offset,
        message=message or "",
        churn=int((added or 0) + (deleted or 0)),
        paths=paths,
    )


@dataclass(frozen=True)
class SearchHit:
    kind: str  # component | person | finding
    label: str
    target: str  # component name, person id, finding id


def search(ctx: ViewContext, text: str, *, limit: int = 30) -> list[SearchHit]:
    """Components, people and findings whose names or messages contain `text`."""
    needle = text.strip()
    if not needle:
        return []
    pattern = f"%{needle}%"
    hits: list[SearchHit] = []
    with ctx.engine.connect() as conn:
        for (name,) in conn.execute(
            select(_component.c.name)
            .where(_component.c.name.ilike(pattern))
            .order_by(_component.c.name)
            .limit(limit)
        ):
            hits.append(SearchHit("component", name, name))
        for pid, name, email in conn.execute(
            select(_person.c.id, _person.c.name, _person.c.primary_email)
            .where(or_(_person.c.name.ilike(pattern), _person.c.primary_email.ilike(pattern)))
            .order_by(_person.c.name)
            .limit(limit)
        ):
            hits.append(SearchHit("person", f"{name} <{email or '?'}>", str(pid)))
        run_id = latest_run_id(conn)
        if run_id is not None:
            for fid, rule, message in conn.execute(
                select(_finding.c.id, _finding.c.rule, _finding.c.message)
                .where(
                    _finding.c.run_id == run_id,
                    or_(
                        _finding.c.message.ilike(pattern),
                        _finding.c.rule.ilike(pattern),
                        _finding.c.subject.ilike(pattern),
                    ),
                )
                .order_by(_finding.c.id)
                .limit(limit)
            ):
                hits.append(SearchHit("finding", f"{rule} {message}", str(fid)))
    return hits[:limit]


@dataclass(frozen=True)
class Names:
    """Everything the command palette can jump to, loaded once."""

    components: tuple[str, ...]
    people: tuple[tuple[int, str], ...]


def names(ctx: ViewContext) -> Names:
    with ctx.engine.connect() as conn:
        comps = tuple(
            n for (n,) in conn.execute(select(_component.c.name).order_by(_component.c.name))
        )
        folks = tuple(
            (pid, name)
            for pid, name in conn.execute(
                select(_person.c.id, _person.c.name)
                .where(_person.c.bot == false())
                .order_by(_person.c.name)
            )
        )
    return Names(comps, folks)


def latest_as_of(engine: Engine) -> date | None:
    """The `as_of` of the latest successful analysis: the TUI's default window end."""
    with engine.connect() as conn:
        run_id = latest_run_id(conn)
        if run_id is None:
            return None
        value = conn.execute(select(_run.c.as_of).where(_run.c.id == run_id)).scalar()
    return value if isinstance(value, date) else None
