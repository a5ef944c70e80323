"""Review trailers count only when corroborated: real git history, `auditor check` end to end.

Li (CN) writes every change; Alice (IE) is named in `Reviewed-by:` trailers.
Which of Li's changes count as reviewed depends on who committed or merged them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from tests.auditor.test_check_cli import ALICE, CONFIG, LI
from tests.gitrepo import GitRepo, git

AS_OF = "2026-10-01"
TRAILER = "\n\nReviewed-by: Alice Dunne <alice@corp.example>"


def _workspace(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "start", author=ALICE, date="2026-02-02T10:00:00+0100", files={"src/onprem/core.c": "a\n"}
    )
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "roster.csv").write_text(
        "email,name,country\nalice@corp.example,Alice Dunne,IE\nli@corp.example,Li Wei,CN\n",
        encoding="utf-8",
    )
    (tmp_path / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    return repo


def _li_change(repo: GitRepo, name: str, day: int, **kwargs: object) -> str:
    return repo.commit(
        f"onprem: {name}{TRAILER}",
        author=LI,
        date=f"2026-08-{day:02d}T10:00:00+0800",
        files={f"src/onprem/{name}.c": f"{name}\n" * 10},
        **kwargs,  # type: ignore[arg-type]
    )


def _merge(repo: GitRepo, branch: str, merger: object, day: int) -> None:
    who = merger  # a tests.gitrepo.Who
    env = {
        "GIT_AUTHOR_NAME": who.name,  # type: ignore[attr-defined]
        "GIT_AUTHOR_EMAIL": who.email,  # type: ignore[attr-defined]
        "GIT_AUTHOR_DATE": f"2026-08-{day:02d}T12:00:00+0100",
        "GIT_COMMITTER_NAME": who.name,  # type: ignore[attr-defined]
        "GIT_COMMITTER_EMAIL": who.email,  # type: ignore[attr-defined]
        "GIT_COMMITTER_DATE": f"2026-08-{day:02d}T12:00:00+0100",
    }
    git(repo.path, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, env=env)


def _branch_change(repo: GitRepo, name: str, day: int, merger: object) -> None:
    git(repo.path, "checkout", "-q", "-b", name)
    _li_change(repo, name, day)
    _li_change(repo, f"{name}-2", day)  # a second commit: not the merged tip itself
    git(repo.path, "checkout", "-q", "main")
    _merge(repo, name, merger, day + 1)


SCENARIOS = {
    # name: (how the change gets in, counts as reviewed)
    "self-committed": (lambda r: _li_change(r, "self", 3), False),
    "committed-by-reviewer": (lambda r: _li_change(r, "applied", 3, committer=ALICE), True),
    "merged-by-other": (lambda r: _branch_change(r, "feature", 3, ALICE), True),
    "merged-by-author": (lambda r: _branch_change(r, "own", 3, LI), False),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_trailer_counts_only_when_corroborated(scenario: str, tmp_path: Path) -> None:
    plant, reviewed = SCENARIOS[scenario]
    repo = _workspace(tmp_path)
    plant(repo)
    result = CliRunner().invoke(
        app,
        ["check", "--config", str(tmp_path / "auditor.toml"), "--as-of", AS_OF, "-f", "json"],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "PV106"]
    if reviewed:
        assert findings == []
    else:
        assert [f["subject"] for f in findings] == ["Li Wei"]
        assert "claimed, not corroborated" in findings[0]["message"]
