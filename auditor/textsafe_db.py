"""Text the database can hold: NUL bytes and lone surrogates made visible at the store boundary.

PostgreSQL rejects NUL characters in text and psycopg cannot encode lone
surrogates (left by `surrogateescape` decoding or JSON "\\udc80" escapes), so a
hostile commit message or export would abort a whole batch there. On PostgreSQL
every statement parameter is passed through `db_text`: NUL becomes the four
characters `\\x00`, a lone surrogate its `\\udcXX` escape; everything else is
untouched. SQLite holds such text as it is (the collectors flag it, e.g.
"nul-in-message"), so the two backends differ only on these characters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def db_text(value: str) -> str:
    """`value` with NUL and lone surrogates escaped; the same object when it needs nothing."""
    if "\x00" not in value:
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
    return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _needs(value: Any) -> bool:
    return type(value) is str and db_text(value) is not value


def _fix_row(row: Any) -> Any:
    if isinstance(row, dict):
        if any(_needs(v) for v in row.values()):
            return {k: db_text(v) if type(v) is str else v for k, v in row.items()}
        return row
    if isinstance(row, (tuple, list)):
        if any(_needs(v) for v in row):
            return type(row)(db_text(v) if type(v) is str else v for v in row)
        return row
    return row


def safe_parameters(parameters: Any, executemany: bool) -> Any:
    if executemany and isinstance(parameters, (list, tuple)):
        fixed = [_fix_row(row) for row in parameters]
        return type(parameters)(fixed) if isinstance(parameters, tuple) else fixed
    return _fix_row(parameters)


def install(engine: Engine) -> None:
    """Escape every text parameter `engine` sends (including driver-level executemany)."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        return statement, safe_parameters(parameters, executemany)
