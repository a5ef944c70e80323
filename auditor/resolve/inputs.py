"""A resolution's id: the digest of everything `resolve_all` reads, content only.

Two resolutions with the same digest would write the same rows, so the
stored one is returned instead (`auditor.store.resolutions`). The digest is
made of contents, never of where they are: a workspace moved or copied
elsewhere gives the same digest.

- `RESOLUTION_VERSION`, the tz database version and the holiday calendars'
  version: what the code and its reference data make of the inputs;
- the configuration (its validated model and its file name, which evidence
  refs show) and the component plan built from it (the components with the
  CODEOWNERS and catalog globs read from the repositories, so edited files
  count, and the plan's warnings);
- `as_of`, exactly: it selects commits and roster rows, and no resolved
  period runs past it;
- every source row except `updated_at` (which a collect touches even when
  nothing changed) and `location`, of which only the file name is read
  (roster evidence refs); a git source's `head` and a file's `sha256` say
  what was collected;
- every identity and roster row, in full (they are small and read anyway);
  counts and highest ids of commits, file changes, paths and work items
  (collectors only insert these, or delete commits when a branch moved,
  which changes the source's `head`; work items change with their file's
  `sha256`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import asdict
from datetime import date
from functools import cache
from pathlib import PurePath
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.resolve.components import ComponentPlan
from auditor.store import models

# Bump whenever the resolution's logic changes what it writes for the same inputs
# (auditor/resolve/, the location inference, the configuration's meaning): stored
# resolutions with the old number are then no longer reused.
RESOLUTION_VERSION = 2  # 2: the kernel countries table (branch tidy)
# the source columns a resolution depends on (`location`: only its file name, below)
SOURCE_FIELDS = ("id", "name", "kind", "ref", "head", "sha256", "records")


@cache
def _reference_data() -> dict[str, str]:
    """The versions of the tz database and the holiday calendars the inference reads."""
    import tzdata

    # what `holidays.__version__` is made of, without importing every calendar
    return {
        "tzdata": str(getattr(tzdata, "IANA_VERSION", "")),
        "holidays": importlib.metadata.version("holidays"),
    }


def rows_digest(conn: Connection, query: Any) -> str:
    digest = hashlib.sha256()
    for row in conn.execute(query):
        digest.update(repr(tuple(row)).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def sources_digest(conn: Connection) -> str:
    """Every source row as far as derived results depend on it (no path, no clock)."""
    src = models.Source
    query = select(*(src.c[f] for f in SOURCE_FIELDS), src.c.location).order_by(src.c.id)
    digest = hashlib.sha256()
    for *fields, location in conn.execute(query):
        row = (*fields, PurePath(str(location)).name)
        digest.update(repr(row).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def count_and_max(conn: Connection, model: Table) -> tuple[int, int]:
    tbl = model
    count, top = conn.execute(select(func.count(), func.max(tbl.c.id))).one()
    return int(count), int(top or 0)


def inputs_digest(conn: Connection, loaded: LoadedConfig, plan: ComponentPlan, as_of: date) -> str:
    """Digest of every input of a resolution as of `as_of`: the resolution's key."""
    ident, roster = models.Identity, models.RosterEntry
    parts: dict[str, Any] = {
        "version": RESOLUTION_VERSION,
        "reference_data": _reference_data(),
        "config": loaded.config.model_dump(mode="json"),
        "config_name": PurePath(str(loaded.path)).name,
        "plan": [asdict(c) for c in plan.components],
        "codeowners": {k: [asdict(r) for r in v] for k, v in sorted(plan.codeowners.items())},
        "warnings": plan.warnings,
        "as_of": as_of.isoformat(),
        "sources": sources_digest(conn),
        "identities": rows_digest(conn, select(ident).order_by(ident.c.id)),
        "roster": rows_digest(conn, select(roster).order_by(roster.c.id)),
        "commits": count_and_max(conn, models.Commit),
        "file_changes": count_and_max(conn, models.FileChange),
        "paths": count_and_max(conn, models.Path),
        "work_items": count_and_max(conn, models.WorkItem),
    }
    return json_digest(parts)


def json_digest(parts: dict[str, Any]) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
