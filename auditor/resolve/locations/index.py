"""Fast look-ups of where a person was on a day: `LocationIndex.load(engine, resolution_id).at(…)`.

Loads one resolution's `resolved_location` rows once; each look-up is a bisect over the person's
periods (ordered, non-overlapping). Days outside every period are unknown.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from auditor.store import models
from auditor.store.resolutions import of


@dataclass(frozen=True, slots=True)
class ResolvedAt:
    """A person's location on one day.

    `country` is None when unknown or ambiguous; `candidates` then holds the
    countries the evidence allows (empty when unknown). For a resolved person
    `candidates == {country}`. `confidence` as defined in
    `auditor.resolve.locations.resolution`.
    """

    country: str | None
    candidates: frozenset[str]
    confidence: float
    evidence_ids: tuple[int, ...]

    @property
    def known(self) -> bool:
        return self.country is not None or bool(self.candidates)


UNKNOWN = ResolvedAt(None, frozenset(), 0.0, ())


class LocationIndex:
    def __init__(self, periods: dict[int, list[tuple[date, date, ResolvedAt]]]):
        self._periods = periods
        self._starts = {pid: [p[0] for p in rows] for pid, rows in periods.items()}

    @classmethod
    def load(cls, engine: Engine | Connection, resolution_id: int | None) -> LocationIndex:
        """The periods of resolution `resolution_id` (None: no resolution, no period)."""
        rl = models.ResolvedLocation
        query = select(
            rl.c.person_id,
            rl.c.country,
            rl.c.candidates,
            rl.c.confidence,
            rl.c.valid_from,
            rl.c.valid_to,
            rl.c.evidence_ids,
        ).where(of(rl, resolution_id))
        if isinstance(engine, Connection):
            rows = list(engine.execute(query))
        else:
            with engine.connect() as conn:
                rows = list(conn.execute(query))
        periods: dict[int, list[tuple[date, date, ResolvedAt]]] = defaultdict(list)
        for pid, country, candidates, confidence, start, end, evidence in rows:
            cands = frozenset(candidates or ([country] if country else []))
            periods[pid].append(
                (
                    start or date.min,
                    end or date.max,
                    ResolvedAt(country, cands, float(confidence), tuple(evidence or ())),
                )
            )
        for rows_of in periods.values():
            rows_of.sort(key=lambda p: p[0])
        return cls(dict(periods))

    def at(self, person_id: int, day: date) -> ResolvedAt:
        starts = self._starts.get(person_id)
        if not starts:
            return UNKNOWN
        index = bisect_right(starts, day) - 1
        if index < 0:
            return UNKNOWN
        _start, end, resolved = self._periods[person_id][index]
        return resolved if day <= end else UNKNOWN

    def periods(self, person_id: int) -> list[tuple[date | None, date | None, ResolvedAt]]:
        """The person's periods, open ends as None."""
        return [
            (None if s == date.min else s, None if e == date.max else e, r)
            for s, e, r in self._periods.get(person_id, [])
        ]

    def disjoint(self) -> bool:
        """True when no two periods of a person overlap (what resolution produces)."""
        return all(
            later[0] > earlier[1]
            for rows in self._periods.values()
            for earlier, later in pairwise(rows)
        )

    def people(self) -> list[int]:
        return sorted(self._periods)
