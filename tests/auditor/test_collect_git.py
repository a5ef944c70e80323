"""Incremental, idempotent git collection into the store, and `auditor collect` on the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from auditor.ingest.git import collect_repository
from auditor.store import models
from auditor.store.engine import make_engine
from tests.gitrepo import GitRepo, Who, git

WEI = Who("Wei Zhang", "wei@contoso.cn")


def commits(engine: Engine) -> dict[str, models.Commit]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.Commit)).all()
    return {row.sha: row for row in rows}


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def build(repo: GitRepo, start: int, end: int) -> None:
    for day in range(start, end):
        repo.commit(
            f"change {day}",
            author=WEI,
            date=f"2025-01-{day:02d}T10:00:00+0800",
            files={f"src/f{day % 3}.py": f"{day}\n" * day},
        )


def test_incremental_idempotent_and_force_push(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    repo = make_repo()
    build(repo, 1, 11)
    mirrors = tmp_path / "mirrors"

    def run():  # type: ignore[no-untyped-def]
        return collect_repository(
            engine, name="r", location=str(repo.path), branch="main", mirrors=mirrors
        )

    first = run()
    assert (first.new_commits, first.total_commits) == (10, repo.rev_list_count())
    changes_before = count(engine, models.FileChange)

    again = run()
    assert again.up_to_date and again.new_commits == 0 and again.total_commits == 10
    assert count(engine, models.FileChange) == changes_before
    # an unmoved ref is settled by ls-remote alone: the mirror is not even fetched
    mirror_head = mirrors / "r.git" / "FETCH_HEAD"
    mirror_head.unlink(missing_ok=True)
    assert run().up_to_date and not mirror_head.exists()

    build(repo, 11, 14)
    more = run()
    assert (more.new_commits, more.total_commits, more.rewritten) == (3, 13, False)

    # force push: drop the last two commits and write two others
    git(repo.path, "reset", "-q", "--hard", "HEAD~2")
    build(repo, 20, 22)
    rewritten = run()
    assert rewritten.rewritten and rewritten.removed == 2 and rewritten.new_commits == 2
    stored = set(commits(engine))
    expected = set(git(repo.path, "rev-list", "HEAD").split())
    assert stored == expected and len(stored) == 13
    # nothing dangling: every change belongs to a stored commit
    with engine.connect() as conn:
        orphans = conn.execute(
            select(func.count())
            .select_from(models.FileChange)
            .where(models.FileChange.c.commit_id.not_in(select(models.Commit.c.id)))  # type: ignore[attr-defined]
        ).scalar_one()
    assert orphans == 0


def test_interrupted_batches_are_completed_without_duplicates(
    make_repo: Callable[..., GitRepo], tmp_path: Path, engine: Engine
) -> None:
    """A run that died after writing some batches (head not moved) is completed by the next."""
    from auditor.ingest.git import _ensure_source, write_commits
    from collectors.git import GitCollector, Revisions
    from collectors.git_mirror import mirror

    repo = make_repo()
    build(repo, 1, 9)
    git_dir = mirror(str(repo.path), tmp_path / "mirrors" / "r.git").git_dir
    head = git(git_dir, "rev-parse", "HEAD").strip()
    records = list(GitCollector(git_dir, Revisions((head,))).collect())
    source_id, old_head = _ensure_source(engine, "r", str(repo.path), None)
    assert old_head is None
    write_commits(engine, source_id, records[:5])  # ... and then the process was killed
    result = collect_repository(
        engine, name="r", location=str(repo.path), branch=None, mirrors=tmp_path / "mirrors"
    )
    assert (result.new_commits, result.total_commits) == (3, 8)
    assert count(engine, models.Commit) == 8
    assert count(engine, models.FileChange) == sum(len(r.changes) for r in records)


def test_cli_collect_counts_match_git_and_second_run_adds_nothing(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = make_repo("collab-server")
    build(repo, 1, 8)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "auditor.toml").write_text(
        f'[[git]]\nname = "collab-server"\npath = "{repo.path}"\n', encoding="utf-8"
    )

    def collect(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "collect",
                "-c",
                str(workspace / "auditor.toml"),
                *extra,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    first = collect()
    assert first.returncode == 0, first.stderr
    assert "collab-server" in first.stdout and "7" in first.stdout
    second = collect()
    assert second.returncode == 0 and "up to date" in second.stdout
    engine = make_engine(f"sqlite:///{workspace / '.auditor' / 'audit.db'}")
    assert count(engine, models.Commit) == repo.rev_list_count() == 7

    unknown = collect("--only", "nope")
    assert unknown.returncode == 2 and "unknown sources ['nope']" in unknown.stderr


def test_cli_refuses_ext_transport_with_status_2(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "auditor.toml").write_text(
        f'[[git]]\nname = "evil"\npath = "ext::sh -c touch% {marker}"\n', encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "collect", "-c", str(tmp_path / "auditor.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "transport helper URLs are not allowed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not marker.exists()


def test_parallel_jobs_give_the_same_store_as_sequential(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    from auditor.ingest.collect import collect_all
    from auditor.kernel.config import load_config

    for name in ("a", "b", "c"):
        build(make_repo(name), 1, 6)
    results = {}
    for jobs in (1, 2):
        workspace = tmp_path / f"ws{jobs}"
        workspace.mkdir()
        (workspace / "auditor.toml").write_text(
            "".join(f'[[git]]\nname = "{n}"\npath = "{tmp_path / n}"\n' for n in ("a", "b", "c"))
        )
        loaded = load_config(workspace / "auditor.toml")
        engine = make_engine(loaded.store_url)
        seen: list[tuple[str, int]] = []
        summary = collect_all(
            loaded, engine, jobs=jobs, progress=lambda n, c, _t, seen=seen: seen.append((n, c))
        )
        assert [r.new_commits for r in summary.git] == [5, 5, 5]
        assert {n for n, _ in seen} == {"a", "b", "c"}
        # parallel workers create their sources in any order: compare by name, not id
        with engine.connect() as conn:
            results[jobs] = sorted(
                (sha, name)
                for sha, name in conn.execute(
                    text('SELECT c.sha, s.name FROM "commit" c JOIN source s ON s.id = c.source_id')
                )
            )
    assert results[1] == results[2] and len(results[1]) == 15


def test_missing_sources_name_the_configuration_entry(tmp_path: Path) -> None:
    """A new user's first `collect` after `init`: which entry, which line, which resolved path."""
    config = tmp_path / "auditor.toml"
    base = '[[git]]\nname = "r"\npath = "repos/r"\n'
    config.write_text(base, encoding="utf-8")

    def collect() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "auditor", "collect", "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )

    result = collect()
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {config}:3: field 'git[0].path': repository not found: {tmp_path / 'repos' / 'r'}"
    )
    (tmp_path / "repos" / "r").mkdir(parents=True)
    config.write_text(base + '\n[[tracker]]\nkind = "jira-csv"\npath = "exports/jira.csv"\n')
    result = collect()
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {config}:7: field 'tracker[0].path': export file not found: "
        f"{tmp_path / 'exports' / 'jira.csv'}"
    )
    assert not (tmp_path / ".auditor" / "mirrors" / "r.git").exists()  # failed before any work
    assert not (tmp_path / ".auditor" / "audit.db").exists()  # and created no store


def _sample_with_renames_and_binaries(sample_workspace: Path, tmp_path: Path) -> GitRepo:
    """The sample collab-server history (1,621 commits, 121 merges) plus what it lacks:
    binary files, renames (also inside a merged side branch) and a `.mailmap`."""
    path = tmp_path / "collab-server"
    git(tmp_path, "clone", "-q", str(sample_workspace / "repos" / "collab-server"), str(path))
    repo = GitRepo(path)
    dana = Who("Dana Ortiz", "dana@home.example")
    repo.commit(
        "Add logo and mailmap",
        author=dana,
        date="2026-09-01T10:00:00-0700",
        files={
            "assets/logo.png": bytes(range(256)) * 4,
            ".mailmap": "Dana Ortiz <dana@contoso.com> <dana@home.example>\n",
        },
    )
    git(path, "checkout", "-q", "-b", "side")
    git(path, "mv", "assets/logo.png", "assets/brand.png")
    repo.commit(
        "Rename the logo, new icon",
        author=WEI,
        date="2026-09-02T10:00:00+0800",
        files={"assets/icon.bin": b"\x00\x01\x02" * 50},
    )
    git(path, "checkout", "-q", "main")
    moved = next(p for p in git(path, "ls-files").split() if not p.startswith("."))
    (path / "moved").mkdir()
    git(path, "mv", moved, f"moved/{Path(moved).name}")
    repo.commit("Move a file", author=dana, date="2026-09-03T10:00:00-0700")
    env = {
        "GIT_AUTHOR_DATE": "2026-09-04T10:00:00+0000",
        "GIT_COMMITTER_DATE": "2026-09-04T10:00:00+0000",
    }
    git(path, "-c", "user.name=Merger", "-c", "user.email=m@contoso.com", "merge", "-q",
        "--no-ff", "-m", "Merge side", "side", env=env)  # fmt: skip
    return repo


def test_history_split_into_ranges_gives_the_same_store(
    sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 2` on one repository mines its ranges (eight, handed out one at a time) in two
    processes: the same rows as one process (every column, through natural keys), merges,
    renames, binary files and mailmapped identities included."""
    import auditor.ingest.git

    monkeypatch.setattr(auditor.ingest.git, "RANGE_MIN_COMMITS", 100)
    monkeypatch.setattr(auditor.ingest.git, "RANGE_MIN_PIECE", 10)
    repo = _sample_with_renames_and_binaries(sample_workspace, tmp_path)
    stores = {}
    for ranges in (1, 2):
        engine = make_engine(f"sqlite:///{tmp_path / f'r{ranges}.db'}")
        seen: list[int] = []
        result = collect_repository(
            engine,
            name="collab-server",
            location=str(repo.path),
            branch="main",
            mirrors=tmp_path / f"mirrors{ranges}",
            ranges=ranges,
            progress=lambda _name, count, _total, seen=seen: seen.append(count),
        )
        assert result.new_commits == result.total_commits == repo.rev_list_count()
        assert seen[-1] == result.new_commits
        stores[ranges] = _store_by_natural_keys(engine)
        # a re-run with ranges adds nothing
        again = collect_repository(
            engine,
            name="collab-server",
            location=str(repo.path),
            branch="main",
            mirrors=tmp_path / f"mirrors{ranges}",
            ranges=ranges,
        )
        assert again.new_commits == 0
        engine.dispose()
    assert stores[1] == stores[2]
    changes = stores[2]["changes"]
    assert len(changes) > 1500 and stores[2]["trailers"]
    binary = {row[1] for row in changes if row[5]}
    assert binary == {"assets/logo.png", "assets/brand.png", "assets/icon.bin"}
    renamed = {(row[2], row[1]) for row in changes if row[2] is not None}
    assert ("assets/logo.png", "assets/brand.png") in renamed and len(renamed) == 2
    assert any(row[12] for row in stores[2]["commits"])  # merges, stored without changes
    mapped = {(row[2], row[3]) for row in stores[2]["commits"]}
    assert ("Dana Ortiz <dana@home.example>", "dana@contoso.com") in mapped


def _store_by_natural_keys(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every git row with its ids replaced by what they point at."""
    queries = {
        "commits": "SELECT c.sha, c.parents, a.key, a.mapped_email, k.key, c.authored_at,"
        " c.author_offset, c.committed_at, c.committer_offset, c.message, c.encoding,"
        ' c.is_merge, c.added, c.deleted, c.files, c.flags FROM "commit" c'
        " JOIN identity a ON a.id = c.author_id JOIN identity k ON k.id = c.committer_id",
        "changes": "SELECT c.sha, p.path, o.path, f.added, f.deleted, f.binary FROM file_change f"
        ' JOIN "commit" c ON c.id = f.commit_id JOIN path p ON p.id = f.path_id'
        " LEFT JOIN path o ON o.id = f.old_path_id",
        "trailers": 'SELECT c.sha, t.key, t.value, i.key FROM trailer t JOIN "commit" c'
        " ON c.id = t.commit_id LEFT JOIN identity i ON i.id = t.identity_id",
        "identities": "SELECT kind, key, name, email, mapped_name, mapped_email FROM identity",
    }
    with engine.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(text(sql)))
            for name, sql in queries.items()
        }


def test_growing_batches_give_the_same_store_as_one_batch(
    sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 3, 6, 7, 7, ... commits (identities, paths, trailer people met in earlier
    batches reused) store exactly what a single batch stores; GC settings are restored."""
    import gc

    import auditor.ingest.git

    repo = sample_workspace / "repos" / "collab-server"
    thresholds = gc.get_threshold()
    stores = []
    for first, largest in ((3, 7), (100_000, 100_000)):
        monkeypatch.setattr(auditor.ingest.git, "BATCH", first)
        monkeypatch.setattr(auditor.ingest.git, "BATCH_MAX", largest)
        engine = make_engine(f"sqlite:///{tmp_path / f'b{first}.db'}")
        seen: list[int] = []

        def progress(_name: str, count: int, _total: int | None, seen: list[int] = seen) -> None:
            seen.append(count)

        result = collect_repository(
            engine,
            name="collab-server",
            location=str(repo),
            branch="main",
            mirrors=tmp_path / "mirrors",
            progress=progress,
        )
        if first == 3:
            assert seen[:4] == [3, 9, 16, 23]  # 3, then twice as many, capped at 7
        assert seen[-1] == result.new_commits == int(git(repo, "rev-list", "--count", "HEAD"))
        stores.append(_store_by_natural_keys(engine))
        engine.dispose()
    assert gc.get_threshold() == thresholds
    assert stores[0]["trailers"] and any(row[3] for row in stores[0]["trailers"])
    assert stores[0] == stores[1]
