"""The fixed store of `storedata` plus a crowd: 2,000 people with long e-mails.

Real-world shapes of location: a resolved country, the 13 countries a +0800
offset allows (CN and RU among them), the 10 of EET with EU DST (none high-risk),
and nothing at all. One of them, Yan Mover, moved: +0100 commits in 2025, +0800
from 2026, with an offset evidence row per run, so the person screen has a
histogram per year and evidence rows that lead to their commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from auditor.store import models
from auditor.store.engine import bulk_insert, transaction
from tests.derived_rows import insert_derived
from tests.tui import storedata

PEOPLE = 2000
FIRST_ID = 1000  # above every id of storedata
UTC8 = ["AU", "BN", "CN", "HK", "ID", "MN", "MO", "MY", "PH", "RU", "SG", "TW", "UA"]
EET_EU = ["BG", "CY", "EE", "FI", "GR", "LT", "LV", "MD", "RO", "UA"]
SHAPES = (
    ("DE", ["DE"], 0.95),
    (None, UTC8, 0.3),
    (None, EET_EU, 0.3),
    ("CN", ["CN"], 0.8),
    (None, [], 0.0),
)
MOVER = FIRST_ID  # Yan Mover


def email(i: int) -> str:
    return f"firstname.middlename.lastname.{i:04d}@engineering.subsidiary.example.com"


def _ts(day: date, offset: int) -> int:
    return int(datetime(day.year, day.month, day.day, 10, tzinfo=UTC).timestamp()) - offset * 60


def populate(engine: Engine) -> None:
    storedata.populate(engine)
    people, identities, links, resolved, commits, changes, evidence = [], [], [], [], [], [], []
    for n in range(PEOPLE):
        pid = FIRST_ID + n
        name = "Yan Mover" if pid == MOVER else f"Engineer {n:04d} Longname-Doublebarrel"
        people.append(
            {"id": pid, "key": email(n), "name": name, "primary_email": email(n), "bot": False}
        )
        identities.append(
            {
                "id": pid,
                "kind": "git",
                "key": f"{name} <{email(n)}>",
                "name": name,
                "email": email(n),
                "time_zone": None,
            }
        )
        links.append({"identity_id": pid, "person_id": pid, "via": "email"})
        country, candidates, confidence = SHAPES[n % len(SHAPES)]
        if pid != MOVER:
            resolved.append(
                {
                    "person_id": pid,
                    "country": country,
                    "candidates": candidates,
                    "confidence": confidence,
                    "valid_from": None,
                    "valid_to": None,
                    "evidence_ids": [],
                }
            )
        if pid == MOVER:
            continue
        day = date(2026, 4 + n % 6, 1 + n % 28)
        commits.append(_commit(pid, pid, day, 480 if n % 2 else 60, f"change {n}"))
        changes.append({"commit_id": pid, "path_id": 1, "added": 1 + n % 7, "deleted": 0})
    # Yan Mover: 2025 in Berlin (+0100/+0200), 2026 at +0800
    moves = [(date(2025, 3, 3), 60), (date(2025, 6, 2), 120), (date(2025, 11, 3), 60)]
    moves += [(date(2026, 2, 2), 480), (date(2026, 5, 4), 480), (date(2026, 8, 3), 480)]
    for k, (day, offset) in enumerate(moves):
        cid = FIRST_ID + PEOPLE + k
        commits.append(_commit(cid, MOVER, day, offset, f"mover {k}"))
        changes.append({"commit_id": cid, "path_id": 1, "added": 5, "deleted": 1})
    evidence = [
        _evidence(
            9001, "+0100 × 2 of 2 commits in 2025-03..2025-11", ["DE"], date(2025, 3, 1), 2025, 11
        ),
        _evidence(9002, "+0200 × 1 of 1 commits in 2025-06", ["DE"], date(2025, 6, 1), 2025, 6),
        _evidence(
            9003, "+0800 × 4 of 4 commits in 2026-02..2026-08", UTC8, date(2026, 2, 1), 2026, 8
        ),
    ]
    resolved += [
        {
            "person_id": MOVER,
            "country": "DE",
            "candidates": ["DE"],
            "confidence": 0.3,
            "valid_from": date(2025, 3, 1),
            "valid_to": date(2025, 12, 31),
            "evidence_ids": [9001, 9002],
        },
        {
            "person_id": MOVER,
            "country": None,
            "candidates": UTC8,
            "confidence": 0.3,
            "valid_from": date(2026, 1, 1),
            "valid_to": None,
            "evidence_ids": [9003],
        },
    ]
    with transaction(engine) as conn:
        bulk_insert(conn, models.Identity, identities)
        insert_derived(conn, models.Person, people)
        insert_derived(conn, models.PersonIdentity, links)
        bulk_insert(conn, models.Commit, commits)
        bulk_insert(conn, models.FileChange, changes)
        insert_derived(conn, models.LocationEvidence, evidence)
        insert_derived(conn, models.ResolvedLocation, resolved)


def _commit(cid: int, author: int, day: date, offset: int, message: str) -> dict[str, object]:
    return {
        "id": cid,
        "source_id": 1,
        "sha": f"{cid:040x}",
        "parents": "",
        "author_id": author,
        "committer_id": author,
        "authored_at": _ts(day, offset),
        "author_offset": offset,
        "committed_at": _ts(day, offset),
        "committer_offset": offset,
        "message": message,
        "added": 5,
        "deleted": 1,
        "files": 1,
        "flags": [],
    }


def _evidence(
    i: int, value: str, countries: list[str], start: date, end_year: int, end_month: int
) -> dict[str, object]:
    last = date(end_year + end_month // 12, end_month % 12 + 1, 1).toordinal() - 1
    return {
        "id": i,
        "person_id": MOVER,
        "kind": "tz_offset",
        "value": value,
        "countries": countries,
        "weight": 0.3,
        "valid_from": start,
        "valid_to": date.fromordinal(last),
        "ref": f"commits:{start:%Y-%m}..{end_year}-{end_month:02d}",
    }
