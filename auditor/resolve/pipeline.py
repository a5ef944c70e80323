"""`resolve_all`: people, locations and component mappings derived from the collected tables.

Each resolution is written once, in one transaction, under its own id
(`auditor.store.resolutions`): its derived rows carry that id, and no later
resolution updates or deletes them. The same inputs (`auditor.resolve.inputs`:
a version, the configuration, `as_of` and the collected rows' content) give
the same digest, and the stored resolution is returned without writing
anything.

`as_of` makes results reproducible: commits authored after that day and
roster rows that take effect after it are ignored, and no period runs past it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, text, update

from auditor.kernel.config import LoadedConfig
from auditor.kernel.window import day_end
from auditor.resolve import inputs as resolve_inputs
from auditor.resolve.components import plan_components
from auditor.store import models
from auditor.store import resolutions as stored_resolutions
from auditor.store.engine import transaction


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

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> ResolveSummary:
        """From a resolution's stored summary (which also holds its `growth` marks)."""
        fields = {k: v for k, v in stored.items() if k != "growth"}
        return cls(
            **{
                **fields,
                "warnings": tuple(stored.get("warnings", ())),
                "identity_warnings": tuple(stored.get("identity_warnings", ())),
            }
        )


@dataclass(frozen=True)
class Resolution:
    """A stored resolution: its id (what derived rows and runs refer to) and its summary."""

    id: int
    digest: str
    as_of: date
    summary: ResolveSummary


def resolve_all(engine: Engine, loaded: LoadedConfig, as_of: date) -> Resolution:
    """The resolution of the collected tables as of `as_of`: the stored one when its
    inputs digest is stored already (nothing is written), else a new one written in
    one transaction. Never deletes."""
    limit = day_end(as_of)  # the first second (UTC) after `as_of`: commits before it count
    with transaction(engine) as conn:
        plan = plan_components(loaded, conn)
        inputs = resolve_inputs.resolution_inputs(conn, loaded, plan, as_of)
        digest = inputs.digest
        if conn.dialect.name == "postgresql":
            # Jobs resolving the same inputs at once (a CI matrix) would each find none and
            # insert one; the later ones wait here until the first commits, then find it.
            # (SQLite's BEGIN IMMEDIATE already runs writers one at a time.)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(digest[:15], 16)})
        stored = stored_resolutions.find(conn, digest)
        if stored is not None:
            summary = ResolveSummary.from_json(stored.summary)
            return Resolution(stored.id, digest, stored.as_of, summary)
        from auditor.resolve.incremental import find_base
        from auditor.resolve.rebuild import rebuild

        base = find_base(conn, inputs.growth, as_of)
        res = models.Resolution
        inserted = conn.execute(
            res.insert().values(
                digest=digest, as_of=as_of, created_at=datetime.now(UTC), summary={}
            )
        )
        resolution_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        summary = rebuild(conn, loaded, plan, as_of, limit, resolution_id, base)
        # the summary, and the marks a later resolution may extend this one by
        row = {**asdict(summary), "growth": inputs.growth}
        conn.execute(update(res).where(res.c.id == resolution_id).values(summary=row))
    return Resolution(resolution_id, digest, as_of, summary)
