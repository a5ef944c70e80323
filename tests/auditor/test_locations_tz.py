"""Offset → candidate countries on a date, from tzdata, DST edges included."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.resolve.locations.tz_countries import format_offset, zone_country
from auditor.resolve.locations.zones import countries_for_offset

CASES = [
    # (offset, day, must include, must exclude)
    ("-0700", date(2026, 7, 15), {"US", "CA", "MX"}, {"GB", "CN"}),  # PDT, Arizona, Yukon, Sonora
    ("-0700", date(2026, 1, 15), {"US", "CA", "MX"}, {"GB"}),  # MST, Arizona
    ("-0800", date(2026, 1, 15), {"US", "CA", "MX"}, {"GB"}),  # PST, Baja California
    ("+0530", date(2026, 1, 15), {"IN", "LK"}, {"NP", "PK"}),
    ("+0545", date(2026, 1, 15), {"NP"}, {"IN"}),
    (
        "+0800",
        date(2026, 1, 15),
        {"CN", "SG", "MY", "PH", "TW", "HK", "AU", "MO", "BN", "MN"},
        {"JP", "KR", "IN"},
    ),
    ("+0300", date(2026, 7, 15), {"RU", "BY", "FI", "KE", "TR", "UA"}, {"DE", "CN"}),
    # No EEST in winter; UA stays in through Europe/Simferopol (Moscow time in zone.tab).
    ("+0300", date(2026, 1, 15), {"RU", "BY", "KE", "TR", "UA"}, {"FI", "EE"}),
    ("+0100", date(2026, 7, 15), {"GB", "IE", "PT", "NG", "MA"}, {"DE", "FR"}),  # BST
    ("+0200", date(2026, 7, 15), {"DE", "FR", "PL", "ZA"}, {"GB"}),  # CEST
    ("+0100", date(2026, 1, 15), {"DE", "FR", "PL", "NG"}, {"GB"}),  # CET
    ("+1245", date(2026, 7, 15), {"NZ"}, set()),  # Chatham, standard (southern winter)
    ("+1345", date(2026, 1, 15), {"NZ"}, set()),  # Chatham, daylight
]


@pytest.mark.parametrize(("offset", "day", "included", "excluded"), CASES)
def test_offset_candidates(offset: str, day: date, included: set[str], excluded: set[str]) -> None:
    minutes = (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 60 + int(offset[3:]))
    found = countries_for_offset(minutes, day)
    assert included <= found, sorted(included - found)
    assert not (excluded & found), sorted(excluded & found)
    assert format_offset(minutes) == offset


def test_exact_sets_for_unambiguous_offsets() -> None:
    assert countries_for_offset(345, date(2026, 1, 15)) == {"NP"}
    assert countries_for_offset(330, date(2026, 7, 15)) == {"IN", "LK"}
    assert countries_for_offset(-420, date(2026, 1, 15)) == {"US", "CA", "MX"}


def test_dst_switch_day_counts_both_sides() -> None:
    # Europe switched to summer time on 29 March 2026 at 01:00 UTC.
    assert "DE" in countries_for_offset(60, date(2026, 3, 29))
    assert "DE" in countries_for_offset(120, date(2026, 3, 29))
    assert "DE" not in countries_for_offset(120, date(2026, 3, 27))


def test_utc_is_a_large_uninformative_set() -> None:
    found = countries_for_offset(0, date(2026, 1, 15))
    assert {"GB", "IS", "PT", "GH", "SN"} <= found
    assert len(found) > 15


def test_unused_offset_is_empty() -> None:
    assert countries_for_offset(17, date(2026, 1, 15)) == frozenset()


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Asia/Shanghai", "CN"),
        ("Asia/Singapore", "SG"),
        ("Europe/Minsk", "BY"),
        ("America/Phoenix", "US"),
        ("Asia/Calcutta", "IN"),  # alias of Asia/Kolkata
        ("Europe/Kiev", "UA"),  # alias of Europe/Kyiv
        ("Australia/Perth", "AU"),
        ("UTC", None),
        ("Etc/GMT+8", None),
        ("Mars/Olympus_Mons", None),
        ("", None),
    ],
)
def test_zone_country(zone: str, country: str | None) -> None:
    assert zone_country(zone) == country
