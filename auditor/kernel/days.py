"""Days a user may name (`--as-of`, `--from`/`--to`, `--period`): one range for every command.

The policy window (up to 3,660 days) and the previous window before it must
still be calendar days, and Unix timestamps of both ends must exist: days from
1900-01-01 to 2999-12-31 leave room for both, `9999-12-31` would overflow.
"""

from __future__ import annotations

from datetime import date

from auditor.kernel.errors import UsageError

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def checked_day(day: date, option: str) -> date:
    """`day` if inside the supported range, else a `UsageError` naming `option`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(
            f"{option} {day.isoformat()} is outside the supported days "
            f"{FIRST_DAY.isoformat()} – {LAST_DAY.isoformat()}",
        )
    return day


def parse_day(value: str, option: str) -> date:
    """A `YYYY-MM-DD` option value inside the supported range."""
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} wants YYYY-MM-DD, got {value!r}") from exc
    return checked_day(day, option)
