"""The sample organisation: every repository stored exactly as `git log` sees it, once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, text

from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from tests.gitrepo import git


def _offset(raw: str) -> int:
    sign = -1 if raw.startswith("-") else 1
    return sign * (int(raw[1:3]) * 60 + int(raw[3:5]))


def test_sample_counts_offsets_and_second_run(sample_workspace: Path, engine: Engine) -> None:
    loaded = load_config(sample_workspace / "auditor.toml")
    first = collect_all(loaded, engine)
    assert first.git and all(r.new_commits == r.total_commits > 0 for r in first.git)

    for source in loaded.config.git:
        repo = Path(loaded.git_location(source))
        ref = source.branch or "HEAD"
        assert int(git(repo, "rev-list", "--count", ref)) == next(
            r.total_commits for r in first.git if r.name == source.name
        )
        # author, timestamp and offset of every commit, as git itself prints them
        printed = git(repo, "log", "--no-mailmap", "--format=%H %at %ad", "--date=raw", ref)
        expected = {}
        for line in printed.splitlines():
            sha, stamp, _, offset = line.split(" ")
            expected[sha] = (int(stamp), _offset(offset))
        with engine.connect() as conn:
            stored = {
                sha: (at, offset)
                for sha, at, offset in conn.execute(
                    text(
                        'SELECT c.sha, c.authored_at, c.author_offset FROM "commit" c '
                        "JOIN source s ON s.id = c.source_id WHERE s.name = :name"
                    ),
                    {"name": source.name},
                )
            }
        assert stored == expected
        assert len(Counter(o for _, o in expected.values())) > 1  # offsets really vary

    second = collect_all(loaded, engine)
    assert [(r.name, r.new_commits, r.up_to_date) for r in second.git] == [
        (r.name, 0, True) for r in first.git
    ]
    assert [r.total_commits for r in second.git] == [r.total_commits for r in first.git]
    with engine.connect() as conn:
        total = conn.execute(text('SELECT count(*) FROM "commit"')).scalar_one()
    assert total == sum(r.total_commits for r in first.git)
