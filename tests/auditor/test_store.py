"""The store on a real SQLite file: pragmas, schema version, round trips, idempotent upserts."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from auditor.kernel.errors import StoreError
from auditor.store import models
from auditor.store.engine import (
    bulk_insert,
    id_map,
    make_engine,
    side_reader,
    transaction,
    upsert,
)
from tests.derived_rows import ensure_resolution


def test_sqlite_pragmas(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000


def test_schema_version_is_recorded_and_checked(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT value FROM store_meta WHERE key='schema_version'"))
        assert version.scalar() == str(models.SCHEMA_VERSION)
    with transaction(engine) as conn:
        conn.execute(text("UPDATE store_meta SET value='0' WHERE key='schema_version'"))
    engine.dispose()
    with pytest.raises(
        StoreError, match=f"store has schema version 0, this auditor needs {models.SCHEMA_VERSION}"
    ):
        make_engine(sqlite_url)


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE commit_ (x)")
        conn.execute('CREATE TABLE "commit" (x)')
    with pytest.raises(StoreError, match="not an auditor store"):
        make_engine(f"sqlite:///{path}")


def test_invalid_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="invalid store URL"):
        make_engine("not a url")


def _source(conn, name: str = "repo") -> int:  # type: ignore[no-untyped-def]
    upsert(conn, models.Source, [{"name": name, "kind": "git", "location": "/x"}], key=["name"])
    return conn.execute(select(models.Source.c.id).where(models.Source.c.name == name)).scalar_one()


def test_round_trip_commit_with_changes_and_json(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as conn:
        source_id = _source(conn)
        upsert(
            conn,
            models.Identity,
            [
                {
                    "kind": "git",
                    "key": "Wei Zhang <wei@example.cn>",
                    "name": "Wei Zhang",
                    "email": "wei@example.cn",
                }
            ],
            key=["kind", "key"],
        )
        ident = id_map(conn, models.Identity, "key", ["Wei Zhang <wei@example.cn>"])
        author = ident["Wei Zhang <wei@example.cn>"]
        bulk_insert(
            conn,
            models.Commit,
            [
                {
                    "source_id": source_id,
                    "sha": "a" * 40,
                    "parents": "",
                    "author_id": author,
                    "committer_id": author,
                    "authored_at": -86400,
                    "author_offset": 480,
                    "committed_at": 4102444800,
                    "committer_offset": 345,
                    "message": "x\x00y",
                    "is_merge": False,
                    "added": 3,
                    "deleted": 1,
                    "files": 1,
                    "flags": ["nul-in-message"],
                }
            ],
        )
        upsert(conn, models.Path, [{"path": "src/onprem/a.py"}], key=["path"])
    with engine.connect() as conn:
        commit = conn.execute(select(models.Commit)).one()
        assert commit.authored_at == -86400  # before 1970
        assert commit.committed_at == 4102444800  # year 2100
        assert (commit.author_offset, commit.committer_offset) == (480, 345)
        assert commit.flags == ["nul-in-message"]
        assert commit.message == "x\x00y"


def test_upsert_is_idempotent_and_updates(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [{"kind": "jira", "key": f"acct-{i}", "name": f"N{i}"} for i in range(5000)]
    for _ in range(2):
        with transaction(engine) as conn:
            upsert(conn, models.Identity, rows, key=["kind", "key"])
    with transaction(engine) as conn:
        upsert(
            conn,
            models.Identity,
            [{"kind": "jira", "key": "acct-1", "name": "Renamed"}],
            key=["kind", "key"],
            update=["name"],
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Identity)).scalar() == 5000
        name = conn.execute(select(models.Identity.c.name).where(models.Identity.c.key == "acct-1"))
        assert name.scalar() == "Renamed"
        assert len(id_map(conn, models.Identity, "key", [r["key"] for r in rows])) == 5000


def test_failed_transaction_writes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StoreError), transaction(engine) as conn:
        _source(conn, "half")
        # a commit pointing at an identity that does not exist: foreign keys are enforced
        bulk_insert(
            conn,
            models.Commit,
            [
                {
                    "source_id": 1,
                    "sha": "b" * 40,
                    "author_id": 999,
                    "committer_id": 999,
                    "authored_at": 0,
                    "committed_at": 0,
                }
            ],
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Source)).scalar() == 0


def test_derived_tables_round_trip(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as conn:
        first, second = (ensure_resolution(conn, n) for n in (1, 2))
        person_id = conn.execute(
            models.Person.insert().values(resolution_id=first, key="wei@example.cn", name="Wei")
        ).inserted_primary_key[0]
        conn.execute(
            models.ResolvedLocation.insert().values(
                resolution_id=first,
                person_id=person_id,
                country=None,
                candidates=["CN", "SG"],
                confidence=0.4,
                valid_from=date(2025, 1, 1),
                valid_to=None,
                evidence_ids=[1, 2],
            )
        )
        run_id = conn.execute(
            models.Run.insert().values(
                kind="analyze",
                started_at=datetime(2026, 10, 1, tzinfo=UTC),
                as_of=date(2026, 10, 1),
                resolution_id=first,
            )
        ).inserted_primary_key[0]
        conn.execute(
            models.StoredFinding.insert().values(
                run_id=run_id,
                fingerprint="f" * 64,
                rule="PV102",
                severity="high",
                confidence="high",
                component="Collab OnPrem",
                subject="Wei Zhang",
                message="m",
                evidence=[{"kind": "commit", "ref": "a" * 40}],
                data={"share": 0.5},
                status="new",
            )
        )
    with engine.connect() as conn:
        loc = conn.execute(select(models.ResolvedLocation)).one()
        assert loc.candidates == ["CN", "SG"] and loc.country is None
        finding = conn.execute(select(models.StoredFinding)).one()
        assert finding.evidence == [{"kind": "commit", "ref": "a" * 40}]
        assert finding.data == {"share": 0.5}
        run = conn.execute(select(models.Run)).one()
        assert run.status == "running"  # the column default
    with pytest.raises(StoreError), transaction(engine) as conn:
        conn.execute(
            models.Person.insert().values(resolution_id=first, key="wei@example.cn", name="Dup")
        )
    with transaction(engine) as conn:  # one person per key in each resolution
        conn.execute(
            models.Person.insert().values(resolution_id=second, key="wei@example.cn", name="Wei")
        )


def test_concurrent_writers_queue_instead_of_failing(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE: two engines writing at once both succeed."""
    engines = [make_engine(sqlite_url) for _ in range(2)]
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for batch in range(20):
                with transaction(engines[index]) as conn:
                    rows = [{"kind": "git", "key": f"w{index}-{batch}-{i}"} for i in range(50)]
                    upsert(conn, models.Identity, rows, key=["kind", "key"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Identity)).scalar() == 2000


def test_side_reader_reads_beside_a_writer_without_waiting(sqlite_url: str) -> None:
    """A writer holds the lock; a side reader sees the committed rows (blocked, it times out)."""
    engine = make_engine(sqlite_url)
    ident = models.Identity
    with transaction(engine) as conn:
        upsert(conn, ident, [{"kind": "git", "key": "committed"}], key=["kind", "key"])
    with transaction(engine) as writer:
        upsert(writer, ident, [{"kind": "git", "key": "pending"}], key=["kind", "key"])
        with side_reader(engine) as reader:
            keys = reader.execute(select(ident.c.key)).scalars().all()
    assert keys == ["committed"]
