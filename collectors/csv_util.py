"""Strict CSV reading for exports: encoding detection, line numbers, repeated columns.

- Bytes are decoded as UTF-16 when they start with its byte-order mark (what
  Windows PowerShell 5.1 redirection writes), else as UTF-8 (a BOM is
  dropped); when that fails, as cp1252, which older Windows exports use. The
  encoding used is reported. NUL bytes (UTF-16 without a BOM, binary files)
  and bytes no decoding accepts are errors.
- A record of more than `MAX_COLUMNS` fields is refused (a header of millions
  of empty columns would otherwise be millions of cells per row).
- Rows are read with `csv.reader`, never `DictReader`: Jira repeats a column
  name once per value (`Labels,Labels,Labels`) and a dict keeps only the last.
- Quotes are strict: an unterminated quoted field is an error, not a field that
  swallows the rest of the file. Cells over `FIELD_LIMIT` are errors; the
  module-wide `csv.field_size_limit` is restored afterwards.
- Every row knows the line its record starts on, so errors say "file:line".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from auditor.kernel.errors import InputFormatError
from collectors.files import (
    FIELD_LIMIT,
    UTF16_ADVICE,
    FileBytes,
    bad_input,
    decode_utf16,
    looks_utf16,
)

# Jira's "all fields" export has a few hundred columns; thousands are an attack or a bug,
# and each is a cell object per row in memory.
MAX_COLUMNS = 4096


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # "utf-8", "utf-16" (with a BOM) or "cp1252"


def decode_export(file: FileBytes) -> DecodedText:
    data = file.data
    utf16 = decode_utf16(file)
    if utf16 is not None:
        if "\x00" in utf16:
            line = utf16[: utf16.index("\x00")].count("\n") + 1
            raise bad_input(file.display, line, "file contains NUL characters")
        return DecodedText(utf16, "utf-16")
    nul = data.find(b"\x00")
    if nul >= 0:
        if looks_utf16(data):
            raise bad_input(
                file.display, 1, f"file is UTF-16 without a byte-order mark; {UTF16_ADVICE}"
            )
        line = data[:nul].count(b"\n") + 1
        raise bad_input(
            file.display,
            line,
            "file contains NUL bytes (binary?); export it as UTF-8 CSV",
        )
    try:
        return DecodedText(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return DecodedText(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise bad_input(
            file.display,
            line,
            f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor cp1252; export the file as UTF-8",
            _column_at(data.decode("cp1252", "replace"), line),
        ) from exc


def _column_at(text: str, line: int) -> str | None:
    """The header of the cell holding the first U+FFFD on record line `line`, if it can be told."""
    try:
        header, rows = _parse(text, "", lenient=True)
    except InputFormatError:
        return None
    for row in rows:
        for index, cell in enumerate(row.cells):
            if "\ufffd" in cell and index < len(header):
                return header[index]
    return None


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # where the record starts (1-based, header is line 1)
    cells: list[str]


class CsvTable:
    """A parsed CSV file: the header (names may repeat) and the rows, with lookups by name."""

    def __init__(self, display: str, header: list[str], rows: list[CsvRow], encoding: str):
        self.display = display
        self.header = header
        self.rows = rows
        self.encoding = encoding
        self.mapped: dict[str, str] = {}
        self._index: dict[str, list[int]] = {}
        for position, name in enumerate(header):
            self._index.setdefault(_norm(name), []).append(position)

    def rename(self, columns: Mapping[str, str]) -> None:
        """Read each default column name from the export header it is mapped to.

        The default name no longer reads a column of that name, so a mapped export
        never mixes in a same-named column of another meaning.
        """
        for default, header in columns.items():
            positions = self._index.get(_norm(header))
            if positions is None:
                raise bad_input(
                    self.display,
                    1,
                    f"column {header!r} (mapped from {default!r} in [tracker.columns]) "
                    "is not in the header",
                    header,
                )
        moved = {_norm(d): self._index[_norm(h)] for d, h in columns.items()}
        for default in columns:
            self._index.pop(_norm(default), None)
        self._index.update(moved)
        self.mapped = {_norm(d): h for d, h in columns.items()}

    def shown(self, name: str) -> str:
        """How messages name a column: the export's header when it was mapped."""
        return self.mapped.get(_norm(name), name)

    def has(self, *names: str) -> bool:
        return any(_norm(n) in self._index for n in names)

    def column_name(self, *names: str) -> str | None:
        """The first of `names` the header has, spelled as given."""
        return next((n for n in names if _norm(n) in self._index), None)

    def require(self, *names: str) -> None:
        """Every name must be present (each item may be a tuple of alternative spellings)."""
        for name in names:
            if not self.has(name):
                shown = self.shown(name)
                raise bad_input(self.display, 1, f"required column {shown!r} is missing", shown)

    def require_any(self, names: Sequence[str]) -> None:
        if not self.has(*names):
            raise bad_input(
                self.display,
                1,
                f"required column missing: one of {', '.join(map(repr, names))}",
                names[0],
            )

    def value(self, row: CsvRow, *names: str) -> str | None:
        """The first non-empty value of the first column present among `names`, stripped."""
        for name in names:
            for position in self._index.get(_norm(name), ()):
                if position < len(row.cells):
                    cell = row.cells[position].strip()
                    if cell:
                        return cell
            if _norm(name) in self._index:
                return None
        return None

    def values(self, row: CsvRow, *names: str) -> list[str]:
        """Every non-empty value of every column named one of `names` (repeated columns)."""
        found: list[str] = []
        for name in names:
            for position in self._index.get(_norm(name), ()):
                if position < len(row.cells):
                    cell = row.cells[position].strip()
                    if cell and cell not in found:
                        found.append(cell)
        return found

    def error(self, row: CsvRow, field: str, message: str) -> InputFormatError:
        return bad_input(self.display, row.line, message, self.shown(field))


class _Warns(Protocol):
    def warn(self, where: int | str | None, message: str) -> None: ...


def warn_missing(collector: _Warns, table: CsvTable, columns: Iterable[str]) -> None:
    """A warning for each optional column the export lacks: its field stays empty."""
    for column in columns:
        if not table.has(column):
            collector.warn(
                1,
                f"no {table.shown(column)!r} column: that field stays empty "
                "(map the export's own header in [tracker.columns])",
            )


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().split())


def read_csv(file: FileBytes) -> CsvTable:
    decoded = decode_export(file)
    header, rows = _parse(decoded.text, file.display, lenient=False)
    return CsvTable(file.display, header, rows, decoded.encoding)


def _parse(text: str, display: str, *, lenient: bool) -> tuple[list[str], list[CsvRow]]:
    previous_limit = csv.field_size_limit(FIELD_LIMIT if not lenient else 1 << 30)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=not lenient)
        header: list[str] | None = None
        rows: list[CsvRow] = []
        consumed = 0
        while True:
            start = consumed + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise _explain(text, display, start, header, exc) from exc
            consumed = reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise bad_input(
                    display,
                    start,
                    f"record has {len(cells):,} fields, over the {MAX_COLUMNS} limit",
                )
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (often a trailing one) carry nothing
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise bad_input(
                    display, start, f"row has {len(cells)} fields, the header has {len(header)}"
                )
            rows.append(CsvRow(start, cells[: len(header)] + [""] * (len(header) - len(cells))))
        if header is None:
            raise bad_input(display, 1, "file is empty: no header row")
        return header, rows
    finally:
        csv.field_size_limit(previous_limit)


def _explain(
    text: str, display: str, start: int, header: list[str] | None, exc: csv.Error
) -> InputFormatError:
    """A csv.Error as file:line + the column concerned, found by re-reading the record leniently."""
    rest = "".join(text.splitlines(keepends=True)[start - 1 :])
    previous_limit = csv.field_size_limit(1 << 30)
    try:
        cells = next(csv.reader(io.StringIO(rest, newline="")), [])
    except csv.Error:
        cells = []
    finally:
        csv.field_size_limit(previous_limit)
    long = [i for i, cell in enumerate(cells) if len(cell) > FIELD_LIMIT]
    broken = _broken_field(rest)
    index = long[0] if long else broken if broken is not None else max(len(cells) - 1, 0)
    names: Iterable[str] = header or ()
    field = list(names)[index] if header and index < len(header) else f"column {index + 1}"
    reason = str(exc)
    if long:
        message = f"field is longer than the {FIELD_LIMIT} character limit"
    elif "unexpected end of data" in reason:
        message = "unterminated quoted field (the closing quote is missing)"
    else:
        message = f"malformed CSV record: {reason}"
    return bad_input(display, start, message, field)


def _broken_field(record: str, delimiter: str = ",", quote: str = '"') -> int | None:
    """Index of the field where strict CSV parsing of `record` fails, or None.

    The csv module says *what* went wrong but not where; walking the quoting
    rules once finds the field: a closing quote followed by anything but a
    delimiter or line end, or a quoted field that never closes.
    """
    index, at_start, in_quotes, i = 0, True, False, 0
    while i < len(record):
        char = record[i]
        if in_quotes:
            if char == quote:
                if record[i + 1 : i + 2] == quote:  # an escaped quote
                    i += 2
                    continue
                in_quotes = False
                if record[i + 1 : i + 2] not in ("", delimiter, "\r", "\n"):
                    return index
        elif char == quote and at_start:
            in_quotes = True
        elif char == delimiter:
            index += 1
            at_start = True
            i += 1
            continue
        elif char in "\r\n":
            return None
        at_start = False
        i += 1
    return index if in_quotes else None
