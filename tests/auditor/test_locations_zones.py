"""Zone inference: which zones fit an offset at an hour, periods across DST, zone labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from auditor.resolve.locations.evidence import offset_evidence
from auditor.resolve.locations.tz_countries import zone_table
from auditor.resolve.locations.zone_pattern import zone_pattern
from auditor.resolve.locations.zones import ZoneCatalog, default_catalog

EPOCH = date(1970, 1, 1)


def utc_hour(moment: str) -> int:
    return int(datetime.fromisoformat(moment).astimezone(UTC).timestamp()) // 3600


def local_hour(moment: str) -> int:
    """Hours since the epoch in the moment's own local time."""
    local = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return int(local.timestamp()) // 3600


def countries(offset: int, moment: str, catalog: ZoneCatalog | None = None) -> set[str]:
    catalog = catalog or default_catalog()
    return set(catalog.countries(catalog.fitting(offset, utc_hour(moment))))


def test_march_30_plus_0200_is_not_central_european() -> None:
    # Berlin, Paris and Vienna were at +0100 until 31 March 2024, 01:00 UTC.
    found = countries(120, "2024-03-30T12:00:00+02:00")
    assert not {"DE", "FR", "AT"} & found
    assert {"FI", "ZA"} <= found
    assert {"DE", "FR", "AT"} <= countries(120, "2024-03-31T12:00:00+02:00")


def test_switch_hour_is_judged_on_both_sides() -> None:
    # 31 March 2024 01:00 UTC: 02:30 CET does not exist, 03:30 CEST does; the commit at
    # 00:59 UTC was still CET.
    assert "DE" in countries(60, "2024-03-31T01:59:00+01:00")
    assert "DE" in countries(120, "2024-03-31T03:30:00+02:00")
    assert "DE" not in countries(120, "2024-03-31T01:30:00+02:00")


@pytest.mark.parametrize(
    ("excluded", "offset", "moment", "present", "absent"),
    [
        # Default: no Antarctic station (Casey/Davis/McMurdo...), no Pitcairn.
        (None, 480, "2024-01-10T12:00:00+08:00", {"CN", "SG", "AU"}, {"AQ"}),
        (None, -480, "2024-01-10T12:00:00-08:00", {"US", "CA", "MX"}, {"PN"}),
        # Configurable: exclude nothing and they come back.
        ((), -480, "2024-01-10T12:00:00-08:00", {"PN", "US"}, set()),
        ((), 420, "2024-01-10T12:00:00+07:00", {"AQ", "TH"}, set()),
    ],
)
def test_excluded_countries(excluded, offset, moment, present, absent) -> None:  # type: ignore[no-untyped-def]
    catalog = default_catalog() if excluded is None else ZoneCatalog(excluded)
    found = countries(offset, moment, catalog)
    assert present <= found and not absent & found


def _rows(*commits: str) -> list[tuple[int, int, int, int]]:
    out = []
    for moment in commits:
        parsed = datetime.fromisoformat(moment)
        offset = int(parsed.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        out.append((1, offset, local_hour(moment), 1))
    return out


def test_a_dst_pattern_spans_one_period_and_narrows_its_zones() -> None:
    drafts = offset_evidence(
        _rows(
            "2023-01-10T10:00:00+02:00",
            "2023-02-14T10:00:00+02:00",
            "2023-06-13T10:00:00+03:00",
            "2023-11-14T10:00:00+02:00",
        )
    )
    assert {(d.valid_from, d.valid_to) for d in drafts} == {(date(2023, 1, 1), date(2023, 11, 30))}
    (winter,) = [d for d in drafts if d.offset == 120]
    assert "RU" not in winter.countries and "ZA" not in winter.countries  # fixed +0200 zones
    assert {"FI", "EE", "UA"} <= set(winter.countries)
    assert winter.zone_pattern.startswith("EET with EU DST")
    assert all(d.fits for d in drafts)


def test_a_relocation_cuts_the_period() -> None:
    drafts = offset_evidence(
        _rows(
            "2023-01-10T10:00:00+01:00",
            "2023-02-14T10:00:00+01:00",
            "2023-04-11T10:00:00+08:00",
            "2023-05-09T10:00:00+08:00",
        )
    )
    spans = sorted({(d.valid_from, d.valid_to, d.zone_pattern) for d in drafts})
    assert [(s, e) for s, e, _ in spans] == [
        (date(2023, 1, 1), date(2023, 2, 28)),
        (date(2023, 4, 1), date(2023, 5, 31)),
    ]
    assert spans[1][2] == "UTC+8"


def test_minority_offsets_are_kept_as_outliers_with_their_dates() -> None:
    main = [f"2023-{m:02d}-{d:02d}T15:00:00+08:00" for m in range(1, 13) for d in (3, 10, 17)]
    drafts = offset_evidence(_rows(*main, "2023-02-07T10:00:00+02:00", "2023-07-11T10:00:00+03:00"))
    outliers = [d for d in drafts if not d.fits]
    assert [(d.offset, d.commits, d.months) for d in outliers] == [(120, 1, 1), (180, 1, 1)]
    assert "2023-02-07" in outliers[0].value and "outside the period's zones" in outliers[0].value
    assert outliers[0].weight == 0.0 and "FI" in outliers[0].countries
    (fitting,) = [d for d in drafts if d.fits and d.kind == "tz_offset"]
    assert fitting.value == "+0800 × 36 of 38 commits in 2023-01..2023-12 (UTC+8)"


@pytest.mark.parametrize(
    ("zones", "year", "label"),
    [
        (["Europe/Helsinki", "Europe/Riga", "Europe/Athens"], 2024, "EET with EU DST"),
        (["Europe/Berlin", "Europe/Paris"], 2024, "CET with EU DST"),
        (["Europe/London", "Europe/Dublin"], 2024, "GMT with EU DST"),
        (["America/New_York", "America/Toronto"], 2024, "US Eastern with US DST"),
        (["Asia/Shanghai", "Asia/Singapore", "Australia/Perth"], 2024, "UTC+8"),
        (["Asia/Kolkata"], 2024, "UTC+5:30"),
        (["Europe/Helsinki", "Europe/Chisinau"], 2024, "EET with EU DST or similar"),
        (["Europe/Helsinki", "Europe/Kaliningrad"], 2024, "UTC+2, with or without DST"),
        ([], 2024, ""),
    ],
)
def test_zone_pattern_labels(zones: list[str], year: int, label: str) -> None:
    assert zone_pattern(zones, year) == label


def test_outliers_take_the_countries_of_the_zones_they_fit_together() -> None:
    # US Pacific all year, with CET-with-EU-DST trips in winter and summer: +0200 alone
    # fits Kaliningrad (RU), +0100 in January with +0200 in July on EU dates does not.
    pacific = ZoneInfo("America/Los_Angeles")
    main = [
        datetime(2019, m, d, 10, tzinfo=pacific).isoformat()
        for m in range(1, 13)
        for d in (3, 10, 17, 24)
    ]
    trips = ["2019-01-15T10:00:00+01:00", "2019-01-16T10:00:00+01:00"]
    trips += ["2019-07-15T10:00:00+02:00", "2019-07-16T10:00:00+02:00"]
    outliers = [d for d in offset_evidence(_rows(*main, *trips)) if not d.fits]
    assert [(d.offset, d.joint) for d in outliers] == [(60, True), (120, True)]
    for row in outliers:
        assert {"DE", "FR"} <= set(row.countries)
        assert "RU" not in row.countries and "ZA" not in row.countries


def test_a_disputed_zone_gives_every_country_it_is_kept_in() -> None:
    # Crimea: +0300 in 2013-09 (EEST), +0400 in 2014-09/10 (MSK then), +0300 in 2014-11:
    # only Europe/Simferopol fits; zone.tab says UA, zone1970.tab RU,UA.
    crimea = [
        "2013-09-10T10:00:00+03:00",
        "2013-09-17T10:00:00+03:00",
        "2014-09-09T10:00:00+04:00",
        "2014-10-07T10:00:00+04:00",
        "2014-11-11T10:00:00+03:00",
    ]
    fitting = [d for d in offset_evidence(_rows(*crimea)) if d.fits and d.kind == "tz_offset"]
    assert {frozenset(d.countries) for d in fitting} == {frozenset({"RU", "UA"})}
    assert set(zone_table()["Europe/Simferopol"]) == {"RU", "UA"}
    assert zone_table()["Europe/Berlin"][0] == "DE"
