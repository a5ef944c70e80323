"""Azure DevOps CSV: quoted values, `Name <email>`, tags, area paths, locale-dependent dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.ado_csv import AdoCsvCollector
from tests.fixtures.workspace import count, fixture, rows, workspace


def _error(relative: str) -> InputFormatError:
    with pytest.raises(InputFormatError) as caught:
        list(AdoCsvCollector(fixture(relative), display=relative).collect())
    return caught.value


def test_export_is_stored(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, trackers=[{"kind": "ado-csv", "fixture": "ado_csv/export.csv"}])
    [result] = import_trackers(loaded, engine)
    assert (result.kind, result.records, result.added) == ("ado-csv", 3, 3)
    stored = rows(
        engine,
        "SELECT w.key, w.kind, w.title, w.status, w.labels, w.area_path, i.key, i.name, i.email "
        "FROM work_item w LEFT JOIN identity i ON i.id = w.assignee_id ORDER BY w.key",
    )
    key, kind, title, status, labels, area, ident, name, email = stored[0]
    assert (key, kind, title, status) == ("4411", "Bug", "Fix claims auth in farm", "Closed")
    assert json.loads(labels) == ["security", "auth"]
    assert area == "Contoso\\Collab\\OnPrem"
    assert (ident, name, email) == ("alice@contoso.com", "Alice Chen", "alice@contoso.com")
    assert stored[2][2] == 'Triage "legacy" alerts' and stored[2][6] is None
    kinds = rows(engine, "SELECT DISTINCT kind FROM identity")
    assert kinds == [("ado",)]
    reporter = rows(
        engine,
        "SELECT i.key FROM work_item w JOIN identity i ON i.id = w.reporter_id "
        "WHERE w.key = '4411'",
    )
    assert reporter == [("bo.zhang@contoso.com",)]


def test_us_dates_by_default() -> None:
    items = list(AdoCsvCollector(fixture("ado_csv/export.csv")).collect())
    assert items[0].created_at == datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    assert items[0].resolved_at == datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    assert items[1].resolved_at is None


def test_day_first_file_is_recognised_from_an_unambiguous_value() -> None:
    items = list(AdoCsvCollector(fixture("ado_csv/export_day_first.csv")).collect())
    assert items[0].created_at == datetime(2026, 1, 13, 15, 0, tzinfo=UTC)
    # 03/02/2026 alone could be either; the file is day-first, so 3 February
    assert items[1].created_at == datetime(2026, 2, 3, 8, 0, tzinfo=UTC)


def test_configured_date_format_wins(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        trackers=[
            {
                "kind": "ado-csv",
                "fixture": "ado_csv/export.csv",
                "date_format": "%d/%m/%Y %I:%M:%S %p",
            }
        ],
    )
    # 12/1/2026 becomes 12 January; 11/20/2026 cannot be day-first and is refused
    with pytest.raises(InputFormatError) as caught:
        import_trackers(loaded, engine)
    assert str(caught.value) == (
        f"{tmp_path / 'exports' / 'export.csv'}:3: field 'Created Date': '11/20/2026 10:00:00 AM' "
        "does not match the configured date_format '%d/%m/%Y %I:%M:%S %p'"
    )
    path = tmp_path / "one.csv"
    path.write_text(
        '"ID","Work Item Type","Title","Created Date"\n"1","Bug","x","12/1/2026 9:15:00 AM"\n'
    )
    [item] = AdoCsvCollector(path, date_format="%d/%m/%Y %I:%M:%S %p").collect()
    assert item.created_at == datetime(2026, 1, 12, 9, 15, tzinfo=UTC)


def test_iso_dates(tmp_path: Path) -> None:
    path = tmp_path / "iso.csv"
    path.write_text(
        '"ID","Work Item Type","Title","Created Date"\n"7","Bug","x","2026-03-04T05:06:07Z"\n'
    )
    [item] = AdoCsvCollector(path).collect()
    assert item.created_at == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_contradicting_dates_are_refused_at_the_second_one() -> None:
    error = _error("ado_csv/malformed_contradicting_dates.csv")
    assert str(error) == (
        "ado_csv/malformed_contradicting_dates.csv:3: field 'Created Date': "
        "'13/1/2026 9:00:00 AM' can only be day-first, but '1/13/2026 9:00:00 AM' (line 2) "
        "can only be month-first; set date_format in [[tracker]]"
    )


def test_missing_column() -> None:
    assert str(_error("ado_csv/malformed_missing_column.csv")) == (
        "ado_csv/malformed_missing_column.csv:1: field 'Work Item Type': "
        "required column 'Work Item Type' is missing"
    )


def test_non_numeric_id(engine: Engine, tmp_path: Path) -> None:
    assert str(_error("ado_csv/malformed_bad_id.csv")) == (
        "ado_csv/malformed_bad_id.csv:3: field 'ID': work item ID must be a number, got '44x2'"
    )
    loaded = workspace(
        tmp_path, trackers=[{"kind": "ado-csv", "fixture": "ado_csv/malformed_bad_id.csv"}]
    )
    with pytest.raises(InputFormatError):
        import_trackers(loaded, engine)
    assert count(engine, "work_item") == 0  # the good first row is not written either


def test_impossible_date(tmp_path: Path) -> None:
    path = tmp_path / "feb.csv"
    path.write_text(
        '"ID","Work Item Type","Title","Closed Date"\n"7","Bug","x","2/30/2026 9:00:00 AM"\n'
    )
    with pytest.raises(InputFormatError) as caught:
        list(AdoCsvCollector(path, display="feb.csv").collect())
    assert str(caught.value) == (
        "feb.csv:2: field 'Closed Date': day is out of range for month (read as month-first)"
    )


def test_error_text_stays_one_line_without_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text(
        '"ID","Work Item Type","Title","Created Date"\n"7","Bug","x","\x1b[2J\nnot a date\r"\n'
    )
    with pytest.raises(InputFormatError) as caught:
        list(AdoCsvCollector(path, display="evil.csv").collect())
    message = str(caught.value)
    assert message.startswith("evil.csv:2: field 'Created Date': not an ISO 8601 date: ")
    assert not any(ch in message for ch in "\x1b\n\r")


def test_stray_quote_names_the_broken_column_not_the_last(tmp_path: Path) -> None:
    path = tmp_path / "inner_quote.csv"
    path.write_text(
        '"ID","Work Item Type","Title","Assigned To","State","Tags"\r\n'
        '"4411","Bug","Title with "inner" quote","Ana <ana@x.com>","Closed","auth"\r\n',
        encoding="utf-8",
    )
    with pytest.raises(InputFormatError) as caught:
        list(AdoCsvCollector(path, display="inner_quote.csv").collect())
    assert str(caught.value) == (
        "inner_quote.csv:2: field 'Title': malformed CSV record: ',' expected after '\"'"
    )
