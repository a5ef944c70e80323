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
   relocation, a long stay elsewhere);
3. every informative commit of a period either fits the period's zones or is
   an *outlier*; outliers are kept, counted per offset with their dates, and
   their own zone set is computed (the zones they fit together).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditor.locations.zones import ZoneCatalog

MONTH_SHARE_FLOOR = 0.25  # offsets below this share of a month's commits: not its majority
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
    """The person's periods, oldest first; months with only +0000 commits join their neighbours."""
    by_month: dict[int, list[OffsetCommits]] = defaultdict(list)
    for row in rows:
        by_month[_month_index(row.local_hour)].append(row)
    months = sorted(by_month)
    periods: list[ZonePeriod] = []
    pending_utc: list[int] = []  # months before the first informative one
    for index in months:
        month_rows = by_month[index]
        month_mask = _month_mask(month_rows, catalog)
        if month_mask is None:  # nothing informative this month
            if periods:
                periods[-1].last_month = index
                periods[-1].rows.extend(month_rows)
            else:
                pending_utc.append(index)
            continue
        current = periods[-1] if periods else None
        if current is not None and current.mask & month_mask:
            current.mask &= month_mask
            current.last_month = index
            current.rows.extend(month_rows)
        else:
            periods.append(ZonePeriod(index, index, month_mask, list(month_rows)))
    if pending_utc:
        utc_rows = [r for m in pending_utc for r in by_month[m]]
        if periods:
            periods[0].first_month = pending_utc[0]
            periods[0].rows[:0] = utc_rows
        else:
            periods.append(ZonePeriod(pending_utc[0], pending_utc[-1], 0, utc_rows))
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
