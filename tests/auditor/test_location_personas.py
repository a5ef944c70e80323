"""Location inference end to end on synthetic personas: a real git repository (fixed
authors, dates and offsets), `auditor check` and `auditor people` as CI and a reviewer
run them.

- Finn keeps Helsinki time for three years (+0200 winters, +0300 summers on EU
  dates): only EET-with-EU-DST zones fit, no Russian or Belarusian one, no PV103;
- Jia commits at +0800 for three years, with 6% of commits at DST-correct
  Helsinki offsets: a recorded conflict and PV110 naming exactly those commits;
- Nadia's +0800 commits fall at 20:00-01:00 local for a year: a rhythm conflict;
- Rus has a `.ru` address and one -0700 commit: a conflict, and no country;
- Uma commits on US Pacific time only: trusted, country unresolved, no PV104.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from tests.gitrepo import Who, git

AS_OF = "2025-01-31"
FINN = Who("Finn Virtanen", "finn@example.org")
JIA = Who("Jia Persona", "jia@example.org")
NADIA = Who("Nadia Night", "nadia@example.org")
RUS = Who("Rus Vanity", "rus@example.ru")
UMA = Who("Uma Pacific", "uma@example.org")
HELSINKI = ZoneInfo("Europe/Helsinki")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

CONFIG = """
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "lib"
path = "repos/lib"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["lib:src/**"]
"""


def _weekly(start: date, end: date, weekday: int) -> list[date]:
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    out = []
    while day <= end:
        out.append(day)
        day += timedelta(days=7)
    return out


PLUS8 = ZoneInfo("Asia/Shanghai")


def _commits() -> list[tuple[Who, datetime, str]]:
    """(author, aware local time, file) for every persona, in no particular order."""
    out: list[tuple[Who, datetime, str]] = []
    for day in _weekly(date(2022, 1, 3), date(2025, 1, 20), 1):
        out.append((FINN, datetime(day.year, day.month, day.day, 10, tzinfo=HELSINKI), "finn"))
    jia_days = _weekly(date(2022, 1, 3), date(2025, 1, 20), 2)
    # 10 of ~160 commits (6%) at Helsinki time, in winter and summer, over three years.
    eet_days = set(jia_days[5::16])
    for day in jia_days:
        zone = HELSINKI if day in eet_days else PLUS8
        out.append((JIA, datetime(day.year, day.month, day.day, 15, tzinfo=zone), "jia"))
    for index, day in enumerate(_weekly(date(2024, 2, 5), date(2025, 1, 27), 3)):
        hour = (20, 21, 22, 23, 0)[index % 5]
        moment = datetime(day.year, day.month, day.day, hour, 30, tzinfo=PLUS8)
        out.append((NADIA, moment, "nadia"))
    out.append((RUS, datetime(2024, 9, 10, 11, tzinfo=LOS_ANGELES), "rus"))
    for day in _weekly(date(2024, 9, 2), date(2025, 1, 20), 0):
        out.append((UMA, datetime(day.year, day.month, day.day, 9, tzinfo=LOS_ANGELES), "uma"))
    return out


def _fast_import(repo: Path, commits: list[tuple[Who, datetime, str]]) -> dict[str, list[str]]:
    """One `git fast-import` stream (hundreds of commits in a second); shas per author."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    stream = []
    ordered = sorted(commits, key=lambda c: c[1].timestamp())
    for index, (who, moment, name) in enumerate(ordered):
        offset = moment.utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        tz = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        stamp = f"{who.name} <{who.email}> {int(moment.timestamp())} {tz}"
        message = f"{name}: change {index}\n"
        content = f"{name} {index}\n" * 3
        stream.append(
            f"commit refs/heads/main\nmark :{index + 1}\nauthor {stamp}\ncommitter {stamp}\n"
            f"data {len(message.encode())}\n{message}"
            f"M 100644 inline src/{name}.c\ndata {len(content.encode())}\n{content}\n"
        )
    git(repo, "fast-import", "--quiet", input="".join(stream).encode())
    git(repo, "checkout", "-q", "main")
    shas: dict[str, list[str]] = {}
    for line in git(repo, "log", "--format=%H %ae %ai").splitlines():
        _sha, email, *_ = line.split()
        shas.setdefault(email, []).append(line)
    return shas


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict[str, list[str]]]:
    root = tmp_path_factory.mktemp("personas")
    shas = _fast_import(root / "repos" / "lib", _commits())
    (root / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    config = ["--config", str(root / "auditor.toml"), "--as-of", AS_OF]
    checked = runner.invoke(app, ["check", *config, "--format", "json"])
    assert checked.exit_code in (0, 1), checked.output
    people = runner.invoke(app, ["people", *config, "--format", "json"])
    assert people.exit_code == 0, people.output
    return json.loads(checked.stdout), json.loads(people.stdout), shas


def _person(people: dict, name: str) -> dict:
    return next(p for p in people["people"] if p["name"] == name)


def _findings(check: dict, rule: str) -> list[dict]:
    return [f for f in check["findings"] if f["rule"] == rule]


def test_eet_maintainer_fits_only_eet_zones(audited: tuple[dict, dict, dict]) -> None:
    check, people, _ = audited
    finn = _person(people, FINN.name)
    (period,) = finn["locations"]
    assert period["country"] is None
    assert {"FI", "EE", "LV", "LT", "UA", "RO", "BG", "GR"} <= set(period["candidates"])
    assert not {"RU", "BY", "DE", "TR", "ZA"} & set(period["candidates"])
    assert period["zone_pattern"].startswith("EET with EU DST")
    assert finn["conflicts"] == []
    kinds = {s["kind"] for s in period["sources"]}
    assert {"tz_offset", "activity_rhythm", "holiday_activity"} <= kinds
    assert all(FINN.name not in f["message"] for f in _findings(check, "PV103"))
    assert all(f["subject"] != FINN.name for f in _findings(check, "PV110"))


def test_plus8_persona_with_dst_correct_eet_commits(audited: tuple[dict, dict, dict]) -> None:
    check, people, shas = audited
    jia = _person(people, JIA.name)
    (conflict,) = [c for c in jia["conflicts"] if c["kind"] == "timezone"]
    eet = sorted(line.split()[0] for line in shas[JIA.email] if line.endswith(("+0200", "+0300")))
    assert len(eet) == 10
    assert conflict["commits"] == eet
    assert "+0800 × " in conflict["description"] and "+0200 × " in conflict["description"]
    assert "+0300 × " in conflict["description"] and "EET with EU DST" in conflict["description"]
    (finding,) = [f for f in _findings(check, "PV110") if f["subject"] == JIA.name]
    assert finding["component"] == "Core" and finding["confidence"] == "medium"
    assert finding["severity"] == "high"  # medium default, raised for a critical component
    assert {e["ref"] for e in finding["evidence"] if e["kind"] == "commit"} == set(eet)
    # The minority commits do not widen the period's candidates: +0800 zones only.
    (period,) = jia["locations"]
    assert "CN" in period["candidates"] and "FI" not in period["candidates"]


def test_night_rhythm_is_a_conflict(audited: tuple[dict, dict, dict]) -> None:
    check, people, _ = audited
    nadia = _person(people, NADIA.name)
    (conflict,) = nadia["conflicts"]
    assert conflict["kind"] == "timezone" and conflict["description"].startswith("activity rhythm:")
    assert "100% at 20:00-06:59" in conflict["description"]
    kinds = {s["kind"] for loc in nadia["locations"] for s in loc["sources"]}
    assert "activity_rhythm" in kinds
    (finding,) = [f for f in _findings(check, "PV110") if f["subject"] == NADIA.name]
    assert finding["confidence"] == "low"


def test_ru_domain_against_pacific_offsets_stays_unresolved(
    audited: tuple[dict, dict, dict],
) -> None:
    _, people, _ = audited
    rus = _person(people, RUS.name)
    (period,) = rus["locations"]
    assert period["country"] is None
    assert set(period["candidates"]) == {"US", "CA", "MX"}
    (conflict,) = rus["conflicts"]
    assert conflict["kind"] == "sources" and "ru (cctld) says RU" in conflict["description"]
    assert "RU" in conflict["countries"]


def test_us_only_candidates_are_trusted_not_unknown(audited: tuple[dict, dict, dict]) -> None:
    check, people, _ = audited
    uma = _person(people, UMA.name)
    assert {c for loc in uma["locations"] for c in loc["candidates"]} == {"US", "CA", "MX"}
    assert uma["locations"][-1]["zone_pattern"] == "US Pacific with US DST"
    assert _findings(check, "PV104") == []
