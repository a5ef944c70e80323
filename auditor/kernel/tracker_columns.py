"""The columns tracker CSV collectors read, by the names their default exports use.

`[tracker.columns]` maps these names to the headers of an export written in
another language or by another tool (`"Issue key" = "Clave de incidencia"`);
the configuration accepts only these keys, so a typo is an error, not a
column silently left unread.
"""

from __future__ import annotations

from collections.abc import Mapping

JIRA_COLUMNS = (
    "Issue key",
    "Summary",
    "Issue Type",
    "Status",
    "Created",
    "Resolved",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Components",
    "Labels",
)
ADO_COLUMNS = (
    "ID",
    "Work Item Type",
    "Title",
    "Assigned To",
    "Created By",
    "State",
    "Tags",
    "Area Path",
    "Created Date",
    "Closed Date",
    "Resolved Date",
)
COLUMNS_BY_KIND: Mapping[str, tuple[str, ...]] = {
    "jira-csv": JIRA_COLUMNS,
    "ado-csv": ADO_COLUMNS,
}

# Jira's own headers in the languages its exports are most often written in (Cloud, user
# language). Recognised only when the export has neither "Issue key" nor a configured
# mapping and both the key and summary headers of one language: then that language's
# headers are read. Other languages: `[tracker.columns]`.
JIRA_HEADERS_BY_LANGUAGE: Mapping[str, Mapping[str, str]] = {
    "Spanish": {
        "Issue key": "Clave de incidencia",
        "Summary": "Resumen",
        "Issue Type": "Tipo de incidencia",
        "Status": "Estado",
        "Created": "Creada",
        "Resolved": "Resuelta",
        "Assignee": "Responsable",
        "Reporter": "Informador",
        "Components": "Componentes",
        "Labels": "Etiquetas",
    },
    "German": {
        "Issue key": "Schlüssel",
        "Summary": "Zusammenfassung",
        "Issue Type": "Vorgangstyp",
        "Status": "Status",
        "Created": "Erstellt",
        "Resolved": "Erledigt",
        "Assignee": "Bearbeiter",
        "Reporter": "Autor",
        "Components": "Komponenten",
        "Labels": "Stichwörter",
    },
}
