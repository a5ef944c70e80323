"""`auditor prune`: old runs and the resolutions no kept run uses, deleted in one transaction.

Stored rows only grow otherwise: every resolution keeps its derived rows so
that a reader never sees them rewritten (`auditor.store.resolutions`). Prune
keeps, per run kind and outcome (`analyze`/`check`/`export`/`collect` ×
`ok`/`failed`), the `keep` newest runs, every run still running, every
resolution a kept run evaluated and the newest resolution; it deletes the
other runs with their findings, and the other resolutions with their derived
rows. The collected tables (the evidence) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, Table, delete, func, select
from sqlalchemy.engine import Connection

from auditor.kernel.errors import UsageError
from auditor.store import models
from auditor.store.engine import transaction
from auditor.store.resolutions import DERIVED_TABLES

_CHUNK = 500  # ids per IN (...) list: SQL parameter limits


@dataclass(frozen=True)
class PruneReport:
    """What prune removed (or, dry, would remove)."""

    runs: tuple[tuple[str, int], ...]  # (kind, runs removed), by kind
    findings: int
    resolutions: int
    derived_rows: tuple[tuple[str, int], ...]  # (table, rows removed), in DERIVED_TABLES order
    kept_runs: int
    kept_resolutions: int
    dry_run: bool

    @property
    def removed_anything(self) -> bool:
        return bool(self.runs or self.resolutions)


def prune(engine: Engine, keep: int, *, dry_run: bool = False) -> PruneReport:
    """Delete all but the `keep` newest runs of each kind and outcome, and the resolutions
    no kept run points at (the newest is always kept); with `dry_run` nothing is written."""
    if keep < 1:
        raise UsageError(f"--keep wants at least 1 (the newest analysis stays), got {keep}")
    with transaction(engine) as conn:
        run, res = models.Run, models.Resolution
        rows = conn.execute(
            select(run.c.id, run.c.kind, run.c.status, run.c.resolution_id).order_by(
                run.c.id.desc()
            )
        ).all()
        seen: dict[tuple[str, str], int] = {}
        doomed_runs: list[tuple[int, str]] = []
        used: set[int] = set()
        for run_id, kind, status, resolution_id in rows:
            if status != "running":
                seen[(kind, status)] = seen.get((kind, status), 0) + 1
                if seen[(kind, status)] > keep:
                    doomed_runs.append((int(run_id), str(kind)))
                    continue
            if resolution_id is not None:
                used.add(int(resolution_id))
        newest = conn.execute(select(func.max(res.c.id))).scalar()
        if newest is not None:
            used.add(int(newest))
        doomed = [int(r) for (r,) in conn.execute(select(res.c.id)) if int(r) not in used]
        run_ids = [r for r, _kind in doomed_runs]
        finding = models.StoredFinding
        findings = _count(conn, finding, "run_id", run_ids)
        derived = []
        for model in DERIVED_TABLES:
            tbl = model
            derived.append((tbl.name, _count(conn, tbl, "resolution_id", doomed)))
        if not dry_run:
            _delete(conn, finding, "run_id", run_ids)
            _delete(conn, run, "id", run_ids)
            for model in reversed(DERIVED_TABLES):  # children first
                tbl = model
                _delete(conn, tbl, "resolution_id", doomed)
            _delete(conn, res, "id", doomed)
    by_kind: dict[str, int] = {}
    for _run_id, kind in doomed_runs:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return PruneReport(
        runs=tuple(sorted(by_kind.items())),
        findings=findings,
        resolutions=len(doomed),
        derived_rows=tuple((name, n) for name, n in derived if n),
        kept_runs=len(rows) - len(run_ids),
        kept_resolutions=len(used),
        dry_run=dry_run,
    )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _count(conn: Connection, tbl: Table, column: str, ids: Sequence[int]) -> int:
    total = 0
    for chunk in _chunks(ids):
        query = select(func.count()).select_from(tbl).where(tbl.c[column].in_(chunk))
        total += int(conn.execute(query).scalar() or 0)
    return total


def _delete(conn: Connection, tbl: Table, column: str, ids: Sequence[int]) -> None:
    for chunk in _chunks(ids):
        conn.execute(delete(tbl).where(tbl.c[column].in_(chunk)))
