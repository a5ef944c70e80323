"""Days on the store's clock: one conversion between dates and Unix seconds (UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from auditor.kernel.window import (
    Window,
    day_end,
    day_number,
    day_of_number,
    day_start,
)

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(DAYS)
def test_a_day_is_its_utc_midnight_to_the_next(day: date) -> None:
    midnight = int(datetime.combine(day, time(0), UTC).timestamp())
    assert day_start(day) == midnight
    assert day_end(day) == midnight + 86400
    assert day_of_number(day_number(midnight)) == day
    assert day_of_number(day_number(midnight + 86399)) == day  # the day's last second
    assert day_of_number(day_number(midnight - 1)) == day - timedelta(days=1)


def test_a_window_holds_its_first_and_last_day() -> None:
    window = Window.ending(date(2026, 10, 1), 180)
    assert (window.start, window.end, window.days) == (date(2026, 4, 5), date(2026, 10, 1), 180)
    lo, hi = window.bounds()
    assert (lo, hi) == (day_start(date(2026, 4, 5)), day_start(date(2026, 10, 2)))
    assert date(2026, 4, 5) in window and date(2026, 10, 1) in window
    assert date(2026, 4, 4) not in window and date(2026, 10, 2) not in window
    leap = Window(date(2024, 2, 28), date(2024, 3, 1))
    assert leap.days == 3 and leap.bounds()[1] - leap.bounds()[0] == 3 * 86400
