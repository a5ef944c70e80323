"""Time zones → countries, computed from the tz database shipped by the `tzdata` package.

Two questions:

- which country is an IANA zone name in (`zone_country("Asia/Shanghai") == "CN"`),
  from `zone.tab` (one country per line) and the link lines of `tzdata.zi`
  (so that aliases such as `Asia/Calcutta` resolve too);
- which countries have a zone at a given UTC offset on a given date
  (`countries_for_offset(480, date(2026, 1, 15))`). DST-aware: each zone's
  offset is taken with `zoneinfo` at the day's noon and at both ends of the day.

Commit evidence is aggregated per month, so `countries_for_offset_in_month`
answers for a whole month (a zone counts when it has the offset on any day of
the month) and is cached per (offset, year, month): a few milliseconds per
month, then free.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

_MONTH_SAMPLE_DAYS = (1, 8, 15, 22, 29)  # plus the last day: catches every DST switch of a month


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")


@cache
def zone_table() -> dict[str, str]:
    """Zone name → ISO country, from zone.tab (one country per line)."""
    table: dict[str, str] = {}
    for line in _tzdata_text("zone.tab").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table[fields[2]] = fields[0]
    return table


@cache
def _links() -> dict[str, str]:
    """Alias → target zone, from the `L target alias` lines of tzdata.zi."""
    links: dict[str, str] = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3:
                links[parts[2]] = parts[1]
    return links


def zone_country(zone: str | None) -> str | None:
    """The country of an IANA zone name, following aliases; None for UTC/Etc or unknown zones."""
    if not zone:
        return None
    name = zone.strip()
    table = zone_table()
    links = _links()
    for _ in range(5):  # links may chain, a few hops at most
        if name in table:
            return table[name]
        if name not in links:
            return None
        name = links[name]
    return None


@cache
def _zones() -> tuple[tuple[ZoneInfo, str], ...]:
    return tuple((ZoneInfo(name), country) for name, country in zone_table().items())


def _offset_minutes(zone: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _instants(day: date) -> tuple[datetime, ...]:
    start = datetime.combine(day, time(0, 0), UTC)
    # The local day "day" at offset X spans UTC [day 00:00 - X, day 24:00 - X]; noon UTC
    # and both ends of the UTC day bracket it for every real offset (-12h..+14h).
    return (start, start + timedelta(hours=12), start + timedelta(hours=23, minutes=59))


@lru_cache(maxsize=4096)
def _day_table(day: date) -> dict[int, frozenset[str]]:
    by_offset: dict[int, set[str]] = defaultdict(set)
    instants = _instants(day)
    for zone, country in _zones():
        for instant in instants:
            by_offset[_offset_minutes(zone, instant)].add(country)
    return {offset: frozenset(countries) for offset, countries in by_offset.items()}


def countries_for_offset(offset_minutes: int, day: date) -> frozenset[str]:
    """Countries with a zone at `offset_minutes` (east of UTC) at some time on `day`."""
    return _day_table(day).get(offset_minutes, frozenset())


@lru_cache(maxsize=1024)
def _month_table(year: int, month: int) -> dict[int, frozenset[str]]:
    last = calendar.monthrange(year, month)[1]
    days = sorted({d for d in _MONTH_SAMPLE_DAYS if d <= last} | {last})
    instants = [datetime(year, month, d, 12, tzinfo=UTC) for d in days]
    first, middle, final = instants[0], instants[len(instants) // 2], instants[-1]
    # Offsets kept as timedeltas until the end: this runs for each of ~420 zones every
    # month of history (a long history has hundreds), so the loop stays minimal.
    by_offset: dict[timedelta | None, set[str]] = defaultdict(set)
    for zone, country in _zones():
        a = first.astimezone(zone).utcoffset()
        b = middle.astimezone(zone).utcoffset()
        c = final.astimezone(zone).utcoffset()
        if a == b == c:
            by_offset[a].add(country)
            continue
        # a switch this month: look at every sample day
        for offset in {a, b, c} | {i.astimezone(zone).utcoffset() for i in instants}:
            by_offset[offset].add(country)
    table: dict[int, set[str]] = defaultdict(set)
    for offset, countries in by_offset.items():
        table[int(offset.total_seconds() // 60) if offset is not None else 0] |= countries
    return {minutes: frozenset(countries) for minutes, countries in table.items()}


def countries_for_offset_in_month(offset_minutes: int, year: int, month: int) -> frozenset[str]:
    """Countries with a zone at `offset_minutes` on some day of the month (DST included)."""
    return _month_table(year, month).get(offset_minutes, frozenset())


def format_offset(offset_minutes: int) -> str:
    """Minutes east of UTC as git prints them: 330 → '+0530', -420 → '-0700'."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"
