"""resolve_all end to end on a real store: people, evidence, periods, conflicts, components."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from auditor.resolve.locations.index import LocationIndex
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from auditor.store.engine import transaction
from tests.auditor.resolve_support import StoreBuilder, newest_resolution, write_config

CONFIG = """
[[git]]
name = "server"
path = "repos/server"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/onprem/**"]
"""


def _people(engine: Engine) -> dict[str, int]:
    p = models.Person
    with engine.connect() as conn:
        return {k: i for i, k in conn.execute(select(p.c.id, p.c.key))}


def _scenario(engine: Engine) -> StoreBuilder:
    s = StoreBuilder(engine)
    repo = s.source("server")
    roster = s.source("roster", kind="roster", location="/x/exports/roster.csv")
    # Relocation: Berlin until June 2025, then Shanghai.
    mover = s.git_identity("Mia Mover", "mia@corp.example")
    s.roster(roster, 2, "MIA@corp.example", "Mia Mover", "DE", None, date(2025, 6, 30))
    s.roster(roster, 3, "mia@corp.example", "Mia Mover", "CN", date(2025, 7, 1), None)
    # Berlin keeps +0100 until 30 March: CET in early March, CEST after.
    for day, offset in (
        ("2025-03-03", "+01:00"),
        ("2025-04-07", "+02:00"),
        ("2025-05-05", "+02:00"),
    ):
        s.commit(repo, mover, f"{day}T10:00:00{offset}", {"src/onprem/a.c": (10, 0)})
    for day in ("2025-08-04", "2025-09-01"):
        s.commit(repo, mover, f"{day}T10:00:00+08:00", {"src/onprem/a.c": (20, 5)})
    # Two +0800 engineers without roster rows: only stronger evidence tells them apart.
    wei = s.git_identity("Wei", "wei@qq.com")
    tan = s.git_identity("Tan", "tan@example.com")
    s.identity("jira", "acc-tan", name="Tan", time_zone="Asia/Singapore")
    for day in ("2025-08-04", "2025-08-05", "2025-08-06"):
        s.commit(repo, wei, f"{day}T10:00:00+08:00", {"src/onprem/b.c": (7, 0)})
        s.commit(repo, tan, f"{day}T11:00:00+08:00", {"src/onprem/b.c": (3, 0)})
    # A +0800 engineer with nothing else: a candidate set, never a country.
    anon = s.git_identity("Anon", "anon@example.com")
    s.commit(repo, anon, "2025-08-04T10:00:00+08:00", {"src/onprem/c.c": (4, 0)})
    # The UTC machine: never a country.
    utc = s.git_identity("Uma", "uma@example.com")
    for day in ("2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07"):
        s.commit(repo, utc, f"{day}T10:00:00+00:00", {"docs/readme.md": (1, 1)})
    # Roster says GB, every commit says +0300 (planted conflict).
    gus = s.git_identity("Gus", "gus@corp.example")
    s.roster(roster, 4, "gus@corp.example", "Gus", "GB")
    for day in ("2025-08-04", "2025-08-05", "2025-08-06"):
        s.commit(repo, gus, f"{day}T10:00:00+03:00", {"src/onprem/d.c": (2, 0)})
    # A bot.
    bot = s.git_identity("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    s.commit(repo, bot, "2025-08-04T10:00:00+00:00", {"src/onprem/a.c": (100, 0)})
    return s


def test_resolve_all_people_locations_and_conflicts(tmp_path: Path, engine: Engine) -> None:
    _scenario(engine)
    loaded = write_config(tmp_path, CONFIG)
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert summary.bots == 1
    assert summary.people == 6
    people = _people(engine)
    index = LocationIndex.load(engine, newest_resolution(engine))

    mia = people["mia@corp.example"]
    assert index.at(mia, date(2025, 3, 3)).country == "DE"
    assert index.at(mia, date(2025, 6, 30)).country == "DE"
    assert index.at(mia, date(2025, 7, 1)).country == "CN"
    assert index.at(mia, date(2024, 1, 1)).country == "DE"
    assert index.at(mia, date(2025, 7, 1)).confidence == 1.0

    wei = index.at(people["wei@qq.com"], date(2025, 8, 4))
    tan = index.at(people["tan@example.com"], date(2025, 8, 4))
    assert wei.country == "CN"
    assert tan.country == "SG"
    assert wei.confidence < 1.0

    anon = index.at(people["anon@example.com"], date(2025, 8, 4))
    assert anon.country is None
    assert {"CN", "SG", "MY", "PH", "TW"} <= anon.candidates

    uma = index.at(people["uma@example.com"], date(2025, 8, 5))
    assert uma.country is None and uma.candidates == frozenset()

    gus = people["gus@corp.example"]
    assert index.at(gus, date(2025, 8, 5)).country == "GB"
    assert index.at(gus, date(2025, 8, 5)).confidence < 1.0
    conflicts = models.LocationConflict
    with engine.connect() as conn:
        rows = conn.execute(select(conflicts.c.person_id, conflicts.c.countries)).all()
    assert [r.person_id for r in rows] == [gus]
    assert "GB" in rows[0].countries and "RU" in rows[0].countries


def test_resolve_all_is_idempotent_and_keeps_ids(tmp_path: Path, engine: Engine) -> None:
    _scenario(engine)
    loaded = write_config(tmp_path, CONFIG)
    first = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    ids = _people(engine)

    def counts() -> list[int]:
        with engine.connect() as conn:
            return [
                conn.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (
                    models.Person,
                    models.PersonIdentity,
                    models.LocationEvidence,
                    models.ResolvedLocation,
                    models.LocationConflict,
                    models.PathComponent,
                )
            ]

    before = counts()
    second = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert second == first
    assert counts() == before
    assert _people(engine) == ids


def test_components_map_paths_once_and_report_coverage(tmp_path: Path, engine: Engine) -> None:
    _scenario(engine)
    loaded = write_config(tmp_path, CONFIG)
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert summary.components == 1
    assert summary.mapped_paths == 4  # src/onprem/{a,b,c,d}.c, not docs/readme.md
    assert summary.unmapped_churn == 8  # the UTC engineer's four 1+1 line README commits
    assert 0 < summary.coverage < 1


def test_empty_store_resolves_to_nothing(tmp_path: Path, engine: Engine) -> None:
    loaded = write_config(tmp_path, "")
    summary = resolve_all(engine, loaded, date(2025, 12, 31)).summary
    assert (summary.people, summary.evidence, summary.total_churn, summary.coverage) == (
        0,
        0,
        0,
        1.0,
    )


def test_overrides_and_corporate_domains_from_config(tmp_path: Path, engine: Engine) -> None:
    s = StoreBuilder(engine)
    repo = s.source("server")
    ola = s.git_identity("Ola", "ola@contoso.pl")
    s.commit(repo, ola, "2025-08-04T10:00:00+02:00", {"a.c": (1, 0)})
    kai = s.git_identity("Kai", "kai@example.com")
    s.commit(repo, kai, "2025-08-04T10:00:00+08:00", {"a.c": (1, 0)})
    loaded = write_config(
        tmp_path,
        CONFIG
        + """
[identity]
corporate_domains = { "contoso.pl" = "PL" }

[[overrides]]
email = "KAI@example.com"
country = "SG"
valid_from = 2025-08-01
reason = "confirmed by HR"
""",
    )
    resolve_all(engine, loaded, date(2025, 12, 31))
    people = _people(engine)
    index = LocationIndex.load(engine, newest_resolution(engine))
    ola_at = index.at(people["ola@contoso.pl"], date(2025, 8, 4))
    assert (ola_at.country, ola_at.confidence) == ("PL", 0.72)  # 0.6 domain ⊕ 0.3 offsets
    assert index.at(people["kai@example.com"], date(2025, 8, 4)).country == "SG"
    assert index.at(people["kai@example.com"], date(2025, 7, 31)).country is None
    ev = models.LocationEvidence
    with engine.connect() as conn:
        refs = {r for (r,) in conn.execute(select(ev.c.ref).where(ev.c.kind == "override"))}
    assert refs == {"auditor.toml:overrides[0]"}


def test_commits_without_offset_or_before_1970_count_but_give_no_offset_evidence(
    tmp_path: Path, engine: Engine
) -> None:
    """The one aggregated pass over commits serves two readers: commit counts per identity
    (all commits before as_of) and the offset histogram (only commits with an offset,
    dated 1970 or later); commits after as_of feed neither."""
    s = StoreBuilder(engine)
    repo = s.source("server")
    # Two identities merged by their shared e-mail; the one with more commits names the
    # person, the lower id on a tie. Busy leads 3 to 2 only if its commit before 1970 and
    # its commit without an offset count, and Quiet's two after as_of do not.
    quiet = s.git_identity("K. Quiet", "KIM@example.com")
    busy = s.git_identity("Kim Busy", "kim@example.com")
    s.commit(repo, busy, "2025-03-03T10:00:00+08:00", {"a.c": (1, 0)})
    s.commit(repo, busy, "1969-12-31T10:00:00+08:00", {"a.c": (1, 0)})
    no_offset = s.commit(repo, busy, "2025-03-08T10:00:00+08:00", {"a.c": (1, 0)})
    for day in ("2025-03-06", "2025-03-07", "2026-01-02", "2026-02-02"):
        s.commit(repo, quiet, f"{day}T10:00:00+08:00", {"a.c": (1, 0)})
    commit = models.Commit
    with transaction(engine) as conn:
        conn.execute(update(commit).where(commit.c.id == no_offset).values(author_offset=None))
    loaded = write_config(tmp_path, "")
    resolve_all(engine, loaded, date(2025, 12, 31))
    person, evidence = models.Person, models.LocationEvidence
    with engine.connect() as conn:
        assert conn.execute(select(person.c.name)).scalars().all() == ["Kim Busy"]
        rows = conn.execute(
            select(evidence.c.value, evidence.c.ref).where(evidence.c.kind == "tz_offset")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("+0800 × 3 of 3 commits in 2025-03 (UTC+8)", "commits:2025-03")
    ]


def test_a_tracker_default_zone_is_not_evidence(tmp_path: Path, engine: Engine) -> None:
    """Jira reports its site's zone for accounts that hide theirs: configured, it is ignored."""
    s = StoreBuilder(engine)
    repo = s.source("server")
    tan = s.git_identity("Tan", "tan@example.com")
    s.identity("jira", "acc-tan", name="Tan", email="tan@example.com", time_zone="Asia/Singapore")
    s.commit(repo, tan, "2025-08-04T11:00:00+08:00", {"b.c": (3, 0)})
    ev = models.LocationEvidence

    def zones(extra: str) -> list[str]:
        resolve_all(engine, write_config(tmp_path, CONFIG + extra), date(2025, 12, 31))
        with engine.connect() as conn:
            query = select(ev.c.value).where(
                ev.c.kind == "tracker_tz", ev.c.resolution_id == newest_resolution(engine)
            )
            return list(conn.scalars(query))

    assert zones("") == ["Asia/Singapore"]
    assert zones('\n[identity]\ntracker_default_zones = ["Asia/Singapore"]\n') == []


def test_a_tracker_bot_is_a_bot_and_never_located(tmp_path: Path, engine: Engine) -> None:
    """Jira's automation account reports the site's zone: a bot, not a person in India."""
    s = StoreBuilder(engine)
    s.identity("jira", "acc-auto", name="Automation for Jira", time_zone="Asia/Kolkata", bot=True)
    s.identity("jira", "acc-li", name="Li Na", time_zone="Asia/Shanghai")
    resolve_all(engine, write_config(tmp_path, CONFIG), date(2025, 12, 31))
    person, ev = models.Person, models.LocationEvidence
    with engine.connect() as conn:
        people = sorted(conn.execute(select(person.c.name, person.c.bot)).all())
        zones = list(conn.scalars(select(ev.c.value).where(ev.c.kind == "tracker_tz")))
    assert [tuple(p) for p in people] == [("Automation for Jira", True), ("Li Na", False)]
    assert zones == ["Asia/Shanghai"]
