"""The `auditor people` report: each person, identities, activity, located periods with evidence.

`people_report` returns the JSON contract of DESIGN.md:
`{"as_of", "people": [{"id", "name", "emails", "bot", "commits", "churn",
"locations": [{"country", "candidates", "confidence", "from", "to",
"sources": [{"kind", "value"}]}], "conflicts": [...]}]}`. `id` is the
person's stable key; commits and churn count all non-merge commits authored
up to `as_of` (not only the policy window). People are ordered by churn
(descending), then name; bots last.

`sources[].kind` is one of `roster`, `override`, `tracker_tz`,
`profile_location`, `email_domain`, `tz_offset`, `activity_rhythm`,
`holiday_activity`. A location's
`zone_pattern` (null without commit offsets) labels the zones its commit offsets
fit ("EET with EU DST", "UTC+8"); a conflict's `kind` is `sources` (PV107) or
`timezone` (PV110: offsets of two places, or a night rhythm), with its
`confidence` and, for offsets, the `commits` that do not fit. `profile_location` (a GitHub
profile's free-text location, matched to one country, weight 0.5) extends the
list in DESIGN.md's contract, which names the other five.

A period's `from` is its earliest dated evidence (a roster/override row's
start, the first month with commits); `from` is null only when the evidence
behind it is undated or open-ended.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from auditor.kernel.window import day_end
from auditor.store import models
from auditor.store.activity import person_commit_totals
from auditor.store.resolutions import of
from auditor.views.common import display_tier, zone_pattern


def people_report(
    engine: Engine, as_of: date, resolution_id: int, *, patterns: bool = False
) -> dict[str, Any]:
    """The report from the derived rows of resolution `resolution_id` (`resolve_all`'s).

    `patterns` adds each location's zone pattern as `"pattern"` (None without one) for
    the text table; the JSON contract does not carry it.
    """
    limit = day_end(as_of)
    person, pi, ident = models.Person, models.PersonIdentity, models.Identity
    ev = models.LocationEvidence
    rl, lc = models.ResolvedLocation, models.LocationConflict
    with engine.connect() as conn:
        people = list(
            conn.execute(
                select(
                    person.c.id, person.c.key, person.c.name, person.c.primary_email, person.c.bot
                ).where(of(person, resolution_id))
            )
        )
        emails: dict[int, set[str]] = defaultdict(set)
        for pid, email, mapped in conn.execute(
            select(pi.c.person_id, ident.c.email, ident.c.mapped_email)
            .join(ident, ident.c.id == pi.c.identity_id)
            .where(of(pi, resolution_id))
        ):
            emails[pid] |= {e.strip().lower() for e in (email, mapped) if e and "@" in e}
        activity = {
            t.person_id: (t.commits, t.churn)
            for t in person_commit_totals(conn, None, resolution_id, before=limit)
        }
        evidence = {
            eid: (kind, value)
            for eid, kind, value in conn.execute(
                select(ev.c.id, ev.c.kind, ev.c.value).where(of(ev, resolution_id))
            )
        }
        periods: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(rl).where(of(rl, resolution_id)).order_by(rl.c.person_id, rl.c.valid_from)
        ):
            periods[row.person_id].append(row)
        conflicts: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(lc).where(of(lc, resolution_id)).order_by(lc.c.person_id, lc.c.id)
        ):
            conflicts[row.person_id].append(row)

    def sources(ids: list[int] | None) -> list[dict[str, str]]:
        return [
            {"kind": evidence[i][0], "value": evidence[i][1]}
            for i in sorted(ids or [])
            if i in evidence
        ]

    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    entries = []
    for pid, key, name, primary, bot in people:
        commits, churn = activity.get(pid, (0, 0))
        all_emails = emails.get(pid, set()) | ({primary} if primary else set())
        entries.append(
            {
                "id": key,
                "name": name,
                "emails": sorted(all_emails),
                "bot": bool(bot),
                "commits": commits,
                "churn": churn,
                "locations": [
                    {
                        "country": p.country,
                        "candidates": sorted(p.candidates or []),
                        "confidence": round(float(p.confidence), 4),
                        "from": iso(p.valid_from),
                        "to": iso(p.valid_to),
                        "zone_pattern": p.zone_pattern,
                        "sources": sources(p.evidence_ids),
                    }
                    | ({"pattern": zone_pattern(p)} if patterns else {})
                    for p in periods.get(pid, [])
                    if p.valid_from is None or p.valid_from <= as_of
                ],
                "conflicts": [
                    {
                        "description": c.description,
                        "countries": sorted(c.countries or []),
                        "from": iso(c.valid_from),
                        "to": iso(c.valid_to),
                        "kind": c.kind,
                        "confidence": round(float(c.confidence), 4),
                        "commits": list(c.commits or []),
                        "sources": sources(c.evidence_ids),
                    }
                    for c in conflicts.get(pid, [])
                ],
            }
        )
    entries.sort(key=lambda e: (e["bot"], -e["churn"], e["name"].casefold(), e["id"]))
    return {"as_of": as_of.isoformat(), "people": entries}


@dataclass(frozen=True)
class PeopleFilter:
    """`auditor people --person/--country/--tier`: all given conditions must hold.

    `person`: a case-insensitive substring of the name or of an e-mail. `country`:
    a location period resolved to it or listing it among the candidates (an offset
    that allows CN is a reason to look). `tier`: the tier of the location as of
    the report's day (one of `auditor.views.TIERS`).
    """

    person: str | None = None
    country: str | None = None
    tier: str | None = None

    def matches(
        self, entry: Mapping[str, Any], as_of: str, tier_of: Callable[[str], str | None]
    ) -> bool:
        if self.person:
            needle = self.person.casefold()
            texts = [entry["name"], *entry["emails"]]
            if not any(needle in (t or "").casefold() for t in texts):
                return False
        if self.country:
            code = self.country.upper()
            if not any(
                loc["country"] == code or code in loc["candidates"] for loc in entry["locations"]
            ):
                return False
        if self.tier:
            now = current_location(entry, as_of)
            where = (now["country"], now["candidates"]) if now else (None, [])
            if display_tier(tier_of, *where) != self.tier:
                return False
        return True


def filter_report(
    report: dict[str, Any], chosen: PeopleFilter, tier_of: Callable[[str], str | None]
) -> dict[str, Any]:
    """The report with only the people `chosen` matches (same shape)."""
    kept = [e for e in report["people"] if chosen.matches(e, report["as_of"], tier_of)]
    return report | {"people": kept}


def current_location(entry: Mapping[str, Any], as_of: str) -> Mapping[str, Any] | None:
    """The period that holds on `as_of` (ISO date), None when none does (unknown then)."""
    for loc in reversed(entry["locations"]):
        if (loc["from"] or "") <= as_of and (loc["to"] is None or as_of <= loc["to"]):
            return loc
    return None
