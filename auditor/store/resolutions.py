"""Resolutions, and which one a reader reads.

A resolution is what `resolve_all` derives from the collected tables as of
one day: people, their identities, location evidence, resolved periods,
conflicts, components and the path and work-item mappings. It is keyed by
the digest of its inputs (`auditor.resolve.inputs`); every derived row carries
its `resolution_id`, and nothing ever updates or deletes those rows but
`auditor prune` (`auditor.store.prune`). A run (`analyze`, `check`, `export`)
points at the resolution it evaluated, so a reader shows one run's findings
next to that run's people and components, whatever other commands resolved
since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.engine import Connection

from auditor.store import models

# The derived tables, parents first (the order rows are written in; prune deletes in reverse).
DERIVED_TABLES = (
    models.Person,
    models.Component,
    models.PersonIdentity,
    models.LocationEvidence,
    models.ResolvedLocation,
    models.LocationConflict,
    models.PathComponent,
    models.WorkItemComponent,
)
# The runs whose findings readers show by default (an export's quarter-end run is not one).
ANALYSIS_KINDS = ("analyze", "check")


@dataclass(frozen=True)
class StoredResolution:
    id: int
    digest: str
    as_of: date
    summary: dict[str, Any]


@dataclass(frozen=True)
class Selection:
    """What a reader reads: a run's findings (None: no run) and a resolution's rows."""

    run_id: int | None
    resolution_id: int | None


# The tables that link collected rows to derived ones: queries reach them from the collected
# side (a file change's path, a commit's author) and probe their key.
_LINKS = frozenset(("path_component", "person_identity", "work_item_component"))


def of(tbl: Table, resolution_id: int | None) -> ColumnElement[bool]:
    """`tbl`'s rows of one resolution (no row at all when `resolution_id` is None)."""
    if tbl.name in _LINKS:
        # `+ 0`: a filter on the probed row, never where the plan starts. As an index
        # constraint it makes SQLite (no statistics) scan a whole resolution's links and
        # probe the file changes per path: 3 s instead of 0.03 s at 20k commits.
        return tbl.c.resolution_id + 0 == resolution_id
    return tbl.c.resolution_id == resolution_id


def find(conn: Connection, digest: str) -> StoredResolution | None:
    """The stored resolution with `digest`, if any."""
    res = models.Resolution
    row = conn.execute(
        select(res.c.id, res.c.digest, res.c.as_of, res.c.summary).where(res.c.digest == digest)
    ).first()
    if row is None:
        return None
    summary = row.summary if isinstance(row.summary, dict) else {}
    return StoredResolution(int(row.id), str(row.digest), row.as_of, summary)


def of_run(conn: Connection, run_id: int) -> int | None:
    """The resolution run `run_id` evaluated (None for runs that resolve nothing)."""
    run = models.Run
    value = conn.execute(select(run.c.resolution_id).where(run.c.id == run_id)).scalar()
    return None if value is None else int(value)


def latest_analysis_run(conn: Connection, as_of: date | None = None) -> int | None:
    """The newest successful `analyze`/`check` run over the whole history (not a `--range`
    one), as of `as_of` when given."""
    run = models.Run
    query = (
        select(run.c.id, run.c.stats)
        .where(run.c.status == "ok", run.c.kind.in_(ANALYSIS_KINDS))
        .order_by(run.c.id.desc())
    )
    if as_of is not None:
        query = query.where(run.c.as_of == as_of)
    for run_id, stats in conn.execute(query):
        if not (isinstance(stats, dict) and stats.get("range")):
            return int(run_id)
    return None


def latest_resolution(conn: Connection, as_of: date | None = None) -> int | None:
    """The newest resolution (as of `as_of` when given)."""
    res = models.Resolution
    query = select(res.c.id).order_by(res.c.id.desc()).limit(1)
    if as_of is not None:
        query = query.where(res.c.as_of == as_of)
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


def default_selection(conn: Connection, as_of: date | None = None) -> Selection:
    """What readers show unless told: the newest analysis run as of `as_of` and its
    resolution; without one for that day, the newest analysis run's findings and a
    resolution as of that day if any, else that run's; a store that was only resolved
    (`auditor people`) shows its newest resolution."""
    if as_of is not None:
        run_id = latest_analysis_run(conn, as_of)
        if run_id is not None:
            return Selection(run_id, of_run(conn, run_id))
    run_id = latest_analysis_run(conn)
    day = latest_resolution(conn, as_of) if as_of is not None else None
    if day is not None:
        return Selection(run_id, day)
    if run_id is not None:
        resolution = of_run(conn, run_id)
        if resolution is not None:
            return Selection(run_id, resolution)
    return Selection(run_id, latest_resolution(conn))
