"""HR roster CSV: one row per person and period.

Columns (names mappable with `[roster.columns]`): e-mail, name and country are
required; office, valid_from, valid_to and account (`DOMAIN\\user`, joining
Azure DevOps Server identities) are optional.

Directory exports (Entra ID, Google Workspace, Okta) hold service and shared
accounts: a row that cannot be joined (no e-mail) or placed (no or unknown
country) is skipped with a warning naming its line, and the rest loads;
`strict = true` on the source refuses the file instead. Bad dates and
structural damage (quotes, encoding) always refuse the file. Country is an ISO
3166-1 alpha-2 code or a country name ("China", "United Kingdom"). Dates are
`YYYY-MM-DD`; an empty valid_from/valid_to is open-ended.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

from auditor.kernel.config import RosterColumns
from auditor.kernel.countries import country_code
from collectors.csv_util import CsvRow, CsvTable, read_csv
from collectors.dates import DateFormatError, parse_plain_date
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, RosterRecord

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class RosterCsvCollector(FileCollector):
    kind: ClassVar[str] = "roster"
    identity_kind: ClassVar[str] = "roster"

    def __init__(
        self,
        path: Path,
        *,
        columns: RosterColumns | None = None,
        strict: bool = False,
        name: str | None = None,
        display: str | None = None,
        data: bytes | None = None,
    ):
        super().__init__(path, name=name, display=display, data=data)
        self.roster_columns = columns or RosterColumns()
        self.strict = strict

    def _records(self, file: FileBytes) -> Iterator[Record]:
        cols = self.roster_columns
        table = read_csv(file)
        self.extra["encoding"] = table.encoding
        table.require(cols.email, cols.name, cols.country)
        read = {c.strip().lower() for c in cols.model_dump().values()}
        ignored = list(dict.fromkeys(h for h in table.header if h and h.lower() not in read))
        if ignored:
            self.warn(1, f"columns ignored: {', '.join(ignored[:10])}")
        for row in table.rows:
            record = self._row(table, row)
            if record is not None:
                yield record

    def _skip(self, table: CsvTable, row: CsvRow, column: str, reason: str) -> RosterRecord | None:
        """A row that cannot be joined or placed: a warning, or with `strict` the file refused."""
        if self.strict:
            raise table.error(row, column, reason)
        self.warn(row.line, f"skipped: {reason}")
        return None

    def _row(self, table: CsvTable, row: CsvRow) -> RosterRecord | None:
        cols = self.roster_columns
        email = table.value(row, cols.email) or ""
        if not email:
            return self._skip(table, row, cols.email, "no e-mail")
        if not _EMAIL.match(email):
            return self._skip(table, row, cols.email, f"not an e-mail address: {email!r}")
        name = table.value(row, cols.name)
        if not name:
            return self._skip(table, row, cols.name, "name is empty")
        raw_country = table.value(row, cols.country) or ""
        if not raw_country:
            return self._skip(table, row, cols.country, "no country")
        country = country_code(raw_country)
        if country is None:
            return self._skip(
                table,
                row,
                cols.country,
                f"unknown country {raw_country!r} (ISO 3166 code or country name)",
            )
        valid_from = _date(table, row, cols.valid_from)
        valid_to = _date(table, row, cols.valid_to)
        if valid_from and valid_to and valid_to < valid_from:
            raise table.error(
                row, cols.valid_to, f"valid_to {valid_to} is before valid_from {valid_from}"
            )
        return RosterRecord(
            email=email,
            name=name,
            country=country,
            office=table.value(row, cols.office),
            valid_from=valid_from,
            valid_to=valid_to,
            line=row.line,
            account=table.value(row, cols.account),
        )


def _date(table: CsvTable, row: CsvRow, column: str) -> date | None:
    value = table.value(row, column)
    if value is None:
        return None
    try:
        return parse_plain_date(value)
    except DateFormatError as exc:
        raise table.error(row, column, str(exc)) from exc
