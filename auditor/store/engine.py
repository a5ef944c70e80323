"""The store: one engine factory, one transaction scope, bulk helpers.

SQLite (default) runs in WAL mode with foreign keys and a busy timeout, and
every transaction starts with `BEGIN IMMEDIATE` so that concurrent writers
queue instead of failing half-way with "database is locked" on upgrade.
PostgreSQL is reached through `postgresql+psycopg://`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from auditor.kernel.errors import StoreError
from auditor.store import models
from auditor.store.db_text import install as install_text_safety

BATCH_SIZE = 2000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def make_engine(url: str, *, create: bool = True) -> Engine:
    """Open the store at `url`, creating tables (when `create`) and checking the schema version."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid store URL {url!r}", field="store.url") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        shown = parsed.render_as_string(hide_password=True)
        raise StoreError(
            f"unsupported store URL {shown!r}; use sqlite:/// or postgresql+psycopg://",
            field="store.url",
        )
    if backend == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
        install_text_safety(engine, nul=False)  # sqlite3 cannot encode lone surrogates
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except (ImportError, NoSuchModuleError) as exc:  # postgresql+pg8000:// and the like
            shown = parsed.render_as_string(hide_password=True)
            raise StoreError(
                f"unsupported store URL {shown!r} ({exc}); use postgresql+psycopg://",
                field="store.url",
            ) from exc
        install_text_safety(engine)  # PostgreSQL cannot hold NUL or lone surrogates
    if create:
        ensure_schema(engine)
    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def ensure_schema(engine: Engine) -> None:
    """Create missing tables; refuse a store written by another schema version."""
    if engine.dialect.name == "postgresql":
        # Collectors started together would race on CREATE TABLE (pg_type unique
        # violation): one at a time under a server-wide advisory lock.
        try:
            with engine.connect() as lock:
                lock.exec_driver_sql(f"SELECT pg_advisory_lock({_SCHEMA_LOCK})")
                try:
                    _ensure_schema(engine)
                finally:
                    lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_SCHEMA_LOCK})")
                    lock.commit()
        except OperationalError as exc:
            raise StoreError(
                f"cannot open store: {_one_line(exc.orig)}", location=_describe(engine)
            ) from exc
        return
    _ensure_schema(engine)


_SCHEMA_LOCK = 0x6175_6469  # "audi"


def _ensure_schema(engine: Engine) -> None:
    try:
        existing = set(inspect(engine).get_table_names())
        if "store_meta" in existing:
            with engine.connect() as conn:
                row = conn.execute(
                    text("SELECT value FROM store_meta WHERE key = 'schema_version'")
                ).first()
            found = _version(row[0]) if row else None
            if found != models.SCHEMA_VERSION:
                raise StoreError(
                    f"store has schema version {found}, this auditor needs "
                    f"{models.SCHEMA_VERSION}: collect into a new store "
                    f"(the collected sources are the evidence, nothing is lost)",
                    location=_describe(engine),
                )
        elif existing & {"commit", "source"}:
            raise StoreError(
                "database has auditor-like tables but no schema version: not an auditor store",
                location=_describe(engine),
            )
        models.metadata.create_all(engine)
        with transaction(engine) as conn:
            upsert(
                conn,
                models.StoreMeta,
                [{"key": "schema_version", "value": str(models.SCHEMA_VERSION)}],
                key=["key"],
                update=["value"],
            )
    except DatabaseError as exc:  # OperationalError, and "file is not a database"
        raise StoreError(
            f"cannot open store: {_one_line(exc.orig)}", location=_describe(engine)
        ) from exc


def _version(value: object) -> int | str:
    """The stored schema version; its text when it is not a number (a damaged store)."""
    try:
        return int(str(value))
    except ValueError:
        return repr(value)


def _one_line(error: object) -> str:
    return " ".join(str(error).split())  # psycopg adds hints on lines of their own


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


_READ_ONLY = "auditor_read_only"


def reads_beside_writer(engine: Engine) -> bool:
    """Whether a second connection sees the same database (not so for in-memory SQLite)."""
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


@contextmanager
def side_reader(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction on its own connection, for queries run beside a writer.

    On SQLite it begins deferred: a writer's `BEGIN IMMEDIATE` would wait for the
    writer it runs beside. Started while that writer holds the lock, it reads
    the same committed rows the writer does (WAL snapshot).
    """
    with engine.connect().execution_options(**{_READ_ONLY: True}) as conn, conn.begin():
        yield conn


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction: committed on success, rolled back on any error."""
    try:
        with engine.begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"store write failed: {exc}", location=_describe(engine)) from exc


def dialect_insert(conn: Connection, tbl: Table) -> Any:
    """An INSERT that can take ON CONFLICT clauses, in `conn`'s dialect."""
    # imported here: the PostgreSQL dialect alone costs a SQLite store's command ~25 ms
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(tbl)
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(tbl)
    raise StoreError(f"unsupported database dialect {name!r}")


def upsert(
    conn: Connection,
    tbl: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """Insert rows; on a conflict on `key` update `update` columns, or do nothing.

    Idempotent, so concurrent collectors and re-runs never duplicate rows.
    """
    if not rows:
        return
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start : start + BATCH_SIZE]
        stmt = dialect_insert(conn, tbl)
        if update:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key), set_={c: stmt.excluded[c] for c in update}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        conn.execute(stmt, list(chunk))


def bulk_insert(conn: Connection, tbl: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Plain batched Core inserts; returns the number of rows written."""
    count = 0
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            conn.execute(tbl.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(tbl.insert(), batch)
        count += len(batch)
    return count


def id_map(conn: Connection, tbl: Table, key_col: str, keys: Iterable[Any]) -> dict[Any, int]:
    """Map values of a unique column to row ids, in chunks (SQL parameter limits)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[Any, int] = {}
    col = tbl.c[key_col]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row_id, value in conn.execute(select(tbl.c.id, col).where(col.in_(chunk))):
            found[value] = row_id
    return found
