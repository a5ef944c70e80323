"""`auditor people`: the JSON contract and the text table, on a real store."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import common as cliapp
from auditor.cli.entrypoint import app
from auditor.kernel.errors import UsageError
from auditor.resolve.pipeline import resolve_all
from auditor.store.engine import make_engine
from auditor.views.people_report import people_report
from tests.auditor.resolve_support import StoreBuilder, newest_resolution, write_config

CONFIG = """
[store]
url = "sqlite:///store/audit.db"

[[git]]
name = "server"
path = "repos/server"
"""


def _workspace(tmp_path: Path) -> Path:
    loaded = write_config(tmp_path, CONFIG)
    engine = make_engine(loaded.store_url)
    s = StoreBuilder(engine)
    repo = s.source("server")
    roster = s.source("roster", kind="roster", location=str(tmp_path / "roster.csv"))
    mia = s.git_identity("Mia \x1b[31mMover", "mia@corp.example")
    s.roster(roster, 2, "mia@corp.example", "Mia [bold]Mover", "DE", None, date(2025, 6, 30))
    s.roster(roster, 3, "mia@corp.example", "Mia [bold]Mover", "CN", date(2025, 7, 1), None)
    s.commit(repo, mia, "2025-03-03T10:00:00+01:00", {"a.c": (10, 2)})
    s.git_identity("mm", "MM@qq.com", mapped=("Mia Mover", "mia@corp.example"))  # .mailmap alias
    s.commit(repo, mia, "2025-08-04T10:00:00+08:00", {"a.c": (5, 0)})
    s.commit(repo, mia, "2026-02-04T10:00:00+08:00", {"a.c": (50, 0)})  # after --as-of
    uma = s.git_identity("Uma", "uma@example.com")
    s.commit(repo, uma, "2025-08-04T10:00:00+00:00", {"b.c": (1, 0)})
    engine.dispose()
    return tmp_path / "auditor.toml"


def test_people_json_follows_the_contract(tmp_path: Path) -> None:
    config = _workspace(tmp_path)
    result = CliRunner().invoke(
        app, ["people", "--config", str(config), "--as-of", "2025-12-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["as_of"] == "2025-12-31"
    mia, uma = report["people"]
    assert set(mia) == {
        "id",
        "name",
        "emails",
        "bot",
        "commits",
        "churn",
        "locations",
        "conflicts",
    }
    assert mia["id"] == "mia@corp.example"
    assert mia["name"] == "Mia [bold]Mover"  # the roster name, as data
    assert mia["emails"] == ["mia@corp.example", "mm@qq.com"]
    assert (mia["commits"], mia["churn"]) == (2, 17)  # the 2026 commit is after --as-of
    assert [(loc["country"], loc["from"], loc["to"]) for loc in mia["locations"]] == [
        ("DE", None, "2025-06-30"),
        ("CN", "2025-07-01", None),
    ]
    assert mia["locations"][0]["confidence"] == 1.0
    assert {"kind": "roster", "value": "DE"} in mia["locations"][0]["sources"]
    assert mia["conflicts"] == []
    assert set(mia["locations"][0]) == {
        "country",
        "candidates",
        "confidence",
        "from",
        "to",
        "zone_pattern",
        "sources",
    }
    assert uma["locations"][0]["country"] is None
    assert uma["locations"][0]["candidates"] == []
    assert uma["locations"][0]["sources"][0]["kind"] == "tz_offset"


def test_people_text_shows_untrusted_text_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _workspace(tmp_path)
    monkeypatch.setattr(cliapp.out, "width", 200)  # a wide terminal: no wrapping inside names
    result = CliRunner().invoke(
        app, ["people", "--config", str(config), "--as-of", "2025-12-31", "--details"]
    )
    assert result.exit_code == 0, result.output
    assert "Mia [bold]Mover" in result.output
    assert "\x1b[31m" not in result.output
    assert "DE 1.00" in result.output
    # all-time figures, labelled so (the TUI's People screen counts the window only)
    assert "commits (all time)" in result.output and "churn (all time)" in result.output
    assert "\\x0a" not in result.output  # one e-mail per line, not an escaped newline


def test_people_report_before_relocation(tmp_path: Path) -> None:
    config = _workspace(tmp_path)
    from auditor.kernel.config import load_config

    loaded = load_config(config)
    engine = make_engine(loaded.store_url)
    resolve_all(engine, loaded, date(2025, 5, 1))
    report = people_report(engine, date(2025, 5, 1), newest_resolution(engine))
    engine.dispose()
    (mia,) = [p for p in report["people"] if p["id"] == "mia@corp.example"]
    assert mia["commits"] == 1
    # The CN roster row takes effect after --as-of: not evidence yet.
    assert [loc["country"] for loc in mia["locations"]] == ["DE"]


def test_people_report_documents_every_source_kind() -> None:
    # profile_location extends DESIGN.md's list of kinds: the report's contract says so
    from auditor.resolve.locations.resolution import AUTHORITATIVE, SINGLE_COUNTRY
    from auditor.views import people_report

    doc = people_report.__doc__ or ""
    for kind in (*AUTHORITATIVE, *SINGLE_COUNTRY, "tz_offset"):
        assert f"`{kind}`" in doc, kind


def _people(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["people", "--config", str(config), "--as-of", "2025-12-31", *args]
    )
    return result.exit_code, result.output


def test_people_default_is_one_line_per_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _workspace(tmp_path)
    monkeypatch.setattr(cliapp.out, "width", 120)
    status, output = _people(config)
    assert status == 0, output
    assert "2 people as of 2025-12-31" in output
    rows = [line for line in output.splitlines() if "Mia [bold]Mover" in line or "Uma" in line]
    assert len(rows) == 2  # one line each, no evidence listing
    mia, uma = rows
    # name, commits, location as of --as-of (the CN period), tier, confidence
    assert re.search(r"^ ?Mia \[bold\]Mover +2 +CN +trusted +100% *$", mia), mia
    assert "unknown" in uma  # a +0000 offset says nothing
    assert "roster" not in output and "mm@qq.com" not in output  # the long form is --details


def test_people_filters(tmp_path: Path) -> None:
    config = _workspace(tmp_path)
    status, output = _people(config, "--format", "json", "--person", "MM@QQ")
    assert status == 0, output
    assert [p["id"] for p in json.loads(output)["people"]] == ["mia@corp.example"]
    status, output = _people(config, "--format", "json", "--person", "nobody")
    assert json.loads(output)["people"] == []
    # any period counts for --country: Mia was in DE before her move
    status, output = _people(config, "--format", "json", "--country", "de")
    assert [p["id"] for p in json.loads(output)["people"]] == ["mia@corp.example"]
    # --tier is the location as of --as-of: Uma's offsets resolve nothing
    status, output = _people(config, "--format", "json", "--tier", "unknown")
    assert [p["id"] for p in json.loads(output)["people"]] == ["uma@example.com"]
    status, output = _people(config, "--person", "uma", "--details")
    assert status == 0 and "1 person as of" in output and "Mia" not in output


@pytest.mark.parametrize(
    ("args", "said"),
    [(["--tier", "scary"], "--tier wants one of"), (["--country", "China"], "two-letter")],
)
def test_people_bad_filter_is_a_usage_error(tmp_path: Path, args: list[str], said: str) -> None:
    config = _workspace(tmp_path)
    result = CliRunner().invoke(app, ["people", "--config", str(config), *args])
    # the CLI's main() turns a UsageError into one line and exit status 2
    assert isinstance(result.exception, UsageError) and said in str(result.exception)


def test_people_lines_keep_the_verdict_of_a_long_candidate_set_on_80_columns() -> None:
    """A long summary loses its zone pattern first, never its "incl. RU" (flask, 80 columns)."""
    from rich.console import Console

    from auditor.cli.commands.people import people_lines

    european = ["AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FR", "HU", "IT", "NL", "NO", "PL"]
    location = {
        "country": None, "candidates": [*european, "RU"], "confidence": 0.3, "from": None,
        "to": None, "sources": [], "pattern": "CET with EU DST",
    }  # fmt: skip
    report = {
        "as_of": "2025-12-31",
        "people": [
            {"name": "Armin Ronacher-Longname", "bot": False, "commits": 4000,
             "locations": [location], "conflicts": []},
        ],
    }  # fmt: skip
    console = Console(width=80, record=True)
    console.print(people_lines(report, lambda c: "high" if c == "RU" else "trusted", 80))
    line = next(row for row in console.export_text().splitlines() if "4000" in row)
    assert "incl. RU" in line, line
    assert "Armin Ronac…" in line  # the name keeps a dozen characters
