"""People as real histories have them: relay and placeholder addresses are no join key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from auditor.ingest.git import collect_repository
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from tests.auditor.resolve_support import write_config
from tests.gitrepo import GitRepo, Who

RELAY = "gitgitgadget@gmail.com"
MAILMAP = f"""\
Johannes Schindelin <johannes.schindelin@gmx.de> Johannes Schindelin via GitGitGadget <{RELAY}>
Derrick Stolee <stolee@gmail.com> Derrick Stolee via GitGitGadget <{RELAY}>
Jean-Noël Avila <jn.avila@free.fr> Jean-Noël Avila via GitGitGadget <{RELAY}>
"""


def people(engine: Engine) -> dict[str, set[str]]:
    """{person name: identity keys}."""
    person, link, ident = (
        models.Person,
        models.PersonIdentity,
        models.Identity,
    )
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(person.c.name, ident.c.key)
            .join(link, link.c.person_id == person.c.id)
            .join(ident, ident.c.id == link.c.identity_id)
        )
        for name, key in rows:
            found.setdefault(name, set()).add(key)
    return found


def test_relay_mapped_to_three_people_and_placeholder_merge_no_one(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo()
    repo.commit(
        "mailmap",
        author=Who("Junio", "gitster@pobox.com"),
        date="2025-01-01T10:00:00+0000",
        files={".mailmap": MAILMAP},
    )
    for day, name in enumerate(("Johannes Schindelin", "Derrick Stolee", "Jean-Noël Avila"), 2):
        relayed = Who(f"{name} via GitGitGadget", RELAY)
        repo.commit(
            f"{name}: relayed",
            author=relayed,
            date=f"2025-01-0{day}T10:00:00+0100",
            files={f"f{day}.c": "x\n"},
        )
    # An unconfigured machine: two people, one placeholder address.
    for day, name in ((6, "Ann Lee"), (7, "Bo Zhang")):
        repo.commit(
            f"{name}",
            author=Who(name, "root@localhost"),
            date=f"2025-01-0{day}T10:00:00+0800",
            files={f"g{day}.c": "y\n"},
        )
    collect_repository(
        engine, name="r", location=str(repo.path), branch="main", mirrors=tmp_path / "m"
    )
    loaded = write_config(tmp_path, f'[store]\nurl = "{engine.url}"\n')
    from datetime import date

    summary = resolve_all(engine, loaded, date(2025, 2, 1)).summary
    found = people(engine)
    assert found["Johannes Schindelin"] == {f"Johannes Schindelin via GitGitGadget <{RELAY}>"}
    assert found["Derrick Stolee"] == {f"Derrick Stolee via GitGitGadget <{RELAY}>"}
    assert found["Jean-Noël Avila"] == {f"Jean-Noël Avila via GitGitGadget <{RELAY}>"}
    assert found["Ann Lee"] == {"Ann Lee <root@localhost>"}
    assert found["Bo Zhang"] == {"Bo Zhang <root@localhost>"}
    assert summary.people == 6  # with Junio
    assert not [w for w in summary.warnings if "joins" in w]
