"""Analysis inside never reads the wall clock; plug-in rules count by their version."""

from __future__ import annotations

import sys
import types
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from auditor.evaluate.context import build_context
from auditor.evaluate.inputs import plugin_versions
from auditor.resolve.pipeline import resolve_all
from tests.auditor.resolve_support import StoreBuilder, write_config
from tests.auditor.test_check_analyze import CONFIG

AS_OF = date(2025, 6, 30)


def test_an_undated_work_item_is_handled_as_of_the_analysis_day(
    tmp_path: Path, engine: Engine
) -> None:
    """Its assignee is placed where they were on `as_of`, not on the day the command runs:
    Li's roster row ends in 2025, long before today."""
    s = StoreBuilder(engine)
    s.source("server")
    roster = s.source("roster", kind="roster", location=str(tmp_path / "roster.csv"))
    jira = s.source("jira.csv", kind="jira-csv", location=str(tmp_path / "jira.csv"))
    s.git_identity("Li Wei", "li@corp.example")
    s.roster(roster, 2, "li@corp.example", "Li Wei", "CN", valid_to=date(2025, 12, 31))
    li = s.identity("jira", "acc-li", name="Li Wei", email="li@corp.example")
    s.work_item(jira, "OP-9", components=["OnPrem"], assignee_id=li)  # neither created nor resolved
    loaded = write_config(tmp_path, CONFIG)
    resolution = resolve_all(engine, loaded, AS_OF)
    ctx = build_context(engine, loaded, AS_OF, resolution_id=resolution.id)
    (item,) = ctx.work_items
    assert item.key == "OP-9" and item.day is None
    (handler,) = item.handlers
    assert handler.location.country == "CN"


def test_plugin_rules_count_by_distribution_version_or_source() -> None:
    module = types.ModuleType("auditor_test_plugin_rule")
    sys.modules[module.__name__] = module
    try:
        found = plugin_versions(("rules.pv101_sensitive_high_risk_share", "yaml.constructor"))
        assert list(found) == ["yaml.constructor"]  # built-in rules: ANALYSIS_VERSION's
        assert found["yaml.constructor"].startswith("PyYAML==")
        unpackaged = plugin_versions((module.__name__,))
        assert len(unpackaged[module.__name__]) == 64  # no distribution: its source's digest
    finally:
        del sys.modules[module.__name__]
