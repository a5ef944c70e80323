"""Which IANA zones fit a commit's offset at the commit's own hour, as bit masks.

A person's zone hypothesis is the set of zones consistent with *every* commit
of a period: the intersection, over commits, of the zones whose UTC offset at
that commit's time equals the commit's offset (tzdata transitions, DST
included). Sets are Python ints (bit i = zone i of `ZoneCatalog.zones`), so an
intersection over a million commits is a million `&`.

Work zones are the zones of `zone.tab`, each with every country `zone.tab` or
`zone1970.tab` gives it (Europe/Simferopol: RU and UA), less the countries in
`[locations] exclude_countries` (default `DEFAULT_EXCLUDED`: Antarctic research
stations and islands with no resident engineering population); a zone left
with no country is not a work zone. A commit at
local hour `h` of local day `d` happened during UTC hour `h - offset`; a zone
fits when its offset at the start or at the end of that hour is the commit's,
so that a commit in the hour of a DST switch is judged leniently on both sides.

Costs: per month of history, each zone's offset is read at a few instants; the
zones that switch in the month get their transition instants found once
(bisection on the second), and the month is cut into stretches between those
instants, each with its offset -> zones table: a look-up is a bisection and two
dictionary reads.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from auditor.kernel.config import DEFAULT_EXCLUDED
from auditor.resolve.locations.tz_countries import zone_table

# Not places anyone maintains software from: Antarctica (research stations keep the
# time of their supply base), Bouvet, Heard and McDonald, French Southern Lands,
# South Georgia, the US Minor Outlying Islands, Pitcairn (about 50 residents) and the
# British Indian Ocean Territory (a military base).

_HOUR = 3600
_DAY = 86400


def _tzif(name: str) -> bytes:
    return resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).read_bytes()


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
class _MonthTable:
    """One month's zones by offset, per stretch between the instants some zone switches."""

    bounds: tuple[int, ...]  # UTC seconds at which some zone's offset changes, sorted
    stretches: tuple[dict[int, int], ...]  # len(bounds) + 1 tables: offset -> mask

    def at(self, seconds: int) -> dict[int, int]:
        return self.stretches[bisect_right(self.bounds, seconds)]


class ZoneCatalog:
    """The work zones and the masks of those fitting an offset at an hour."""

    def __init__(self, excluded_countries: Iterable[str] = DEFAULT_EXCLUDED) -> None:
        excluded = {c.upper() for c in excluded_countries}
        # A zone's countries are all those keeping its clock (a disputed zone lists both
        # sides), less the excluded ones; a zone left with none is not a work zone.
        kept = {z: tuple(c for c in cs if c not in excluded) for z, cs in zone_table().items()}
        self.zones: tuple[str, ...] = tuple(sorted(z for z, cs in kept.items() if cs))
        self.countries_of: tuple[tuple[str, ...], ...] = tuple(kept[z] for z in self.zones)
        # Zones whose tzdata files are identical (links such as Europe/Oslo -> Berlin)
        # are read once: one ZoneInfo and the mask of all of them.
        grouped: dict[bytes, list[int]] = {}
        for bit, name in enumerate(self.zones):
            grouped.setdefault(_tzif(name), []).append(bit)
        self._groups = tuple(
            (ZoneInfo(self.zones[bits[0]]), sum(1 << b for b in bits)) for bits in grouped.values()
        )
        self.all_mask = (1 << len(self.zones)) - 1
        self._months: dict[int, _MonthTable] = {}
        self._by_day: dict[int, _MonthTable] = {}  # UTC day -> its month's table

    def fitting(self, offset: int, utc_hour: int) -> int:
        """Mask of zones whose offset is `offset` at the start or end of UTC hour `utc_hour`
        (hours since the epoch)."""
        month = self._month_of_day(utc_hour // 24)
        seconds = utc_hour * _HOUR
        if not month.bounds:
            return month.stretches[0].get(offset, 0)
        return month.at(seconds).get(offset, 0) | month.at(seconds + _HOUR - 1).get(offset, 0)

    def zones_in_band(self, band: tuple[int, int] | None, day: date) -> int:
        """Mask of zones whose offset at noon UTC of `day` lies in `band` (minutes, inclusive)."""
        if band is None:
            return 0
        seconds = int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())
        low, high = band
        mask = 0
        for offset, zones in self._month_of_day(seconds // _DAY).at(seconds).items():
            if low <= offset <= high:
                mask |= zones
        return mask

    def countries(self, mask: int) -> frozenset[str]:
        return frozenset(c for i in _bits(mask) for c in self.countries_of[i])

    def names(self, mask: int) -> list[str]:
        return [self.zones[i] for i in _bits(mask)]

    def _month_of_day(self, utc_day: int) -> _MonthTable:
        table = self._by_day.get(utc_day)
        if table is None:
            moment = datetime.fromtimestamp(utc_day * _DAY, UTC)
            index = moment.year * 12 + moment.month - 1
            table = self._months.get(index)
            if table is None:
                table = self._months[index] = self._build_month(index)
            self._by_day[utc_day] = table
        return table

    def _build_month(self, index: int) -> _MonthTable:
        start, end = _month_bounds(index)
        middle = (start + end) // 2
        steady: dict[int, int] = {}
        switching: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []  # mask, first, changes
        for zone, mask in self._groups:
            a, b, c = (_offset_at(zone, s) for s in (start, middle, end - 1))
            if a == b == c:  # (a switch out and back between samples is missed: rare)
                steady[a] = steady.get(a, 0) | mask
                continue
            if a != c and b in (a, c):  # one switch, in the half where the offset changes
                low, high = (middle, end - 1) if b == a else (start, middle)
                changes: tuple[tuple[int, int], ...] = ((_bisect(zone, low, high), c),)
            else:
                changes = tuple(_changes(zone, start, end, a))
            switching.append((mask, a, changes))
        bounds = sorted({at for _, _, changes in switching for at, _ in changes})
        stretches = []
        for first in [start, *bounds]:
            table = dict(steady)
            for mask, offset, changes in switching:
                for at, after in changes:
                    if first >= at:
                        offset = after
                table[offset] = table.get(offset, 0) | mask
            stretches.append(table)
        return _MonthTable(tuple(bounds), tuple(stretches))


def _bisect(zone: ZoneInfo, low: int, high: int) -> int:
    """The first second in (low, high] with the offset at `high`, given one switch there."""
    before = _offset_at(zone, low)
    while high - low > 1:
        mid = (low + high) // 2
        if _offset_at(zone, mid) == before:
            low = mid
        else:
            high = mid
    return high


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


def countries_for_offset(offset_minutes: int, day: date) -> frozenset[str]:
    """Countries with a work zone at `offset_minutes` at some hour of the local `day`."""
    catalog = default_catalog()
    first = ((day - date(1970, 1, 1)).days * 1440 - offset_minutes) // 60
    mask = 0
    for hour in range(first, first + 24):
        mask |= catalog.fitting(offset_minutes, hour)
    return catalog.countries(mask)
