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
from sqlalchemy import Engine, event, select, update

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.resolve.components import plan_components
from auditor.resolve.incremental import find_base
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
def workspace(sample_workspace: Path, tmp_path: Path) -> Iterator[tuple[Path, LoadedConfig]]:
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    loaded = load_config(ws / "auditor.toml")
    engine = make_engine(loaded.store_url)
    try:
        collect_all(loaded, engine)
        resolve_all(engine, loaded, AS_OF)
    finally:
        engine.dispose()
    yield ws, loaded


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


def _sqlite_file(loaded: LoadedConfig) -> Path:
    database = make_engine(loaded.store_url).url.database
    assert database
    return Path(database)


def _twin_without_marks(loaded: LoadedConfig, tmp_path: Path) -> Engine:
    """A copy of the store whose resolutions cannot be extended: it resolves from scratch."""
    twin = tmp_path / "twin.db"
    with sqlite3.connect(_sqlite_file(loaded)) as source, sqlite3.connect(twin) as copy:
        source.backup(copy)  # the write-ahead log's pages too
    engine = make_engine(f"sqlite:///{twin}")
    res = models.Resolution
    with transaction(engine) as conn:
        for rid, summary in conn.execute(select(res.c.id, res.c.summary)).all():
            kept = {k: v for k, v in summary.items() if k != "growth"}
            conn.execute(update(res).where(res.c.id == rid).values(summary=kept))
    return engine


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
        summary = conn.execute(select(res.c.summary).where(res.c.id == resolution.id)).scalar()
    rows["summary"] = {k: v for k, v in summary.items() if k != "growth"}
    return rows


def _resolve_watching(engine: Engine, loaded: LoadedConfig) -> tuple[Resolution, list[str]]:
    """Resolve, and the statements that read every commit's offset (the full pass)."""
    full_passes: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "author_offset" in statement and "GROUP BY" in statement and " IN (" not in statement:
            full_passes.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        return resolve_all(engine, loaded, AS_OF), full_passes
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_a_resolution_after_new_commits_writes_what_a_rebuild_writes(
    workspace: tuple[Path, LoadedConfig], tmp_path: Path
) -> None:
    ws, loaded = workspace
    server = ws / "repos" / "collab-server"
    # Li Na commits again, once from +0300; a newcomer appears
    _commit(server, LI_NA, "2026-09-30T09:00:00+0800", "li-1")
    _commit(server, LI_NA, "2026-09-30T18:00:00+0300", "li-2")
    _commit(server, NEWCOMER, "2026-09-29T10:00:00-0300", "ana-1")
    engine = make_engine(loaded.store_url)
    collect_all(loaded, engine)
    twin = _twin_without_marks(loaded, tmp_path)
    try:
        with engine.connect() as conn:
            plan = plan_components(loaded, conn)
            growth = resolution_inputs(conn, loaded, plan, AS_OF).growth
            base = find_base(conn, growth, AS_OF)
        assert base is not None

        extended, full_passes = _resolve_watching(engine, loaded)
        rebuilt, twin_passes = _resolve_watching(twin, loaded)
        assert not full_passes and twin_passes  # the extension read only the changed people
        assert (extended.id, extended.digest) == (rebuilt.id, rebuilt.digest)
        mine, theirs = _rows(engine, extended), _rows(twin, rebuilt)
        for name in mine:
            assert mine[name] == theirs[name], name

        # the changed people are new rows; the others are copies of the base's
        with engine.connect() as conn:
            ev = models.LocationEvidence
            values = {
                rid: {
                    v for (v,) in conn.execute(select(ev.c.value).where(ev.c.resolution_id == rid))
                }
                for rid in (base.id, extended.id)
            }
        assert any("+0300" in v for v in values[extended.id] - values[base.id])
        assert any(v.startswith("-0300") for v in values[extended.id])
    finally:
        engine.dispose()
        twin.dispose()


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
    workspace: tuple[Path, LoadedConfig], tmp_path: Path, change: Any
) -> None:
    ws, loaded = workspace
    change(ws)
    engine = make_engine(loaded.store_url)
    try:
        collect_all(loaded, engine)
        with engine.connect() as conn:
            plan = plan_components(loaded, conn)
            growth = resolution_inputs(conn, loaded, plan, AS_OF).growth
            assert find_base(conn, growth, AS_OF) is None
        twin = _twin_without_marks(loaded, tmp_path)
        try:
            resolved, full_passes = _resolve_watching(engine, loaded)
            rebuilt = resolve_all(twin, loaded, AS_OF)
            assert full_passes
            assert _rows(engine, resolved) == _rows(twin, rebuilt)
        finally:
            twin.dispose()
    finally:
        engine.dispose()
