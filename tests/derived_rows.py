"""Derived rows written by hand (view and attribution tests): they belong to a resolution."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from auditor.store import models
from auditor.store.engine import bulk_insert

HAND_RESOLUTION = 1  # the id of the resolution hand-written rows belong to


def ensure_resolution(
    conn: Connection, resolution_id: int = HAND_RESOLUTION, as_of: date = date(2026, 10, 1)
) -> int:
    """The resolution row `resolution_id`, inserted when missing (digest: its id)."""
    res = models.Resolution
    if conn.execute(select(res.c.id).where(res.c.id == resolution_id)).first() is None:
        conn.execute(
            res.insert().values(
                id=resolution_id,
                digest=f"hand-written {resolution_id}",
                as_of=as_of,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                summary={},
            )
        )
    return resolution_id


def insert_derived(
    conn: Connection,
    model: Table,
    rows: Iterable[Mapping[str, Any]],
    resolution_id: int = HAND_RESOLUTION,
) -> int:
    """`bulk_insert` of derived rows, each given `resolution_id` (its row made if missing)."""
    ensure_resolution(conn, resolution_id)
    return bulk_insert(conn, model, ({**r, "resolution_id": resolution_id} for r in rows))


def set_resolution_warnings(
    conn: Connection, resolution_id: int, warnings: list[str], personal: Sequence[str] = ()
) -> None:
    """Give a stored resolution these warnings (the resolution's own and those naming people)."""
    from sqlalchemy import update

    res = models.Resolution
    summary = dict(
        conn.execute(select(res.c.summary).where(res.c.id == resolution_id)).scalar_one()
    )
    summary.update(warnings=list(warnings), identity_warnings=list(personal))
    conn.execute(update(res).where(res.c.id == resolution_id).values(summary=summary))
