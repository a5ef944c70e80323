"""resolve_person: evidence rows in, periods and conflicts out (table-driven where it helps)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from auditor.resolve.locations.evidence import offset_evidence
from auditor.resolve.locations.resolution import Evidence, resolve_person

EPOCH = date(1970, 1, 1)


def roster(id: int, country: str, start: date | None = None, end: date | None = None) -> Evidence:
    return Evidence(id, "roster", country, (country,), 1.0, start, end)


def single(id: int, kind: str, country: str, weight: float) -> Evidence:
    return Evidence(id, kind, country, (country,), weight)


def offsets(first_id: int, *months: tuple[str, int, int]) -> list[Evidence]:
    """(YYYY-MM, offset minutes, commits) per month, through the real evidence builder."""
    rows = []
    for month, offset, commits in months:
        day = (date.fromisoformat(month + "-10") - EPOCH).days
        rows.append((1, offset, day * 24 + 12, commits))
    drafts = offset_evidence(rows)
    return [
        Evidence(
            first_id + i,
            d.kind,
            d.value,
            d.countries,
            d.weight,
            d.valid_from,
            d.valid_to,
            d.offset,
            d.commits,
            zone_pattern=d.zone_pattern,
            fits=d.fits,
            months=d.months,
            joint=d.joint,
            night=d.night,
        )
        for i, d in enumerate(drafts)
    ]


def test_roster_relocation_gives_two_periods() -> None:
    periods, conflicts = resolve_person(
        [roster(1, "DE", None, date(2025, 6, 30)), roster(2, "CN", date(2025, 7, 1))]
    )
    assert [(p.country, p.valid_from, p.valid_to, p.confidence) for p in periods] == [
        ("DE", None, date(2025, 6, 30), 1.0),
        ("CN", date(2025, 7, 1), None, 1.0),
    ]
    assert conflicts == []


def test_roster_gap_falls_back_to_weaker_evidence() -> None:
    periods, _ = resolve_person(
        [
            roster(1, "DE", date(2025, 1, 1), date(2025, 3, 31)),
            single(2, "email_domain", "DE", 0.4),
        ]
    )
    # Nothing before the roster row: the e-mail domain is undated, the roster row is not.
    assert [(p.country, p.valid_from, p.valid_to, p.confidence) for p in periods] == [
        ("DE", date(2025, 1, 1), date(2025, 3, 31), 1.0),
        ("DE", date(2025, 4, 1), None, 0.4),
    ]
    assert periods[0].evidence_ids == (1, 2)


def test_consecutive_roster_rows_for_one_country_merge() -> None:
    periods, _ = resolve_person(
        [roster(1, "DE", None, date(2025, 3, 31)), roster(2, "DE", date(2025, 4, 1))]
    )
    assert [(p.country, p.valid_from, p.valid_to, p.evidence_ids) for p in periods] == [
        ("DE", None, None, (1, 2))
    ]


def test_override_beats_roster_and_is_a_conflict() -> None:
    override = Evidence(2, "override", "SG", ("SG",), 1.0)
    periods, conflicts = resolve_person([roster(1, "CN"), override])
    assert [(p.country, p.confidence) for p in periods] == [("SG", 0.8)]
    assert [set(c.countries) for c in conflicts] == [{"CN", "SG"}]


def test_tracker_zone_resolves_and_offsets_support_it() -> None:
    rows = [single(1, "tracker_tz", "SG", 0.7), *offsets(10, ("2025-08", 480, 5))]
    (period,), conflicts = resolve_person(rows)
    assert period.country == "SG"
    assert period.confidence > 0.7
    assert set(period.evidence_ids) == {1, 10}
    assert conflicts == []


def test_offsets_alone_keep_a_candidate_set() -> None:
    (period,), _ = resolve_person(offsets(10, ("2025-08", 480, 9)))
    assert period.country is None
    assert {"CN", "SG", "MY", "PH", "AU"} <= set(period.candidates)
    assert 0 < period.confidence <= 0.3


def test_single_candidate_offset_resolves_weakly() -> None:
    (period,), _ = resolve_person(offsets(10, ("2025-08", 345, 4)))
    assert (period.country, period.candidates) == ("NP", ("NP",))
    assert period.confidence <= 0.3


def test_utc_offsets_claim_nothing() -> None:
    (period,), conflicts = resolve_person(offsets(10, ("2025-08", 0, 40), ("2025-09", 0, 12)))
    assert (period.country, period.candidates, period.confidence) == (None, (), 0.0)
    assert conflicts == []


def test_utc_commits_dilute_but_do_not_hide_an_offset() -> None:
    (period,), _ = resolve_person(offsets(10, ("2025-08", 0, 3), ("2025-08", 330, 3)))
    assert set(period.candidates) == {"IN", "LK"}
    assert period.confidence == 0.15


def test_offsets_show_relocation_as_periods() -> None:
    periods, _ = resolve_person(
        offsets(10, ("2025-01", 60, 5), ("2025-02", 60, 5), ("2025-05", 345, 5))
    )
    assert [(p.valid_from, p.valid_to) for p in periods] == [
        (date(2025, 1, 1), date(2025, 4, 30)),
        (date(2025, 5, 1), None),
    ]
    assert periods[1].country == "NP"
    assert "DE" in periods[0].candidates and periods[0].country is None


def test_roster_against_consistent_offsets_is_a_conflict() -> None:
    rows = [roster(1, "GB"), *offsets(10, ("2025-08", 180, 3), ("2025-09", 180, 2))]
    (period,), (conflict,) = resolve_person(rows)
    assert (period.country, period.confidence) == ("GB", 0.8)
    assert {"GB", "RU", "BY"} <= set(conflict.countries)
    assert conflict.evidence_ids[0] == 1
    assert "+0300" in conflict.description


def test_a_few_stray_offsets_are_no_conflict() -> None:
    rows = [roster(1, "DE"), *offsets(10, ("2025-08", 120, 9), ("2025-09", 480, 2))]
    _, conflicts = resolve_person(rows)
    assert conflicts == []


def test_roster_against_tracker_zone_is_a_conflict() -> None:
    rows = [roster(1, "SG"), Evidence(2, "tracker_tz", "Asia/Shanghai", ("CN",), 0.7)]
    (period,), (conflict,) = resolve_person(rows)
    assert period.country == "SG"
    assert conflict.countries == ("CN", "SG")
    assert "Asia/Shanghai" in conflict.description


def test_tracker_zone_against_offsets_without_roster_is_a_conflict() -> None:
    rows = [
        Evidence(2, "tracker_tz", "Europe/Berlin", ("DE",), 0.7),
        *offsets(10, ("2025-08", 480, 6)),
    ]
    (period,), (conflict,) = resolve_person(rows)
    # Contradicted by every commit, the zone decides nothing: the offsets' zones stay.
    assert period.country is None
    assert {"CN", "SG"} <= set(period.candidates) and "DE" not in period.candidates
    assert period.confidence < 0.3
    assert "Europe/Berlin" in conflict.description


def test_disagreeing_weak_single_sources_stay_ambiguous() -> None:
    rows = [single(1, "email_domain", "DE", 0.4), single(2, "profile_location", "FR", 0.5)]
    (period,), conflicts = resolve_person(rows)
    assert period.country is None
    assert period.candidates == ("DE", "FR")
    assert conflicts == []


def test_offsets_break_a_tie_between_single_sources() -> None:
    rows = [
        single(1, "email_domain", "DE", 0.4),
        single(2, "profile_location", "SG", 0.45),
        *offsets(10, ("2025-08", 480, 3)),
    ]
    (period,), _ = resolve_person(rows)
    assert period.country == "SG"


def test_no_evidence_no_period() -> None:
    assert resolve_person([]) == ([], [])


def test_tracker_zone_is_compared_with_the_current_roster_row_only() -> None:
    rows = [
        roster(1, "DE", None, date(2025, 6, 30)),
        roster(2, "CN", date(2025, 7, 1)),
        Evidence(3, "tracker_tz", "Asia/Shanghai", ("CN",), 0.7),
    ]
    periods, conflicts = resolve_person(rows)
    assert [p.country for p in periods] == ["DE", "CN"]
    assert conflicts == []
    rows[2] = Evidence(3, "tracker_tz", "Europe/Berlin", ("DE",), 0.7)
    _, conflicts = resolve_person(rows)
    assert [(c.countries, c.valid_from) for c in conflicts] == [(("CN", "DE"), date(2025, 7, 1))]


def test_tracker_zone_is_compared_with_recent_offsets_only() -> None:
    moved = offsets(10, ("2025-01", 60, 9), ("2025-02", 60, 9), ("2025-08", 480, 3))
    zone = Evidence(2, "tracker_tz", "Asia/Shanghai", ("CN",), 0.7)
    periods, conflicts = resolve_person([zone, *moved])
    assert conflicts == []
    assert periods[-1].country == "CN"


def test_no_period_before_the_earliest_dated_evidence() -> None:
    # A roster row from 2019, commits (and a tracker zone snapshot) only from 2024-10:
    # the 2024 offsets must not be projected back to before the roster row.
    rows = [
        roster(1, "CN", date(2019, 3, 1)),
        single(2, "tracker_tz", "CN", 0.7),
        *offsets(10, ("2024-10", 480, 8), ("2024-11", 480, 6)),
    ]
    periods, _ = resolve_person(rows)
    assert [(p.country, p.valid_from, p.valid_to) for p in periods] == [
        ("CN", date(2019, 3, 1), None)
    ]
    assert periods[0].confidence == 1.0


def test_offsets_before_a_roster_row_start_at_their_month() -> None:
    # Commits from 2024-10 at +0000 (uninformative), roster row from 2025-01: no
    # "unknown" period reaching back before the first commit.
    rows = [roster(1, "IN", date(2025, 1, 1)), *offsets(10, ("2024-10", 0, 5))]
    periods, _ = resolve_person(rows)
    assert [(p.country, p.candidates, p.valid_from, p.valid_to) for p in periods] == [
        (None, (), date(2024, 10, 1), date(2024, 12, 31)),
        ("IN", ("IN",), date(2025, 1, 1), None),
    ]


def test_a_roster_gap_before_the_first_commits_borrows_no_offsets() -> None:
    rows = [
        roster(1, "DE", date(2020, 1, 1), date(2020, 12, 31)),
        *offsets(10, ("2024-10", 480, 5)),
    ]
    periods, _ = resolve_person(rows)
    assert [(p.country, p.valid_from, p.valid_to) for p in periods] == [
        ("DE", date(2020, 1, 1), date(2020, 12, 31)),
        (None, date(2024, 10, 1), None),
    ]
    assert periods[0].evidence_ids == (1,)


def _offset_rows(*moments: str) -> list[tuple[int, int, int, int]]:
    """(person, offset, local hour index, commits) for commits at these aware moments."""
    out = []
    for moment in moments:
        parsed = datetime.fromisoformat(moment)
        offset = int(parsed.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        local = int(parsed.replace(tzinfo=UTC).timestamp()) // 3600
        out.append((1, offset, local, 1))
    return out


def test_nothing_resolved_ends_or_starts_after_as_of() -> None:
    # Offset rows cover whole months (March 2024 to the 31st), a roster row runs on to
    # the year's end, another starts in April: as of 28 March none of that is claimed.
    main = [f"2024-{m:02d}-{d:02d}T15:00:00+08:00" for m in (1, 2, 3) for d in (4, 11, 18, 25)]
    trips = ["2024-01-09T10:00:00+02:00", "2024-02-13T10:00:00+02:00"]
    trips += ["2024-03-12T10:00:00+02:00", "2024-03-26T10:00:00+02:00"]
    rows = []
    for index, draft in enumerate(offset_evidence(_offset_rows(*main, *trips)), start=10):
        rows.append(
            Evidence(
                index,
                draft.kind,
                draft.value,
                draft.countries,
                draft.weight,
                draft.valid_from,
                draft.valid_to,
                draft.offset,
                draft.commits,
                zone_pattern=draft.zone_pattern,
                fits=draft.fits,
                months=draft.months,
                joint=draft.joint,
            )
        )
    rows.append(Evidence(1, "roster", "SG", ("SG",), 1.0, date(2024, 1, 1), date(2024, 12, 31)))
    rows.append(Evidence(2, "roster", "MY", ("MY",), 1.0, date(2024, 4, 1), None))
    as_of = date(2024, 3, 28)
    unclipped, unclipped_conflicts = resolve_person(rows)
    assert max(p.valid_to or date.max for p in unclipped) > as_of
    assert any(c.valid_to and c.valid_to > as_of for c in unclipped_conflicts)
    periods, conflicts = resolve_person(rows, as_of)
    assert periods and conflicts
    for item in [*periods, *conflicts]:
        assert item.valid_from is None or item.valid_from <= as_of
        assert item.valid_to is None or item.valid_to <= as_of
    assert periods[-1].valid_to == as_of and periods[-1].country == "SG"
    assert any(c.kind == "timezone" and c.valid_to == as_of for c in conflicts)
