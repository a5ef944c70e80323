"""A resolution after new commits copies the unchanged people from the stored one (issue #20).

On a copy of the sample organisation (roster, trackers, overrides, two
repositories): collect and resolve, then push new commits, collect again and
resolve. The store is copied just before that second resolution into a twin
whose stored resolutions carry no growth marks, so the twin resolves the same
inputs from scratch. Both must write the same rows, ids included, while the
first infers again only the people whose commits or identities changed.

When the history was rewritten (a force push deletes commits), the roster or
an identity changed, nothing is extended: the resolution is a rebuild.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text, update

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.resolve import rebuild as rebuild_module
from auditor.resolve.components import plan_components
from auditor.resolve.incremental import Base, find_base, kept_people
from auditor.resolve.inputs import resolution_inputs
from auditor.resolve.pipeline import Resolution, resolve_all
from auditor.store import models
from auditor.store.engine import make_engine, transaction
from auditor.store.resolutions import DERIVED_TABLES
from tests.gitrepo import Who, git

AS_OF = date(2026, 10, 1)
LI_NA = Who("Li Na", "li.na@contoso.com")  # in the roster; commits at +0800
NEWCOMER = Who("Ana Souza", "ana.souza@example.com.br")


@pytest.fixture
def workspace(
    sample_workspace: Path, tmp_path: Path, store_url: str
) -> Iterator[tuple[Path, LoadedConfig, Engine]]:
    """The sample organisation collected into a SQLite or PostgreSQL store."""
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    loaded = load_config(ws / "auditor.toml")
    engine = make_engine(store_url)
    try:
        collect_all(loaded, engine)
        yield ws, loaded, engine
    finally:
        engine.dispose()


def _commit(repo: Path, who: Who, when: str, name: str) -> None:
    (repo / "src" / "onprem").mkdir(parents=True, exist_ok=True)
    (repo / "src" / "onprem" / f"{name}.py").write_text(f"# {name}\n", encoding="utf-8")
    git(repo, "add", "-A")
    env = {
        "GIT_AUTHOR_NAME": who.name,
        "GIT_AUTHOR_EMAIL": who.email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": who.name,
        "GIT_COMMITTER_EMAIL": who.email,
        "GIT_COMMITTER_DATE": when,
    }
    git(repo, "commit", "-q", "--no-verify", "-m", name, env=env)


@pytest.fixture
def twin_of(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Copies of a store whose resolutions cannot be extended: they resolve from scratch."""
    made: list[tuple[Engine, Any]] = []

    def copy(engine: Engine) -> Engine:
        if engine.dialect.name == "sqlite":
            twin_url = f"sqlite:///{tmp_path / 'twin.db'}"
            source = engine.url.database or ""
            with sqlite3.connect(source) as src, sqlite3.connect(tmp_path / "twin.db") as dst:
                src.backup(dst)  # the write-ahead log's pages too
            drop = None
        else:  # a template copy wants no connection to the source
            engine.dispose()
            admin = create_engine(
                request.getfixturevalue("postgres_url"), isolation_level="AUTOCOMMIT"
            )
            name = f"{engine.url.database}_twin"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
            twin_url = engine.url.set(database=name).render_as_string(hide_password=False)
            drop = (admin, name)
        twin = make_engine(twin_url)
        made.append((twin, drop))
        res = models.Resolution
        with transaction(twin) as conn:
            for rid, summary in conn.execute(select(res.c.id, res.c.summary)).all():
                kept = {k: v for k, v in summary.items() if k != "growth"}
                conn.execute(update(res).where(res.c.id == rid).values(summary=kept))
        return twin

    yield copy
    for twin, drop in made:
        twin.dispose()
        if drop is not None:
            admin, name = drop
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _rows(engine: Engine, resolution: Resolution) -> dict[str, Any]:
    with engine.connect() as conn:
        rows: dict[str, Any] = {
            tbl.name: [
                tuple(r)
                for r in conn.execute(
                    select(tbl)
                    .where(tbl.c.resolution_id == resolution.id)
                    .order_by(*tbl.primary_key.columns)
                )
            ]
            for tbl in DERIVED_TABLES
        }
        res = models.Resolution
        summary = conn.execute(select(res.c.summary).where(res.c.id == resolution.id)).scalar_one()
    rows["summary"] = {k: v for k, v in summary.items() if k != "growth"}
    return rows


def _resolve_watching(
    engine: Engine, loaded: LoadedConfig, as_of: date = AS_OF
) -> tuple[Resolution, list[str]]:
    """Resolve, and the statements that read every commit's offset (the full pass)."""
    full_passes: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "author_offset" in statement and "GROUP BY" in statement and " IN (" not in statement:
            full_passes.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        return resolve_all(engine, loaded, as_of), full_passes
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def _base(engine: Engine, loaded: LoadedConfig, as_of: date = AS_OF) -> Base | None:
    with engine.connect() as conn:
        plan = plan_components(loaded, conn)
        return find_base(conn, resolution_inputs(conn, loaded, plan, as_of).growth, as_of)


def test_a_resolution_after_new_commits_writes_what_a_rebuild_writes(
    workspace: tuple[Path, LoadedConfig, Engine], twin_of: Any
) -> None:
    ws, loaded, engine = workspace
    resolve_all(engine, loaded, AS_OF)
    server = ws / "repos" / "collab-server"
    # Li Na commits again, once from +0300; a newcomer appears
    _commit(server, LI_NA, "2026-09-30T09:00:00+0800", "li-1")
    _commit(server, LI_NA, "2026-09-30T18:00:00+0300", "li-2")
    _commit(server, NEWCOMER, "2026-09-29T10:00:00-0300", "ana-1")
    collect_all(loaded, engine)
    twin = twin_of(engine)
    base = _base(engine, loaded)
    assert base is not None

    extended, full_passes = _resolve_watching(engine, loaded)
    rebuilt, twin_passes = _resolve_watching(twin, loaded)
    assert not full_passes and twin_passes  # the extension read only the changed people
    assert (extended.id, extended.digest) == (rebuilt.id, rebuilt.digest)
    mine, theirs = _rows(engine, extended), _rows(twin, rebuilt)
    for name in mine:
        assert mine[name] == theirs[name], name

    # Li Na's +0300 commit and the newcomer are in the new rows, beside the copied ones
    ev = models.LocationEvidence
    with engine.connect() as conn:
        values = {
            rid: set(conn.execute(select(ev.c.value).where(ev.c.resolution_id == rid)).scalars())
            for rid in (base.id, extended.id)
        }
    assert any("+0300" in v for v in values[extended.id] - values[base.id])
    assert any(v.startswith("-0300") for v in values[extended.id])


def _force_push(ws: Path) -> None:
    server = ws / "repos" / "collab-server"
    git(server, "reset", "-q", "--hard", "HEAD~2")
    _commit(server, NEWCOMER, "2026-09-29T10:00:00-0300", "ana-rewritten")


def _edit_roster(ws: Path) -> None:
    _commit(ws / "repos" / "collab-server", NEWCOMER, "2026-09-29T10:00:00-0300", "ana-1")
    roster = ws / "exports" / "roster.csv"
    roster.write_text(roster.read_text(encoding="utf-8").replace(",CN,", ",SG,", 1), "utf-8")


def _remap_an_identity(ws: Path) -> None:
    server = ws / "repos" / "collab-server"
    (server / ".mailmap").write_text(f"Li Na (CN) <{LI_NA.email}>\n", encoding="utf-8")
    git(server, "add", ".mailmap")
    _commit(server, NEWCOMER, "2026-09-29T10:00:00-0300", "ana-1")


@pytest.mark.parametrize("change", [_force_push, _edit_roster, _remap_an_identity])
def test_nothing_is_extended_when_more_than_commits_were_added(
    workspace: tuple[Path, LoadedConfig, Engine], twin_of: Any, change: Any
) -> None:
    ws, loaded, engine = workspace
    resolve_all(engine, loaded, AS_OF)
    change(ws)
    collect_all(loaded, engine)
    assert _base(engine, loaded) is None
    twin = twin_of(engine)
    resolved, full_passes = _resolve_watching(engine, loaded)
    rebuilt = resolve_all(twin, loaded, AS_OF)
    assert full_passes
    assert _rows(engine, resolved) == _rows(twin, rebuilt)


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (date(2026, 10, 1), date(2026, 10, 2)),  # the next day's CI check
        (date(2026, 9, 15), date(2026, 9, 30)),  # commits authored in between
        (date(2026, 6, 30), date(2026, 10, 1)),  # a quarter later
    ],
)
def test_a_later_day_copies_the_people_whose_rows_it_cannot_change(
    workspace: tuple[Path, LoadedConfig, Engine],
    twin_of: Any,
    monkeypatch: pytest.MonkeyPatch,
    first: date,
    later: date,
) -> None:
    """A resolution cuts periods at its as-of day: people with nothing to cut are copied
    (the newcomer, quiet since March), the others inferred again (everyone active)."""
    ws, loaded, engine = workspace
    server = ws / "repos" / "collab-server"
    _commit(server, NEWCOMER, "2026-03-10T10:00:00-0300", "ana-1")
    collect_all(loaded, engine)
    resolve_all(engine, loaded, first)
    _commit(server, LI_NA, "2026-09-30T09:00:00+0800", "li-1")
    collect_all(loaded, engine)
    twin = twin_of(engine)
    base = _base(engine, loaded, later)
    assert base is not None and base.as_of == first

    copied: list[int] = []

    def counting(*args: Any) -> Any:
        kept = kept_people(*args)
        copied.append(len(kept))
        return kept

    monkeypatch.setattr(rebuild_module, "kept_people", counting)
    extended = resolve_all(engine, loaded, later)
    monkeypatch.undo()
    rebuilt = resolve_all(twin, loaded, later)
    assert copied and copied[0] > 0  # some people were copied, not inferred
    assert (extended.id, extended.digest) == (rebuilt.id, rebuilt.digest)
    mine, theirs = _rows(engine, extended), _rows(twin, rebuilt)
    for name in mine:
        assert mine[name] == theirs[name], name
