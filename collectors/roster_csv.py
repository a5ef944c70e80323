"""HR roster CSV: one row per person and period.

Columns (names mappable with `[roster.columns]`): e-mail, name and country are
required; office, valid_from and valid_to are optional. Country is an ISO
3166-1 alpha-2 code or a country name ("China", "United Kingdom"). Dates are
`YYYY-MM-DD`; an empty valid_from/valid_to is open-ended.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

from auditor.config import RosterColumns
from collectors.countries import country_code
from collectors.csv_util import CsvRow, CsvTable, read_csv
from collectors.dates import DateFormatError, parse_plain_date
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, RosterRecord

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class RosterCsvCollector(FileCollector):
    kind: ClassVar[str] = "roster"

    def __init__(
        self,
        path: Path,
        *,
        columns: RosterColumns | None = None,
        name: str | None = None,
        display: str | None = None,
        data: bytes | None = None,
    ):
        super().__init__(path, name=name, display=display, data=data)
        self.columns = columns or RosterColumns()

    def _records(self, file: FileBytes) -> Iterator[Record]:
        cols = self.columns
        table = read_csv(file)
        self.extra["encoding"] = table.encoding
        table.require(cols.email, cols.name, cols.country)
        for row in table.rows:
            email = table.value(row, cols.email) or ""
            if not _EMAIL.match(email):
                raise table.error(row, cols.email, f"not an e-mail address: {email!r}")
            name = table.value(row, cols.name)
            if not name:
                raise table.error(row, cols.name, "name is empty")
            raw_country = table.value(row, cols.country) or ""
            country = country_code(raw_country)
            if country is None:
                raise table.error(
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
            yield RosterRecord(
                email=email,
                name=name,
                country=country,
                office=table.value(row, cols.office),
                valid_from=valid_from,
                valid_to=valid_to,
                line=row.line,
            )


def _date(table: CsvTable, row: CsvRow, column: str) -> date | None:
    value = table.value(row, column)
    if value is None:
        return None
    try:
        return parse_plain_date(value)
    except DateFormatError as exc:
        raise table.error(row, column, str(exc)) from exc
