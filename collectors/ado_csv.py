"""Azure DevOps query "Export to CSV".

Every value is quoted; `Assigned To` / `Created By` are `Display Name <email>`
(the e-mail is the identity key; a bare name is used when the e-mail is
missing), or on Azure DevOps Server `Display Name <DOMAIN\\user>` (the account,
lower-cased, is the key and the login). Build and collection service identities
and GUID@GUID service principals are bots. Tags are separated by `; `;
area paths keep their backslashes.
Required columns: `ID`, `Work Item Type`, `Title`.

Dates follow the exporting user's locale. With `date_format` configured, that
format is used. Otherwise ISO dates are read as such and numeric ones
(`12/1/2026 9:15:00 AM`) are month-first (the en-US default) unless a value in
the file can only be day-first; a file with both kinds is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar, cast

from auditor.kernel.enums import Tracker, TrackerKind
from collectors.csv_util import CsvRow, CsvTable, read_csv, warn_missing
from collectors.dates import (
    DateFormatError,
    DateOrderError,
    infer_numeric_order,
    numeric_parts,
    parse_iso,
    parse_numeric,
    parse_with_format,
)
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, TrackerUser, WorkItemRecord
from collectors.registry import register

CREATED = ("Created Date",)
RESOLVED = ("Closed Date", "Resolved Date")
_PERSON = re.compile(r"^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$")
# Azure DevOps Server (on-premises) writes the Windows account: `Display Name <DOMAIN\user>`
_ACCOUNT = re.compile(r"^(.*?)\s*<([^<>\\]+\\[^<>\\]+)>$")
# Service identities the organisation does not employ: build and project collection
# services, and accounts whose "e-mail" is a GUID at a GUID (the service principal form).
_SERVICE_NAMES = re.compile(
    r"^(?:project collection build service|project collection service accounts|"
    r"azure devops|azure pipelines|microsoft\.(?:teamfoundation|visualstudio)\.|"
    r"[^<]*\bbuild service\b)",
    re.IGNORECASE,
)
_GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SERVICE_EMAIL = re.compile(rf"^{_GUID}@{_GUID}$", re.IGNORECASE)


@register
class AdoCsvCollector(FileCollector):
    kind: ClassVar[str] = TrackerKind.ADO_CSV
    identity_kind: ClassVar[str] = Tracker.ADO

    def _records(self, file: FileBytes) -> Iterator[Record]:
        table = read_csv(file)
        table.rename(self.columns)
        self.extra["encoding"] = table.encoding
        table.require("ID", "Work Item Type", "Title")
        warn_missing(self, table, ("State", "Assigned To"))
        date_columns = [c for c in (*CREATED, *RESOLVED) if table.has(c)]
        day_first = False
        if not self.date_format:
            try:
                day_first = bool(
                    infer_numeric_order(
                        ((row, column), f"line {row.line}", value)
                        for row in table.rows
                        for column in date_columns
                        if (value := table.value(row, column))
                    )
                )
            except DateOrderError as exc:
                bad_row, bad_column = cast(tuple[CsvRow, str], exc.where)
                raise table.error(bad_row, bad_column, str(exc)) from exc
        seen: dict[str, int] = {}
        for row in table.rows:
            key = table.value(row, "ID") or ""
            if not key.isdigit():
                raise table.error(row, "ID", f"work item ID must be a number, got {key!r}")
            key = str(int(key))
            if key in seen:
                raise table.error(
                    row, "ID", f"work item {key} appears twice (first on line {seen[key]})"
                )
            seen[key] = row.line
            assignee = _person(table, row, "Assigned To")
            yield WorkItemRecord(
                key=key,
                kind=table.value(row, "Work Item Type") or "",
                title=table.value(row, "Title") or "",
                status=table.value(row, "State"),
                created_at=self._date(table, row, CREATED, day_first),
                resolved_at=self._date(table, row, RESOLVED, day_first),
                assignee=assignee,
                reporter=_person(table, row, "Created By"),
                assignees=(assignee,) if assignee else (),
                labels=tuple(_tags(table.value(row, "Tags"))),
                area_path=table.value(row, "Area Path"),
                line=row.line,
            )

    def _date(
        self, table: CsvTable, row: CsvRow, columns: tuple[str, ...], day_first: bool
    ) -> datetime | None:
        column = table.column_name(*columns)
        value = table.value(row, column) if column else None
        if column is None or value is None:
            return None
        try:
            if self.date_format:
                return parse_with_format(value, self.date_format)
            if numeric_parts(value):
                return parse_numeric(value, day_first=day_first)
            return parse_iso(value)
        except DateFormatError as exc:
            how = "" if self.date_format else f" (read as {'day' if day_first else 'month'}-first)"
            raise table.error(row, column, f"{exc}{how}") from exc


def _tags(value: str | None) -> Iterator[str]:
    seen: set[str] = set()
    for tag in (value or "").split(";"):
        tag = tag.strip()
        if tag and tag not in seen:
            seen.add(tag)
            yield tag


def _person(table: CsvTable, row: CsvRow, column: str) -> TrackerUser | None:
    value = table.value(row, column)
    if not value:
        return None
    bot = bool(_SERVICE_NAMES.match(value))
    match = _PERSON.match(value)
    if match:
        name, email = match.group(1).strip(), match.group(2)
        bot = bot or bool(_SERVICE_EMAIL.match(email))
        return TrackerUser(key=email.lower(), display_name=name or None, email=email, bot=bot)
    account = _ACCOUNT.match(value)
    if account:
        # no e-mail on premises: the account is the identity, joined through the roster's
        # account column; the domain is part of it (CONTOSO\wei and LAB\wei differ)
        name, login = account.group(1).strip(), account.group(2)
        return TrackerUser(key=login.lower(), display_name=name or None, login=login, bot=bot)
    if "@" in value and " " not in value:
        return TrackerUser(key=value.lower(), email=value, bot=bot)
    return TrackerUser(key=value, display_name=value, bot=bot)
