"""LocationIndex: bisect over stored periods, open ends, gaps, unknown people."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from auditor.resolve.locations.index import UNKNOWN, LocationIndex, ResolvedAt
from auditor.store import models
from auditor.store.engine import transaction
from tests.derived_rows import HAND_RESOLUTION, insert_derived


def test_periods_open_ends_and_gaps(engine: Engine) -> None:
    with transaction(engine) as conn:
        insert_derived(
            conn,
            models.Person,
            [
                {"id": 1, "key": "a", "name": "A", "primary_email": None, "bot": False},
                {"id": 2, "key": "b", "name": "B", "primary_email": None, "bot": False},
            ],
        )
        insert_derived(
            conn,
            models.ResolvedLocation,
            [
                {
                    "person_id": 1,
                    "country": "CN",
                    "candidates": ["CN"],
                    "confidence": 1.0,
                    "valid_from": date(2025, 7, 1),
                    "valid_to": None,
                    "evidence_ids": [2],
                },
                {
                    "person_id": 1,
                    "country": "DE",
                    "candidates": ["DE"],
                    "confidence": 1.0,
                    "valid_from": None,
                    "valid_to": date(2025, 3, 31),
                    "evidence_ids": [1],
                },
                {
                    "person_id": 2,
                    "country": None,
                    "candidates": ["SG", "CN"],
                    "confidence": 0.3,
                    "valid_from": date(2025, 1, 1),
                    "valid_to": date(2025, 1, 31),
                    "evidence_ids": [5],
                },
            ],
        )
    index = LocationIndex.load(engine, HAND_RESOLUTION)
    assert index.at(1, date(1999, 1, 1)).country == "DE"
    assert index.at(1, date(2025, 3, 31)).country == "DE"
    assert index.at(1, date(2025, 4, 1)) == UNKNOWN  # gap between rows
    assert index.at(1, date(2025, 7, 1)).country == "CN"
    assert index.at(1, date(2099, 1, 1)).evidence_ids == (2,)
    b = index.at(2, date(2025, 1, 15))
    assert (b.country, b.candidates, b.confidence, b.known) == (None, {"CN", "SG"}, 0.3, True)
    assert index.at(2, date(2024, 12, 31)) == UNKNOWN
    assert index.at(2, date(2025, 2, 1)) == UNKNOWN
    assert index.at(3, date(2025, 1, 1)) == UNKNOWN and not UNKNOWN.known
    assert [(s, e, r.country) for s, e, r in index.periods(1)] == [
        (None, date(2025, 3, 31), "DE"),
        (date(2025, 7, 1), None, "CN"),
    ]
    assert index.people() == [1, 2]


def test_disjoint_unless_a_person_has_overlapping_periods() -> None:
    cn = ResolvedAt("CN", frozenset({"CN"}), 1.0, ())
    de = ResolvedAt("DE", frozenset({"DE"}), 1.0, ())
    apart = {
        1: [(date.min, date(2025, 3, 31), cn), (date(2025, 4, 1), date.max, de)],
        2: [(date(2025, 1, 1), date(2025, 1, 31), cn)],
    }
    assert LocationIndex(apart).disjoint()
    touching = {1: [(date.min, date(2025, 4, 1), cn), (date(2025, 4, 1), date.max, de)]}
    assert not LocationIndex(touching).disjoint()
    assert LocationIndex(touching).at(1, date(2025, 4, 1)).country == "DE"  # latest start wins
