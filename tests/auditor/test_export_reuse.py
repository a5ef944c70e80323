"""An export reuses a stored run with the same analysis inputs, byte for byte, and only then.

On a copy of the sample organisation: the export of 2026-Q3 after a `check` as
of 2026-09-30 takes that run's findings instead of evaluating again, and gives
the bytes a full analysis gives; a new commit, another configuration or
another period end is a new analysis.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor.audit_export.build import ExportOptions, assemble, export_period
from auditor.audit_export.canonical import render
from auditor.audit_export.period import quarter
from auditor.evaluate.run import analyze
from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.report.triage import configured
from auditor.store import models
from auditor.store.engine import make_engine
from tests.gitrepo import GitRepo, Who

Q3_END = date(2026, 9, 30)


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "org"
    shutil.copytree(
        sample_workspace,
        copy,
        ignore=shutil.ignore_patterns(".auditor", "export-test*", "auditor-*.toml"),
    )
    return copy


def _open(workspace: Path) -> tuple[LoadedConfig, Engine]:
    loaded = load_config(workspace / "auditor.toml")
    return loaded, make_engine(loaded.store_url)


def _export(engine: Engine, loaded: LoadedConfig, period: str = "2026-Q3") -> bytes:
    return render(export_period(engine, loaded, ExportOptions(period=quarter(period))))


def _without_reuse(engine: Engine, loaded: LoadedConfig) -> bytes:
    """The export from a fresh evaluation (what export did before runs were reused)."""
    result = analyze(engine, loaded, Q3_END, triage=configured(loaded, Q3_END), kind="export")
    return render(assemble(engine, loaded, ExportOptions(period=quarter("2026-Q3")), result.run_id))


def _runs(engine: Engine) -> list[tuple[str, date]]:
    run = models.Run
    with engine.connect() as conn:
        return [(k, d) for k, d in conn.execute(select(run.c.kind, run.c.as_of).order_by(run.c.id))]


def test_export_after_check_reuses_its_run_and_gives_the_same_bytes(workspace: Path) -> None:
    loaded, engine = _open(workspace)
    try:
        collect_all(loaded, engine)
        fresh = _export(engine, loaded)  # nothing stored yet: evaluated, stored as 'export'
        assert _runs(engine) == [("export", Q3_END)]
        analyze(engine, loaded, Q3_END, triage=configured(loaded, Q3_END), kind="check")
        reused = _export(engine, loaded)
        assert _runs(engine) == [("export", Q3_END), ("check", Q3_END)]  # no new run
        assert reused == fresh
        assert _without_reuse(engine, loaded) == reused
        # another period end is another analysis
        _export(engine, loaded, "2026-Q2")
        assert _runs(engine)[-1] == ("export", date(2026, 6, 30))
    finally:
        engine.dispose()


def test_a_new_commit_is_a_new_analysis(workspace: Path) -> None:
    loaded, engine = _open(workspace)
    try:
        collect_all(loaded, engine)
        before = _export(engine, loaded)
        repo = GitRepo(workspace / "repos" / "collab-server")
        repo.commit(
            "onprem: late fix",
            author=Who("Li Na", "li.na@contoso.com"),
            date="2026-09-29T10:00:00+0800",
            files={"src/onprem/late_fix.c": "int late_fix(void) { return 1; }\n" * 40},
        )
        collect_all(loaded, engine)
        after = _export(engine, loaded)
        assert _runs(engine) == [("export", Q3_END), ("export", Q3_END)]
        assert after != before
        assert _without_reuse(engine, loaded) == after
    finally:
        engine.dispose()


def test_a_changed_configuration_is_a_new_analysis(workspace: Path) -> None:
    loaded, engine = _open(workspace)
    try:
        collect_all(loaded, engine)
        _export(engine, loaded)
        config = workspace / "auditor.toml"
        text = config.read_text("utf-8")
        assert "window_days = 180" in text
        config.write_text(text.replace("window_days = 180", "window_days = 90"), "utf-8")
        changed = load_config(config)
        after = _export(engine, changed)
        assert _runs(engine) == [("export", Q3_END), ("export", Q3_END)]
        assert _without_reuse(engine, changed) == after
    finally:
        engine.dispose()
