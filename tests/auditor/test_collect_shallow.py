"""Shallow clones: the boundary commit keeps its metadata, its inherited files are no churn."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from auditor.ingest.git import collect_repository, head_unmoved
from auditor.store import models
from auditor.store import warnings as run_warnings
from tests.gitrepo import GitRepo, Who, git

ANN = Who("Ann Lee", "ann@corp.example")
BO = Who("Bo Zhang", "bo@corp.example")


def test_boundary_commit_of_a_shallow_clone_counts_no_churn(tmp_path: Path, engine: Engine) -> None:
    origin = GitRepo(tmp_path / "origin")
    for day in range(1, 6):
        origin.commit(
            f"ann {day}",
            author=ANN,
            date=f"2025-01-0{day}T10:00:00+0100",
            files={f"src/f{day}.c": "x\n" * 100},
        )
    origin.commit(
        "bo: one line", author=BO, date="2025-02-01T10:00:00+0100", files={"src/f1.c": "y\n"}
    )
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone))
    result = collect_repository(
        engine, name="r", location=str(clone), branch=None, mirrors=tmp_path / "m"
    )
    commit = models.Commit
    with engine.connect() as conn:
        ((sha, files, added, deleted, flags),) = conn.execute(
            select(commit.c.sha, commit.c.files, commit.c.added, commit.c.deleted, commit.c.flags)
        ).all()
        changes = conn.execute(select(models.FileChange)).all()
    # Before: Bo's one-line commit was credited with the 500 lines of the five files it inherits.
    assert (sha, files, added, deleted) == (origin.head(), 0, 0, 0)
    assert "shallow-boundary" in flags and changes == []
    assert result.shallow is not None
    assert result.shallow.startswith("r: shallow clone (1 commits deep, history from 2025-02-01)")
    assert run_warnings.read(engine, None) == [result.shallow]

    # The next collect, with nothing new, still says so.
    again = collect_repository(
        engine, name="r", location=str(clone), branch=None, mirrors=tmp_path / "m"
    )
    assert again.up_to_date and again.shallow == result.shallow


def _store_content(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    commit, change = models.Commit, models.FileChange
    with engine.connect() as conn:
        commits = conn.execute(
            select(commit.c.sha, commit.c.added, commit.c.deleted, commit.c.flags).order_by(
                commit.c.sha
            )
        ).all()
        changes = conn.execute(
            select(commit.c.sha, change.c.added, change.c.deleted)
            .join(commit, commit.c.id == change.c.commit_id)
            .order_by(commit.c.sha, change.c.added)
        ).all()
    return [tuple(r) for r in commits], [tuple(r) for r in changes]


def test_a_deepened_clone_is_mined_again_as_a_full_one(tmp_path: Path, engine: Engine) -> None:
    """`git fetch --unshallow` does not move the head: the store must still become that of a
    clean collect (the boundary commit gets its changes, the history below it arrives)."""
    from auditor.store.engine import make_engine

    origin = GitRepo(tmp_path / "origin")
    for day in range(1, 4):
        origin.commit(
            f"ann {day}",
            author=ANN,
            date=f"2025-01-0{day}T10:00:00+0100",
            files={f"src/f{day}.c": "x\n" * (10 * day)},
        )
    origin.commit("bo", author=BO, date="2025-02-01T10:00:00+0100", files={"src/f1.c": "y\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone))
    collect_repository(engine, name="r", location=str(clone), branch=None, mirrors=tmp_path / "m")
    git(clone, "fetch", "-q", "--unshallow")
    deepened = collect_repository(
        engine, name="r", location=str(clone), branch=None, mirrors=tmp_path / "m"
    )
    assert deepened.shallow is None and not deepened.up_to_date
    assert run_warnings.read(engine, None) == []

    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    try:
        collect_repository(
            clean, name="r", location=str(origin.path), branch=None, mirrors=tmp_path / "m2"
        )
        assert _store_content(engine) == _store_content(clean)
    finally:
        clean.dispose()


def test_head_unmoved_never_settles_a_shallow_history() -> None:
    asked: list[str] = []

    def current() -> str:
        asked.append("git")
        return "a" * 40

    assert head_unmoved("a" * 40, frozenset(), current)
    assert not head_unmoved("b" * 40, frozenset(), current)
    assert len(asked) == 2
    # a stored boundary or no stored head: mined again, without asking git
    assert not head_unmoved("a" * 40, frozenset({"c" * 40}), current)
    assert not head_unmoved(None, frozenset(), current)
    assert len(asked) == 2


def test_a_deepened_clone_is_mined_again_by_collect_all_too(tmp_path: Path, engine: Engine) -> None:
    """Several repositories go through `collect_all`'s settle-together path: a deepened
    shallow clone among quiet ones must not be settled as up to date."""
    from auditor.ingest.collect import collect_all
    from auditor.kernel.config import load_config

    origin = GitRepo(tmp_path / "origin")
    for day in range(1, 4):
        origin.commit(
            f"ann {day}",
            author=ANN,
            date=f"2025-01-0{day}T10:00:00+0100",
            files={"a.c": f"{day}\n"},
        )
    shallow, full = tmp_path / "shallow", tmp_path / "full"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin.path}", str(shallow))
    git(tmp_path, "clone", "-q", f"file://{origin.path}", str(full))
    config = tmp_path / "auditor.toml"
    config.write_text(
        f'[store]\nurl = "{engine.url.render_as_string(hide_password=False)}"\n'
        f'[[git]]\nname = "shallow"\npath = "{shallow}"\n'
        f'[[git]]\nname = "full"\npath = "{full}"\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    first = {r.name: r for r in collect_all(loaded, engine).git}
    assert first["shallow"].shallow is not None and first["full"].shallow is None
    git(shallow, "fetch", "-q", "--unshallow")
    again = {r.name: r for r in collect_all(loaded, engine).git}
    assert again["full"].up_to_date
    assert not again["shallow"].up_to_date and again["shallow"].shallow is None
    assert again["shallow"].total_commits == 3
