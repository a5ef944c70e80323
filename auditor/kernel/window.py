"""Days on the store's clock: a UTC day as Unix seconds, and windows of whole days.

Commits keep `authored_at` as Unix seconds (UTC); policies, periods and `--as-of` are
dates. A day is [00:00 UTC, next day 00:00 UTC); a window holds its first and last day.
Every conversion between the two goes through here, so "the first second after as_of"
cannot be computed two ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

EPOCH = date(1970, 1, 1)
SECONDS_PER_DAY = 86400


def day_start(day: date) -> int:
    """Unix seconds of `day`'s 00:00 UTC."""
    return (day - EPOCH).days * SECONDS_PER_DAY


def day_end(day: date) -> int:
    """Unix seconds of the first second after `day` (UTC): an exclusive bound."""
    return day_start(day + timedelta(days=1))


def day_number(seconds: int) -> int:
    """Days since 1970-01-01 of a Unix time (UTC); negative before it."""
    return int(seconds) // SECONDS_PER_DAY


def day_of_number(number: int) -> date:
    """The date `number` days after 1970-01-01."""
    return EPOCH + timedelta(days=int(number))


@dataclass(frozen=True, slots=True)
class Window:
    """The days `start`..`end`, both included."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, days: int) -> Window:
        """The `days` days up to and including `end`."""
        return cls(end - timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[int, int]:
        """Unix seconds [start 00:00 UTC, end + 1 day 00:00 UTC)."""
        return day_start(self.start), day_end(self.end)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end
