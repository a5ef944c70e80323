"""Location fixes found on real histories, end to end on synthetic personas (a real git
repository with fixed authors, dates and offsets; `auditor check` and `auditor people`):

- Dee keeps US Pacific time for 15 months with seven commits at CET-with-EU-DST offsets
  in seven months (git/git's Johannes Schindelin, 2018-07..2019-10): a time-zone
  conflict, but both places are trusted-tier, so PV110 is low and CI passes; +0200
  alone fits Kaliningrad, +0100 winters with +0200 summers do not;
- Cora's offsets (+0300 in 2013, +0400 from 2014-03-30, +0300 from 2014-10-26) fit
  only Europe/Simferopol, which zone1970.tab gives to RU and UA (a Flask contributor);
- as of a mid-month day, no period or conflict ends after it (xz-utils' Jia Tan ended
  on the month's last day).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from tests.auditor.test_location_personas import _fast_import, _weekly
from tests.gitrepo import Who

AS_OF = "2019-10-16"
DEE = Who("Dee Traveller", "dee@example.org")
CORA = Who("Cora Crimea", "cora@example.org")
PACIFIC = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
SIMFEROPOL = ZoneInfo("Europe/Simferopol")
TRIPS = [
    date(2018, 8, 15),
    date(2018, 10, 10),
    date(2018, 12, 12),
    date(2019, 2, 13),
    date(2019, 5, 15),
    date(2019, 8, 14),
    date(2019, 10, 9),
]

CONFIG = """
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "lib"
path = "repos/lib"

[jurisdictions]
high = ["CN", "RU", "IR", "KP"]
elevated = ["BY"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["lib:src/**"]

[policy]
window_days = 365
"""


def _commits() -> list[tuple[Who, datetime, str]]:
    out: list[tuple[Who, datetime, str]] = []
    for day in _weekly(date(2018, 7, 2), date(2019, 10, 14), 0):
        out.append((DEE, datetime(day.year, day.month, day.day, 10, tzinfo=PACIFIC), "dee"))
    for day in TRIPS:
        out.append((DEE, datetime(day.year, day.month, day.day, 11, tzinfo=BERLIN), "dee"))
    for day in _weekly(date(2013, 9, 3), date(2014, 11, 25), 1):
        out.append((CORA, datetime(day.year, day.month, day.day, 11, tzinfo=SIMFEROPOL), "cora"))
    return out


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, dict]:
    root = tmp_path_factory.mktemp("fixes")
    _fast_import(root / "repos" / "lib", _commits())
    (root / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    config = ["--config", str(root / "auditor.toml"), "--as-of", AS_OF]
    checked = runner.invoke(app, ["check", *config, "--format", "json"])
    assert checked.exit_code in (0, 1), checked.output
    people = runner.invoke(app, ["people", *config, "--format", "json"])
    assert people.exit_code == 0, people.output
    return checked.exit_code, json.loads(checked.stdout), json.loads(people.stdout)


def _person(people: dict, name: str) -> dict:
    return next(p for p in people["people"] if p["name"] == name)


def test_trusted_tier_trips_are_a_low_pv110_and_pass_ci(audited: tuple[int, dict, dict]) -> None:
    exit_code, check, people = audited
    dee = _person(people, DEE.name)
    (conflict,) = [c for c in dee["conflicts"] if c["kind"] == "timezone"]
    assert "CET with EU DST" in conflict["description"]
    assert {"US", "DE", "FR"} <= set(conflict["countries"])
    assert "RU" not in conflict["countries"]  # Kaliningrad keeps +0200 in winter too
    (finding,) = [f for f in check["findings"] if f["rule"] == "PV110"]
    assert finding["subject"] == DEE.name and finding["confidence"] == "low"
    assert exit_code == 0


def test_a_disputed_zone_keeps_both_countries(audited: tuple[int, dict, dict]) -> None:
    _, _, people = audited
    cora = _person(people, CORA.name)
    assert cora["locations"]
    for period in cora["locations"]:
        assert period["country"] is None
        assert {"RU", "UA"} <= set(period["candidates"])


def test_nothing_ends_after_as_of(audited: tuple[int, dict, dict]) -> None:
    _, _, people = audited
    dee = _person(people, DEE.name)
    (conflict,) = dee["conflicts"]
    assert conflict["to"] == AS_OF  # not 2019-10-31, the end of the month
    for row in [*dee["locations"], *dee["conflicts"]]:
        assert row["from"] <= AS_OF and (row["to"] is None or row["to"] <= AS_OF)
