"""Location evidence rows from the collected tables: one function per kind of source.

Each row says which countries one piece of evidence supports, how strongly
(`weight`, see `auditor.locations.resolution` for how weights combine), for
which dates, and where it comes from (`ref`, e.g. `roster.csv:4`,
`identity:12`, `commits:2025-03`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath

from auditor.config import OverrideConfig
from auditor.identity import normal_email
from auditor.locations.email_domains import country_for_email
from auditor.locations.profile import WEIGHT_PROFILE, country_for_profile_location
from auditor.locations.resolution import OFFSET_WEIGHT, UTC_FACTOR
from auditor.locations.tz_countries import (
    countries_for_offset_in_month,
    format_offset,
    zone_country,
)

WEIGHT_AUTHORITATIVE = 1.0
WEIGHT_TRACKER_TZ = 0.7
MAX_OFFSET_MINUTES = 14 * 60
_EPOCH = date(1970, 1, 1)


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
    offset: int | None = None  # tz_offset: minutes east of UTC (not stored; in `value`)
    commits: int = 0  # tz_offset: commits at that offset in the month (not stored)


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
    counts: Iterable[tuple[int, int, int, int]],
) -> list[EvidenceDraft]:
    """Commit offsets per person, from `(person_id, offset_minutes, local epoch day, commits)`.

    The histogram is taken per local month; consecutive months (with commits)
    that use the same set of offsets form one run, which gets one row per
    offset (ref `commits:2025-04..2025-10`). A DST country thus gives about
    four runs a year instead of twelve months, and a relocation or a trip
    starts a new run. Weight = 0.3 × the offset's share of the run's commits
    (a tenth of that for +0000); countries = every country with a zone at that
    offset during some month of the run.
    """
    # Keyed by a month number (year * 12 + month - 1, same order as (year, month)), found
    # once per distinct day; tens of thousands of rows at a million commits.
    month_of: dict[int, int] = {}
    per_month: dict[tuple[int, int], dict[int, int]] = {}
    for person, offset, day, commits in counts:
        if offset is None or abs(offset) > MAX_OFFSET_MINUTES or day < 0:
            continue
        number = month_of.get(day)
        if number is None:
            d = _EPOCH + timedelta(days=day)
            number = month_of[day] = d.year * 12 + d.month - 1
        offsets = per_month.get((person, number))
        if offsets is None:
            per_month[(person, number)] = {offset: commits}
        else:
            offsets[offset] = offsets.get(offset, 0) + commits
    runs: list[tuple[int, list[tuple[int, int]], dict[int, int]]] = []
    for (person, number), offsets in sorted(per_month.items()):
        year, month = divmod(number, 12)
        month += 1
        last_run = runs[-1] if runs else None
        if last_run and last_run[0] == person and last_run[2].keys() == offsets.keys():
            last_run[1].append((year, month))
            for offset, commits in offsets.items():
                last_run[2][offset] += commits
        else:
            runs.append((person, [(year, month)], dict(offsets)))
    out = []
    for person, months, offsets in runs:
        total = sum(offsets.values())
        first = date(*months[0], 1)
        end_month = date(*months[-1], 1)
        last = (end_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        span = f"{first:%Y-%m}" + (f"..{end_month:%Y-%m}" if len(months) > 1 else "")
        for offset, commits in sorted(offsets.items()):
            share = commits / total
            weight = OFFSET_WEIGHT * share * (UTC_FACTOR if offset == 0 else 1.0)
            # +0000 keeps its (large) set for the record; resolution never uses it.
            countries: set[str] = set()
            for year, month in months:
                countries |= countries_for_offset_in_month(offset, year, month)
            out.append(
                EvidenceDraft(
                    person,
                    "tz_offset",
                    f"{format_offset(offset)} × {commits} of {total} commits in {span}",
                    tuple(sorted(countries)),
                    round(weight, 4),
                    first,
                    last,
                    f"commits:{span}",
                    offset=offset,
                    commits=commits,
                )
            )
    return out
