"""Public-holiday activity: pauses on a country's holidays speak for it, work as usual against."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from auditor.resolve.locations.evidence import offset_evidence

HELSINKI = ZoneInfo("Europe/Helsinki")


def _rows(days: list[date]) -> list[tuple[int, int, int, int]]:
    rows = []
    for day in days:
        moment = datetime(day.year, day.month, day.day, 10, tzinfo=HELSINKI)
        offset = int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        local = int(moment.replace(tzinfo=UTC).timestamp()) // 3600
        rows.append((1, offset, local, 1))
    return rows


def _weekdays(start: date, end: date) -> list[date]:
    out, day = [], start
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _holiday_row(days: list[date]):  # type: ignore[no-untyped-def]
    (row,) = [d for d in offset_evidence(_rows(days)) if d.kind == "holiday_activity"]
    return row


def test_pauses_on_finnish_holidays_speak_for_finland() -> None:
    finnish = holidays.country_holidays("FI", years=[2022, 2023])
    days = [d for d in _weekdays(date(2022, 1, 3), date(2023, 12, 29)) if d not in finnish]
    row = _holiday_row(days)
    assert "FI" in row.countries and row.weight == 0.0
    assert "paused on public holidays of" in row.value and "FI 0 of" in row.value
    assert (row.valid_from, row.valid_to) == (date(2022, 1, 1), date(2023, 12, 31))


def test_work_on_every_weekday_speaks_against_every_candidate() -> None:
    row = _holiday_row(_weekdays(date(2022, 1, 3), date(2023, 12, 29)))
    assert row.countries == ()
    assert "worked as usual on those of" in row.value and "FI " in row.value


def test_too_few_active_days_say_nothing() -> None:
    drafts = offset_evidence(_rows(_weekdays(date(2022, 1, 3), date(2022, 2, 18))))
    assert [d for d in drafts if d.kind == "holiday_activity"] == []
