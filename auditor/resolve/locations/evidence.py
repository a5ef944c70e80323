"""Location evidence rows from the collected tables: one function per kind of source.

Each row says which countries one piece of evidence supports, how strongly
(`weight`, see `auditor.resolve.locations.resolution` for how weights combine), for
which dates, and where it comes from (`ref`, e.g. `roster.csv:4`,
`identity:12`, `commits:2025-03`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from auditor.kernel.config import OverrideConfig
from auditor.resolve.identity import normal_email
from auditor.resolve.locations.email_domains import country_for_email
from auditor.resolve.locations.holiday_activity import holiday_activity
from auditor.resolve.locations.profile import WEIGHT_PROFILE, country_for_profile_location
from auditor.resolve.locations.resolution import OFFSET_WEIGHT, UTC_FACTOR
from auditor.resolve.locations.rhythm import rhythm_of
from auditor.resolve.locations.tz_countries import format_offset, zone_country
from auditor.resolve.locations.zone_pattern import zone_pattern
from auditor.resolve.locations.zone_periods import OffsetCommits, ZonePeriod, zone_periods
from auditor.resolve.locations.zones import ZoneCatalog, default_catalog

WEIGHT_AUTHORITATIVE = 1.0
WEIGHT_TRACKER_TZ = 0.7
MAX_OFFSET_MINUTES = 14 * 60


@dataclass(frozen=True, slots=True)
class EvidenceDraft:
    person_id: int
    kind: str
    value: str
    countries: tuple[str, ...]
    weight: float
    valid_from: date | None = None
    valid_to: date | None = None
    ref: str | None = None
    # Not stored (said in `value`), read by resolution:
    offset: int | None = None  # tz_offset: minutes east of UTC
    commits: int = 0  # tz_offset: commits at that offset in the period
    zone_pattern: str = ""  # tz_offset: label of the period's zones, "EET with EU DST"
    fits: bool = True  # tz_offset: False for commits outside the period's zones
    months: int = 0  # outliers: calendar months they occur in
    joint: bool = False  # outliers: all the period's outliers fit one zone set together
    outlier_hours: tuple[int, ...] = ()  # outliers: local hour indexes, to find their commits
    night: bool = False  # activity_rhythm: the claimed local time puts the work at night


_KIND_ORDER = {
    "roster": 0,
    "override": 1,
    "tracker_tz": 2,
    "profile_location": 3,
    "email_domain": 4,
    "tz_offset": 5,
    "activity_rhythm": 6,
    "holiday_activity": 7,
}


def evidence_order(e: EvidenceDraft) -> tuple[int, int, date, str]:
    """The order a resolution stores (and so numbers) evidence in: person, kind, start, value."""
    return (e.person_id, _KIND_ORDER.get(e.kind, 9), e.valid_from or date.min, e.value)


@dataclass(frozen=True, slots=True)
class RosterRow:
    person_id: int
    source: str  # roster file location
    line: int
    country: str
    office: str | None
    valid_from: date | None
    valid_to: date | None


def roster_evidence(rows: Iterable[RosterRow]) -> list[EvidenceDraft]:
    out = []
    for row in rows:
        value = row.country + (f" ({row.office})" if row.office else "")
        out.append(
            EvidenceDraft(
                row.person_id,
                "roster",
                value,
                (row.country,),
                WEIGHT_AUTHORITATIVE,
                row.valid_from,
                row.valid_to,
                f"{PurePath(row.source).name}:{row.line}",
            )
        )
    return out


def override_evidence(
    overrides: Sequence[OverrideConfig], person_by_email: Mapping[str, int], config_name: str
) -> list[EvidenceDraft]:
    """`[[overrides]]` rows; an override naming nobody we know gives no evidence."""
    out = []
    for index, override in enumerate(overrides):
        person = person_by_email.get(normal_email(override.email) or "")
        if person is None:
            continue
        value = override.country + (f": {override.reason}" if override.reason else "")
        out.append(
            EvidenceDraft(
                person,
                "override",
                value,
                (override.country,),
                WEIGHT_AUTHORITATIVE,
                override.valid_from,
                override.valid_to,
                f"{config_name}:overrides[{index}]",
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class IdentityFacts:
    person_id: int
    identity_id: int
    emails: tuple[str, ...]
    time_zone: str | None
    location_text: str | None
    ref: str | None = None  # default: identity:<id>


def identity_evidence(
    facts: Iterable[IdentityFacts], corporate_domains: Mapping[str, str]
) -> list[EvidenceDraft]:
    """Tracker zones, GitHub profile locations and e-mail domains; one row per distinct value."""
    out: list[EvidenceDraft] = []
    seen: set[tuple[int, str, str]] = set()

    def add(draft: EvidenceDraft, dedupe: str) -> None:
        key = (draft.person_id, draft.kind, dedupe)
        if key not in seen:
            seen.add(key)
            out.append(draft)

    for fact in sorted(facts, key=lambda f: (f.person_id, f.identity_id)):
        ref = fact.ref or f"identity:{fact.identity_id}"
        zone_c = zone_country(fact.time_zone)
        if fact.time_zone and zone_c:
            add(
                EvidenceDraft(
                    fact.person_id,
                    "tracker_tz",
                    fact.time_zone.strip(),
                    (zone_c,),
                    WEIGHT_TRACKER_TZ,
                    ref=ref,
                ),
                fact.time_zone.strip(),
            )
        profile_c = country_for_profile_location(fact.location_text)
        if fact.location_text and profile_c:
            add(
                EvidenceDraft(
                    fact.person_id,
                    "profile_location",
                    fact.location_text.strip(),
                    (profile_c,),
                    WEIGHT_PROFILE,
                    ref=ref,
                ),
                profile_c + fact.location_text.strip().lower(),
            )
        for email in fact.emails:
            found = country_for_email(email, corporate_domains)
            if found:
                add(
                    EvidenceDraft(
                        fact.person_id,
                        "email_domain",
                        f"{found.domain} ({found.how})",
                        (found.country,),
                        found.weight,
                        ref=ref,
                    ),
                    found.domain,
                )
    return out


def offset_evidence(
    counts: Iterable[tuple[int, int, int, int]], catalog: ZoneCatalog | None = None
) -> list[EvidenceDraft]:
    """Commit offsets per person, from `(person_id, offset_minutes, local hour index, commits)`.

    The local hour index counts hours since 1970-01-01 00:00 in the commit's own
    local time. Each person's commits are cut into zone periods
    (`auditor.resolve.locations.zone_periods`): one hypothesis of IANA zones per period,
    consistent with every commit's offset at its own hour, spanning DST. A period
    gets one `tz_offset` row per offset that fits it (countries = the countries
    of the period's zones, weight 0.3 × the offset's share of the period's
    commits, a tenth of that for +0000) and one row per offset that does not fit
    (`fits=False`, weight 0, countries = those of the zones all the period's outliers
    fit together on their own dates, or of the zones this offset's commits fit when
    the outliers fit no single zone),
    kept as evidence with their count, months and dates. An `activity_rhythm` row
    (`auditor.resolve.locations.rhythm`) and a `holiday_activity` row
    (`auditor.resolve.locations.holiday_activity`) follow for periods with enough commits.
    """
    catalog = catalog or default_catalog()
    per_person: dict[int, list[OffsetCommits]] = defaultdict(list)
    for person, offset, hour, commits in counts:
        if offset is None or abs(offset) > MAX_OFFSET_MINUTES or hour < 0:
            continue
        per_person[person].append(OffsetCommits(offset, hour, commits))
    out: list[EvidenceDraft] = []
    for person in sorted(per_person):
        rows = sorted(per_person[person], key=lambda r: (r.local_hour, r.offset))
        for period in zone_periods(rows, catalog):
            out += _period_rows(person, period, catalog)
    return out


def _period_rows(person: int, period: ZonePeriod, catalog: ZoneCatalog) -> list[EvidenceDraft]:
    first, last = period.start, period.end
    span = f"{first:%Y-%m}" + (f"..{last:%Y-%m}" if period.first_month != period.last_month else "")
    total = period.commits
    zone_names = catalog.names(period.mask)
    pattern = zone_pattern(zone_names, last.year) if zone_names else ""
    countries = tuple(sorted(catalog.countries(period.mask)))
    out = []
    fitting: dict[int, int] = defaultdict(int)
    for row in period.rows:
        fitting[row.offset] += row.commits
    for offset, commits in sorted(fitting.items()):
        share = commits / total
        weight = OFFSET_WEIGHT * share * (UTC_FACTOR if offset == 0 else 1.0)
        # +0000 keeps the countries at +0000 for the record; resolution never uses it.
        row_countries = countries
        if offset == 0 or not countries:
            at_utc = catalog.fitting(0, period.rows[0].utc_hour)
            row_countries = tuple(sorted(catalog.countries(at_utc)))
        out.append(
            EvidenceDraft(
                person,
                "tz_offset",
                f"{format_offset(offset)} × {commits} of {total} commits in {span}"
                + (f" ({pattern})" if pattern and offset else ""),
                row_countries,
                round(weight, 4),
                first,
                last,
                f"commits:{span}",
                offset=offset,
                commits=commits,
                zone_pattern=pattern,
            )
        )
    outliers: dict[int, list[OffsetCommits]] = defaultdict(list)
    for row in period.outliers:
        outliers[row.offset].append(row)
    # What the outliers fit together (+0200 winters and +0300 summers: EET with EU DST)
    # gives their countries and label: +0200 alone fits Kaliningrad, +0100 winters with
    # +0200 summers on EU dates do not. Each offset's own fit when they fit no single zone.
    together = period.outlier_mask(catalog)
    together_pattern = (
        zone_pattern(catalog.names(together), period.outliers[-1].day.year) if together else ""
    )
    for offset, rows in sorted(outliers.items()):
        commits = sum(r.commits for r in rows)
        mask = catalog.all_mask
        for row in rows:
            mask &= catalog.fitting(offset, row.utc_hour)
        fits = together_pattern or (
            zone_pattern(catalog.names(mask), rows[-1].day.year) if mask else "no single zone"
        )
        days = sorted({r.day for r in rows})
        months = len({(d.year, d.month) for d in days})
        dates = ", ".join(f"{d:%Y-%m-%d}" for d in days[:12]) + (", …" if len(days) > 12 else "")
        out.append(
            EvidenceDraft(
                person,
                "tz_offset",
                f"{format_offset(offset)} × {commits} of {total} commits in {span} outside "
                f"the period's zones ({pattern or 'none'}); fits {fits}; on {dates}",
                tuple(sorted(catalog.countries(together or mask))),
                0.0,
                first,
                last,
                f"commits:{span}:{format_offset(offset)}",
                offset=offset,
                commits=commits,
                zone_pattern=fits,
                fits=False,
                joint=bool(together),
                months=months,
                outlier_hours=tuple(r.local_hour for r in rows),
            )
        )
    rhythm = rhythm_of(period)
    if rhythm is not None:
        out.append(
            EvidenceDraft(
                person,
                "activity_rhythm",
                rhythm.describe(),
                tuple(sorted(catalog.countries(catalog.zones_in_band(rhythm.band, last)))),
                0.0,
                first,
                last,
                f"commits:{span}",
                commits=rhythm.commits,
                night=rhythm.night,
            )
        )
    holiday = holiday_activity(period, countries)
    if holiday is not None:
        out.append(
            EvidenceDraft(
                person,
                "holiday_activity",
                holiday.describe(),
                tuple(r.country for r in holiday.paused),
                0.0,
                first,
                last,
                f"commits:{span}",
            )
        )
    return out
