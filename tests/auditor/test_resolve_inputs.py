"""Resolutions are keyed by their inputs: the same inputs give the stored one, untouched.

On a copy of the sample organisation (collected by the real collectors): every
change of an input (new commits, roster re-import, configuration, an identity
updated by an import, another as_of) gives a new resolution, and every earlier
resolution's rows stay exactly as they were; unchanged inputs, a workspace
moved elsewhere included, give the stored resolution and write nothing.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.resolve.pipeline import Resolution, resolve_all
from auditor.store import models
from auditor.store.engine import make_engine, transaction
from auditor.store.resolutions import DERIVED_TABLES
from sample_repos import spec
from tests.gitrepo import git


def dump_all(engine: Engine) -> dict[str, list[str]]:
    """Every derived row of every resolution, and every resolution row, as stored."""
    out = {}
    with engine.connect() as conn:
        for model in (models.Resolution, *DERIVED_TABLES):
            tbl = model
            rows = conn.execute(select(tbl).order_by(*tbl.primary_key.columns))
            out[tbl.name] = [repr(tuple(r)) for r in rows]  # JSON columns are not hashable
    return out


def _kept(before: dict[str, list[str]], after: dict[str, list[str]]) -> bool:
    """Every row of `before` is in `after`, unchanged."""
    return all(set(rows) <= set(after[name]) for name, rows in before.items())


def _rows_of(engine: Engine, resolution: Resolution) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.name: int(
                conn.execute(
                    select(func.count()).select_from(m).where(m.c.resolution_id == resolution.id)
                ).scalar_one()
            )
            for m in DERIVED_TABLES
        }


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    return ws


def test_the_same_inputs_give_the_stored_resolution_and_write_nothing(
    workspace: Path, engine: Engine
) -> None:
    loaded = load_config(workspace / "auditor.toml")
    collect_all(loaded, engine)
    first = resolve_all(engine, loaded, spec.AS_OF)
    assert first.summary.people > 0 and _rows_of(engine, first)["location_evidence"]
    stored = dump_all(engine)
    assert resolve_all(engine, loaded, spec.AS_OF) == first
    assert dump_all(engine) == stored

    # Another day is another resolution (periods end at as_of); the first one stays.
    earlier = resolve_all(engine, loaded, spec.AS_OF - timedelta(days=200))
    assert earlier.id != first.id and earlier.digest != first.digest
    assert earlier.summary != first.summary
    later = resolve_all(engine, loaded, spec.AS_OF + timedelta(days=30))
    assert later.id not in (first.id, earlier.id)
    assert _kept(stored, dump_all(engine))
    assert resolve_all(engine, loaded, spec.AS_OF) == first


def test_a_moved_workspace_gives_the_same_resolution(
    workspace: Path, engine: Engine, tmp_path: Path
) -> None:
    """The digest holds contents, never paths: the workspace copied elsewhere with its
    store (and collected there again) resolves to the stored resolution."""
    config = workspace / "auditor.toml"
    loaded = load_config(config)
    store = tmp_path / "moving" / "audit.db"
    moving = make_engine(f"sqlite:///{store}")
    collect_all(loaded, moving)
    first = resolve_all(moving, loaded, spec.AS_OF)
    moving.dispose()

    elsewhere = tmp_path / "elsewhere" / "org"
    shutil.copytree(workspace, elsewhere)
    shutil.copy(store, tmp_path / "elsewhere" / "audit.db")
    moved = make_engine(f"sqlite:///{tmp_path / 'elsewhere' / 'audit.db'}")
    try:
        moved_config = load_config(elsewhere / "auditor.toml")
        collect_all(moved_config, moved)  # source locations now name the new place
        again = resolve_all(moved, moved_config, spec.AS_OF)
    finally:
        moved.dispose()
    assert again == first


def test_each_changed_input_is_a_new_resolution_and_the_old_ones_stay(
    workspace: Path, engine: Engine
) -> None:
    loaded = load_config(workspace / "auditor.toml")
    collect_all(loaded, engine)
    as_of = spec.AS_OF
    seen = [resolve_all(engine, loaded, as_of)]
    before = dump_all(engine)

    def changed(loaded: LoadedConfig) -> dict[str, list[str]]:
        nonlocal before
        resolution = resolve_all(engine, loaded, as_of)
        assert resolution.id not in [r.id for r in seen]
        assert resolve_all(engine, loaded, as_of) == resolution  # stored now
        after = dump_all(engine)
        assert _kept(before, after)
        before = after
        seen.append(resolution)
        person = models.Person
        with engine.connect() as conn:
            keys = conn.execute(
                select(person.c.key).where(person.c.resolution_id == resolution.id)
            ).all()
        return {"person": [(None, k) for (k,) in keys]}

    # New commits by a newcomer at +0900 (collected incrementally).
    repo = workspace / "repos" / "collab-server"
    (repo / "src" / "onprem" / "kyoto.c").write_text("int kyoto;\n", "utf-8")
    git(repo, "add", "-A")
    git(
        repo,
        "commit",
        "-q",
        "-m",
        "Kyoto port",
        env={
            "GIT_AUTHOR_NAME": "Aoi Sato",
            "GIT_AUTHOR_EMAIL": "aoi.sato@example.jp",
            "GIT_AUTHOR_DATE": "2026-09-30T10:00:00+0900",
            "GIT_COMMITTER_NAME": "Aoi Sato",
            "GIT_COMMITTER_EMAIL": "aoi.sato@example.jp",
            "GIT_COMMITTER_DATE": "2026-09-30T10:00:00+0900",
        },
    )
    collect_all(loaded, engine)
    after = changed(loaded)
    assert any(r[1] == "aoi.sato@example.jp" for r in after["person"])

    # The roster file re-imported with one engineer moved to another country.
    roster = workspace / "exports" / "roster.csv"
    text = roster.read_text("utf-8")
    assert "meiling.tan@contoso.com,Tan Mei Ling,SG," in text
    roster.write_text(
        text.replace(
            "meiling.tan@contoso.com,Tan Mei Ling,SG,", "meiling.tan@contoso.com,Tan Mei Ling,DE,"
        ),
        "utf-8",
    )
    collect_all(loaded, engine)
    changed(loaded)

    # The configuration gains an override.
    config = workspace / "auditor.toml"
    config.write_text(
        config.read_text("utf-8")
        + '\n[[overrides]]\nemail = "aoi.sato@example.jp"\ncountry = "JP"\nreason = "HR"\n',
        "utf-8",
    )
    loaded = load_config(config)
    changed(loaded)

    # An identity updated in place (as a tracker import refreshing a profile does).
    with transaction(engine) as conn:
        ident = models.Identity
        target = conn.execute(
            select(ident.c.id).where(ident.c.email == "aoi.sato@example.jp")
        ).scalar_one()
        conn.execute(update(ident).where(ident.c.id == target).values(time_zone="Asia/Tokyo"))
    changed(loaded)
