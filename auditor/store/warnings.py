"""Warnings that steps leave for the user, kept in the store so that later commands see them.

Any step (collect of a source, resolve, analyze) replaces its own list with
`record(conn, step, lines)` in the transaction that did the work; commands
print `stored(conn)` once (`check --format json` lists them in `warnings`, the
export and the TUI read the same list). A step that runs again without the
problem clears its entry, so a warning lives as long as its cause.

Steps are named `collect:<source>`, `resolve`, ...; the lines are plain text
that names the file, source or setting concerned (never markup).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import Connection

from auditor.store import models
from auditor.store.engine import table, upsert

_PREFIX = "warnings:"
IDENTITIES = "resolve.identities"  # warnings that name people (withheld when pseudonymized)


def record(conn: Connection, step: str, lines: Iterable[str]) -> None:
    """Replace the warnings of `step` (none: the entry goes)."""
    meta = table(models.StoreMeta)
    kept = list(dict.fromkeys(lines))
    key = _PREFIX + step
    if not kept:
        conn.execute(delete(meta).where(meta.c.key == key))
        return
    upsert(conn, meta, [{"key": key, "value": json.dumps(kept)}], key=["key"], update=["value"])


def stored(conn: Connection, *, without: Collection[str] = ()) -> list[str]:
    """Every step's warnings (but the steps in `without`), by step name, each line once."""
    meta = table(models.StoreMeta)
    rows = conn.execute(
        select(meta.c.key, meta.c.value).where(meta.c.key.like(_PREFIX + "%")).order_by(meta.c.key)
    )
    lines: dict[str, None] = {}
    for key, value in rows:
        if key.removeprefix(_PREFIX) in without:
            continue
        try:
            found = json.loads(value)
        except ValueError:
            continue  # a damaged entry is no reason to hide the others
        if isinstance(found, list):
            lines.update((str(line), None) for line in found)
    return list(lines)


def read(engine: Engine, *, without: Collection[str] = ()) -> list[str]:
    """`stored` on a connection of its own."""
    with engine.connect() as conn:
        return stored(conn, without=without)


def of_step(engine: Engine, step: str) -> list[str]:
    """The warnings `step` left last time it ran."""
    meta = table(models.StoreMeta)
    with engine.connect() as conn:
        value = conn.execute(select(meta.c.value).where(meta.c.key == _PREFIX + step)).scalar()
    try:
        found = json.loads(value) if value else []
    except ValueError:
        return []
    return [str(line) for line in found] if isinstance(found, list) else []
