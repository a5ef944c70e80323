"""The reporting period of an export: a quarter (`2026-Q3`) or explicit dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from auditor.kernel.days import FIRST_DAY, LAST_DAY, parse_day
from auditor.kernel.errors import UsageError

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def quarter(value: str) -> Period:
    match = _QUARTER.match(value.strip())
    if not match:
        raise UsageError(f"--period wants a quarter such as 2026-Q3, got {value!r}")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise UsageError(
            f"--period {value.strip()}: years {FIRST_DAY.year}–{LAST_DAY.year} are supported",
        )
    start = date(year, 3 * number - 2, 1)
    next_start = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, next_start - timedelta(days=1), f"{year}-Q{number}")


def period_from_options(period: str | None, start: str | None, end: str | None) -> Period:
    """`--period 2026-Q3`, or `--from` and `--to` (inclusive days); exactly one of the two."""
    if period and (start or end):
        raise UsageError("give either --period or --from/--to, not both")
    if period:
        return quarter(period)
    if not (start and end):
        raise UsageError("give --period YYYY-QN, or both --from and --to (YYYY-MM-DD)")
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    return Period(first, last, f"{first}..{last}")
