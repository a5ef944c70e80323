"""The warnings pipeline: a collect step replaces its own lines; a resolution keeps its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, update

from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.engine import transaction


def _resolution(engine: Engine, digest: str, warnings: list[str], personal: list[str]) -> int:
    with transaction(engine) as conn:
        inserted = conn.execute(
            models.Resolution.insert().values(
                digest=digest,
                as_of=date(2026, 10, 1),
                created_at=datetime(2026, 10, 1, tzinfo=UTC),
                summary={"warnings": warnings, "identity_warnings": personal},
            )
        )
        return int(inserted.inserted_primary_key[0])


def test_steps_replace_their_own_lines_and_a_damaged_entry_hides_nothing(engine: Engine) -> None:
    first = _resolution(engine, "a", ["glob a", "glob a", "glob b"], ["person 'Ann' joins 2 …"])
    with transaction(engine) as conn:
        run_warnings.record(conn, "collect:r", ["r: shallow clone"])
        run_warnings.record(conn, "collect:s", ["s: 2 rows skipped"])
    assert run_warnings.read(engine, first) == [
        "r: shallow clone",
        "s: 2 rows skipped",
        "glob a",
        "glob b",
        "person 'Ann' joins 2 …",
    ]
    assert run_warnings.read(engine, first, personal=False) == [
        "r: shallow clone",
        "s: 2 rows skipped",
        "glob a",
        "glob b",
    ]
    assert run_warnings.read(engine, None) == ["r: shallow clone", "s: 2 rows skipped"]
    assert run_warnings.of_step(engine, "collect:r") == ["r: shallow clone"]
    with transaction(engine) as conn:
        run_warnings.record(conn, "collect:r", [])  # the cause went away
        meta = models.StoreMeta
        conn.execute(update(meta).where(meta.c.key == "warnings:collect:s").values(value="{no"))
    assert run_warnings.read(engine, first) == ["glob a", "glob b", "person 'Ann' joins 2 …"]
    assert run_warnings.of_step(engine, "collect:r") == []


def test_a_later_resolution_leaves_an_earlier_ones_warnings_alone(engine: Engine) -> None:
    """Resolving as of another day (an export, `people --as-of`) has warnings of its own;
    the user's analysis still shows its own."""
    first = _resolution(engine, "a", ["glob a matches no path"], [])
    second = _resolution(engine, "b", [], [])
    assert run_warnings.read(engine, second) == []
    assert run_warnings.read(engine, first) == ["glob a matches no path"]
