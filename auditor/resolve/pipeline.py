"""`resolve_all`: rebuild people, locations and component mappings from the collected tables.

Everything here is derived: one transaction deletes the derived tables and
writes them again, so a run is idempotent and a failure leaves the previous
result in place. Person and component ids are kept stable across runs (by
person key and component name) so that references held elsewhere survive.

`as_of` makes results reproducible: commits authored after that day and
roster rows that take effect after it are ignored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.window import day_end
from auditor.resolve import inputs as resolve_inputs
from auditor.resolve.components import plan_components
from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.engine import bulk_insert, table, transaction

DERIVED = (
    models.PersonIdentity,
    models.LocationEvidence,
    models.ResolvedLocation,
    models.LocationConflict,
    models.PathComponent,
    models.WorkItemComponent,
    models.Person,
    models.Component,
)


@dataclass(frozen=True)
class ResolveSummary:
    people: int
    bots: int
    identities: int
    evidence: int
    periods: int
    conflicts: int
    components: int
    mapped_paths: int
    mapped_work_items: int
    total_churn: int
    unmapped_churn: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Name people: kept apart so that a pseudonymized export can leave them out.
    identity_warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def coverage(self) -> float:
        """Share of churn on paths mapped to some component (1.0 when there is no churn)."""
        return 1.0 - self.unmapped_churn / self.total_churn if self.total_churn else 1.0


def resolve_all(
    engine: Engine, loaded: LoadedConfig, as_of: date, *, force: bool = False
) -> ResolveSummary:
    """Rebuild person … work_item_component from the collected tables, in one transaction.

    Skipped (the stored summary is returned) when nothing it reads has changed
    since the last resolution, see `auditor.resolve.inputs`; `force` rebuilds anyway.
    `as_of` must only select rows (commits before it, roster rows starting by it):
    the skip treats two dates that select the same rows as the same input.
    """
    limit = _limit(as_of)
    with transaction(engine) as conn:
        plan = plan_components(loaded, conn)
        inputs = resolve_inputs.inputs_digest(conn, loaded, plan, as_of, limit)
        stored = None if force else resolve_inputs.previous(conn, inputs)
        if stored is not None:
            summary = ResolveSummary(
                **{
                    **stored,
                    "warnings": tuple(stored.get("warnings", ())),
                    "identity_warnings": tuple(stored.get("identity_warnings", ())),
                }
            )
            _record_warnings(conn, summary)  # a store resolved before warnings were kept
            return summary
        from auditor.resolve.rebuild import rebuild

        summary = rebuild(conn, loaded, plan, as_of, limit)
        resolve_inputs.remember(conn, inputs, asdict(summary))
        _record_warnings(conn, summary)
    return summary


def _record_warnings(conn: Connection, summary: ResolveSummary) -> None:
    run_warnings.record(conn, "resolve", summary.warnings)
    run_warnings.record(conn, run_warnings.IDENTITIES, summary.identity_warnings)


def _limit(as_of: date) -> int:
    """The first second (UTC) after `as_of`: commits before it count."""
    return day_end(as_of)


@dataclass(frozen=True)
class DerivedSnapshot:
    """The derived tables, parents first, and the resolution record that describes them."""

    tables: tuple[tuple[Table, list[dict[str, Any]]], ...]
    record: str


def snapshot_if_current(
    engine: Engine, loaded: LoadedConfig, as_of: date
) -> DerivedSnapshot | None:
    """A copy of the derived tables if they are the resolution as of `as_of` of today's inputs.

    An export resolves as of its period's end and must then give the views back
    the resolution as of the user's last analysis: putting this copy back costs
    a fraction of resolving again (a full pass over every commit).
    """
    with transaction(engine) as conn:  # under the write lock: the copy matches its record
        plan = plan_components(loaded, conn)
        inputs = resolve_inputs.inputs_digest(conn, loaded, plan, as_of, _limit(as_of))
        record = resolve_inputs.record(conn)
        if record is None or resolve_inputs.previous(conn, inputs) is None:
            return None
        tables = tuple(
            (table(model), [dict(row._mapping) for row in conn.execute(select(table(model)))])
            for model in reversed(DERIVED)
        )
    return DerivedSnapshot(tables, record)


def restore_snapshot(engine: Engine, snapshot: DerivedSnapshot) -> None:
    """Put a `snapshot_if_current` copy back, ids included, with its resolution record."""
    with transaction(engine) as conn:
        for model in DERIVED:
            conn.execute(delete(table(model)))
        for tbl, rows in snapshot.tables:
            bulk_insert(conn, tbl, rows)
        resolve_inputs.put_record(conn, snapshot.record)
