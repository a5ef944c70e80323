"""A short human label for a set of zones: "EET with EU DST", "UTC+8", "US Eastern with US DST".

The label describes the clock the zones keep in one year (the last year of the
period they describe): standard offset, whether they switch to daylight time,
and on which rule (the EU's last Sundays of March and October at 01:00 UTC,
the US's second Sunday of March and first of November at 02:00 local). Zones
keeping the same offsets on other switch days get the most common label with
"or similar" ("EET with EU DST or similar": Moldova switches at 02:00 local);
zones keeping different clocks get a label saying what they share ("UTC+2, with
or without DST") rather than a false precision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

_US_NAMES = {
    "EST": "US Eastern",
    "CST": "US Central",
    "MST": "US Mountain",
    "PST": "US Pacific",
    "AKST": "Alaska",
    "HST": "Hawaii",
}
_EU_NAMES = {"CET", "EET", "WET", "GMT"}


def utc_label(minutes: int) -> str:
    """480 → 'UTC+8', 330 → 'UTC+5:30', -180 → 'UTC-3', 0 → 'UTC'."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _last_sunday(year: int, month: int) -> date:
    last = (date(year, month % 12 + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(
        days=1
    )
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _minutes(zone: ZoneInfo, moment: datetime) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


def _switches_at(zone: ZoneInfo, moment: datetime, before: int, after: int) -> bool:
    return (
        _minutes(zone, moment - timedelta(seconds=1)) == before and _minutes(zone, moment) == after
    )


@cache
def _signature(zone_name: str, year: int) -> tuple[int, int | None, str]:
    """(standard offset, daylight offset or None, rule: EU | US | local | '')."""
    zone = ZoneInfo(zone_name)
    samples = [datetime(year, m, d, 12, tzinfo=UTC) for m in range(1, 13) for d in (1, 15)]
    values = {_minutes(zone, s) for s in samples}
    if len(values) == 1:
        return (values.pop(), None, "")
    january = datetime(year, 1, 15, 12, tzinfo=UTC).astimezone(zone)
    july = datetime(year, 7, 15, 12, tzinfo=UTC).astimezone(zone)
    # Southern hemisphere: daylight time in January. Ireland's "negative DST" (GMT
    # in winter is its daylight time in tzdata) keeps January as standard.
    std_moment = july if (january.dst() or timedelta()) > timedelta() else january
    std = _minutes(zone, std_moment)
    dst = max(values - {std}, key=lambda v: abs(v - std), default=std)
    rule = "local"
    spring, autumn = _last_sunday(year, 3), _last_sunday(year, 10)
    eu_spring = datetime(spring.year, spring.month, spring.day, 1, tzinfo=UTC)
    eu_autumn = datetime(autumn.year, autumn.month, autumn.day, 1, tzinfo=UTC)
    us_spring_day, us_autumn_day = _nth_sunday(year, 3, 2), _nth_sunday(year, 11, 1)
    us_spring = datetime(*us_spring_day.timetuple()[:3], 2, tzinfo=UTC) - timedelta(minutes=std)
    us_autumn = datetime(*us_autumn_day.timetuple()[:3], 2, tzinfo=UTC) - timedelta(minutes=dst)
    if _switches_at(zone, eu_spring, std, dst) and _switches_at(zone, eu_autumn, dst, std):
        rule = "EU"
    elif _switches_at(zone, us_spring, std, dst) and _switches_at(zone, us_autumn, dst, std):
        rule = "US"
    return (std, dst, rule)


@cache
def _abbreviation(zone_name: str, year: int, std: int) -> str:
    zone = ZoneInfo(zone_name)
    for month in (1, 7):
        moment = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
        if _minutes(zone, moment) == std:
            return moment.tzname() or ""
    return ""


def _label(zone_name: str, year: int) -> str:
    std, dst, rule = _signature(zone_name, year)
    if dst is None:
        return utc_label(std)
    abbreviation = _abbreviation(zone_name, year, std)
    if rule == "US":
        return f"{_US_NAMES.get(abbreviation, utc_label(std))} with US DST"
    if rule == "EU":
        name = abbreviation if abbreviation in _EU_NAMES else utc_label(std)
        return f"{name} with EU DST"
    return f"{utc_label(std)} with local DST"


def zone_pattern(zone_names: Iterable[str], year: int) -> str:
    """The label of the clock these zones keep in `year`; '' for no zones."""
    names = list(zone_names)
    if not names:
        return ""
    counted = Counter(_label(z, year) for z in names)
    labels = sorted(counted)
    if len(labels) == 1:
        return labels[0]
    clocks = {_signature(z, year)[:2] for z in names}
    if len(clocks) == 1:  # same offsets, switched on other days or hours (MD, LB, CY)
        top = min(counted, key=lambda label: (-counted[label], label))
        return f"{top} or similar"
    standards = {_signature(z, year)[0] for z in names}
    if len(standards) == 1:
        return f"{utc_label(next(iter(standards)))}, with or without DST"
    # Zones that agree only on the dates seen (summer -0400: US Eastern and fixed
    # Atlantic zones): the most common clock, and how many others fit.
    top = min(counted, key=lambda label: (-counted[label], label))
    others = len(labels) - 1
    return f"{top} or {others} other clock{'s' if others > 1 else ''}"
