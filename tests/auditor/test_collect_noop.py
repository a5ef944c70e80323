"""`collect_all` settles unmoved repositories in one round (refs asked together, one write).

Two real repositories: after a first collect, a second settles both as up to
date without fetching their mirrors; a new commit in one is mined while the
other stays settled; a changed branch or location goes through the full path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from auditor.ingest.collect import collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.store import models
from tests.gitrepo import GitRepo, Who, git

WEI = Who("Wei Zhang", "wei@contoso.cn")


def _commit(repo: GitRepo, day: int) -> str:
    return repo.commit(
        f"change {day}",
        author=WEI,
        date=f"2025-01-{day:02d}T10:00:00+0800",
        files={f"src/f{day % 3}.py": f"{day}\n" * day},
    )


def _config(tmp_path: Path, engine: Engine, repos: dict[str, GitRepo], branch: str) -> LoadedConfig:
    lines = [f'[store]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n']
    for name, repo in repos.items():
        lines.append(f'[[git]]\nname = "{name}"\npath = "{repo.path}"\nbranch = "{branch}"\n')
    path = tmp_path / "auditor.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_config(path)


def _sources(engine: Engine) -> dict[str, tuple[str | None, int, datetime | None]]:
    src = models.Source
    with engine.connect() as conn:
        rows = conn.execute(select(src.c.name, src.c.head, src.c.records, src.c.updated_at))
        return {name: (head, records, updated) for name, head, records, updated in rows}


def _commits(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(models.Commit)).scalar_one())


def test_unmoved_repositories_are_settled_together(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    one, two = make_repo("one"), make_repo("two")
    for day in range(1, 4):
        _commit(one, day)
        _commit(two, day + 10)
    loaded = _config(tmp_path, engine, {"one": one, "two": two}, "main")
    first = collect_all(loaded, engine)
    assert [(r.name, r.new_commits, r.up_to_date) for r in first.git] == [
        ("one", 3, False),
        ("two", 3, False),
    ]
    before = _sources(engine)
    fetched = tmp_path / ".auditor" / "mirrors"
    for name in ("one", "two"):
        (fetched / f"{name}.git" / "FETCH_HEAD").unlink(missing_ok=True)

    again = collect_all(loaded, engine)
    assert [(r.name, r.head, r.new_commits, r.total_commits, r.up_to_date) for r in again.git] == [
        ("one", one.head(), 0, 3, True),
        ("two", two.head(), 0, 3, True),
    ]
    after = _sources(engine)
    for name in ("one", "two"):
        assert after[name][:2] == before[name][:2] == ((one if name == "one" else two).head(), 3)
        assert after[name][2] is not None and after[name][2] >= before[name][2]  # type: ignore[operator]
        assert not (fetched / f"{name}.git" / "FETCH_HEAD").exists()  # not fetched
    assert _commits(engine) == 6

    head = _commit(two, 20)
    third = collect_all(loaded, engine)
    assert [(r.name, r.new_commits, r.up_to_date) for r in third.git] == [
        ("one", 0, True),
        ("two", 1, False),
    ]
    assert _sources(engine)["two"][:2] == (head, 4)
    assert _commits(engine) == 7


def test_a_changed_branch_is_collected_again(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo("one")
    for day in range(1, 4):
        _commit(repo, day)
    git(repo.path, "branch", "release", "HEAD~1")
    collect_all(_config(tmp_path, engine, {"one": repo}, "main"), engine)
    moved = collect_all(_config(tmp_path, engine, {"one": repo}, "release"), engine)
    [result] = moved.git
    assert not result.up_to_date and result.head == git(repo.path, "rev-parse", "release").strip()
    assert _sources(engine)["one"][:2] == (result.head, 2)
