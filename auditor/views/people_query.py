"""People, and one person with identities, location periods, evidence and conflicts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from auditor.kernel.window import day_start
from auditor.resolve.locations.index import LocationIndex
from auditor.views.common import (
    _DAY,
    ViewContext,
    _commit,
    _conflict,
    _day,
    _evidence,
    _first_line,
    _identity,
    _person,
    _person_identity,
    _resolved,
    _source,
    zone_pattern,
    zone_patterns,
)
from auditor.views.component_query import CommitRow

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
    location: str = ""  # the country, or a summary of the candidates


def people(ctx: ViewContext) -> list[PersonRow]:
    """Every person with their location as of `as_of` and commits in the window."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(_person.c.id, _person.c.name, _person.c.primary_email, _person.c.bot).where(
                ctx.of(_person)
            )
        ).all()
        identities: dict[int, int] = dict(
            conn.execute(
                select(_person_identity.c.person_id, func.count())
                .where(ctx.of(_person_identity))
                .group_by(_person_identity.c.person_id)
            ).all()
        )
        commits: dict[int, int] = dict(
            conn.execute(
                select(_person_identity.c.person_id, func.count())
                .select_from(_commit)
                .join(_person_identity, _person_identity.c.identity_id == _commit.c.author_id)
                .where(
                    ctx.of(_person_identity),
                    _commit.c.authored_at >= ctx.start_ts,
                    _commit.c.authored_at < ctx.end_ts,
                )
                .group_by(_person_identity.c.person_id)
            ).all()
        )
        conflicts: dict[int, int] = dict(
            conn.execute(
                select(_conflict.c.person_id, func.count())
                .where(ctx.of(_conflict))
                .group_by(_conflict.c.person_id)
            ).all()
        )
        index = LocationIndex.load(conn, ctx.resolution_id)
        patterns = zone_patterns(conn, ctx.resolution_id)
    out = []
    for pid, name, email, bot in rows:
        loc = index.at(pid, ctx.as_of)
        pattern = patterns.get((pid, loc.evidence_ids))
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
                location=ctx.location_label(loc.country, loc.candidates, pattern),
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
    evidence: tuple[EvidenceRow, ...]  # every row the period rests on, by date
    location: str = ""  # the country, or a summary of the candidates
    pattern: str | None = None  # the zone pattern resolution found, when it labels one


@dataclass(frozen=True)
class ConflictRow:
    description: str
    countries: tuple[str, ...]
    countries_label: str  # the set summarised, high-risk members first
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
    evidence: tuple[EvidenceRow, ...]  # all rows, including those no period used, by date
    offsets: tuple[tuple[int | None, int], ...]  # (minutes east of UTC, commits), by offset
    conflicts: tuple[ConflictRow, ...]
    commits: tuple[CommitRow, ...] = field(default=())
    # (year, offset, commits), by year then offset: where a move or a second place shows
    offsets_by_year: tuple[tuple[int, int | None, int], ...] = field(default=())


def person_detail(ctx: ViewContext, person_id: int, *, recent: int = 20) -> PersonDetail | None:
    with ctx.engine.connect() as conn:
        person = (
            conn.execute(select(_person).where(_person.c.id == person_id, ctx.of(_person)))
            .mappings()
            .first()
        )
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
                .where(_person_identity.c.person_id == person_id, ctx.of(_person_identity))
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
                    .where(_evidence.c.person_id == person_id, ctx.of(_evidence))
                    .order_by(*_by_date(_evidence))
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
                evidence=_dated(evidence[i] for i in (r.evidence_ids or ()) if i in evidence),
                location=ctx.location_label(r.country, r.candidates or (), zone_pattern(r)),
                pattern=zone_pattern(r),
            )
            for r in conn.execute(
                select(_resolved)
                .where(_resolved.c.person_id == person_id, ctx.of(_resolved))
                .order_by(_resolved.c.valid_from, _resolved.c.id)
            )
        )
        conflicts = tuple(
            ConflictRow(
                description=r.description,
                countries=tuple(r.countries or ()),
                countries_label=ctx.location_label(None, r.countries or ()) if r.countries else "-",
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                evidence=_dated(evidence[i] for i in (r.evidence_ids or ()) if i in evidence),
            )
            for r in conn.execute(
                select(_conflict)
                .where(_conflict.c.person_id == person_id, ctx.of(_conflict))
                .order_by(_conflict.c.id)
            )
        )
        authored = (
            select(_person_identity.c.identity_id)
            .where(_person_identity.c.person_id == person_id, ctx.of(_person_identity))
            .scalar_subquery()
        )
        # a year = 365.2425 days of the commit's local time; exact enough for a histogram
        local_day = (_commit.c.authored_at + func.coalesce(_commit.c.author_offset, 0) * 60) / _DAY
        by_year: dict[tuple[int, int | None], int] = {}
        for offset, day_number, n in conn.execute(
            select(_commit.c.author_offset, local_day.label("day"), func.count())
            .where(_commit.c.author_id.in_(authored), _commit.c.authored_at < ctx.end_ts)
            .group_by(_commit.c.author_offset, "day")
        ):
            key = (_day(int(day_number)).year, offset)
            by_year[key] = by_year.get(key, 0) + int(n)
        totals: dict[int | None, int] = {}
        for (_year, offset), n in by_year.items():
            totals[offset] = totals.get(offset, 0) + n
        offsets = tuple(sorted(totals.items(), key=lambda item: _offset_order(item[0])))
        offsets_by_year = tuple(
            (year, offset, n)
            for (year, offset), n in sorted(
                by_year.items(), key=lambda item: (item[0][0], _offset_order(item[0][1]))
            )
        )
        commits = _commit_rows(
            conn,
            [_commit.c.author_id.in_(authored), _commit.c.authored_at < ctx.end_ts],
            person["name"],
            person_id,
            recent,
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
        offsets_by_year=offsets_by_year,
    )


def _by_date(ev: Any) -> tuple[Any, ...]:
    """Oldest first; undated rows (an override, a domain) before dated ones, then strongest."""
    return (ev.c.valid_from.is_not(None), ev.c.valid_from, ev.c.weight.desc(), ev.c.id)


def _dated(rows: Iterable[EvidenceRow]) -> tuple[EvidenceRow, ...]:
    return tuple(
        sorted(rows, key=lambda e: (e.valid_from is not None, e.valid_from or date.min, -e.weight))
    )


def _offset_order(offset: int | None) -> tuple[bool, int]:
    return (offset is None, offset or 0)


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
                ),
                ctx.of(_person),
            )
            .order_by(_person.c.id)
            .limit(1)
        ).scalar()


# Evidence read from the person's own commits: Enter on such a row lists them.
COMMIT_EVIDENCE_KINDS = frozenset({"tz_offset", "activity_rhythm", "holiday_activity"})
_OFFSET_PREFIX = re.compile(r"^([+-])(\d\d)(\d\d)\b")


def is_commit_evidence(e: EvidenceRow) -> bool:
    return e.kind in COMMIT_EVIDENCE_KINDS or (e.ref or "").startswith(("commits:", "commit:"))


def evidence_commits(
    ctx: ViewContext, person_id: int, evidence_id: int, *, limit: int = 500
) -> tuple[CommitRow, ...]:
    """The person's commits one evidence row rests on, newest first.

    A `commit:<sha>` reference is that commit; otherwise the commits authored in
    the row's local-date range, and for an offset row ("+0800 × 12 of 20 …") only
    those with that offset.
    """
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(_evidence).where(
                _evidence.c.id == evidence_id,
                _evidence.c.person_id == person_id,
                ctx.of(_evidence),
            )
        ).first()
        if row is None:
            return ()
        name = conn.execute(
            select(_person.c.name).where(_person.c.id == person_id, ctx.of(_person))
        ).scalar()
        authored = (
            select(_person_identity.c.identity_id)
            .where(_person_identity.c.person_id == person_id, ctx.of(_person_identity))
            .scalar_subquery()
        )
        conditions = [_commit.c.author_id.in_(authored), _commit.c.authored_at < ctx.end_ts]
        ref = row.ref or ""
        if ref.startswith("commit:"):
            conditions.append(_commit.c.sha == ref.removeprefix("commit:"))
        else:
            local = _commit.c.authored_at + func.coalesce(_commit.c.author_offset, 0) * 60
            if row.valid_from is not None:
                conditions.append(local >= day_start(row.valid_from))
            if row.valid_to is not None:
                conditions.append(local < day_start(row.valid_to) + _DAY)
            match = _OFFSET_PREFIX.match(row.value or "") if row.kind == "tz_offset" else None
            if match:
                sign, hours, minutes = match.groups()
                offset = int(hours) * 60 + int(minutes)
                conditions.append(_commit.c.author_offset == (-offset if sign == "-" else offset))
        return _commit_rows(conn, conditions, name or "", person_id, limit)


def _commit_rows(
    conn: Connection, conditions: list[Any], author: str, person_id: int, limit: int
) -> tuple[CommitRow, ...]:
    """One person's commits meeting `conditions`, newest first."""
    query = (
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
        .where(*conditions)
        .order_by(_commit.c.authored_at.desc(), _commit.c.sha)
        .limit(limit)
    )
    return tuple(
        CommitRow(
            sha=sha,
            source=source,
            authored=_day(ts // _DAY),
            offset=offset,
            author=author,
            person_id=person_id,
            summary=_first_line(message),
            churn=int((added or 0) + (deleted or 0)),
        )
        for sha, source, ts, offset, message, added, deleted in conn.execute(query)
    )
