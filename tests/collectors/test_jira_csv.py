"""Jira CSV: repeated columns, BOM + CRLF, multi-line fields, cp1252, strict errors, re-import."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_trackers
from auditor.kernel.errors import InputFormatError
from collectors.jira_csv import JiraCsvCollector
from tests.fixtures.workspace import count, fixture, rows, workspace


def _collect(relative: str) -> list:
    path = fixture(relative)
    return list(JiraCsvCollector(path, display=relative).collect())


def _error(relative: str) -> InputFormatError:
    with pytest.raises(InputFormatError) as caught:
        _collect(relative)
    return caught.value


def test_cloud_export_gathers_repeated_columns_and_multiline_fields() -> None:
    items = {item.key: item for item in _collect("jira_csv/cloud.csv")}
    assert list(items) == ["SPO-1423", "SPO-1424", "SPO-1430"]
    first = items["SPO-1423"]
    # DictReader would keep only the last Components/Labels column
    assert first.components == ("Collab OnPrem", "Auth")
    assert first.labels == ("security", "ntlm")
    assert first.kind == "Bug" and first.status == "Done"
    assert first.created_at == datetime(2024, 3, 12, 9, 41, tzinfo=UTC)
    assert first.resolved_at == datetime(2024, 3, 14, 22, 0, tzinfo=UTC)
    assert first.assignee is not None and first.assignee.key == "712020:9f1c"
    assert first.assignee.display_name == "Wei Zhang"
    assert first.reporter is not None and first.reporter.key == "557058:aa01"
    # the description spans lines 2-4 (CRLF inside quotes), so the next record starts on 5
    assert [item.line for item in items.values()] == [2, 5, 6]
    assert items["SPO-1430"].assignee is None
    assert items["SPO-1430"].components == ("Docs",)


def test_server_export_in_cp1252_with_component_slash_s(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/server_cp1252.csv"}]
    )
    [result] = import_trackers(loaded, engine)
    assert result.encoding == "cp1252"
    assert (result.records, result.added) == (2, 2)
    stored = rows(
        engine,
        "SELECT w.key, w.title, w.components, w.labels, i.key, i.kind "
        "FROM work_item w JOIN identity i ON i.id = w.assignee_id ORDER BY w.key",
    )
    assert stored[0][:2] == ("GW-17", "Gateway rejects café tenant – “path”")
    assert json.loads(stored[0][2]) == ["Gateway OnPrem", "Proxy"]
    assert json.loads(stored[1][3]) == ["crypto"]
    # Server exports have no account ids: the display name is the key
    assert stored[0][4:] == ("Jürgen Müller", "jira")


def test_import_stores_items_identities_and_source(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"}])
    [result] = import_trackers(loaded, engine)
    assert (result.name, result.kind, result.records, result.added) == (
        "cloud.csv",
        "jira-csv",
        3,
        3,
    )
    assert result.encoding == "utf-8"
    source = rows(engine, "SELECT name, kind, records, sha256 FROM source")
    assert source == [("cloud.csv", "jira-csv", 3, result.sha256)]
    identities = rows(engine, "SELECT kind, key, name FROM identity ORDER BY key")
    assert identities == [
        ("jira", "557058:aa01", "Dana Ortiz"),
        ("jira", "712020:77ab", "Li Na"),
        ("jira", "712020:9f1c", "Wei Zhang"),
    ]
    assignees = rows(
        engine,
        "SELECT w.key, i.key FROM work_item_assignee a JOIN work_item w ON w.id = a.work_item_id "
        "JOIN identity i ON i.id = a.identity_id ORDER BY w.key",
    )
    assert assignees == [("SPO-1423", "712020:9f1c"), ("SPO-1424", "712020:77ab")]


def test_reimport_of_same_file_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"}])
    import_trackers(loaded, engine)
    before = [count(engine, t) for t in ("source", "work_item", "identity", "work_item_assignee")]
    [again] = import_trackers(loaded, engine)
    assert again.skipped and again.records == 3 and again.added == 0
    after = [count(engine, t) for t in ("source", "work_item", "identity", "work_item_assignee")]
    assert after == before == [1, 3, 3, 2]


def test_updated_export_updates_changed_items_only(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"}])
    import_trackers(loaded, engine)
    ids_before = dict(rows(engine, "SELECT key, id FROM work_item"))
    export = tmp_path / "exports" / "cloud.csv"
    data = export.read_bytes()
    data = data.replace(
        b"In Progress,Medium,,Li Na,712020:77ab", b"Done,Medium,,Wei Zhang,712020:9f1c"
    )
    data += (
        b'"New issue",SPO-1431,10431,Bug,Open,,,,,Dana Ortiz,557058:aa01,1/May/24 9:00 AM'
        + b"," * 12
        + b"\r\n"
    )
    export.write_bytes(data)
    [result] = import_trackers(loaded, engine)
    assert (result.added, result.updated, result.unchanged, result.skipped) == (1, 1, 2, False)
    assert count(engine, "work_item") == 4
    ids_after = dict(rows(engine, "SELECT key, id FROM work_item"))
    assert {k: ids_after[k] for k in ids_before} == ids_before  # updated in place
    assert rows(engine, "SELECT status FROM work_item WHERE key = 'SPO-1424'") == [("Done",)]
    assignees = rows(
        engine,
        "SELECT i.key FROM work_item_assignee a JOIN work_item w ON w.id = a.work_item_id "
        "JOIN identity i ON i.id = a.identity_id WHERE w.key = 'SPO-1424'",
    )
    assert assignees == [("712020:9f1c",)]


def test_failed_reimport_leaves_the_previous_import_intact(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"}])
    [first] = import_trackers(loaded, engine)
    export = tmp_path / "exports" / "cloud.csv"
    export.write_bytes(
        export.read_bytes()
        .replace(b"Update docs", b"Changed")
        .replace(b"15/Apr/24 4:30 PM,15", b"15/Apr/24 4:30 XM,15")
    )
    with pytest.raises(InputFormatError, match="field 'Created'"):
        import_trackers(loaded, engine)
    assert rows(engine, "SELECT sha256, records FROM source") == [(first.sha256, 3)]
    assert rows(engine, "SELECT title FROM work_item WHERE key = 'SPO-1430'") == [("Update docs",)]


def test_malformed_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/malformed_bad_date.csv"}]
    )
    with pytest.raises(InputFormatError):
        import_trackers(loaded, engine)
    assert [count(engine, t) for t in ("source", "work_item", "identity")] == [0, 0, 0]


def test_unterminated_quote_names_line_and_column() -> None:
    assert str(_error("jira_csv/malformed_unterminated.csv")) == (
        "jira_csv/malformed_unterminated.csv:3: field 'Description': "
        "unterminated quoted field (the closing quote is missing)"
    )


def test_missing_required_column() -> None:
    error = _error("jira_csv/malformed_missing_key.csv")
    assert str(error) == (
        "jira_csv/malformed_missing_key.csv:1: field 'Issue key': "
        "required column 'Issue key' is missing"
    )
    assert error.field == "Issue key"


def test_bad_date_after_a_multiline_record_names_the_right_line() -> None:
    error = _error("jira_csv/malformed_bad_date.csv")
    assert str(error) == (
        "jira_csv/malformed_bad_date.csv:5: field 'Created': "
        "unknown month 'Foo' in '31/Foo/24 9:41 AM'"
    )
    assert (error.location, error.field) == ("jira_csv/malformed_bad_date.csv:5", "Created")


def test_bytes_neither_utf8_nor_cp1252() -> None:
    assert str(_error("jira_csv/malformed_encoding.csv")) == (
        "jira_csv/malformed_encoding.csv:3: field 'Summary': "
        "byte 0x81 is neither UTF-8 nor cp1252; export the file as UTF-8"
    )


def test_utf16_export_with_bom_is_read_and_without_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("Summary,Issue key\r\nx,SPO-1\r\n".encode("utf-16"))
    collector = JiraCsvCollector(path)
    assert [r.key for r in collector.collect()] == ["SPO-1"]
    assert collector.source_info().extra["encoding"] == "utf-16"
    path.write_bytes("Summary,Issue key\r\nx,SPO-1\r\n".encode("utf-16-le"))
    with pytest.raises(
        InputFormatError, match=r"utf16.csv:1: file is UTF-16 without a byte-order mark; convert"
    ):
        list(JiraCsvCollector(path).collect())


def test_field_over_the_size_limit_is_refused_and_the_csv_limit_restored(tmp_path: Path) -> None:
    limit_before = csv.field_size_limit()
    path = tmp_path / "huge.csv"
    path.write_text(
        'Summary,Issue key,Description\r\nok,SPO-1,fine\r\nbig,SPO-2,"'
        + "x" * (1024 * 1024 + 1)
        + '"\r\n',
        encoding="utf-8",
    )
    with pytest.raises(InputFormatError) as caught:
        list(JiraCsvCollector(path, display="huge.csv").collect())
    assert str(caught.value) == (
        "huge.csv:3: field 'Description': field is longer than the 1048576 character limit"
    )
    assert csv.field_size_limit() == limit_before


def test_configured_date_format(tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    path.write_text(
        "Summary,Issue key,Created\nx,SPO-1,12.03.2024 09:41\ny,SPO-2,2024-03-13 10:00\n"
    )
    items = list(JiraCsvCollector(path).collect())
    assert [i.created_at for i in items] == [
        datetime(2024, 3, 12, 9, 41, tzinfo=UTC),
        datetime(2024, 3, 13, 10, 0, tzinfo=UTC),
    ]
    odd = tmp_path / "odd.csv"
    odd.write_text("Summary,Issue key,Created\nx,SPO-1,2024|03|12\n")
    [item] = JiraCsvCollector(odd, date_format="%Y|%m|%d").collect()
    assert item.created_at == datetime(2024, 3, 12, tzinfo=UTC)
    with pytest.raises(InputFormatError, match=r"odd\.csv:2: field 'Created'"):
        list(JiraCsvCollector(odd).collect())


def test_duplicate_issue_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("Summary,Issue key\nx,SPO-1\ny,SPO-1\n")
    with pytest.raises(InputFormatError) as caught:
        list(JiraCsvCollector(path, display="dup.csv").collect())
    assert (
        str(caught.value)
        == "dup.csv:3: field 'Issue key': issue 'SPO-1' appears twice (first on line 2)"
    )


def test_missing_export_file_names_it(engine: Engine, tmp_path: Path) -> None:
    from auditor.kernel.errors import CollectorError

    loaded = workspace(tmp_path, trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv"}])
    (tmp_path / "exports" / "cloud.csv").unlink()
    with pytest.raises(CollectorError) as caught:
        import_trackers(loaded, engine)
    assert str(caught.value) == f"{tmp_path / 'exports' / 'cloud.csv'}: file not found"


def test_same_name_for_another_kind_is_refused(engine: Engine, tmp_path: Path) -> None:
    from auditor.kernel.errors import ConfigError

    first = workspace(
        tmp_path / "a",
        trackers=[{"kind": "jira-csv", "fixture": "jira_csv/cloud.csv", "name": "t"}],
    )
    import_trackers(first, engine)
    second = workspace(
        tmp_path / "b", trackers=[{"kind": "ado-csv", "fixture": "ado_csv/export.csv", "name": "t"}]
    )
    with pytest.raises(ConfigError, match="already used in the store by a jira-csv source"):
        import_trackers(second, engine)
