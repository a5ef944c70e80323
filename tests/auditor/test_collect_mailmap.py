"""A commit that edits `.mailmap` re-maps everyone: an incremental collect equals a clean one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from auditor.evaluate.run import analyze
from auditor.ingest.git import collect_repository
from auditor.store import models
from auditor.store.engine import make_engine
from tests.auditor.resolve_support import write_config
from tests.gitrepo import GitRepo, Who

WEI = Who("Wei Zhang", "wei@contoso.cn")
WEI_HOME = Who("wz", "wz@home.example")
ANN = Who("Ann Lee", "ann@corp.example")
MAILMAP = "Wei Zhang <wei@contoso.cn> <wz@home.example>\n"
AS_OF = date(2025, 6, 30)


def config_for(directory: Path, url: str):  # type: ignore[no-untyped-def]
    return write_config(
        directory,
        f'[store]\nurl = "{url}"\n\n[jurisdictions]\nhigh = ["CN"]\n\n'
        '[[components]]\nname = "Core"\nsensitivity = "critical"\npaths = ["r:src/**"]\n',
    )


def collect(engine: Engine, repo: GitRepo, mirrors: Path) -> None:
    collect_repository(engine, name="r", location=str(repo.path), branch="main", mirrors=mirrors)


def identities(engine: Engine) -> set[tuple[str, str | None, str | None]]:
    ident = models.Identity
    with engine.connect() as conn:
        rows = conn.execute(select(ident.c.key, ident.c.mapped_name, ident.c.mapped_email))
        return {tuple(row) for row in rows}  # type: ignore[misc]


def findings(engine: Engine, directory: Path) -> list[tuple[str, str, str]]:
    loaded = config_for(directory, str(engine.url))
    result = analyze(engine, loaded, AS_OF)
    return sorted((f.rule, f.component, f.subject) for f in result.findings)


@pytest.mark.parametrize("mailmap_first", [False, True], ids=["added", "removed"])
def test_incremental_collect_after_mailmap_edit_equals_clean_collect(
    tmp_path: Path, mailmap_first: bool
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        "start",
        author=ANN,
        date="2025-03-01T10:00:00+0100",
        files={"src/a.c": "a\n" * 10, **({".mailmap": MAILMAP} if mailmap_first else {})},
    )
    for day in range(2, 6):
        who = WEI_HOME if day % 2 else WEI
        repo.commit(
            f"change {day}",
            author=who,
            date=f"2025-03-0{day}T10:00:00+0800",
            files={"src/a.c": f"{day}\n" * 30},
        )
    incremental = make_engine(f"sqlite:///{tmp_path / 'incremental.db'}")
    collect(incremental, repo, tmp_path / "m1")
    before = findings(incremental, tmp_path)
    # the commit that changes .mailmap touches no one's identity
    if mailmap_first:
        repo.commit(
            "drop mailmap", author=ANN, date="2025-04-01T10:00:00+0100", remove=[".mailmap"]
        )
    else:
        repo.commit(
            "mailmap", author=ANN, date="2025-04-01T10:00:00+0100", files={".mailmap": MAILMAP}
        )
    collect(incremental, repo, tmp_path / "m1")
    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    collect(clean, repo, tmp_path / "m2")
    assert identities(incremental) == identities(clean)
    after = findings(incremental, tmp_path)
    assert after == findings(clean, tmp_path)
    assert after != before  # the edit matters: Wei's home address joins or leaves wei@contoso.cn
