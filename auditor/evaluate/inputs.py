"""What an analysis reads, as one digest, so that a stored run can stand in for a new one.

An export analyses as of its period's end; when the user's `check` or
`analyze` already ran as of that day on the same store, configuration and
code, its findings are exactly what the export's analysis would produce, and
the export reuses that run instead of evaluating again (seconds at a million
commits). The digest is stored in the run's `stats["inputs"]`.

Inputs, read after the resolution (which rebuilds the derived tables):

- the code: every module of `auditor/` and `rules/` and of any plug-in rule;
- the validated configuration, in full;
- `as_of`, exactly, and the wall-clock day when a work item has neither a
  created nor a resolved date (the context places its handlers as of today);
- the derived tables the rules read, in full (people, identities' people,
  location evidence, resolved locations, conflicts, components, path and work
  item mappings): whatever the resolution read (CODEOWNERS files included)
  shows up there;
- every source row except `updated_at`, every identity row, and the count and
  highest id of commits, file changes, trailers, reviews and work items
  (collectors only insert these, or delete commits when a branch moved, which
  changes the source's `head`; work items, reviews and assignees change with
  their export file's `sha256`; commit links follow from commits, work items
  and the configuration).

Range runs (`check --range`) are never reused and store no digest.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

import auditor
from auditor.kernel.config import LoadedConfig
from auditor.resolve.inputs import DERIVED_TABLES, SOURCE_FIELDS, count_and_max, json_digest
from auditor.store import models
from auditor.store.engine import table

_COUNTED = (models.Commit, models.FileChange, models.Trailer, models.Review, models.WorkItem)


@cache
def _code_digest(rule_modules: tuple[str, ...]) -> str:
    root = Path(auditor.__file__).resolve().parent  # the package, wherever this module sits in it
    files = sorted(root.rglob("*.py")) + sorted((root.parent / "rules").rglob("*.py"))
    for name in rule_modules:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            files.append(Path(path))
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _rows_digest(rows: Iterable[Any]) -> str:
    # one repr of plain tuples: a Python-level repr per row costs several times more
    text = repr([tuple(row) for row in rows])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _ordered(model: Table) -> Any:
    tbl = table(model)
    return select(tbl).order_by(*tbl.primary_key.columns)


def analysis_inputs(
    conn: Connection, loaded: LoadedConfig, as_of: date, rule_modules: Iterable[str]
) -> str:
    """Digest of every input of an analysis as of `as_of` (call after the resolution)."""
    src, wi = table(models.Source), table(models.WorkItem)
    undated = conn.execute(
        select(func.count())
        .select_from(wi)
        .where(wi.c.created_at.is_(None), wi.c.resolved_at.is_(None))
    ).scalar()
    parts: dict[str, Any] = {
        "code": _code_digest(tuple(sorted(set(rule_modules)))),
        "config": loaded.config.model_dump(mode="json"),
        "as_of": as_of.isoformat(),
        "today": date.today().isoformat() if undated else None,
        "sources": _rows_digest(
            conn.execute(select(*(src.c[f] for f in SOURCE_FIELDS)).order_by(src.c.id)).all()
        ),
        "identities": _rows_digest(conn.execute(_ordered(models.Identity)).all()),
        "derived": {
            table(model).name: _rows_digest(conn.execute(_ordered(model)).all())
            for model in DERIVED_TABLES
        },
        "counted": {table(model).name: list(count_and_max(conn, model)) for model in _COUNTED},
    }
    return json_digest(parts)


def reusable_run(conn: Connection, inputs: str, as_of: date) -> int | None:
    """The newest successful run whose stored digest equals `inputs`, if any."""
    run = table(models.Run)
    rows = conn.execute(
        select(run.c.id, run.c.stats)
        .where(run.c.status == "ok", run.c.as_of == as_of)
        .order_by(run.c.id.desc())
    )
    for run_id, stats in rows:
        if isinstance(stats, dict) and stats.get("inputs") == inputs and not stats.get("range"):
            return int(run_id)
    return None
