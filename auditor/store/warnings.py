"""Warnings that steps leave for the user, kept in the store so that later commands see them.

A collection of a source replaces its own list with `record(conn, step, lines)`
in the transaction that did the work (steps `collect:<source>`, ...): it
describes the store's current state of that source, and a collect that runs
again without the problem clears its entry, so such a warning lives as long as
its cause. A resolution's warnings belong to that resolution and are kept in
its summary (`auditor.store.resolutions`), so a resolution as of another day
never replaces them.

Commands print `read(engine, resolution_id)` once: the collection's warnings,
then the resolution's (`check --format json` lists them in `warnings`, the
export and the TUI read the same list). The lines are plain text that names
the file, source or setting concerned (never markup).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import Connection

from auditor.store import models
from auditor.store.engine import upsert

_PREFIX = "warnings:"


def record(conn: Connection, step: str, lines: Iterable[str]) -> None:
    """Replace the warnings of `step` (none: the entry goes)."""
    meta = models.StoreMeta
    kept = list(dict.fromkeys(lines))
    key = _PREFIX + step
    if not kept:
        conn.execute(delete(meta).where(meta.c.key == key))
        return
    upsert(conn, meta, [{"key": key, "value": json.dumps(kept)}], key=["key"], update=["value"])


def stored(conn: Connection, resolution_id: int | None, *, personal: bool = True) -> list[str]:
    """Every collection step's warnings (by step name), then those of resolution
    `resolution_id`: without `personal`, not those that name people (a pseudonymized
    export leaves them out). Each line once."""
    meta = models.StoreMeta
    rows = conn.execute(
        select(meta.c.key, meta.c.value).where(meta.c.key.like(_PREFIX + "%")).order_by(meta.c.key)
    )
    lines: dict[str, None] = {}
    for _key, value in rows:
        lines.update((line, None) for line in _lines(value))
    if resolution_id is not None:
        res = models.Resolution
        summary = conn.execute(select(res.c.summary).where(res.c.id == resolution_id)).scalar()
        if isinstance(summary, dict):
            kinds = ("warnings", "identity_warnings") if personal else ("warnings",)
            for kind in kinds:
                found = summary.get(kind)
                if isinstance(found, list):
                    lines.update((str(line), None) for line in found)
    return list(lines)


def _lines(value: str) -> list[str]:
    try:
        found = json.loads(value)
    except ValueError:
        return []  # a damaged entry is no reason to hide the others
    return [str(line) for line in found] if isinstance(found, list) else []


def read(engine: Engine, resolution_id: int | None, *, personal: bool = True) -> list[str]:
    """`stored` on a connection of its own."""
    with engine.connect() as conn:
        return stored(conn, resolution_id, personal=personal)


def of_step(engine: Engine, step: str) -> list[str]:
    """The warnings `step` left last time it ran."""
    meta = models.StoreMeta
    with engine.connect() as conn:
        value = conn.execute(select(meta.c.value).where(meta.c.key == _PREFIX + step)).scalar()
    return _lines(value) if value else []
