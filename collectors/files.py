"""Export files as collectors see them: bytes read once, their digest, and error helpers.

Every tracker and roster collector reads one file. The bytes are read once (or
handed in by the caller, who already hashed them to skip unchanged files), so
the digest always describes exactly what was parsed.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from auditor.kernel.errors import CollectorError, InputFormatError
from collectors.interface import Collector, Record, SourceInfo

# Larger exports are split by the trackers themselves; anything bigger is a mistake.
MAX_FILE_BYTES = 512 * 1024 * 1024
# One cell or JSON string above this is not a work item field but an attack or a bug.
FIELD_LIMIT = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileBytes:
    display: str  # how messages name the file
    data: bytes
    sha256: str


def read_bytes(path: Path, display: str | None = None) -> FileBytes:
    """Read a whole export file; `CollectorError` naming the file when it cannot be read."""
    shown = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CollectorError(
                f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit", location=shown
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CollectorError("file not found", location=shown) from exc
    except OSError as exc:
        raise CollectorError(f"cannot read file: {exc.strerror}", location=shown) from exc
    return FileBytes(shown, data, hashlib.sha256(data).hexdigest())


_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
UTF16_ADVICE = (
    "convert it to UTF-8 (PowerShell: `Get-Content IN | Set-Content -Encoding utf8 OUT`; "
    "or `iconv -f UTF-16 -t UTF-8 IN > OUT`)"
)


def decode_utf16(file: FileBytes) -> str | None:
    """The text of a UTF-16 file with a byte-order mark, None for any other file.

    `gh ... > file.json` in Windows PowerShell 5.1 writes UTF-16 LE with a BOM;
    without a BOM the byte order is a guess, so callers refuse NUL-laden files.
    """
    for bom, codec in _UTF16_BOMS:
        if file.data.startswith(bom):
            try:
                return file.data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                line = file.data[: exc.start].count("\n".encode(codec)) + 1
                raise bad_input(
                    file.display,
                    line,
                    f"file starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                    f"(offset {exc.start + len(bom)}); {UTF16_ADVICE}",
                ) from exc
    return None


def looks_utf16(data: bytes) -> bool:
    """NUL bytes in every other position of the first bytes: UTF-16 text without a BOM."""
    head = data[:200]
    return len(head) >= 4 and (
        head[1::2].count(0) > len(head) // 4 or head[::2].count(0) > len(head) // 4
    )


def bad_input(
    display: str, where: int | str | None, message: str, field: str | None = None
) -> InputFormatError:
    """An `InputFormatError` at "file:line" or "file:$.json.path"."""
    location = display if where is None else f"{display}:{where}"
    return InputFormatError(message, location=location, field=field)


class FileCollector(Collector):
    """A collector over one export file. `source_info()` is complete after `collect()`."""

    identity_kind: ClassVar[str]  # `identities.kind` of the accounts it reports: "jira", "roster"

    def __init__(
        self,
        path: Path,
        *,
        name: str | None = None,
        display: str | None = None,
        data: bytes | None = None,
        date_format: str | None = None,
        columns: Mapping[str, str] | None = None,
    ):
        self.path = path
        self.columns = dict(columns or {})  # CSV kinds: default column name -> export header
        self.date_format = date_format  # strptime format for locale-dependent dates, if configured
        self.name = name or path.name
        self.display = display or str(path)
        self._data = data
        self._file: FileBytes | None = None
        self.records = 0
        self.extra: dict[str, str] = {}
        # What was read but not used (skipped rows, ignored columns): said once by `collect`.
        self.warnings: list[str] = []

    def warn(self, where: int | str | None, message: str) -> None:
        self.warnings.append(
            f"{self.display}:{where}: {message}" if where else f"{self.display}: {message}"
        )

    def file(self) -> FileBytes:
        if self._file is None:
            if self._data is not None:
                digest = hashlib.sha256(self._data).hexdigest()
                self._file = FileBytes(self.display, self._data, digest)
            else:
                self._file = read_bytes(self.path, self.display)
        return self._file

    def collect(self) -> Iterator[Record]:
        self.records = 0
        self.warnings = []
        for record in self._records(self.file()):
            self.records += 1
            yield record

    @abstractmethod
    def _records(self, file: FileBytes) -> Iterator[Record]:
        """Parse the file's bytes into records, raising `InputFormatError` on bad input."""

    def source_info(self) -> SourceInfo:
        return SourceInfo(
            name=self.name,
            kind=self.kind,
            location=str(self.path),
            sha256=self.file().sha256,
            records=self.records,
            extra=dict(self.extra),
        )
