"""`auditor prune --keep N`: old runs and unused resolutions go, in one transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, Table, func, select
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from auditor.evaluate.run import analyze
from auditor.report.triage import configured
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from auditor.store.prune import prune
from auditor.store.resolutions import DERIVED_TABLES, default_selection
from tests.auditor.resolve_support import write_config
from tests.auditor.test_resolve import CONFIG, _scenario

DAYS = (date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 31))


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.name: int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (models.Resolution, models.Run, models.StoredFinding, *DERIVED_TABLES)
        }


def _ids(engine: Engine, model: Table) -> list[int]:
    tbl = model
    with engine.connect() as conn:
        return [int(i) for (i,) in conn.execute(select(tbl.c.id).order_by(tbl.c.id))]


def _store(tmp_path: Path, engine: Engine) -> list[int]:
    """Analyses as of three days, a check as of the last, a resolution without a run."""
    _scenario(engine)
    store = engine.url.render_as_string(hide_password=False)
    loaded = write_config(tmp_path, f'[store]\nurl = "{store}"\n' + CONFIG)
    runs = [analyze(engine, loaded, day, triage=configured(loaded, day)).run_id for day in DAYS]
    last = DAYS[-1]
    runs.append(analyze(engine, loaded, last, triage=configured(loaded, last), kind="check").run_id)
    resolve_all(engine, loaded, date(2025, 9, 1))  # `auditor people --as-of`: no run
    return runs


def test_keep_one_keeps_the_newest_run_of_each_kind_and_their_resolutions(
    tmp_path: Path, engine: Engine
) -> None:
    runs = _store(tmp_path, engine)
    with engine.connect() as conn:
        shown = default_selection(conn)
    before = _counts(engine)
    assert before["resolution"] == 4 and before["run"] == 4

    dry = prune(engine, 1, dry_run=True)
    assert dry.dry_run and dry.runs == (("analyze", 2),) and dry.resolutions == 2
    assert _counts(engine) == before  # nothing written

    done = prune(engine, 1)
    assert (done.runs, done.resolutions, done.findings) == (dry.runs, 2, dry.findings)
    assert _ids(engine, models.Run) == [runs[2], runs[3]]
    # the last analyze and the check share the 2025-12-31 resolution; the newest
    # resolution (the `people` one) stays too
    after = _counts(engine)
    assert after["resolution"] == 2 and after["run"] == 2
    removed = dict(done.derived_rows)
    assert all(before[n] - after[n] == removed.get(n, 0) for n in removed)
    assert removed["person"] > 0 and removed["location_evidence"] > 0
    with engine.connect() as conn:
        assert default_selection(conn) == shown  # readers still see their analysis
        finding = models.StoredFinding
        kept = {r for (r,) in conn.execute(select(finding.c.run_id).distinct())}
    assert kept <= {runs[2], runs[3]}
    assert prune(engine, 1).removed_anything is False


def test_prune_command_prints_what_it_removed_and_refuses_keep_zero(
    tmp_path: Path, engine: Engine
) -> None:
    _store(tmp_path, engine)
    config = tmp_path / "auditor.toml"
    runner = CliRunner()
    dry = runner.invoke(app, ["prune", "--config", str(config), "--keep", "2", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would remove runs: 1 analyze" in dry.stdout
    result = runner.invoke(app, ["prune", "--config", str(config), "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert "removed runs: 1 analyze" in result.stdout and "1 resolution" in result.stdout
    again = runner.invoke(app, ["prune", "--config", str(config), "--keep", "2"])
    assert "nothing to prune" in again.stdout
    zero = runner.invoke(app, ["prune", "--config", str(config), "--keep", "0"])
    assert zero.exit_code == 2
