"""What an analysis reads, as one digest, so that a stored run can stand in for a new one.

An export analyses as of its period's end; when the user's `check` or
`analyze` already ran as of that day on the same store, configuration and
code, its findings are exactly what the export's analysis would produce, and
the export reuses that run instead of evaluating again (seconds at a million
commits). The digest is stored in the run's `stats["inputs"]`. Like the
resolution's (`auditor.resolve.inputs`), it is made of contents and versions,
never of paths or the wall clock:

- `ANALYSIS_VERSION` (the built-in rules and the context they read) and the
  version of every plug-in rule's distribution (its module's source when it
  has none);
- the validated configuration, in full, and `as_of`, exactly;
- the digest of the resolution the analysis evaluates, made in the same call:
  whatever that read is in it (CODEOWNERS files, every source row with its
  `head` and `sha256`, the counts and highest ids of commits, file changes
  and work items), so it is not read again here;
- the count and highest id of what the rules read beyond it, trailers and
  reviews (collectors only insert these, or delete them with their commits;
  reviews and assignees change with their export file's `sha256`; commit
  links follow from commits, work items and the configuration).

Range runs (`check --range`) are never reused and store no digest.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import sys
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.resolve.inputs import count_and_max, json_digest
from auditor.store import models

# Bump whenever the rules, their context or the analysis change the findings of the
# same inputs (auditor/evaluate/, rules/): stored runs with the old number are not reused.
ANALYSIS_VERSION = 1
# what the rules read that the resolution's digest does not count
_COUNTED = (models.Trailer, models.Review)
_BUILT_IN = "rules."


@cache
def plugin_versions(rule_modules: tuple[str, ...]) -> dict[str, str]:
    """Per plug-in rule module (not `rules.*`): its distribution's name and version, or
    the digest of its source when no installed distribution holds it."""
    plugins = [name for name in rule_modules if not name.startswith(_BUILT_IN)]
    if not plugins:
        return {}
    distributions = importlib.metadata.packages_distributions()  # reads every installed one
    out: dict[str, str] = {}
    for name in plugins:
        dists = distributions.get(name.partition(".")[0], [])
        if dists:
            out[name] = ", ".join(
                f"{d}=={importlib.metadata.version(d)}" for d in sorted(set(dists))
            )
            continue
        module = sys.modules.get(name)
        try:
            source = inspect.getsource(module) if module is not None else ""
        except (OSError, TypeError):
            source = ""
        out[name] = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()
    return out


def analysis_inputs(
    conn: Connection,
    loaded: LoadedConfig,
    as_of: date,
    resolution_digest: str,
    rule_modules: Iterable[str],
) -> str:
    """Digest of every input of an analysis as of `as_of` of the resolution `resolution_digest`."""
    parts: dict[str, Any] = {
        "version": ANALYSIS_VERSION,
        "plugins": plugin_versions(tuple(sorted(set(rule_modules)))),
        "config": loaded.config.model_dump(mode="json"),
        "as_of": as_of.isoformat(),
        "resolution": resolution_digest,
        "counted": {model.name: list(count_and_max(conn, model)) for model in _COUNTED},
    }
    return json_digest(parts)


def reusable_run(conn: Connection, inputs: str, as_of: date) -> int | None:
    """The newest successful run whose stored digest equals `inputs`, if any."""
    run = models.Run
    rows = conn.execute(
        select(run.c.id, run.c.stats)
        .where(run.c.status == "ok", run.c.as_of == as_of)
        .order_by(run.c.id.desc())
    )
    for run_id, stats in rows:
        if isinstance(stats, dict) and stats.get("inputs") == inputs and not stats.get("range"):
            return int(run_id)
    return None
