"""Public-holiday activity of one zone period: weak evidence for or against candidates.

People mostly stop working on their own country's public holidays. For each
candidate country of a period (the `holidays` package's calendar), the
person's activity on that country's weekday holidays is compared with their
activity on ordinary weekdays: a pause (at most half the expected active
days) speaks for the country, activity as usual (at least the expected
number) against it. Days are the commits' local dates in the period's last `LAST_YEARS`
calendar years. Below `MIN_ACTIVE_DAYS` active weekdays, for candidate sets
wider than `MAX_COUNTRIES`, or for a country with fewer than `MIN_EXPECTED`
expected active holidays, nothing is said.

This is weak evidence (holidays are taken off unevenly, open-source work often
happens on days off) and it never adds or removes a candidate: the row is
recorded with the commits' dates behind it, for a reviewer.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from auditor.resolve.locations.zone_periods import ZonePeriod

MIN_ACTIVE_DAYS = 40
LAST_YEARS = 3  # the period's last years only: enough holidays, a bounded cost
MAX_COUNTRIES = 20  # a wider candidate set is not narrowed by holidays: not computed
MIN_EXPECTED = 2.0
PAUSE_RATIO = 0.5
ACTIVE_RATIO = 1.0
SHOWN = 6


@lru_cache(maxsize=8192)
def _weekday_holidays(country: str, year: int) -> frozenset[date]:
    try:
        with warnings.catch_warnings():  # "available only from 2001 to 2035": then none
            warnings.simplefilter("ignore")
            calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # no calendar for the country
        return frozenset()
    return frozenset(d for d in calendar if d.weekday() < 5)


@dataclass(frozen=True, slots=True)
class CountryHolidays:
    country: str
    holidays: int  # weekday public holidays in the active span
    active: int  # of which the person committed on
    expected: float  # at the person's ordinary weekday rate


@dataclass(frozen=True, slots=True)
class HolidayActivity:
    weekday_rate: float
    paused: tuple[CountryHolidays, ...]
    active: tuple[CountryHolidays, ...]

    def describe(self) -> str:
        def show(rows: tuple[CountryHolidays, ...]) -> str:
            shown = ", ".join(
                f"{r.country} {r.active} of {r.holidays} (expected {r.expected:.1f})"
                for r in rows[:SHOWN]
            )
            return shown + (f", and {len(rows) - SHOWN} more" if len(rows) > SHOWN else "")

        parts = [f"active on {self.weekday_rate:.0%} of weekdays"]
        if self.paused:
            parts.append(f"paused on public holidays of {show(self.paused)}")
        if self.active:
            parts.append(f"worked as usual on those of {show(self.active)}")
        return "; ".join(parts)


def holiday_activity(period: ZonePeriod, countries: Iterable[str]) -> HolidayActivity | None:
    """The period's holiday evidence for `countries`; None below the sample floors."""
    candidates = sorted(set(countries))
    if not candidates or len(candidates) > MAX_COUNTRIES:
        return None
    days = sorted({r.day for r in period.rows} | {r.day for r in period.outliers})
    days = [d for d in days if d.year > days[-1].year - LAST_YEARS] if days else days
    active = {d for d in days if d.weekday() < 5}
    if len(active) < MIN_ACTIVE_DAYS:
        return None
    first, last = days[0], days[-1]
    weekdays = sum(
        1 for n in range((last - first).days + 1) if (first + timedelta(days=n)).weekday() < 5
    )
    rate = len(active) / weekdays
    paused, usual = [], []
    for country in candidates:
        off = {
            d
            for year in range(first.year, last.year + 1)
            for d in _weekday_holidays(country, year)
            if first <= d <= last
        }
        expected = rate * len(off)
        if expected < MIN_EXPECTED:
            continue
        row = CountryHolidays(country, len(off), len(off & active), round(expected, 1))
        if row.active <= PAUSE_RATIO * expected:
            paused.append(row)
        elif row.active >= ACTIVE_RATIO * expected:
            usual.append(row)
    if not paused and not usual:
        return None
    by_strength = sorted(paused, key=lambda r: (r.active / r.expected, r.country))
    return HolidayActivity(
        round(rate, 3),
        tuple(by_strength),
        tuple(sorted(usual, key=lambda r: (-r.active / r.expected, r.country))),
    )
