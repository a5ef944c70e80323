"""Which IANA zones fit a commit's offset at the commit's own hour, as bit masks.

A person's zone hypothesis is the set of zones consistent with *every* commit
of a period: the intersection, over commits, of the zones whose UTC offset at
that commit's time equals the commit's offset (tzdata transitions, DST
included). Sets are Python ints (bit i = zone i of `ZoneCatalog.zones`), so an
intersection over a million commits is a million `&`.

Work zones are the zones of `zone.tab` minus the countries in
`[locations] exclude_countries` (default `DEFAULT_EXCLUDED`: Antarctic research
stations and islands with no resident engineering population). A commit at
local hour `h` of local day `d` happened during UTC hour `h - offset`; a zone
fits when its offset at the start or at the end of that hour is the commit's,
so that a commit in the hour of a DST switch is judged leniently on both sides.

Costs: per month of history, each zone's offset is read at three instants; the
few zones that switch in the month get their transition instants found once
(bisection on the second), and a (offset, UTC hour) look-up is then a few
comparisons, cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from auditor.locations.tz_countries import zone_table

# Not places anyone maintains software from: Antarctica (research stations keep the
# time of their supply base), Bouvet, Heard and McDonald, French Southern Lands,
# South Georgia, the US Minor Outlying Islands, Pitcairn (about 50 residents) and the
# British Indian Ocean Territory (a military base).
DEFAULT_EXCLUDED = ("AQ", "BV", "HM", "TF", "GS", "UM", "PN", "IO")

_HOUR = 3600
_DAY = 86400


def _month_bounds(month_index: int) -> tuple[int, int]:
    """UTC seconds of the first instant of month `year * 12 + month - 1` and of the next."""
    year, month0 = divmod(month_index, 12)
    start = datetime(year, month0 + 1, 1, tzinfo=UTC)
    ny, nm0 = divmod(month_index + 1, 12)
    end = datetime(ny, nm0 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(end.timestamp())


def _offset_at(zone: ZoneInfo, seconds: int) -> int:
    delta = datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0


@dataclass(frozen=True, slots=True)
class _Switching:
    bit: int
    first: int  # offset (minutes) at the month's start
    changes: tuple[tuple[int, int], ...]  # (UTC second from which, new offset)

    def offset_at(self, seconds: int) -> int:
        offset = self.first
        for at, after in self.changes:
            if seconds >= at:
                offset = after
        return offset


@dataclass(frozen=True, slots=True)
class _MonthTable:
    steady: dict[int, int]  # offset -> mask of zones at that offset all month
    switching: tuple[_Switching, ...]


class ZoneCatalog:
    """The work zones and the masks of those fitting an offset at an hour."""

    def __init__(self, excluded_countries: Iterable[str] = DEFAULT_EXCLUDED) -> None:
        excluded = {c.upper() for c in excluded_countries}
        self.zones: tuple[str, ...] = tuple(
            sorted(z for z, c in zone_table().items() if c not in excluded)
        )
        table = zone_table()
        self.country_of: tuple[str, ...] = tuple(table[z] for z in self.zones)
        self._infos = tuple(ZoneInfo(z) for z in self.zones)
        self.all_mask = (1 << len(self.zones)) - 1
        self._months: dict[int, _MonthTable] = {}
        self._hours: dict[tuple[int, int], int] = {}

    def fitting(self, offset: int, utc_hour: int) -> int:
        """Mask of zones whose offset is `offset` at the start or end of UTC hour `utc_hour`
        (hours since the epoch)."""
        key = (offset, utc_hour)
        found = self._hours.get(key)
        if found is not None:
            return found
        seconds = utc_hour * _HOUR
        month = self._month(seconds)
        mask = month.steady.get(offset, 0)
        for zone in month.switching:
            if zone.offset_at(seconds) == offset or zone.offset_at(seconds + _HOUR - 1) == offset:
                mask |= 1 << zone.bit
        self._hours[key] = mask
        return mask

    def zones_in_band(self, band: tuple[int, int] | None, day: date) -> int:
        """Mask of zones whose offset at noon UTC of `day` lies in `band` (minutes, inclusive)."""
        if band is None:
            return 0
        seconds = int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())
        month = self._month(seconds)
        low, high = band
        mask = 0
        for offset, zones in month.steady.items():
            if low <= offset <= high:
                mask |= zones
        for zone in month.switching:
            if low <= zone.offset_at(seconds) <= high:
                mask |= 1 << zone.bit
        return mask

    def countries(self, mask: int) -> frozenset[str]:
        return frozenset(self.country_of[i] for i in _bits(mask))

    def names(self, mask: int) -> list[str]:
        return [self.zones[i] for i in _bits(mask)]

    def _month(self, seconds: int) -> _MonthTable:
        moment = datetime.fromtimestamp(seconds, UTC)
        index = moment.year * 12 + moment.month - 1
        table = self._months.get(index)
        if table is None:
            table = self._months[index] = self._build_month(index)
        return table

    def _build_month(self, index: int) -> _MonthTable:
        start, end = _month_bounds(index)
        middle = (start + end) // 2
        steady: dict[int, int] = {}
        switching: list[_Switching] = []
        for bit, zone in enumerate(self._infos):
            a, b, c = (_offset_at(zone, s) for s in (start, middle, end - 1))
            if a == b == c and not _switches_between(zone, start, end, a):
                steady[a] = steady.get(a, 0) | (1 << bit)
                continue
            switching.append(_Switching(bit, a, tuple(_changes(zone, start, end, a))))
        return _MonthTable(steady, tuple(switching))


def _switches_between(zone: ZoneInfo, start: int, end: int, offset: int) -> bool:
    """A switch there and back inside one month (rare: Morocco's Ramadan hour) is caught
    by weekly samples."""
    return any(_offset_at(zone, s) != offset for s in range(start + 7 * _DAY, end, 7 * _DAY))


def _changes(zone: ZoneInfo, start: int, end: int, first: int) -> list[tuple[int, int]]:
    """Each (UTC second, offset from then on) at which the zone's offset changes in the month."""
    out: list[tuple[int, int]] = []
    current = first
    day = start
    while day < end:
        nxt = min(day + _DAY, end)
        after = _offset_at(zone, nxt - 1)
        if after != current:
            low, high = day, nxt - 1  # offset at low == current, at high == after
            while high - low > 1:
                mid = (low + high) // 2
                if _offset_at(zone, mid) == current:
                    low = mid
                else:
                    high = mid
            out.append((high, after))
            current = after
        day = nxt
    return out


def _bits(mask: int) -> Iterable[int]:
    index = 0
    while mask:
        if mask & 1:
            yield index
        mask >>= 1
        index += 1


@cache
def default_catalog() -> ZoneCatalog:
    return ZoneCatalog()


def catalog_for(excluded_countries: Iterable[str]) -> ZoneCatalog:
    """One catalogue per exclusion list (building one reads ~400 zone files)."""
    key = tuple(sorted({c.upper() for c in excluded_countries}))
    if key == tuple(sorted(DEFAULT_EXCLUDED)):
        return default_catalog()
    return _catalog(key)


@cache
def _catalog(key: tuple[str, ...]) -> ZoneCatalog:
    return ZoneCatalog(key)
