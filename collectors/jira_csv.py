"""Jira CSV exports (Cloud "all fields" and older Server).

Multi-valued fields repeat their column (`Components,Components`, `Labels,...`);
Server says `Component/s`. People are display names, with account ids in Cloud's
`Assignee Id` / `Reporter Id` columns: the id is the identity key when present,
the display name otherwise (as in Jira JSON, where the account id is the key).
Required columns: `Issue key`, `Summary`. Exports in another language or
from another tool map their headers with `[tracker.columns]`; Spanish and
German headers are recognised without it (JIRA_HEADERS_BY_LANGUAGE).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from auditor.kernel.enums import Tracker, TrackerKind
from auditor.kernel.tracker_columns import JIRA_HEADERS_BY_LANGUAGE
from collectors.csv_util import CsvRow, CsvTable, read_csv, warn_missing
from collectors.dates import DateFormatError, parse_jira
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, TrackerUser, WorkItemRecord
from collectors.registry import register

COMPONENT_COLUMNS = ("Components", "Component/s")
ISSUE_KEY = "Issue key"


@register
class JiraCsvCollector(FileCollector):
    kind: ClassVar[str] = TrackerKind.JIRA_CSV
    identity_kind: ClassVar[str] = Tracker.JIRA

    def _records(self, file: FileBytes) -> Iterator[Record]:
        table = read_csv(file)
        table.rename(self.columns or self._language_columns(table))
        self.extra["encoding"] = table.encoding
        table.require(ISSUE_KEY, "Summary")
        warn_missing(self, table, ("Issue Type", "Status", "Created", "Assignee"))
        seen: dict[str, int] = {}
        for row in table.rows:
            key = table.value(row, ISSUE_KEY)
            if not key:
                raise table.error(row, ISSUE_KEY, "issue key is empty")
            if key in seen:
                raise table.error(
                    row, ISSUE_KEY, f"issue {key!r} appears twice (first on line {seen[key]})"
                )
            seen[key] = row.line
            assignee = _user(table, row, "Assignee", "Assignee Id")
            yield WorkItemRecord(
                key=key,
                kind=table.value(row, "Issue Type") or "Issue",
                title=table.value(row, "Summary") or "",
                status=table.value(row, "Status"),
                created_at=self._date(table, row, "Created"),
                resolved_at=self._date(table, row, "Resolved"),
                assignee=assignee,
                reporter=_user(table, row, "Reporter", "Reporter Id"),
                assignees=(assignee,) if assignee else (),
                components=tuple(table.values(row, *COMPONENT_COLUMNS)),
                labels=tuple(table.values(row, "Labels")),
                line=row.line,
            )

    def _language_columns(self, table: CsvTable) -> dict[str, str]:
        """The headers of a language Jira wrote this export in, when it is not English."""
        if table.has(ISSUE_KEY):
            return {}
        for language, headers in JIRA_HEADERS_BY_LANGUAGE.items():
            if table.has(headers["Issue key"]) and table.has(headers["Summary"]):
                self.extra["header_language"] = language
                self.warn(1, f"headers read as Jira's {language} ones")
                return {k: h for k, h in headers.items() if table.has(h)}
        return {}

    def _date(self, table: CsvTable, row: CsvRow, column: str) -> datetime | None:
        value = table.value(row, column)
        if value is None:
            return None
        try:
            return parse_jira(value, self.date_format)
        except DateFormatError as exc:
            raise table.error(row, column, str(exc)) from exc


def _user(table: CsvTable, row: CsvRow, name_column: str, id_column: str) -> TrackerUser | None:
    name = table.value(row, name_column)
    account = table.value(row, id_column)
    if not name and not account:
        return None
    return TrackerUser(key=account or name or "", display_name=name)
