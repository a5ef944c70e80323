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

Besides the digest, `resolution_inputs` gives the growth marks a later
resolution checks before it extends this one (`auditor.resolve.incremental`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import PurePath
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.resolve.components import ComponentPlan
from auditor.store import models
from auditor.store.deletions import deletion_mark

# Bump whenever the resolution's logic changes what it writes for the same inputs
# (auditor/resolve/, the location inference, the configuration's meaning): stored
# resolutions with the old number are then no longer reused.
# 2: the kernel countries table (branch tidy); 3: states and provinces in profile locations
RESOLUTION_VERSION = 3
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


def sources_digest(conn: Connection, *, git_heads: bool = True) -> str:
    """Every source row as far as derived results depend on it (no path, no clock);
    without `git_heads`, a git source's head and commit count are left out."""
    src = models.Source
    query = select(*(src.c[f] for f in SOURCE_FIELDS), src.c.location).order_by(src.c.id)
    digest = hashlib.sha256()
    for row in conn.execute(query):
        fields = dict(zip(SOURCE_FIELDS, row, strict=False))
        if not git_heads and fields["kind"] == "git":
            fields.update(head=None, records=None)
        values = (*fields.values(), PurePath(str(row.location)).name)
        digest.update(repr(values).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def count_and_max(conn: Connection, model: Table) -> tuple[int, int]:
    tbl = model
    count, top = conn.execute(select(func.count(), func.max(tbl.c.id))).one()
    return int(count), int(top or 0)


@dataclass(frozen=True)
class ResolutionInputs:
    """A resolution's key, and the marks a later resolution may extend it by."""

    digest: str  # of every input: the resolution's key
    # `stable`: the digest of every input but the as-of day and the collected history, which
    # only grows while the deletion mark stays; the highest ids it had and the digest of its
    # identities (`auditor.resolve.incremental` reads them back from the resolution's summary).
    growth: dict[str, Any]


# what an extension may differ in: the history grown by a collect (new commits, file
# changes, paths, identities) and a later as-of day (`auditor.resolve.incremental`)
_GROWING = ("sources", "identities", "commits", "file_changes", "paths", "as_of")


def resolution_inputs(
    conn: Connection, loaded: LoadedConfig, plan: ComponentPlan, as_of: date
) -> ResolutionInputs:
    """Digest of every input of a resolution as of `as_of`, and its growth marks."""
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
    stable = {k: v for k, v in parts.items() if k not in _GROWING}
    stable["sources"] = sources_digest(conn, git_heads=False)
    growth = {
        "stable": json_digest(stable),
        "deleted": deletion_mark(conn),
        "identities": [count_and_max(conn, ident)[1], parts["identities"]],
        **{name: parts[name][1] for name in ("commits", "file_changes", "paths")},
    }
    return ResolutionInputs(json_digest(parts), growth)


def json_digest(parts: dict[str, Any]) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
