"""Authored activity: the one join every churn figure is made of.

Churn is added + deleted lines of text files; activity counts non-merge commits
on paths mapped to a component, by the people their author identity belongs to,
bots left out, by author date (UTC) in a window. The rules' context, the
attribution of components to jurisdictions, the views and the audit export all
read it from here, so a share cannot mean two things in two places.

`component_activity` aggregates per (component, person) and a bucket: a day, a
resolved-location period (a person is in one place for a whole period, so the
sums are the same as per day with a tenth of the rows), or none. Commits are
counted distinct per group; a commit has one author and one day, so sums of
groups never count a commit twice within a component.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Date, and_, case, cast, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, FromClause

from auditor.kernel.window import SECONDS_PER_DAY, Window, day_number, day_of_number
from auditor.store import models
from auditor.store.resolutions import of

_commit, _change, _pc = models.Commit, models.FileChange, models.PathComponent
_pi, _person, _rl = models.PersonIdentity, models.Person, models.ResolvedLocation

CHURN = func.coalesce(_change.c.added, 0) + func.coalesce(_change.c.deleted, 0)
BINARY = case((_change.c.binary, 1), else_=0)


def authored_changes() -> FromClause:
    """file_change ⋈ commit ⋈ path_component ⋈ person_identity (author) ⋈ person."""
    return (
        _change.join(_commit, _commit.c.id == _change.c.commit_id)
        .join(_pc, and_(_pc.c.source_id == _commit.c.source_id, _pc.c.path_id == _change.c.path_id))
        .join(_pi, _pi.c.identity_id == _commit.c.author_id)
        .join(_person, _person.c.id == _pi.c.person_id)
    )


def by_people(window: Window | None, resolution_id: int | None) -> list[ColumnElement[bool]]:
    """Non-merge commits by people who are not bots, authored in `window` (any time: None),
    on the paths and people of resolution `resolution_id`."""
    conditions: list[ColumnElement[bool]] = [
        ~_commit.c.is_merge,
        ~_person.c.bot,
        of(_pc, resolution_id),
        of(_pi, resolution_id),
        of(_person, resolution_id),
    ]
    if window is not None:
        lo, hi = window.bounds()
        conditions += [_commit.c.authored_at >= lo, _commit.c.authored_at < hi]
    return conditions


@dataclass(frozen=True, slots=True)
class Activity:
    """One group: a component, a person, and the span of the group's author times."""

    component_id: int
    person_id: int
    first: int  # unix seconds of the group's earliest and latest commit
    last: int
    churn: int
    commits: int

    @property
    def first_day(self) -> date:
        return day_of_number(day_number(self.first))

    @property
    def last_day(self) -> date:
        return day_of_number(day_number(self.last))


Bucket = Literal["day", "period", "none"]


def component_activity(
    conn: Connection, window: Window, bucket: Bucket, resolution_id: int | None
) -> list[Activity]:
    """Churn and commits per (component, person, bucket) in `window`, in resolution
    `resolution_id`."""
    joined = authored_changes()
    groups: list[Any] = [_pc.c.component_id, _pi.c.person_id]
    if bucket == "day":
        groups.append(_commit.c.authored_at / SECONDS_PER_DAY)
    elif bucket == "period":
        day = _utc_day(conn, _commit.c.authored_at)
        joined = joined.outerjoin(
            _rl,
            and_(
                _rl.c.person_id == _pi.c.person_id,
                # `+ 0`: probed by person (a few rows), never by resolution (every row of it)
                _rl.c.resolution_id + 0 == resolution_id,
                or_(_rl.c.valid_from.is_(None), _rl.c.valid_from <= day),
                or_(_rl.c.valid_to.is_(None), _rl.c.valid_to >= day),
            ),
        )
        groups.append(_rl.c.id)
    query = (
        select(
            _pc.c.component_id,
            _pi.c.person_id,
            func.min(_commit.c.authored_at),
            func.max(_commit.c.authored_at),
            func.sum(CHURN),
            func.count(func.distinct(_commit.c.id)),
        )
        .select_from(joined)
        .where(*by_people(window, resolution_id))
        .group_by(*groups)
    )
    return [
        Activity(cid, pid, int(first), int(last), int(churn or 0), int(commits or 0))
        for cid, pid, first, last, churn, commits in conn.execute(query)
    ]


def unbucketed(rows: Iterable[Activity]) -> list[Activity]:
    """`rows` of any bucket merged per (component, person): what bucket "none" reads
    (a commit is in one bucket only, so the sums are exact)."""
    merged: dict[tuple[int, int], Activity] = {}
    for a in rows:
        key = (a.component_id, a.person_id)
        seen = merged.get(key)
        merged[key] = (
            a
            if seen is None
            else Activity(
                a.component_id,
                a.person_id,
                min(seen.first, a.first),
                max(seen.last, a.last),
                seen.churn + a.churn,
                seen.commits + a.commits,
            )
        )
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class CommitTotals:
    person_id: int
    day: int  # days since 1970 of per-day totals; 0 otherwise
    commits: int
    churn: int  # the commits' own totals: every text file, mapped or not


def person_commit_totals(
    conn: Connection,
    window: Window | None,
    resolution_id: int | None,
    *,
    before: int | None = None,
    per_day: bool = False,
    bots: bool = True,
) -> list[CommitTotals]:
    """Commits and churn per person (and day) of non-merge commits, from commit totals.

    `window` bounds the author time, or `before` (unix seconds, exclusive) alone;
    `bots=False` leaves bots out.
    """
    conditions: list[ColumnElement[bool]] = [~_commit.c.is_merge, of(_pi, resolution_id)]
    if window is not None:
        lo, hi = window.bounds()
        conditions += [_commit.c.authored_at >= lo, _commit.c.authored_at < hi]
    if before is not None:
        conditions.append(_commit.c.authored_at < before)
    joined: FromClause = _commit.join(_pi, _pi.c.identity_id == _commit.c.author_id)
    if not bots:
        joined = joined.join(_person, _person.c.id == _pi.c.person_id)
        conditions += [~_person.c.bot, of(_person, resolution_id)]
    day = (_commit.c.authored_at / SECONDS_PER_DAY).label("day")
    groups: list[Any] = [_pi.c.person_id, day] if per_day else [_pi.c.person_id]
    query = (
        select(
            *groups,
            func.count(),
            func.sum(_commit.c.added + _commit.c.deleted),
        )
        .select_from(joined)
        .where(*conditions)
        .group_by(*groups)
    )
    out = []
    for row in conn.execute(query):
        pid, *rest = row
        number = int(rest.pop(0)) if per_day else 0
        commits, churn = rest
        out.append(CommitTotals(int(pid), number, int(commits), int(churn or 0)))
    return out


def _utc_day(conn: Connection, seconds: Any) -> Any:
    """SQL for the UTC date of unix `seconds`, comparable with the store's DATE columns."""
    if conn.dialect.name == "postgresql":
        return cast(func.to_timestamp(seconds).op("AT TIME ZONE")("UTC"), Date)
    return func.date(seconds, "unixepoch", type_=Date)
