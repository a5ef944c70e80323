"""Store round trips on SQLite and PostgreSQL, including text PostgreSQL cannot hold as is."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text

from auditor.store import models
from auditor.store.db_text import db_text
from auditor.store.engine import bulk_insert, id_map, make_engine, transaction, upsert

HOSTILE = "x\x00y \udcff z \u202e\u00e9\U0001f600"


def _commit(source_id: int, author: int, sha: str, message: str) -> dict[str, object]:
    return {
        "source_id": source_id,
        "sha": sha,
        "parents": "",
        "author_id": author,
        "committer_id": author,
        "authored_at": -86400,
        "author_offset": 480,
        "committed_at": 4102444800,
        "committer_offset": -720,
        "message": message,
        "flags": ["nul-in-message"],
    }


def test_round_trip_and_idempotent_upsert(any_engine: Engine) -> None:
    for _ in range(2):
        with transaction(any_engine) as conn:
            upsert(
                conn,
                models.Source,
                [{"name": "r", "kind": "git", "location": "/x"}],
                key=["name"],
            )
            upsert(
                conn,
                models.Identity,
                [{"kind": "jira", "key": f"acct-{i}", "name": f"N{i}"} for i in range(2500)],
                key=["kind", "key"],
                update=["name"],
            )
    with transaction(any_engine) as conn:
        source_id = conn.execute(select(models.Source.c.id)).scalar_one()
        ids = id_map(conn, models.Identity, "key", ["acct-1", "acct-2499"])
        bulk_insert(conn, models.Commit, [_commit(source_id, ids["acct-1"], "a" * 40, "ok")])
    with any_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM identity")).scalar_one() == 2500
        row = conn.execute(
            text('SELECT authored_at, committed_at, committer_offset, flags FROM "commit"')
        ).one()
    assert row[:3] == (-86400, 4102444800, -720)
    assert row[3] in (["nul-in-message"], '["nul-in-message"]')


@pytest.mark.postgres
def test_nul_and_surrogates_stored_on_postgres(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with transaction(engine) as conn:
            upsert(
                conn,
                models.Source,
                [{"name": "r\x00", "kind": "git", "location": "/\udcff"}],
                key=["name"],
            )
            upsert(
                conn,
                models.Identity,
                [{"kind": "git", "key": HOSTILE, "name": HOSTILE}],
                key=["kind", "key"],
            )
            ident = id_map(conn, models.Identity, "key", [db_text(HOSTILE)])
            source_id = conn.execute(select(models.Source.c.id)).scalar_one()
            bulk_insert(
                conn,
                models.Commit,
                [_commit(source_id, ident[db_text(HOSTILE)], "b" * 40, HOSTILE)],
            )
        with engine.connect() as conn:
            message = conn.execute(text('SELECT message FROM "commit"')).scalar_one()
            name = conn.execute(text("SELECT name FROM source")).scalar_one()
            # a lookup with the raw hostile value finds the escaped row
            found = conn.execute(
                select(models.Identity.c.id).where(models.Identity.c.key == HOSTILE)
            ).all()
    finally:
        engine.dispose()
    assert message == "x\\x00y \\udcff z \u202e\u00e9\U0001f600"
    assert name == "r\\x00"
    assert len(found) == 1


def test_db_text_only_touches_nul_and_surrogates() -> None:
    assert db_text("plain") == "plain"
    assert db_text("é\U0001f600 \\x") == "é\U0001f600 \\x"
    assert db_text("\x00") == "\\x00"
    assert db_text("a\ud800b") == "a\\ud800b"
    assert db_text("a\x00\udcff", nul=False) == "a\x00\\udcff"  # SQLite keeps NUL
