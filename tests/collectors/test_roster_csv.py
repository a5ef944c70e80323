"""HR roster CSV: codes and country names, mapped columns, periods, replacement on re-import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_rosters
from auditor.kernel.countries import country_code
from auditor.kernel.errors import ConfigError, InputFormatError
from collectors.roster_csv import RosterCsvCollector
from tests.fixtures.workspace import count, fixture, rows, workspace


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("CN", "CN"),
        ("de", "DE"),
        ("China", "CN"),
        ("Russian Federation", "RU"),
        ("united kingdom", "GB"),
        ("Britain", "GB"),
        ("South Korea", "KR"),
        ("Korea (North)", "KP"),
        ("Côte d'Ivoire", "CI"),
        ("Bosnia & Herzegovina", "BA"),
        ("Korea", None),  # ambiguous
        ("Atlantis", None),
        ("XX", None),
    ],
)
def test_country_code(value: str, code: str | None) -> None:
    assert country_code(value) == code


def test_roster_is_stored(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, rosters=[{"fixture": "roster/roster.csv"}])
    [result] = import_rosters(loaded, engine)
    assert (result.kind, result.records, result.added) == ("roster", 5, 5)
    stored = rows(
        engine,
        "SELECT line, email, name, country, office, valid_from, valid_to "
        "FROM roster_entry ORDER BY line",
    )
    assert stored[:3] == [
        (2, "alice@contoso.com", "Alice Chen", "IE", "Dublin", "2024-01-01", None),
        (3, "bo.zhang@contoso.com", "Bo Zhang", "CN", "Shanghai", "2023-06-01", "2025-12-31"),
        (4, "bo.zhang@contoso.com", "Bo Zhang", "SG", "Singapore", "2026-01-01", None),
    ]
    assert stored[3][3] == "US" and stored[4][2:4] == ("Jürgen Müller", "DE")
    assert rows(engine, "SELECT kind, key FROM identity ORDER BY key") == [
        ("roster", "alice@contoso.com"),
        ("roster", "bo.zhang@contoso.com"),
        ("roster", "dana.ortiz@contoso.com"),
        ("roster", "j.mueller@contoso.com"),
    ]


def test_mapped_columns() -> None:
    from auditor.kernel.config import RosterColumns

    columns = RosterColumns(
        email="Work Email",
        name="Full Name",
        country="Country of Work",
        office="Site",
        valid_from="Start",
        valid_to="End",
    )
    records = list(RosterCsvCollector(fixture("roster/hr_export.csv"), columns=columns).collect())
    assert [(r.email, r.country, r.office, r.valid_to) for r in records] == [
        ("alice@contoso.com", "IE", "Dublin", None),
        ("ivan@contoso.com", "RU", "Moscow", date(2024, 2, 29)),
    ]


def test_mapped_columns_from_configuration(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        rosters=[
            {
                "fixture": "roster/hr_export.csv",
                "name": "hr",
                "columns": {
                    "email": "Work Email",
                    "name": "Full Name",
                    "country": "Country of Work",
                    "office": "Site",
                    "valid_from": "Start",
                    "valid_to": "End",
                },
            }
        ],
    )
    [result] = import_rosters(loaded, engine)
    assert (result.name, result.records) == ("hr", 2)
    assert rows(engine, "SELECT country FROM roster_entry ORDER BY line") == [("IE",), ("RU",)]


def test_unmapped_column_is_reported_with_its_configured_name(tmp_path: Path) -> None:
    from auditor.kernel.config import RosterColumns

    with pytest.raises(InputFormatError) as caught:
        list(
            RosterCsvCollector(
                fixture("roster/roster.csv"),
                display="roster.csv",
                columns=RosterColumns(email="Work Email"),
            ).collect()
        )
    assert str(caught.value) == (
        "roster.csv:1: field 'Work Email': required column 'Work Email' is missing"
    )


def test_reimport_replaces_the_previous_rows(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, rosters=[{"fixture": "roster/roster.csv"}])
    import_rosters(loaded, engine)
    [again] = import_rosters(loaded, engine)
    assert again.skipped and count(engine, "roster_entry") == 5
    path = tmp_path / "exports" / "roster.csv"
    path.write_text(
        "email,name,country,office,valid_from,valid_to\n"
        "alice@contoso.com,Alice Chen,IE,Dublin,2024-01-01,\n",
        encoding="utf-8",
    )
    [result] = import_rosters(loaded, engine)
    assert result.records == 1
    assert rows(engine, "SELECT email FROM roster_entry") == [("alice@contoso.com",)]
    assert count(engine, "source") == 1


def test_unknown_country_skips_the_row_or_with_strict_refuses_the_file() -> None:
    path = fixture("roster/malformed_country.csv")
    collector = RosterCsvCollector(path, display="r.csv")
    assert [r.email for r in collector.collect()] == ["alice@contoso.com"]
    assert collector.warnings == [
        "r.csv:3: skipped: unknown country 'Atlantis' (ISO 3166 code or country name)"
    ]
    with pytest.raises(InputFormatError) as caught:
        list(RosterCsvCollector(path, display="r.csv", strict=True).collect())
    assert str(caught.value) == (
        "r.csv:3: field 'country': unknown country 'Atlantis' (ISO 3166 code or country name)"
    )


def test_period_ending_before_it_starts(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, rosters=[{"fixture": "roster/malformed_dates.csv"}])
    with pytest.raises(InputFormatError) as caught:
        import_rosters(loaded, engine)
    assert str(caught.value) == (
        f"{tmp_path / 'exports' / 'malformed_dates.csv'}:2: field 'valid_to': "
        "valid_to 2023-01-01 is before valid_from 2024-01-01"
    )
    assert count(engine, "roster_entry") == 0 and count(engine, "source") == 0


def test_bad_email_and_date(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("email,name,country,valid_from\nnot-an-email,X,IE,\n")
    with pytest.raises(InputFormatError, match=r"r\.csv:2: field 'email': not an e-mail"):
        list(RosterCsvCollector(path, strict=True).collect())
    path.write_text("email,name,country,valid_from\na@b.com,X,IE,01/02/2024\n")
    with pytest.raises(InputFormatError, match=r"r\.csv:2: field 'valid_from': not a date"):
        list(RosterCsvCollector(path).collect())


def test_source_names_must_be_distinct(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        rosters=[{"fixture": "roster/roster.csv"}, {"fixture": "roster/roster.csv"}],
    )
    with pytest.raises(ConfigError) as caught:
        import_rosters(loaded, engine)
    assert caught.value.field == "roster[1].name"


def test_only_named_sources_are_imported(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        rosters=[{"fixture": "roster/roster.csv"}, {"fixture": "roster/malformed_country.csv"}],
    )
    [result] = import_rosters(loaded, engine, only={"roster.csv"})
    assert result.name == "roster.csv" and count(engine, "roster_entry") == 5
