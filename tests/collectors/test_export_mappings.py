"""Localized and remapped CSVs, directory exports as rosters, on-premises identities (#17)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from auditor.ingest.trackers import import_rosters, import_trackers
from auditor.kernel.config import ConfigError
from auditor.kernel.errors import InputFormatError
from auditor.resolve.pipeline import resolve_all
from collectors.ado_csv import AdoCsvCollector
from collectors.jira_csv import JiraCsvCollector
from tests.fixtures.workspace import fixture, rows, workspace

SPANISH_JIRA = {
    "Issue key": "Clave de incidencia",
    "Summary": "Resumen",
    "Issue Type": "Tipo de incidencia",
    "Status": "Estado",
    "Created": "Creada",
    "Resolved": "Resuelta",
    "Assignee": "Responsable",
    "Assignee Id": "ID del responsable",
    "Reporter": "Informador",
    "Reporter Id": "ID del informador",
    "Components": "Componentes",
    "Labels": "Etiquetas",
}


def test_spanish_jira_export_is_read_through_tracker_columns(
    engine: Engine, tmp_path: Path
) -> None:
    loaded = workspace(
        tmp_path,
        trackers=[
            {"kind": "jira-csv", "fixture": "jira_csv/cloud_es.csv", "columns": SPANISH_JIRA}
        ],
    )
    [result] = import_trackers(loaded, engine)
    assert (result.records, result.warnings) == (2, ())
    collector = JiraCsvCollector(fixture("jira_csv/cloud_es.csv"), columns=SPANISH_JIRA)
    first, second = collector.collect()
    assert (first.key, first.kind, first.status) == ("SPO-1423", "Error", "Listo")
    assert first.created_at == datetime(2024, 4, 12, 9, 41, tzinfo=UTC)  # abr, a. m.
    assert first.resolved_at == datetime(2024, 8, 14, 22, 0, tzinfo=UTC)  # ago, p. m.
    assert second.created_at == datetime(2024, 1, 2, 12, 5, tzinfo=UTC)  # ene
    assert first.components == ("Collab OnPrem", "Auth")
    assert first.labels == ("security", "ntlm")
    assert first.assignee is not None and first.assignee.key == "712020:9f1c"


def test_spanish_headers_are_recognised_without_a_mapping() -> None:
    collector = JiraCsvCollector(fixture("jira_csv/cloud_es.csv"), display="es.csv")
    first, _second = collector.collect()
    assert (first.key, first.status, first.components) == (
        "SPO-1423",
        "Listo",
        ("Collab OnPrem", "Auth"),
    )
    assert first.created_at == datetime(2024, 4, 12, 9, 41, tzinfo=UTC)
    # the id columns are not in the built-in table: people are keyed by display name
    assert first.assignee is not None and first.assignee.key == "Wei Zhang"
    assert collector.warnings == ["es.csv:1: headers read as Jira's Spanish ones"]
    assert collector.source_info().extra["header_language"] == "Spanish"


def test_an_unknown_language_is_refused_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text("Clé,Résumé\nSPO-1,x\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="required column 'Issue key' is missing"):
        list(JiraCsvCollector(path).collect())


def test_a_mapped_header_missing_from_the_export_is_refused() -> None:
    collector = JiraCsvCollector(
        fixture("jira_csv/cloud_es.csv"), display="es.csv", columns={"Issue key": "Clave"}
    )
    with pytest.raises(InputFormatError) as caught:
        list(collector.collect())
    assert str(caught.value) == (
        "es.csv:1: field 'Clave': column 'Clave' (mapped from 'Issue key' in "
        "[tracker.columns]) is not in the header"
    )


def test_errors_name_the_exports_own_header(tmp_path: Path) -> None:
    path = tmp_path / "es.csv"
    path.write_text("Clave de incidencia,Resumen,Creada\nSPO-1,x,31/foo/24\n", encoding="utf-8")
    columns = {"Issue key": "Clave de incidencia", "Summary": "Resumen", "Created": "Creada"}
    with pytest.raises(InputFormatError) as caught:
        list(JiraCsvCollector(path, display="es.csv", columns=columns).collect())
    assert str(caught.value).startswith("es.csv:2: field 'Creada': unknown month 'foo'")


def test_tracker_columns_accept_only_columns_the_kind_reads(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="key 'Clave' is not a column jira-csv reads"):
        workspace(
            tmp_path,
            trackers=[
                {"kind": "jira-csv", "fixture": "jira_csv/cloud.csv", "columns": {"Clave": "x"}}
            ],
        )


def test_german_ado_export_is_read_through_tracker_columns() -> None:
    columns = {
        "Work Item Type": "Arbeitsaufgabentyp",
        "Title": "Titel",
        "Assigned To": "Zugewiesen an",
        "State": "Status",
        "Area Path": "Bereichspfad",
    }
    [item] = AdoCsvCollector(fixture("ado_csv/export_de.csv"), columns=columns).collect()
    assert (item.key, item.kind, item.status) == ("4411", "Fehler", "Geschlossen")
    assert item.assignee is not None and item.assignee.email == "alice@contoso.com"
    assert item.area_path == "Contoso\\Collab\\OnPrem"
    assert item.labels == ("security", "auth")


def test_missing_optional_columns_are_warned_about() -> None:
    collector = AdoCsvCollector(fixture("ado_csv/export_de.csv"), display="de.csv")
    with pytest.raises(InputFormatError):  # Work Item Type and Title are required
        list(collector.collect())
    collector = AdoCsvCollector(
        fixture("ado_csv/export_de.csv"),
        display="de.csv",
        columns={"Work Item Type": "Arbeitsaufgabentyp", "Title": "Titel"},
    )
    list(collector.collect())
    assert collector.warnings == [
        "de.csv:1: no 'State' column: that field stays empty "
        "(map the export's own header in [tracker.columns])",
        "de.csv:1: no 'Assigned To' column: that field stays empty "
        "(map the export's own header in [tracker.columns])",
    ]


ENTRA = {"email": "mail", "name": "displayName", "country": "usageLocation"}


def test_directory_export_skips_service_and_shared_accounts_by_line(
    engine: Engine, tmp_path: Path
) -> None:
    loaded = workspace(
        tmp_path,
        rosters=[
            {
                "fixture": "roster/entra_users.csv",
                "columns": {**ENTRA, "office": "officeLocation"},
            }
        ],
    )
    [result] = import_rosters(loaded, engine)
    shown = str(tmp_path / "exports" / "entra_users.csv")
    assert result.records == 2
    assert [w.replace(shown, "entra.csv") for w in result.warnings] == [
        "entra.csv:1: columns ignored: userPrincipalName, surname, givenName, id, userType, "
        "jobTitle, department, accountEnabled, city",
        "entra.csv:3: skipped: no e-mail",
        "entra.csv:4: skipped: no country",
        "entra.csv:6: skipped: unknown country 'ZZ' (ISO 3166 code or country name)",
    ]
    assert rows(engine, "SELECT line, email, country, office FROM roster_entry ORDER BY line") == [
        (2, "alice.chen@contoso.com", "IE", "Dublin 2"),
        (5, "wei.zhang@contoso.com", "CN", "Shanghai"),
    ]


def test_strict_roster_refuses_the_whole_file(engine: Engine, tmp_path: Path) -> None:
    loaded = workspace(
        tmp_path,
        rosters=[{"fixture": "roster/entra_users.csv", "strict": True, "columns": ENTRA}],
    )
    with pytest.raises(InputFormatError, match=r"entra_users.csv:3: field 'mail': no e-mail"):
        import_rosters(loaded, engine)
    assert rows(engine, "SELECT count(*) FROM roster_entry") == [(0,)]


def test_structural_damage_still_refuses_a_lenient_roster(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b'email,name,country\na@b.com,"Unterminated,IE\n')
    from collectors.roster_csv import RosterCsvCollector

    with pytest.raises(InputFormatError, match="unterminated quoted field"):
        list(RosterCsvCollector(path).collect())


def test_ado_server_accounts_are_identities_joined_through_the_roster(
    engine: Engine, tmp_path: Path
) -> None:
    items = list(AdoCsvCollector(fixture("ado_csv/server_onprem.csv")).collect())
    wei = items[0].assignee
    assert wei is not None
    assert (wei.key, wei.login, wei.email, wei.bot) == (
        "contoso\\wzhang",
        "CONTOSO\\wzhang",
        None,
        False,
    )
    build = items[1].assignee
    assert build is not None and build.bot is True
    loaded = workspace(
        tmp_path,
        trackers=[{"kind": "ado-csv", "fixture": "ado_csv/server_onprem.csv"}],
        rosters=[{"fixture": "roster/onprem_accounts.csv"}],
    )
    import_trackers(loaded, engine)
    import_rosters(loaded, engine)
    resolve_all(engine, loaded, date(2026, 12, 31))
    joined = rows(
        engine,
        "SELECT p.primary_email, i.key FROM person p "
        "JOIN person_identity pi ON pi.person_id = p.id "
        "JOIN identity i ON i.id = pi.identity_id WHERE i.kind = 'ado' ORDER BY i.key",
    )
    assert [(e, k) for e, k in joined if k.startswith("contoso")] == [
        ("dana.ortiz@contoso.com", "contoso\\dortiz"),
        ("wei.zhang@contoso.com", "contoso\\wzhang"),
    ]
    bots = rows(engine, "SELECT name FROM person WHERE bot")
    assert [n for (n,) in bots] == ["Project Collection Build Service (DefaultCollection)"]
