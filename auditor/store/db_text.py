"""Text the database can hold: NUL bytes and lone surrogates made visible at the store boundary.

PostgreSQL rejects NUL characters in text and psycopg cannot encode lone
surrogates (left by `surrogateescape` decoding or JSON "\\udc80" escapes), so a
hostile commit message or export would abort a whole batch there. On PostgreSQL
every statement parameter is passed through `db_text`: NUL becomes the four
characters `\\x00`, a lone surrogate its `\\udcXX` escape; everything else is
untouched. SQLite holds NUL as it is (the collectors flag it, e.g.
"nul-in-message") but, like psycopg, cannot encode a lone surrogate: there only
surrogates are escaped. The two backends differ only on NUL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def db_text(value: str, *, nul: bool = True) -> str:
    """`value` with NUL (if `nul`) and lone surrogates escaped; the same object if unchanged."""
    if not nul or "\x00" not in value:
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
    if nul:
        value = value.replace("\x00", "\\x00")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _clean(values: Any, nul: bool) -> bool:
    """True when no text among `values` needs escaping (one check over all of them)."""
    joined = "".join([v for v in values if type(v) is str])
    return db_text(joined, nul=nul) is joined


def _fix_row(row: Any, nul: bool) -> Any:
    def fix(v: Any) -> Any:
        return db_text(v, nul=nul) if type(v) is str else v

    if isinstance(row, dict):
        return row if _clean(row.values(), nul) else {k: fix(v) for k, v in row.items()}
    if isinstance(row, (tuple, list)):
        return row if _clean(row, nul) else type(row)(fix(v) for v in row)
    return row


def safe_parameters(parameters: Any, executemany: bool, *, nul: bool = True) -> Any:
    if executemany and isinstance(parameters, (list, tuple)):
        fixed = [_fix_row(row, nul) for row in parameters]
        return type(parameters)(fixed) if isinstance(parameters, tuple) else fixed
    return _fix_row(parameters, nul)


def install(engine: Engine, *, nul: bool = True) -> None:
    """Escape every text parameter `engine` sends (including driver-level executemany)."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        return statement, safe_parameters(parameters, executemany, nul=nul)
