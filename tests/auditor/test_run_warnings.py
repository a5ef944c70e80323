"""The warnings pipeline: each step replaces its own lines; later commands read them all."""

from __future__ import annotations

from sqlalchemy import Engine, update

from auditor.store import models
from auditor.store import warnings as run_warnings
from auditor.store.engine import table, transaction


def test_steps_replace_their_own_lines_and_a_damaged_entry_hides_nothing(engine: Engine) -> None:
    with transaction(engine) as conn:
        run_warnings.record(conn, "resolve", ["glob a", "glob a", "glob b"])
        run_warnings.record(conn, "collect:r", ["r: shallow clone"])
        run_warnings.record(conn, run_warnings.IDENTITIES, ["person 'Ann' joins 2 …"])
    assert run_warnings.read(engine) == [
        "r: shallow clone",
        "glob a",
        "glob b",
        "person 'Ann' joins 2 …",
    ]
    assert run_warnings.read(engine, without={run_warnings.IDENTITIES}) == [
        "r: shallow clone",
        "glob a",
        "glob b",
    ]
    assert run_warnings.of_step(engine, "collect:r") == ["r: shallow clone"]
    with transaction(engine) as conn:
        run_warnings.record(conn, "collect:r", [])  # the cause went away
        meta = table(models.StoreMeta)
        conn.execute(update(meta).where(meta.c.key == "warnings:resolve").values(value="{not json"))
    assert run_warnings.read(engine) == ["person 'Ann' joins 2 …"]
    assert run_warnings.of_step(engine, "collect:r") == []
