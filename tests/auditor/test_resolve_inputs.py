"""resolve_all skips an unchanged store: the reused result must be exactly a full run's.

On a copy of the sample organisation (collected by the real collectors): every
change of an input (new commits, roster re-import, configuration, an identity
updated by an import, a different as_of, derived tables edited behind our
back) resolves again, and after each step the derived tables equal those of a
forced full resolution.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.resolve import inputs as resolve_inputs
from auditor.resolve.components import plan_components
from auditor.resolve.pipeline import (
    ResolveSummary,
    resolve_all,
    restore_snapshot,
    snapshot_if_current,
)
from auditor.store import models
from auditor.store.engine import table, transaction
from sample_repos import spec
from tests.gitrepo import git


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every derived row; periods and conflicts without their serial ids (a PostgreSQL
    sequence keeps counting across rebuilds, so only their content is stable)."""
    out = {}
    with engine.connect() as conn:
        for model in resolve_inputs.DERIVED_TABLES:
            tbl = table(model)
            serial = tbl.name in ("resolved_location", "location_conflict")
            columns = [c for c in tbl.c if not (serial and c.name == "id")]
            rows = conn.execute(select(*columns))
            out[tbl.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _digest(engine: Engine, loaded: LoadedConfig, as_of: date) -> str:
    limit = _limit(as_of)
    with transaction(engine) as conn:
        plan = plan_components(loaded, conn)
        return resolve_inputs.inputs_digest(conn, loaded, plan, as_of, limit)


def _limit(as_of: date) -> int:
    """resolve_all's commit cut-off: the start of the day after as_of, UTC."""
    return (as_of + timedelta(days=1) - date(1970, 1, 1)).days * 86400


def _reused(engine: Engine, loaded: LoadedConfig, as_of: date) -> bool:
    digest = _digest(engine, loaded, as_of)
    with engine.connect() as conn:
        return resolve_inputs.previous(conn, digest) is not None


def _same_as_full_run(
    engine: Engine, loaded: LoadedConfig, as_of: date
) -> tuple[ResolveSummary, dict[str, list[tuple[Any, ...]]]]:
    """resolve_all (possibly reused), then a forced full run: both must agree."""
    summary = resolve_all(engine, loaded, as_of)
    dumped = _dump(engine)
    full = resolve_all(engine, loaded, as_of, force=True)
    assert summary == full
    assert dumped == _dump(engine)
    return summary, dumped


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    return ws


def test_unchanged_store_reuses_the_resolution_for_any_date_selecting_the_same_rows(
    workspace: Path, engine: Engine
) -> None:
    loaded = load_config(workspace / "auditor.toml")
    collect_all(loaded, engine)
    assert not _reused(engine, loaded, spec.AS_OF)
    first, dumped = _same_as_full_run(engine, loaded, spec.AS_OF)
    assert first.people > 0 and dumped["location_evidence"]
    assert _reused(engine, loaded, spec.AS_OF)
    assert resolve_all(engine, loaded, spec.AS_OF) == first
    assert _dump(engine) == dumped

    # Every commit and roster row is before AS_OF: a later date selects the same rows.
    with engine.connect() as conn:
        last = conn.execute(select(func.max(models.Commit.c.authored_at))).scalar()
    assert last is not None and last < _limit(spec.AS_OF)
    assert _reused(engine, loaded, date(2031, 1, 1))
    assert _same_as_full_run(engine, loaded, date(2031, 1, 1))[1] == dumped

    # A date inside the history selects fewer commits: resolved again, and it differs.
    earlier = spec.AS_OF - timedelta(days=200)
    assert not _reused(engine, loaded, earlier)
    assert _same_as_full_run(engine, loaded, earlier)[1] != dumped
    assert not _reused(engine, loaded, spec.AS_OF)
    assert _same_as_full_run(engine, loaded, spec.AS_OF)[1] == dumped


def test_each_changed_input_resolves_again_like_a_full_run(workspace: Path, engine: Engine) -> None:
    loaded = load_config(workspace / "auditor.toml")
    collect_all(loaded, engine)
    as_of = spec.AS_OF
    _, before = _same_as_full_run(engine, loaded, as_of)

    def changed(loaded: LoadedConfig) -> dict[str, list[tuple[Any, ...]]]:
        nonlocal before
        assert not _reused(engine, loaded, as_of)
        _, after = _same_as_full_run(engine, loaded, as_of)
        assert after != before
        assert _reused(engine, loaded, as_of)
        before = after
        return after

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
        ident = table(models.Identity)
        target = conn.execute(
            select(ident.c.id).where(ident.c.email == "aoi.sato@example.jp")
        ).scalar_one()
        conn.execute(update(ident).where(ident.c.id == target).values(time_zone="Asia/Tokyo"))
    changed(loaded)

    # Derived rows removed behind resolve_all's back: counts no longer match, resolved again.
    with transaction(engine) as conn:
        evidence = table(models.LocationEvidence)
        conn.execute(delete(evidence).where(evidence.c.id == 1))
    assert not _reused(engine, loaded, as_of)
    _, repaired = _same_as_full_run(engine, loaded, as_of)
    assert repaired == before


def test_a_snapshot_put_back_is_the_resolution_it_was_taken_from(
    workspace: Path, engine: Engine
) -> None:
    """What an export does: copy, resolve for another day, put the copy back (ids included)."""
    loaded = load_config(workspace / "auditor.toml")
    collect_all(loaded, engine)
    earlier = spec.AS_OF - timedelta(days=200)
    assert snapshot_if_current(engine, loaded, spec.AS_OF) is None  # nothing resolved yet
    resolve_all(engine, loaded, spec.AS_OF)
    with_ids = _dump_with_ids(engine)
    saved = snapshot_if_current(engine, loaded, spec.AS_OF)
    assert saved is not None
    assert snapshot_if_current(engine, loaded, earlier) is None  # not the resolution as of then
    resolve_all(engine, loaded, earlier)
    assert _dump_with_ids(engine) != with_ids
    restore_snapshot(engine, saved)
    assert _dump_with_ids(engine) == with_ids
    assert _reused(engine, loaded, spec.AS_OF)  # its record came back with it
    assert _same_as_full_run(engine, loaded, spec.AS_OF)[1] == _dump(engine)


def _dump_with_ids(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table(m).name: sorted((tuple(r) for r in conn.execute(select(table(m)))), key=repr)
            for m in resolve_inputs.DERIVED_TABLES
        }
