"""The whole pipeline (collect, resolve, rules) gives the same store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from auditor.evaluate.run import analyze
from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.report.triage import configured
from auditor.store.engine import make_engine
from tests.postgres.support import commit_shas, counts, latest_fingerprints

AS_OF = date(2026, 6, 30)


def _run(workspace: Path, engine: Engine) -> tuple[dict[str, int], dict[str, list[str]], list[str]]:
    loaded = load_config(workspace / "auditor.toml")
    first = collect_all(loaded, engine)
    assert first.git and all(r.new_commits > 0 for r in first.git)
    second = collect_all(loaded, engine)
    assert all(r.new_commits == 0 for r in second.git)
    result = analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF))
    assert result.findings
    return counts(engine), commit_shas(engine), latest_fingerprints(engine)


@pytest.mark.postgres
def test_sample_organisation_same_on_both_backends(
    sample_workspace: Path, tmp_path: Path, pg_url: str
) -> None:
    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    pg = make_engine(pg_url)
    try:
        assert pg.dialect.name == "postgresql"
        on_sqlite = _run(sample_workspace, lite)
        on_pg = _run(sample_workspace, pg)
        assert on_pg == on_sqlite
        assert on_pg[0]["commit"] > 1000 and on_pg[0]["work_item"] > 0
        with pg.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM person")).scalar_one()
        assert people > 0
    finally:
        lite.dispose()
        pg.dispose()
