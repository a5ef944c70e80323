"""component_attribution: churn and commits per component × jurisdiction, as intervals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor.kernel.config import LoadedConfig
from auditor.resolve.attribution import ComponentAttribution, component_attribution
from auditor.resolve.locations.index import LocationIndex
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from auditor.store.engine import transaction
from tests.auditor.resolve_support import StoreBuilder, newest_resolution, write_config

CONFIG = """
[[git]]
name = "server"
path = "repos/server"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/onprem/**"]

[[components]]
name = "Docs"
paths = ["server:docs/**"]

[[components]]
name = "Idle"
paths = ["server:idle/**"]
"""


def _build(tmp_path: Path, engine: Engine) -> LoadedConfig:
    s = StoreBuilder(engine)
    repo = s.source("server")
    roster = s.source("roster", kind="roster", location="roster.csv")
    cn = s.git_identity("Chen", "chen@corp.example")
    s.roster(roster, 2, "chen@corp.example", "Chen", "CN")
    de = s.git_identity("Dora", "dora@corp.example")
    s.roster(roster, 3, "dora@corp.example", "Dora", "DE", None, date(2025, 8, 31))
    s.roster(roster, 4, "dora@corp.example", "Dora", "BY", date(2025, 9, 1))
    amb = s.git_identity("Amb", "amb@example.com")  # +0800 only: candidates incl. CN
    utc = s.git_identity("Uma", "uma@example.com")  # +0000 only: unknown
    bot = s.git_identity("renovate[bot]", "bot@renovateapp.com")
    s.commit(repo, cn, "2025-08-04T10:00:00+08:00", {"src/onprem/a.c": (30, 10), "docs/x": (5, 0)})
    s.commit(repo, de, "2025-08-05T10:00:00+02:00", {"src/onprem/a.c": (20, 0)})
    s.commit(repo, de, "2025-09-05T10:00:00+03:00", {"src/onprem/a.c": (10, 0)})  # now in BY
    s.commit(repo, amb, "2025-08-06T10:00:00+08:00", {"src/onprem/b.c": (15, 5)})
    s.commit(repo, utc, "2025-08-07T10:00:00+00:00", {"src/onprem/c.c": (10, 0)})
    s.commit(repo, bot, "2025-08-07T10:00:00+00:00", {"src/onprem/a.c": (500, 500)})
    s.commit(repo, cn, "2025-08-08T10:00:00+08:00", {}, merge=True)
    s.commit(repo, cn, "2024-01-08T10:00:00+08:00", {"src/onprem/a.c": (999, 0)})  # before window
    loaded = write_config(tmp_path, CONFIG)
    resolve_all(engine, loaded, date(2025, 12, 31))
    return loaded


@pytest.fixture
def attributed(tmp_path: Path, engine: Engine) -> dict[str, ComponentAttribution]:
    loaded = _build(tmp_path, engine)
    result = component_attribution(
        engine,
        loaded,
        date(2025, 7, 1),
        date(2025, 12, 31),
        resolution_id=newest_resolution(engine),
    )
    return {a.component: a for a in result}


def test_totals_exclude_bots_merges_and_other_windows(
    attributed: dict[str, ComponentAttribution],
) -> None:
    onprem = attributed["OnPrem"]
    assert (onprem.churn, onprem.commits, onprem.people) == (100, 5, 4)
    assert [a for a in attributed] == ["Docs", "Idle", "OnPrem"]
    assert (attributed["Idle"].churn, attributed["Idle"].jurisdictions) == (0, ())
    assert attributed["Idle"].tiers["high"].share_max == 0.0


def test_country_shares_are_intervals(attributed: dict[str, ComponentAttribution]) -> None:
    onprem = attributed["OnPrem"]
    cn = onprem.jurisdiction("CN")
    assert cn is not None
    assert (cn.churn, cn.commits, cn.churn_max, cn.commits_max) == (40, 1, 60, 2)
    assert (cn.share_min, cn.share_max) == (0.4, 0.6)
    assert cn.tier == "high"
    sg = onprem.jurisdiction("SG")
    assert sg is not None and (sg.share_min, sg.share_max) == (0.0, 0.2)
    de, by = onprem.jurisdiction("DE"), onprem.jurisdiction("BY")
    assert de is not None and by is not None
    assert (de.churn, by.churn) == (20, 10)  # the relocation splits Dora's churn
    assert (de.tier, by.tier) == ("trusted", "elevated")


def test_tier_shares(attributed: dict[str, ComponentAttribution]) -> None:
    tiers = attributed["OnPrem"].tiers
    assert (tiers["high"].churn_min, tiers["high"].churn_max) == (40, 60)
    assert (tiers["elevated"].share_min, tiers["elevated"].share_max) == (0.1, 0.1)
    assert (tiers["trusted"].churn_min, tiers["trusted"].churn_max) == (20, 40)
    # Unknown: Uma (no candidates) at least; Uma and the +0800 engineer at most.
    assert (tiers["unknown"].churn_min, tiers["unknown"].churn_max) == (10, 30)


def test_docs_component_counts_only_its_paths(attributed: dict[str, ComponentAttribution]) -> None:
    docs = attributed["Docs"]
    assert (docs.churn, docs.commits, docs.people) == (5, 1, 1)
    assert docs.jurisdiction("CN") is not None
    assert docs.tiers["high"].share_min == 1.0


def test_overlapping_periods_are_looked_up_day_by_day(tmp_path: Path, engine: Engine) -> None:
    """Grouping by resolved period assumes periods never overlap; if they do, the per-day
    lookup decides (the latest period started by that day), and nothing is counted twice."""
    loaded = _build(tmp_path, engine)
    rl, person = models.ResolvedLocation, models.Person
    resolution = newest_resolution(engine)
    with transaction(engine) as conn:
        dora = conn.execute(
            select(person.c.id).where(person.c.key == "dora@corp.example")
        ).scalar_one()
        conn.execute(
            rl.insert().values(
                resolution_id=resolution,
                person_id=dora,
                country="RU",
                candidates=["RU"],
                confidence=1.0,
                valid_from=date(2025, 9, 3),
                valid_to=date(2025, 9, 10),
                evidence_ids=[],
            )
        )
    index = LocationIndex.load(engine, newest_resolution(engine))
    assert not index.disjoint()
    result = component_attribution(
        engine,
        loaded,
        date(2025, 7, 1),
        date(2025, 12, 31),
        resolution_id=newest_resolution(engine),
    )
    onprem = {a.component: a for a in result}["OnPrem"]
    ru = onprem.jurisdiction("RU")
    assert ru is not None and (ru.churn, ru.commits) == (10, 1)  # Dora's 5 September commit
    assert onprem.jurisdiction("BY") is None
    assert onprem.churn == 100 and onprem.jurisdiction("DE") is not None
