"""Readers never rewrite an analysis (issue #14): every analysis keeps its own rows.

On a copy of the sample organisation: `analyze` as of D1, then what readers do
(an export of another quarter, `people` and `tui` as of other days) adds
resolutions and runs of their own; every row stored before is still there,
unchanged, and the views over D1's analysis answer as they did.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from auditor import views
from auditor.cli.entrypoint import app
from auditor.kernel.config import load_config
from auditor.store import models
from auditor.store.engine import make_engine
from auditor.store.resolutions import DERIVED_TABLES, default_selection
from auditor.views.people_report import people_report

ROOT = Path(__file__).resolve().parents[2]
D1 = date(2026, 10, 1)
KEPT = (
    models.Resolution,
    *DERIVED_TABLES,
    models.Run,
    models.StoredFinding,
    models.StoreMeta,
)


def _rows(url: str) -> dict[str, set[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {m.name: {repr(tuple(r)) for r in conn.execute(select(m))} for m in KEPT}
    finally:
        engine.dispose()


def _cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [args[0], "--config", str(config), *args[1:]])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _answers(url: str, loaded: Any, as_of: date) -> dict[str, Any]:
    """What the views and the people report say about the analysis as of `as_of`."""
    engine = make_engine(url)
    try:
        ctx = views.ViewContext.build(engine, loaded, as_of=as_of)
        assert ctx.run_id is not None and ctx.resolution_id is not None
        return {
            "selection": (ctx.run_id, ctx.resolution_id),
            "overview": views.overview(ctx),
            "people": views.people(ctx),
            "findings": views.findings(ctx),
            "component": views.component_detail(ctx, "Collab OnPrem"),
            "report": people_report(engine, as_of, ctx.resolution_id),
        }
    finally:
        engine.dispose()


def test_export_people_and_tui_at_other_dates_leave_an_analysis_as_it_was(
    sample_workspace: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    config = ws / "auditor.toml"
    loaded = load_config(config)
    url = loaded.store_url
    _cli(config, "collect")
    _cli(config, "analyze", "--as-of", D1.isoformat())
    people_d1 = _cli(config, "people", "--as-of", D1.isoformat(), "--format", "json")
    before = _rows(url)
    answers = _answers(url, loaded, D1)
    assert before["location_evidence"] and before["finding"] and before["location_conflict"]

    _cli(config, "export", "--period", "2026-Q2", "--as-of", D1.isoformat(), "-o", "q2.json")
    may = json.loads(_cli(config, "people", "--as-of", "2026-05-01", "--format", "json"))
    shot = tmp_path / "june.svg"
    command = [sys.executable, "-m", "auditor", "tui", "--config", str(config)]
    command += ["--as-of", "2026-06-30", "--screenshot", str(shot)]
    tui = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert tui.returncode == 0, tui.stderr
    assert "as&#160;of&#160;2026-06-30" in shot.read_text(encoding="utf-8")

    after = _rows(url)
    for name, rows in before.items():
        missing = rows - after[name]
        assert not missing, f"{name}: {len(missing)} earlier rows gone or rewritten"
    # the readers resolved for their own days: new resolutions (the TUI's 2026-06-30 is the
    # export's quarter end, reused), not rewritten ones
    assert len(after["resolution"]) == len(before["resolution"]) + 2
    assert may["as_of"] == "2026-05-01" and may != json.loads(people_d1)

    # D1's analysis answers as it did, though other analyses are newer now
    assert _answers(url, loaded, D1) == answers
    june = _answers(url, loaded, date(2026, 6, 30))
    assert june["selection"] != answers["selection"]
    assert june["people"] != answers["people"] and june["report"] != answers["report"]
    assert _cli(config, "people", "--as-of", D1.isoformat(), "--format", "json") == people_d1


def test_the_default_selection_is_the_newest_full_analysis(
    sample_workspace: Path, tmp_path: Path
) -> None:
    """A `people` resolution or an export's quarter-end run is never what readers show."""
    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    config = ws / "auditor.toml"
    loaded = load_config(config)
    _cli(config, "collect")
    _cli(config, "analyze", "--as-of", D1.isoformat())
    engine = make_engine(loaded.store_url)
    try:
        with engine.connect() as conn:
            chosen = default_selection(conn)
        _cli(config, "people", "--as-of", "2026-05-01", "--format", "json")
        _cli(config, "export", "--period", "2026-Q2", "--as-of", D1.isoformat(), "-o", "q.json")
        with engine.connect() as conn:
            assert default_selection(conn) == chosen
            run = models.Run
            kinds = [k for (k,) in conn.execute(select(run.c.kind).order_by(run.c.id))]
        assert kinds[-1] == "export"
    finally:
        engine.dispose()


_DERIVED_NAMES = tuple(t.name for t in DERIVED_TABLES)


def test_every_query_a_reader_runs_on_a_derived_table_names_its_resolution(
    sample_workspace: Path, tmp_path: Path
) -> None:
    """Each statement the readers send that reads a derived table filters that table on
    `resolution_id`: with two resolutions in the store, nothing mixes them."""
    import re

    from sqlalchemy import event

    from auditor.audit_export.build import ExportOptions, assemble
    from auditor.audit_export.period import quarter
    from auditor.evaluate.context import build_context
    from auditor.resolve.attribution import component_attribution
    from auditor.store import warnings as run_warnings

    ws = tmp_path / "org"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns(".auditor"))
    config = ws / "auditor.toml"
    loaded = load_config(config)
    _cli(config, "collect")
    _cli(config, "analyze", "--as-of", D1.isoformat())
    _cli(config, "people", "--as-of", "2026-05-01", "--format", "json")  # a second resolution
    engine = make_engine(loaded.store_url)
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    try:
        ctx = views.ViewContext.build(engine, loaded, as_of=D1)
        assert ctx.resolution_id is not None and ctx.run_id is not None
        views.overview(ctx)
        people = views.people(ctx)
        found = views.findings(ctx)
        views.component_detail(ctx, "Collab OnPrem")
        views.search(ctx, "a")
        views.names(ctx)
        for row in people[:5]:
            detail = views.person_detail(ctx, row.id)
            assert detail is not None
            for evidence in detail.evidence[:3]:
                views.evidence_commits(ctx, row.id, evidence.id)
        person = views.person_id_for(ctx, next(f.subject for f in found if f.subject))
        people_report(engine, D1, ctx.resolution_id)
        build_context(engine, loaded, D1, resolution_id=ctx.resolution_id, all_components=True)
        component_attribution(engine, loaded, date(2026, 4, 1), D1, resolution_id=ctx.resolution_id)
        assemble(engine, loaded, ExportOptions(period=quarter("2026-Q3")), ctx.run_id)
        run_warnings.read(engine, ctx.resolution_id)
    finally:
        engine.dispose()
    assert person is None or isinstance(person, int)
    checked = 0
    for statement in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        for name in _DERIVED_NAMES:
            if re.search(rf'(FROM|JOIN)\s+"?{name}"?\b', statement):
                checked += 1
                assert f"{name}.resolution_id" in statement, statement
    assert checked > 30
