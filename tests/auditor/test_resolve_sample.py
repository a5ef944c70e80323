"""Acceptance on the sample organisation: collected by the real collectors, resolved,
asserted per person against the ground truth in `sample_repos/spec.py`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.resolve.attribution import component_attribution
from auditor.resolve.locations.index import LocationIndex
from auditor.resolve.locations.resolution import Evidence, resolve_person
from auditor.resolve.pipeline import ResolveSummary, resolve_all
from auditor.store import models
from auditor.store.engine import make_engine
from sample_repos import spec


@dataclass
class Resolved:
    engine: Engine
    loaded: LoadedConfig
    summary: ResolveSummary
    index: LocationIndex
    people: dict[str, int]  # person key -> id
    resolution_id: int


@pytest.fixture(scope="module")
def resolved(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Resolved]:
    loaded = load_config(sample_workspace / "auditor.toml")
    db = tmp_path_factory.mktemp("resolve-sample") / "audit.db"
    engine = make_engine(f"sqlite:///{db}")
    collect_all(loaded, engine)
    resolution = resolve_all(engine, loaded, spec.AS_OF)
    person = models.Person
    with engine.connect() as conn:
        people = {k: i for i, k in conn.execute(select(person.c.id, person.c.key))}
    index = LocationIndex.load(engine, resolution.id)
    yield Resolved(engine, loaded, resolution.summary, index, people, resolution.id)
    engine.dispose()


def _pid(r: Resolved, key: str) -> int:
    return r.people[spec.engineer(key).email.lower()]


def _evidence(r: Resolved, pid: int) -> list[Evidence]:
    ev = models.LocationEvidence
    with r.engine.connect() as conn:
        rows = conn.execute(select(ev).where(ev.c.person_id == pid).order_by(ev.c.id)).all()
    out = []
    for row in rows:
        offset = None
        if row.kind == "tz_offset":
            raw = row.value.split(" ", 1)[0]
            offset = (1 if raw[0] == "+" else -1) * (int(raw[1:3]) * 60 + int(raw[3:5]))
        commits = int(row.value.split(" × ")[1].split(" ")[0]) if offset is not None else 0
        out.append(
            Evidence(
                row.id,
                row.kind,
                row.value,
                tuple(row.countries),
                row.weight,
                row.valid_from,
                row.valid_to,
                offset,
                commits,
            )
        )
    return out


def _days() -> list[date]:
    day, out = spec.START, []
    while day <= spec.AS_OF:
        out.append(day)
        day += timedelta(days=15)
    return out


def test_one_person_per_engineer_and_the_bot(resolved: Resolved) -> None:
    assert {e.email.lower() for e in spec.ENGINEERS} <= set(resolved.people)
    assert resolved.summary.people == len(spec.ENGINEERS)
    assert resolved.summary.bots == 1
    person = models.Person
    with resolved.engine.connect() as conn:
        bots = conn.execute(select(person.c.key).where(person.c.bot)).scalars().all()
    assert bots == [spec.BOT_EMAIL.lower()]


def test_mailmap_alias_is_the_same_person(resolved: Resolved) -> None:
    _alias_name, alias_email = spec.engineer(spec.PLANTED.mailmap_alias).alias  # type: ignore[misc]
    assert alias_email.lower() not in resolved.people
    pi, ident = models.PersonIdentity, models.Identity
    with resolved.engine.connect() as conn:
        owner = (
            conn.execute(
                select(pi.c.person_id)
                .join(ident, ident.c.id == pi.c.identity_id)
                .where(ident.c.email == alias_email)
            )
            .scalars()
            .all()
        )
    assert owner and set(owner) == {_pid(resolved, spec.PLANTED.mailmap_alias)}


@pytest.mark.parametrize("key", [e.key for e in spec.ENGINEERS])
def test_every_rostered_engineer_resolves_to_the_roster_country(
    resolved: Resolved, key: str
) -> None:
    pid = _pid(resolved, key)
    for day in _days():
        expected = spec.roster_country(key, day)
        if expected is None:
            continue
        found = resolved.index.at(pid, day)
        assert found.country == expected, (key, day, found)
        assert found.confidence >= 0.8


def test_relocation_is_two_periods(resolved: Resolved) -> None:
    key = spec.PLANTED.relocation
    pid = _pid(resolved, key)
    move = next(row.valid_from for row in spec.engineer(key).roster[1:])
    assert move is not None
    assert resolved.index.at(pid, move - timedelta(days=1)).country == "RU"
    assert resolved.index.at(pid, move).country == "DE"
    # The Jira zone (Europe/Berlin) is today's: no conflict with the RU years.
    assert _conflicts(resolved, pid) == []


def test_plus_0800_pair_told_apart_only_by_stronger_evidence(resolved: Resolved) -> None:
    cn_key, sg_key = spec.PLANTED.plus_0800_pair
    day = date(2026, 6, 1)
    cn, sg = (resolved.index.at(_pid(resolved, k), day) for k in (cn_key, sg_key))
    assert (cn.country, sg.country) == ("CN", "SG")
    for key in (cn_key, sg_key):
        evidence = _evidence(resolved, _pid(resolved, key))
        offsets = [e for e in evidence if e.kind == "tz_offset"]
        assert offsets and all({"CN", "SG"} <= set(e.countries) for e in offsets)
        periods, _ = resolve_person(offsets)  # the offsets alone
        assert all(p.country is None and {"CN", "SG"} <= set(p.candidates) for p in periods)


def test_utc_machine_is_never_claimed_from_offsets(resolved: Resolved) -> None:
    pid = _pid(resolved, spec.PLANTED.utc_machine)
    evidence = _evidence(resolved, pid)
    offsets = [e for e in evidence if e.kind == "tz_offset"]
    assert offsets and {e.offset for e in offsets} == {0}
    periods, conflicts = resolve_person(offsets)
    assert all(p.country is None and p.candidates == () for p in periods)
    assert conflicts == []
    # With the roster it resolves, and +0000 commits contradict nothing.
    assert resolved.index.at(pid, spec.AS_OF).country == "IN"
    assert _conflicts(resolved, pid) == []


def _conflicts(resolved: Resolved, pid: int) -> list[tuple[str, ...]]:
    lc = models.LocationConflict
    with resolved.engine.connect() as conn:
        return [
            tuple(c) for (c,) in conn.execute(select(lc.c.countries).where(lc.c.person_id == pid))
        ]


def test_conflicts_only_where_planted(resolved: Resolved) -> None:
    lc = models.LocationConflict
    with resolved.engine.connect() as conn:
        rows = conn.execute(select(lc.c.person_id, lc.c.description, lc.c.countries)).all()
    planted = _pid(resolved, spec.PLANTED.conflict)
    assert {r.person_id for r in rows} == {planted}
    descriptions = " | ".join(r.description for r in rows)
    assert "Asia/Shanghai" in descriptions  # roster vs Jira zone
    assert "+0800" in descriptions  # roster vs consistent commit offsets
    assert all({"US", "CN"} <= set(r.countries) for r in rows)
    # The roster still decides, at reduced confidence.
    at = resolved.index.at(planted, spec.AS_OF)
    assert (at.country, at.confidence) == ("US", 0.8)


def test_components_cover_the_spec_paths(resolved: Resolved) -> None:
    assert resolved.summary.components == len(spec.COMPONENTS)
    assert resolved.summary.mapped_paths >= sum(len(c.files) for c in spec.COMPONENTS)
    assert resolved.summary.mapped_work_items > 0


def test_onprem_attribution_is_dominated_by_the_shanghai_team(resolved: Resolved) -> None:
    window = resolved.loaded.config.policy.window_days
    result = component_attribution(
        resolved.engine,
        resolved.loaded,
        spec.AS_OF - timedelta(days=window - 1),
        spec.AS_OF,
        resolution_id=resolved.resolution_id,
        index=resolved.index,
    )
    onprem = next(a for a in result if a.component == "Collab OnPrem")
    cn = onprem.jurisdiction("CN")
    assert cn is not None and cn.share_min > 0.5
    assert onprem.tiers["high"].share_min >= cn.share_min
    assert onprem.tiers["unknown"].share_max == 0.0  # everyone active is on the roster
