"""A commit with a NUL byte and undecodable bytes is collected on both backends."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from auditor.store.engine import make_engine
from tests.collectors.git_helpers import empty_tree, raw_commit
from tests.gitrepo import GitRepo
from tests.stress.support import workspace


def test_nul_and_bad_bytes_collected(tmp_path: Path, store_url: str) -> None:
    repo = GitRepo(tmp_path / "repo", branch="main")
    tree = empty_tree(repo.path)
    sha = raw_commit(
        repo.path,
        f"tree {tree}\n".encode()
        + b"author Bad \xff\xfe Name <a@x> 1700000000 +0000\n"
        + b"committer A <a@x> 1700000000 +0000\n\n"
        + b"before\x00after \xed\xa0\x80 end\n",
    )
    loaded = load_config(workspace(tmp_path / "ws", store_url, [repo.path]))
    engine = make_engine(loaded.store_url)
    try:
        for _ in range(2):  # the second run finds the same rows (escaped keys included)
            collect_all(loaded, engine)
        with engine.connect() as conn:
            rows = conn.execute(text('SELECT sha, message FROM "commit"')).all()
            names = [r[0] for r in conn.execute(text("SELECT name FROM identity ORDER BY key"))]
    finally:
        engine.dispose()
    assert [r[0] for r in rows] == [sha]
    message = rows[0][1]
    assert message.startswith("before") and message.rstrip().endswith("end")
    if engine.dialect.name == "postgresql":
        assert "\\x00" in message and "\x00" not in message
    else:
        assert "\x00" in message
    assert all(isinstance(n, str) and "\x00" not in n for n in names)
    assert len(names) == 2
