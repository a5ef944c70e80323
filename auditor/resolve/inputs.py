"""What `resolve_all` reads, as one digest, so that an unchanged store is not resolved twice.

An export resolves as of the quarter's end and then again as of the user's last
analysis; a `check` or `analyze` right after a collect that found nothing new
resolves the same inputs once more. Each is a full pass over every commit and
file change (seconds at a million commits) for derived tables that would come
out identical. The digest is stored in `store_meta` in the same transaction as
the derived tables, so it always describes the inputs they were built from.

Inputs, all read inside the resolution's own transaction:

- the code and reference data (source of the resolution modules, tzdata version);
- the configuration (its validated model, its file name, the repository roots
  CODEOWNERS / Backstage files are read from) and the component plan built from
  it (so edited CODEOWNERS or catalog files count);
- every source row except `updated_at` (a git source's `head`, a tracker or
  roster file's `sha256`, locations that appear in evidence refs);
- every identity row and every roster row, in full (they are small and read
  anyway); counts and highest ids of commits, file changes, paths and work
  items (collectors only insert these, or delete commits when a branch moved,
  which changes the source's `head`; work items change with their file's `sha256`);
- `as_of`, reduced to what it selects: the commit limit only when some commit
  is at or after it, the roster day only when some roster row starts after it.
  Any later date selects the same rows, hence gives the same result.

The stored row also records the derived tables' row counts; a store whose
derived tables no longer have them (edited by hand, restored from a backup) is
resolved again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import asdict
from datetime import date
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.resolve.components import ComponentPlan
from auditor.store import models
from auditor.store.engine import table, upsert

META_KEY = "resolve.inputs"
# every source column but updated_at, which a collect touches even when nothing changed
SOURCE_FIELDS = ("id", "name", "kind", "location", "ref", "head", "sha256", "records")
# the resolution's own modules, by name so that the list survives a move of files
_MODULES = (
    "auditor.resolve.pipeline",
    "auditor.resolve.rebuild",
    "auditor.resolve.inputs",
    "auditor.resolve.identity",
    "auditor.resolve.components",
    "auditor.resolve.codeowners",
    "auditor.kernel.config",
)
_PACKAGES = ("auditor.resolve.locations",)


@cache
def _code_digest() -> str:
    """The resolution's own code, the tz database and the holiday calendars it reads."""
    import tzdata

    digest = hashlib.sha256(str(getattr(tzdata, "IANA_VERSION", "")).encode())
    # what `holidays.__version__` is made of, without importing every calendar
    digest.update(importlib.metadata.version("holidays").encode())
    files = [_source(name) for name in _MODULES]
    for package in _PACKAGES:
        files += sorted(_source(package).parent.glob("*.py"))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _source(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin)


def _rows_digest(conn: Connection, query: Any) -> str:
    digest = hashlib.sha256()
    for row in conn.execute(query):
        digest.update(repr(tuple(row)).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def count_and_max(conn: Connection, model: Table) -> tuple[int, int]:
    tbl = table(model)
    count, top = conn.execute(select(func.count(), func.max(tbl.c.id))).one()
    return int(count), int(top or 0)


def inputs_digest(
    conn: Connection, loaded: LoadedConfig, plan: ComponentPlan, as_of: date, limit: int
) -> str:
    """Digest of every input of a resolution as of `as_of` (`limit`: its commit cut-off)."""
    src, ident, roster = table(models.Source), table(models.Identity), table(models.RosterEntry)
    commit = table(models.Commit)
    last_commit = conn.execute(select(func.max(commit.c.authored_at))).scalar()
    last_start = conn.execute(select(func.max(roster.c.valid_from))).scalar()
    roots = {s.name: str(loaded.git_location(s)) for s in loaded.config.git if not s.is_remote}
    parts: dict[str, Any] = {
        "code": _code_digest(),
        "config": loaded.config.model_dump(mode="json"),
        "config_name": PurePath(str(loaded.path)).name,
        "roots": roots,
        "plan": [asdict(c) for c in plan.components],
        "codeowners": {k: [asdict(r) for r in v] for k, v in sorted(plan.codeowners.items())},
        "warnings": plan.warnings,
        "limit": limit if last_commit is not None and limit <= int(last_commit) else None,
        "roster_day": as_of.isoformat() if last_start is not None and as_of < last_start else None,
        "sources": _rows_digest(
            conn, select(*(src.c[f] for f in SOURCE_FIELDS)).order_by(src.c.id)
        ),
        "identities": _rows_digest(conn, select(ident).order_by(ident.c.id)),
        "roster": _rows_digest(conn, select(roster).order_by(roster.c.id)),
        "commits": count_and_max(conn, models.Commit),
        "file_changes": count_and_max(conn, models.FileChange),
        "paths": count_and_max(conn, models.Path),
        "work_items": count_and_max(conn, models.WorkItem),
    }
    return json_digest(parts)


def json_digest(parts: dict[str, Any]) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


DERIVED_TABLES = (
    models.Person,
    models.PersonIdentity,
    models.LocationEvidence,
    models.ResolvedLocation,
    models.LocationConflict,
    models.Component,
    models.PathComponent,
    models.WorkItemComponent,
)


def derived_counts(conn: Connection) -> dict[str, int]:
    return {
        table(m).name: int(conn.execute(select(func.count()).select_from(table(m))).scalar() or 0)
        for m in DERIVED_TABLES
    }


def record(conn: Connection) -> str | None:
    """The stored record of the last resolution (digest, summary, table counts), as stored."""
    meta = table(models.StoreMeta)
    value = conn.execute(select(meta.c.value).where(meta.c.key == META_KEY)).scalar()
    return None if value is None else str(value)


def put_record(conn: Connection, value: str) -> None:
    meta = table(models.StoreMeta)
    upsert(conn, meta, [{"key": META_KEY, "value": value}], key=["key"], update=["value"])


def previous(conn: Connection, digest: str) -> dict[str, Any] | None:
    """The summary stored with `digest` by the last resolution, if its tables are intact."""
    value = record(conn)
    if value is None:
        return None
    try:
        stored = json.loads(value)
    except ValueError:
        return None
    if not isinstance(stored, dict) or stored.get("inputs") != digest:
        return None
    if stored.get("counts") != derived_counts(conn):
        return None
    summary = stored.get("summary")
    return summary if isinstance(summary, dict) else None


def remember(conn: Connection, digest: str, summary: dict[str, Any]) -> None:
    """Store the digest and summary of the resolution just written (same transaction)."""
    put_record(
        conn, json.dumps({"inputs": digest, "summary": summary, "counts": derived_counts(conn)})
    )
