"""One person's location evidence → periods (country / candidate set / unknown) and conflicts.

Evidence kinds, strongest first, and how they count:

- `roster`, `override` (weight 1.0, effective-dated): authoritative. Where one
  covers a day, it decides the country. An override (written deliberately by
  the auditor in `auditor.toml`) beats a roster row that says otherwise; the
  disagreement is recorded as a conflict.
- `tracker_tz` (0.7), `profile_location` (0.5), `email_domain` (0.4–0.6):
  one country each, undated. Where no authoritative row applies, the country
  with the highest noisy-OR score wins when it reaches 0.4 and the runner-up
  scores below 80% of it; otherwise the period is a candidate set.
- `tz_offset` (≤ 0.3, per zone period, see `auditor.resolve.locations.zone_periods`):
  a candidate *set*, the countries of the zones fitting every commit of the
  period at its own hour. Alone it resolves a country only when the set has
  exactly one member and the period uses one offset (+0545 → NP); +0800 stays
  {AU, CN, SG, ...}, and an intersection of several offsets that leaves one
  country stays a candidate set (odd DST histories are not a place).
  Commits outside the period's zones (`fits=False`) never add candidates.
  `+0000` is uninformative (servers, CI, UTC laptops): it never adds a candidate.
  A period's offsets hold until the next period, so relocations show as a change
  of period.

Periods start at the earliest dated evidence (a roster/override row's start,
the first month with commits): nothing is claimed for the time before it, and
offsets are never carried back before the month they were seen in.

Confidence, in [0, 1], is the strength of the period's claim: that the person
was in `country`, or, when `country` is None, somewhere in `candidates`.
- 1.0 for an authoritative row with nothing contradicting it; 0.8 when a
  strong source (tracker zone, consistent commit offsets, another
  authoritative row) contradicts it;
- otherwise 1 − Π(1 − wᵢ) over the weights wᵢ of the evidence rows that support
  the claim, multiplied by (1 − w) of commit offsets that exclude it;
- 0.0 for unknown (no candidates).

Conflicts (`Conflict`) are recorded between strong sources only: roster vs
override, roster/override vs tracker zone, roster/override vs consistent
offsets (at least 3 informative commits, 80% of them at offsets whose
countries exclude the roster country), tracker zones of different accounts,
and tracker zone vs consistent offsets where no roster row applies. A tracker
zone is a snapshot taken at export time: it is compared with the roster row
in effect last and with the offsets of the last three calendar months with commits,
so that a relocation is not mistaken for a conflict.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from auditor.resolve.locations.tz_countries import format_offset

AUTHORITATIVE = ("override", "roster")
SINGLE_COUNTRY = ("tracker_tz", "profile_location", "email_domain")
DESCRIPTIVE = ("activity_rhythm", "holiday_activity")  # shown with a period, never deciding
CHOOSE_THRESHOLD = 0.4
RUNNER_UP_RATIO = 0.8
CONFLICTED_AUTHORITY = 0.8
CONSISTENT_MIN_COMMITS = 3
CONSISTENT_SHARE = 0.8
OFFSET_WEIGHT = 0.3  # a month whose commits all sit at one informative offset
UTC_FACTOR = 0.1  # +0000 rows weigh a tenth: servers, CI and UTC laptops use it
ZONE_RECENT_MONTHS = 3  # a tracker zone (a current snapshot) is checked against recent offsets
MIXED_MIN_COMMITS = 3  # outliers that make "offsets of two places": at least this many commits
MIXED_MIN_MONTHS = 2  # ... in at least this many months (one trip is not a second place)
PERSONA_MIN_MONTHS = 4  # DST-correct outliers are the medium-confidence signal when spread
PERSONA_MAX_SHARE = 0.15  # over this many months and at most this share of the period


@dataclass(frozen=True, slots=True)
class Evidence:
    id: int
    kind: str
    value: str
    countries: tuple[str, ...]
    weight: float
    valid_from: date | None = None
    valid_to: date | None = None
    offset: int | None = None  # tz_offset only: minutes east of UTC
    commits: int = 0  # tz_offset only: commits at that offset in the period
    zone_pattern: str = ""  # tz_offset only: label of the period's zones
    fits: bool = True  # tz_offset only: False for commits outside the period's zones
    months: int = 0  # outlier tz_offset rows: calendar months they occur in
    joint: bool = False  # outlier tz_offset rows: the period's outliers fit one zone set
    night: bool = False  # activity_rhythm only: claimed local time puts the work at night
    commit_refs: tuple[str, ...] = ()  # outlier tz_offset rows: the commits behind them


@dataclass(frozen=True, slots=True)
class Period:
    country: str | None
    candidates: tuple[str, ...]
    confidence: float
    valid_from: date | None
    valid_to: date | None
    evidence_ids: tuple[int, ...]
    basis: str = ""  # authoritative | sources | offsets: adjacent periods merge only within one
    zone_pattern: str = ""  # label of the zones the period's commit offsets fit


@dataclass(frozen=True, slots=True)
class Conflict:
    description: str
    countries: tuple[str, ...]
    evidence_ids: tuple[int, ...]
    valid_from: date | None = None
    valid_to: date | None = None
    kind: str = "sources"  # sources (PV107) | timezone (PV110: offsets or rhythm disagree)
    commits: tuple[str, ...] = ()  # timezone: the commits that do not fit
    confidence: float = 0.5  # how sure the conflict is (rhythm alone: low)


def noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - max(0.0, min(1.0, w))
    return 1.0 - remaining


@dataclass
class _Month:
    start: date
    rows: list[Evidence] = field(default_factory=list)
    rhythm_ids: list[int] = field(default_factory=list)  # DESCRIPTIVE rows of the period
    _summary: tuple[frozenset[str], float] | None = None

    def _summarise(self) -> tuple[frozenset[str], float]:
        if self._summary is None:
            total = sum(r.commits for r in self.rows)
            fitting = [r for r in self.rows if r.offset not in (0, None) and r.fits and r.countries]
            cands = frozenset(c for r in fitting for c in r.countries)
            confidence = 0.0
            if cands and total:
                confidence = OFFSET_WEIGHT * sum(r.commits for r in fitting) / total
            self._summary = (cands, confidence)
        return self._summary

    @property
    def single_offset(self) -> bool:
        """One informative offset all period long (+0545): its single country is a claim
        the offset makes by itself, not the narrow end of an intersection of several."""
        return len({r.offset for r in self.rows if r.fits and r.offset not in (0, None)}) == 1

    @property
    def zone_pattern(self) -> str:
        return next((r.zone_pattern for r in self.rows if r.fits and r.zone_pattern), "")

    def candidates(self) -> frozenset[str]:
        """Countries of the zones every fitting informative commit of the period fits."""
        return self._summarise()[0]

    def confidence(self) -> float:
        """0.3 × the share of all the period's commits that fit its zones (+0000 dilutes)."""
        return self._summarise()[1]


def _overlaps(ev: Evidence, start: date | None, end: date | None) -> bool:
    if ev.valid_from and end and ev.valid_from > end:
        return False
    return not (ev.valid_to and start and ev.valid_to < start)


def _covers(ev: Evidence, start: date | None, end: date | None) -> bool:
    if ev.valid_from and (start is None or ev.valid_from > start):
        return False
    return not (ev.valid_to and (end is None or ev.valid_to < end))


def _offset_contradiction(
    country: str, rows: Sequence[Evidence]
) -> tuple[int, int, list[Evidence]]:
    """(informative commits, commits at offsets excluding `country`, those rows)."""
    informative = [r for r in rows if r.offset not in (0, None) and r.countries]
    total = sum(r.commits for r in informative)
    against = [r for r in informative if country not in r.countries]
    return total, sum(r.commits for r in against), against


def _consistent_against(total: int, against: int) -> bool:
    return total >= CONSISTENT_MIN_COMMITS and against / total >= CONSISTENT_SHARE


def resolve_person(
    evidence: Sequence[Evidence], as_of: date | None = None
) -> tuple[list[Period], list[Conflict]]:
    """Periods (ordered, non-overlapping) and conflicts for one person's evidence.

    With `as_of`, nothing ends after that day: offset rows cover whole calendar
    months and roster rows run on, but the evidence speaks only up to the day
    the resolution is for. Periods and conflicts that would start after it are dropped.
    """
    periods, conflicts = _resolve_person(evidence)
    if as_of is None:
        return periods, conflicts
    return _periods_until(periods, as_of), _conflicts_until(conflicts, as_of)


def _periods_until(periods: list[Period], as_of: date) -> list[Period]:
    return [
        replace(p, valid_to=as_of) if p.valid_to is not None and p.valid_to > as_of else p
        for p in periods
        if p.valid_from is None or p.valid_from <= as_of
    ]


def _conflicts_until(conflicts: list[Conflict], as_of: date) -> list[Conflict]:
    return [
        replace(c, valid_to=as_of) if c.valid_to is not None and c.valid_to > as_of else c
        for c in conflicts
        if c.valid_from is None or c.valid_from <= as_of
    ]


def _resolve_person(evidence: Sequence[Evidence]) -> tuple[list[Period], list[Conflict]]:
    auth = [e for e in evidence if e.kind in AUTHORITATIVE]
    singles = [e for e in evidence if e.kind in SINGLE_COUNTRY and e.countries]
    offsets = sorted((e for e in evidence if e.kind == "tz_offset"), key=lambda e: e.id)
    fitting = [e for e in offsets if e.fits]
    months: dict[date, _Month] = {}
    for row in offsets:  # outliers ride along: they count in the period's total
        month_start = row.valid_from or date.min
        months.setdefault(month_start, _Month(month_start)).rows.append(row)
    for row in evidence:
        if row.kind in DESCRIPTIVE and (row.valid_from or date.min) in months:
            months[row.valid_from or date.min].rhythm_ids.append(row.id)
    month_list = [months[k] for k in sorted(months)]

    rhythms = [e for e in evidence if e.kind == "activity_rhythm"]
    conflicts = _conflicts(auth, singles, fitting)
    conflicts += _timezone_conflicts(month_list, rhythms)
    conflicts += _weak_against_offsets(singles, month_list)
    auth_ids = {e.id for e in auth}
    conflicted_auth = {i for c in conflicts for i in c.evidence_ids if i in auth_ids}

    bounds: set[date] = set()
    for row in auth:
        if row.valid_from:
            bounds.add(row.valid_from)
        if row.valid_to and row.valid_to < date.max:
            bounds.add(row.valid_to + timedelta(days=1))
    bounds |= {m.start for m in month_list if m.start > date.min}
    # Periods begin at the earliest dated evidence: nothing is claimed for the years
    # before a roster row or a first commit. Undated rows (tracker zone, profile,
    # e-mail domain) open an unbounded start only when nothing is dated.
    origin = _origin(auth, month_list)
    edges = sorted(b for b in bounds if origin is None or b > origin)
    intervals: list[tuple[date | None, date | None]] = []
    starts: list[date | None] = [origin, *edges]
    for index, first in enumerate(starts):
        last = edges[index] - timedelta(days=1) if index < len(edges) else None
        intervals.append((first, last))

    periods: list[Period] = []
    month_starts = [m.start for m in month_list]
    for start, end in intervals:
        month = _month_at(month_list, month_starts, start)
        period = _decide(start, end, auth, singles, month, conflicted_auth)
        if period is not None:
            periods.append(period)
    return _merge(periods), conflicts


def _origin(auth: list[Evidence], months: list[_Month]) -> date | None:
    """The first day any dated evidence speaks for; None when some of it is open-ended."""
    if any(e.valid_from is None for e in auth):
        return None
    if months and months[0].start == date.min:  # an undated offset row
        return None
    dated = [e.valid_from for e in auth if e.valid_from] + [m.start for m in months[:1]]
    return min(dated, default=None)


def _month_at(months: list[_Month], starts: list[date], start: date | None) -> _Month | None:
    """The month whose offsets hold at `start`: the last one begun by then. None before
    the first month: offsets are never projected back to before the commits behind them."""
    if not months:
        return None
    if start is None:
        return months[0] if months[0].start == date.min else None
    index = bisect_right(starts, start) - 1
    return months[index] if index >= 0 else None


def _decide(
    start: date | None,
    end: date | None,
    auth: list[Evidence],
    singles: list[Evidence],
    month: _Month | None,
    conflicted: set[int],
) -> Period | None:
    offset_cands = month.candidates() if month else frozenset()
    offset_conf = month.confidence() if month else 0.0
    month_ids = tuple([r.id for r in month.rows] + month.rhythm_ids) if month else ()
    pattern = month.zone_pattern if month else ""

    covering = [e for e in auth if _covers(e, start, end) and e.countries]
    if covering:
        # Overrides first, then the most recently effective row.
        covering.sort(key=lambda e: (e.kind != "override", -(e.valid_from or date.min).toordinal()))
        chosen = covering[0]
        country = chosen.countries[0]
        support = [chosen.id]
        support += [e.id for e in singles if country in e.countries]
        if country in offset_cands:
            support += list(month_ids)
        confidence = CONFLICTED_AUTHORITY if chosen.id in conflicted else 1.0
        return Period(
            country,
            (country,),
            confidence,
            start,
            end,
            tuple(sorted(support)),
            "authoritative",
            pattern,
        )

    if singles:
        scores: dict[str, float] = {}
        for c in sorted({e.countries[0] for e in singles}):
            scores[c] = noisy_or(e.weight for e in singles if c in e.countries)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        top, top_score = ranked[0]
        close = [c for c, s in ranked if s >= RUNNER_UP_RATIO * top_score]
        if len(close) > 1 and offset_cands:
            fitting = [c for c in close if c in offset_cands]
            if len(fitting) == 1:
                close = fitting
                top = fitting[0]
                top_score = scores[top]
        if len(close) == 1 and top_score >= CHOOSE_THRESHOLD:
            support = [e.id for e in singles if top in e.countries]
            if offset_cands and top not in offset_cands:
                # A weak source the commit offsets contradict decides nothing: the period
                # keeps the offsets' candidates, less sure for the contradiction.
                return Period(
                    None,
                    tuple(sorted(offset_cands)),
                    round(offset_conf * (1.0 - top_score), 4),
                    start,
                    end,
                    tuple(sorted({*month_ids, *support})),
                    "contradicted",
                    pattern,
                )
            confidence = top_score
            if top in offset_cands:
                confidence = noisy_or([top_score, offset_conf])
                support += list(month_ids)
            return Period(
                top,
                (top,),
                round(confidence, 4),
                start,
                end,
                tuple(sorted(support)),
                "sources",
                pattern,
            )
        candidates = tuple(sorted(close if len(close) > 1 else scores))
        support = [e.id for e in singles if set(e.countries) & set(candidates)]
        return Period(
            None,
            candidates,
            round(noisy_or(scores[c] for c in candidates[:1]), 4),
            start,
            end,
            tuple(sorted(support)),
            "sources",
            pattern,
        )

    if month is None:
        return None
    if len(offset_cands) == 1 and month.single_offset:
        (only,) = offset_cands
        return Period(
            only, (only,), round(offset_conf, 4), start, end, month_ids, "offsets", pattern
        )
    return Period(
        None,
        tuple(sorted(offset_cands)),
        round(offset_conf, 4),
        start,
        end,
        month_ids,
        "offsets",
        pattern,
    )


def _merge(periods: list[Period]) -> list[Period]:
    groups: list[list[Period]] = []
    for period in periods:
        if groups:
            last = groups[-1][-1]
            adjacent = (
                last.valid_to is not None
                and period.valid_from is not None
                and last.valid_to + timedelta(days=1) == period.valid_from
            )
            same = (last.country, last.candidates, last.basis) == (
                period.country,
                period.candidates,
                period.basis,
            )
            if adjacent and same:
                groups[-1].append(period)
                continue
        groups.append([period])
    merged = []
    for group in groups:
        first, last = group[0], group[-1]
        merged.append(
            Period(
                first.country,
                first.candidates,
                min(p.confidence for p in group),
                first.valid_from,
                last.valid_to,
                tuple(sorted({i for p in group for i in p.evidence_ids})),
                first.basis,
                next((p.zone_pattern for p in reversed(group) if p.zone_pattern), ""),
            )
        )
    return merged


def _span(rows: Sequence[Evidence]) -> tuple[date | None, date | None]:
    froms = [r.valid_from for r in rows]
    tos = [r.valid_to for r in rows]
    start = None if any(f is None for f in froms) else min(f for f in froms if f)
    end = None if any(t is None for t in tos) else max(t for t in tos if t)
    return start, end


def _conflicts(
    auth: list[Evidence], singles: list[Evidence], offsets: list[Evidence]
) -> list[Conflict]:
    found: list[Conflict] = []
    zones = [e for e in singles if e.kind == "tracker_tz"]
    # A tracker profile zone is a snapshot taken at export time: compare it with the
    # authoritative rows still in effect last, not with where someone lived before moving.
    latest_end = max((a.valid_to or date.max for a in auth), default=date.max)
    for row in auth:
        country = row.countries[0] if row.countries else None
        if country is None:
            continue
        current = (row.valid_to or date.max) == latest_end
        for other in auth:
            if (
                other.id > row.id
                and other.kind != row.kind
                and other.countries
                and other.countries[0] != country
                and _overlaps(other, row.valid_from, row.valid_to)
            ):
                found.append(
                    Conflict(
                        f"{row.kind} says {country}, {other.kind} says {other.countries[0]}",
                        tuple(sorted({country, other.countries[0]})),
                        (row.id, other.id),
                        row.valid_from,
                        row.valid_to,
                    )
                )
        for zone in zones if current else []:
            if zone.countries[0] != country:
                found.append(
                    Conflict(
                        f"{row.kind} says {country}, tracker time zone {zone.value} "
                        f"says {zone.countries[0]}",
                        tuple(sorted({country, zone.countries[0]})),
                        (row.id, zone.id),
                        row.valid_from,
                        row.valid_to,
                    )
                )
        inside = [o for o in offsets if _overlaps(o, row.valid_from, row.valid_to)]
        total, against, rows = _offset_contradiction(country, inside)
        if _consistent_against(total, against):
            others = sorted({c for r in rows for c in r.countries})
            found.append(
                Conflict(
                    f"{row.kind} says {country}, but {against} of {total} commits carry "
                    f"offsets ({_offsets_text(rows)}) used only outside {country}",
                    tuple(sorted({country, *others})),
                    (row.id, *sorted(r.id for r in rows)),
                    row.valid_from,
                    row.valid_to,
                )
            )
    zone_countries = sorted({z.countries[0] for z in zones})
    if len(zone_countries) > 1:
        found.append(
            Conflict(
                "tracker time zones disagree: "
                + ", ".join(sorted({f"{z.value} ({z.countries[0]})" for z in zones})),
                tuple(zone_countries),
                tuple(sorted(z.id for z in zones)),
            )
        )
    uncovered = [
        o for o in offsets if not any(_overlaps(o, a.valid_from, a.valid_to) for a in auth)
    ]
    latest = max((o.valid_from for o in uncovered if o.valid_from), default=None)
    recent = [
        o
        for o in uncovered
        if latest
        and o.valid_from
        and o.valid_from >= _months_before(latest, ZONE_RECENT_MONTHS - 1)
    ]
    for zone in zones:
        total, against, rows = _offset_contradiction(zone.countries[0], recent)
        if _consistent_against(total, against):
            others = sorted({c for r in rows for c in r.countries})
            start, end = _span(rows)
            found.append(
                Conflict(
                    f"tracker time zone {zone.value} says {zone.countries[0]}, but {against} "
                    f"of {total} commits carry offsets ({_offsets_text(rows)}) used only "
                    f"outside {zone.countries[0]}",
                    tuple(sorted({zone.countries[0], *others})),
                    (zone.id, *sorted(r.id for r in rows)),
                    start,
                    end,
                )
            )
    return found


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _offsets_text(rows: Sequence[Evidence]) -> str:
    offsets = sorted({r.offset for r in rows if r.offset is not None})
    return ", ".join(format_offset(o) for o in offsets)


def _timezone_conflicts(months: list[_Month], rhythms: list[Evidence]) -> list[Conflict]:
    """Offsets of two places within one period, and rhythms that put the work at night."""
    found: list[Conflict] = []
    for month in months:
        outliers = [r for r in month.rows if not r.fits and r.offset not in (0, None)]
        commits = sum(r.commits for r in outliers)
        spread = sum(r.months for r in outliers)
        if commits < MIXED_MIN_COMMITS or spread < MIXED_MIN_MONTHS:
            continue
        fitting = [r for r in month.rows if r.fits and r.offset not in (0, None)]
        main = ", ".join(f"{format_offset(r.offset or 0)} × {r.commits}" for r in fitting)
        other = ", ".join(f"{format_offset(r.offset or 0)} × {r.commits}" for r in outliers)
        other_countries = {c for r in outliers for c in r.countries}
        # Sparse outliers over many months, at two offsets that fit one zone set together,
        # switch on that zone's DST dates: a clock kept there now and then, not a trip
        # (a few weeks, often across one switch) nor a second home (a large share).
        months_total = sum(r.commits for r in month.rows if r.offset not in (0, None))
        dst_correct = (
            len({r.offset for r in outliers}) > 1
            and all(r.joint for r in outliers)
            and spread >= PERSONA_MIN_MONTHS
            and commits <= PERSONA_MAX_SHARE * months_total
        )
        found.append(
            Conflict(
                f"offsets of two places: {main} fit {month.zone_pattern or 'the period'}, "
                f"{other} ({commits} commits in {spread} months) fit "
                f"{' / '.join(sorted({r.zone_pattern for r in outliers})) or 'no single zone'}",
                tuple(sorted({c for r in fitting for c in r.countries} | other_countries)),
                tuple(sorted(r.id for r in month.rows)),
                month.rows[0].valid_from,
                month.rows[0].valid_to,
                kind="timezone",
                commits=tuple(sorted({c for r in outliers for c in r.commit_refs})),
                confidence=0.6 if dst_correct else 0.4,
            )
        )
    for rhythm in rhythms:
        if rhythm.night:
            found.append(
                Conflict(
                    f"activity rhythm: {rhythm.value}",
                    rhythm.countries,
                    (rhythm.id,),
                    rhythm.valid_from,
                    rhythm.valid_to,
                    kind="timezone",
                    confidence=0.3,
                )
            )
    return found


_WEAK_NAMES = {
    "email_domain": "e-mail domain",
    "profile_location": "profile location",
    "tracker_tz": "tracker time zone",
}


def _weak_against_offsets(singles: list[Evidence], months: list[_Month]) -> list[Conflict]:
    """A one-country source (undated) whose country fits no period of the commit offsets.

    Undated, the source may hold for any one period (people move): it contradicts
    the offsets only when no period's zones include its country.
    """
    found: list[Conflict] = []
    placed = [m for m in months if m.candidates()]
    for row in singles:
        if row.kind == "tracker_tz":
            continue  # compared with recent consistent offsets in `_conflicts`
        country = row.countries[0]
        against = [m for m in placed if country not in m.candidates()]
        if not against or len(against) < len(placed):
            continue
        ids = [r.id for m in against for r in m.rows if r.fits]
        patterns = sorted({m.zone_pattern for m in against if m.zone_pattern})
        found.append(
            Conflict(
                f"{_WEAK_NAMES.get(row.kind, row.kind)} {row.value} says {country}, but commit "
                f"offsets fit only {', '.join(patterns) or 'zones'} outside {country}",
                tuple(sorted({country, *(c for m in against for c in m.candidates())})),
                (row.id, *sorted(ids)),
                min((m.rows[0].valid_from for m in against if m.rows[0].valid_from), default=None),
                max((m.rows[0].valid_to for m in against if m.rows[0].valid_to), default=None),
            )
        )
    return found
