"""A person's commits → periods of one zone hypothesis, with the commits that do not fit.

Input: `(offset minutes, local hour index, commits)` rows of one person, where
the local hour index is hours since 1970-01-01 00:00 in the commit's own local
time. Steps:

1. per local month, the *majority* offsets (each at least 25% of the month's
   informative commits; `+0000` is uninformative: servers, CI, UTC laptops)
   give the month's zone set: the zones fitting every such commit at its hour;
2. consecutive months whose zone sets intersect form one period, whose zone
   set is the intersection: a hypothesis spans DST transitions (a Finnish
   maintainer's +0200 winters and +0300 summers leave only zones switching on
   EU dates), and a period is cut only where the zone set changes (a
   relocation, a long stay elsewhere). A stay of at most two months between
   two periods of one place is a trip: the three become one period;
3. every informative commit of a period either fits the period's zones or is
   an *outlier*; outliers are kept, counted per offset with their dates, and
   their own zone set is computed (the zones they fit together).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditor.resolve.locations.zones import ZoneCatalog

MONTH_SHARE_FLOOR = 0.25  # offsets below this share of a month's commits: not its majority
TRIP_MONTHS = 2  # a stay this short between two periods of one place is a trip
_EPOCH = date(1970, 1, 1)


def _day(hour_index: int) -> date:
    return _EPOCH + timedelta(days=hour_index // 24)


def _month_index(hour_index: int) -> int:
    day = _day(hour_index)
    return day.year * 12 + day.month - 1


def month_first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_last_day(index: int) -> date:
    return month_first_day(index + 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class OffsetCommits:
    offset: int
    local_hour: int  # local hours since the epoch
    commits: int

    @property
    def utc_hour(self) -> int:
        return self.local_hour - self.offset // 60 - (1 if self.offset % 60 else 0)

    @property
    def day(self) -> date:
        return _day(self.local_hour)


@dataclass
class ZonePeriod:
    first_month: int
    last_month: int
    mask: int
    rows: list[OffsetCommits] = field(default_factory=list)
    outliers: list[OffsetCommits] = field(default_factory=list)

    @property
    def start(self) -> date:
        return month_first_day(self.first_month)

    @property
    def end(self) -> date:
        return month_last_day(self.last_month)

    @property
    def commits(self) -> int:
        return sum(r.commits for r in self.rows) + sum(r.commits for r in self.outliers)

    def outlier_mask(self, catalog: ZoneCatalog) -> int:
        """Zones fitting every outlier commit at its hour (0 when they fit no single place)."""
        mask = catalog.all_mask
        for row in self.outliers:
            mask &= catalog.fitting(row.offset, row.utc_hour)
        return mask if self.outliers else 0


def zone_periods(rows: Iterable[OffsetCommits], catalog: ZoneCatalog) -> list[ZonePeriod]:
    """The person's periods, oldest first.

    Months with only +0000 commits between two months of one period belong to it;
    elsewhere (before the first, after the last, between two places) they form a
    period of their own with no zones: nothing is claimed for them.
    """
    by_month: dict[int, list[OffsetCommits]] = defaultdict(list)
    for row in rows:
        by_month[_month_index(row.local_hour)].append(row)
    periods: list[ZonePeriod] = []
    pending: list[int] = []  # +0000-only months since the last informative one

    def flush() -> None:
        if pending:
            utc_rows = [r for m in pending for r in by_month[m]]
            periods.append(ZonePeriod(pending[0], pending[-1], 0, utc_rows))
            pending.clear()

    for index in sorted(by_month):
        month_rows = by_month[index]
        month_mask = _month_mask(month_rows, catalog)
        if month_mask is None:
            pending.append(index)
            continue
        current = periods[-1] if periods and periods[-1].mask else None
        if current is not None and current.mask & month_mask:
            current.mask &= month_mask
            current.last_month = index
            current.rows.extend(r for m in pending for r in by_month[m])
            current.rows.extend(month_rows)
            pending.clear()
        else:
            flush()
            periods.append(ZonePeriod(index, index, month_mask, list(month_rows)))
    flush()
    periods = _absorb_trips(periods)
    for period in periods:
        if period.mask == 0:
            continue
        fitting, outliers = [], []
        for row in period.rows:
            if row.offset == 0 or catalog.fitting(row.offset, row.utc_hour) & period.mask:
                fitting.append(row)
            else:
                outliers.append(row)
        period.rows, period.outliers = fitting, outliers
    return periods


def _absorb_trips(periods: list[ZonePeriod]) -> list[ZonePeriod]:
    """A stay of at most `TRIP_MONTHS` between two periods of one zone set is a trip:
    the three become one period (the stay's commits its outliers), not three claims."""
    merged = list(periods)
    index = 1
    while index + 1 < len(merged):
        before, stay, after = merged[index - 1], merged[index], merged[index + 1]
        short = stay.last_month - stay.first_month + 1 <= TRIP_MONTHS
        if short and stay.mask and _same_place(before.mask, after.mask):
            merged[index - 1 : index + 2] = [
                ZonePeriod(
                    before.first_month,
                    after.last_month,
                    before.mask & after.mask,
                    [*before.rows, *stay.rows, *after.rows],
                )
            ]
            index = max(1, index - 1)
        else:
            index += 1
    return merged


def _same_place(a: int, b: int) -> bool:
    """Two periods' zone sets describe one place when they share at least half of the
    smaller one: a home left and found again. A few odd zones in common (Namibia's
    old winter time between a British summer and a German autumn) are not a place."""
    common = (a & b).bit_count()
    return common > 0 and 2 * common >= min(a.bit_count(), b.bit_count())


def _month_mask(rows: list[OffsetCommits], catalog: ZoneCatalog) -> int | None:
    """Zones fitting the month's majority commits; None when the month has none informative."""
    per_offset: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.offset != 0:
            per_offset[row.offset] += row.commits
    total = sum(per_offset.values())
    if not total:
        return None
    majority = {o for o, n in per_offset.items() if n / total >= MONTH_SHARE_FLOOR}
    mask = _mask_of(rows, majority, catalog)
    if mask == 0:  # majority offsets of two places (a move mid-month): the larger wins
        top = max(per_offset, key=lambda o: (per_offset[o], -o))
        mask = _mask_of(rows, {top}, catalog)
    return mask


def _mask_of(rows: list[OffsetCommits], offsets: set[int], catalog: ZoneCatalog) -> int:
    mask = catalog.all_mask
    for row in rows:
        if row.offset in offsets:
            mask &= catalog.fitting(row.offset, row.utc_hour)
    return mask
