"""Exports whose JSON strings hold NUL or lone surrogates import on both backends, twice alike."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, text

from auditor.ingest.trackers import import_file
from auditor.kernel.errors import AuditorError
from collectors.jira_json import JiraJsonCollector

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "jira_json" / "search.json"


def test_hostile_json_strings(any_engine: Engine) -> None:
    doc = json.loads(SEED.read_text(encoding="utf-8"))
    raw = json.dumps(doc)
    # every summary gets a NUL and a lone surrogate, as JSON escapes (valid JSON text)
    hostile = raw.replace('"summary": "', '"summary": "\\u0000x\\ud800 ')
    assert hostile != raw
    data = hostile.encode("utf-8")
    try:
        first = import_file(any_engine, JiraJsonCollector(SEED, name="jira", data=data))
    except AuditorError as exc:  # refusing is allowed, but on one line and atomically
        assert "\n" not in str(exc)
        with any_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM work_item")).scalar_one() == 0
        return
    again = import_file(any_engine, JiraJsonCollector(SEED, name="jira", data=data))
    assert again.skipped and again.records == first.records > 0
    with any_engine.connect() as conn:
        titles = [r[0] for r in conn.execute(text("SELECT title FROM work_item"))]
    assert len(titles) == first.records
    if any_engine.dialect.name == "postgresql":
        assert all("\x00" not in t for t in titles)
