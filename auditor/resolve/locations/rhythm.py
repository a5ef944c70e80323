"""Activity rhythm of one zone period: hour-of-day and weekday profiles, and the offsets
that would put the activity in working hours.

People commit mostly in their working day and evening. The profile of a period
is taken twice: in the local time the commits claim (their own offset) and in
UTC. The *implied offset band* is the range of whole-hour offsets that would put
the largest share of the UTC activity between 08:00 and 19:59; its confidence
is that share, scaled down below `FULL_SAMPLE` commits. Below `MIN_COMMITS`
no rhythm is claimed at all.

A *night rhythm* is a period whose claimed local time puts at least
`NIGHT_SHARE` of the commits between 20:00 and 06:59 while the implied band
lies at least `NIGHT_BAND_DISTANCE` hours away from the claimed offset. It is
weak evidence (evening hobbyists exist): resolution records it as a conflict
with low confidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from auditor.resolve.locations.zone_pattern import utc_label
from auditor.resolve.locations.zone_periods import ZonePeriod

MIN_COMMITS = 30
FULL_SAMPLE = 100
WORK_START, WORK_END = 8, 20  # local hours [08:00, 20:00)
NIGHT_START, NIGHT_END = 20, 7  # local hours [20:00, 07:00)
NIGHT_SHARE = 0.8
NIGHT_BAND_DISTANCE = 4  # hours between the claimed offset and the implied band
_EPOCH = date(1970, 1, 1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Rhythm:
    commits: int
    local_hours: tuple[int, ...]  # 24 counts, claimed local time
    utc_hours: tuple[int, ...]  # 24 counts
    weekdays: tuple[int, ...]  # 7 counts, Monday first, claimed local date
    claimed_offset: int  # minutes: the period's most used informative offset
    band: tuple[int, int]  # implied offsets, minutes, inclusive
    confidence: float
    night_share: float

    @property
    def night(self) -> bool:
        low, high = self.band
        claimed = self.claimed_offset
        distance = max(low - claimed, claimed - high, 0) / 60
        return self.night_share >= NIGHT_SHARE and distance >= NIGHT_BAND_DISTANCE

    def describe(self) -> str:
        peak = max(range(24), key=lambda h: (self.local_hours[h], -h))
        weekend = (self.weekdays[5] + self.weekdays[6]) / self.commits
        low, high = self.band
        band = utc_label(low) + (f"..{utc_label(high)}" if high != low else "")
        return (
            f"{self.commits} commits: {self.night_share:.0%} at 20:00-06:59 claimed local time "
            f"({utc_label(self.claimed_offset)}), busiest hour {peak:02d}:00, "
            f"{weekend:.0%} on weekends; working hours fit {band} "
            f"(confidence {self.confidence:.2f})"
        )


def rhythm_of(period: ZonePeriod) -> Rhythm | None:
    """The rhythm of a period's fitting commits; None below `MIN_COMMITS`."""
    informative = [r for r in period.rows if r.offset != 0]
    total = sum(r.commits for r in informative)
    if total < MIN_COMMITS:
        return None
    local = [0] * 24
    utc = [0] * 24
    weekdays = [0] * 7
    offsets: Counter[int] = Counter()
    for row in informative:
        local[row.local_hour % 24] += row.commits
        utc[(row.local_hour - round(row.offset / 60)) % 24] += row.commits
        weekdays[(_EPOCH + timedelta(days=row.local_hour // 24)).weekday()] += row.commits
        offsets[row.offset] += row.commits
    claimed = max(offsets, key=lambda o: (offsets[o], -o))
    scores = {}
    for hours in range(-12, 15):
        scores[hours] = sum(utc[(h - hours) % 24] for h in range(WORK_START, WORK_END)) / total
    best = max(scores.values())
    fitting = [h for h, s in scores.items() if s >= best - 0.05]
    band = (min(fitting) * 60, max(fitting) * 60)
    night = sum(local[h] for h in range(24) if h >= NIGHT_START or h < NIGHT_END) / total
    confidence = round(best * min(1.0, total / FULL_SAMPLE), 2)
    return Rhythm(
        total, tuple(local), tuple(utc), tuple(weekdays), claimed, band, confidence, night
    )
