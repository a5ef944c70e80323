"""`check --range BASE..HEAD` reads a tracked audit policy as of BASE; changing it is PV111.

The configuration, roster and baseline live inside the audited repository (as
a CI job checks them out). A pull request that waives its own finding, drops
its author's country from the high-risk list or edits the baseline must not
pass because of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from tests.auditor.test_check_cli import ALICE, IVAN
from tests.gitrepo import GitRepo, git

AS_OF = "2026-10-01"
CONFIG = """
[[git]]
name = "server"
path = "."

[[roster]]
path = "exports/roster.csv"

[jurisdictions]
high = ["CN", "RU"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/onprem/**"]
"""
SELF_WAIVER = """
[[waivers]]
rule = "PV106"
component = "OnPrem"
reason = "reviewed offline"
approved_by = "ivan@corp.example"
expires = "2027-01-01"
"""
ROSTER = "email,name,country\nalice@corp.example,Alice Dunne,IE\nivan@corp.example,Ivan Petrov,RU\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "server")
    (repo.path / ".gitignore").write_text(".auditor/\n", encoding="utf-8")
    repo.commit(
        "start",
        author=ALICE,
        date="2026-06-01T10:00:00+0100",
        files={"auditor.toml": CONFIG, "exports/roster.csv": ROSTER, "src/onprem/a.c": "a\n"},
    )
    git(repo.path, "checkout", "-q", "-b", "feature")
    return repo


def _pr_change(repo: GitRepo, extra: dict[str, str]) -> None:
    repo.commit(
        "onprem: tweak",
        author=IVAN,
        date="2026-09-01T10:00:00+0300",
        files={"src/onprem/net.c": "n\n" * 30, **extra},
    )


def _check(repo: GitRepo, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        app,
        [
            "check", "--config", str(repo.path / "auditor.toml"), "--as-of", AS_OF,
            "--range", "main..feature", "-f", "json", *args,
        ],
    )  # fmt: skip
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


def _new(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["rule"] for f in report["findings"] if f["status"] == "new"}


# (what the pull request changes besides its code, PV111 expected, rules that must stay new)
CASES = {
    "code only": ({}, False, {"PV106", "PV101"}),
    "waives itself": ({"auditor.toml": CONFIG + SELF_WAIVER}, True, {"PV106", "PV101"}),
    "drops RU from high": (
        {"auditor.toml": CONFIG.replace('["CN", "RU"]', '["CN"]')},
        True,
        {"PV106", "PV101"},
    ),
    "comment only": ({"auditor.toml": "# reformatted\n" + CONFIG}, False, {"PV106"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_range_is_judged_by_the_policy_as_of_base(repo: GitRepo, case: str) -> None:
    extra, flagged, still_new = CASES[case]
    _pr_change(repo, extra)
    code, report = _check(repo)
    assert code == 1
    assert still_new <= _new(report)
    pv111 = [f for f in report["findings"] if f["rule"] == "PV111"]
    assert bool(pv111) == flagged
    if flagged:
        assert pv111[0]["status"] == "new" and pv111[0]["severity"] == "high"
        assert "server:auditor.toml" in pv111[0]["subject"]
    assert not any(f["status"] == "waived" for f in report["findings"])


def test_baseline_edited_in_the_range_does_not_accept_its_findings(repo: GitRepo) -> None:
    _pr_change(repo, {})
    code, report = _check(repo)
    accepted = [{"fingerprint": f["fingerprint"]} for f in report["findings"]]
    baseline = json.dumps({"findings": accepted})
    # The pull request commits a baseline that accepts its own findings.
    repo.commit(
        "ci: baseline",
        author=IVAN,
        date="2026-09-02T10:00:00+0300",
        files={"ci/baseline.json": baseline},
    )
    code, report = _check(repo, "--baseline", str(repo.path / "ci" / "baseline.json"))
    assert code == 1
    assert {"PV106", "PV101", "PV111"} <= _new(report)
    pv111 = next(f for f in report["findings"] if f["rule"] == "PV111")
    assert "ci/baseline.json" in pv111["subject"] and "added" in pv111["message"]


@pytest.mark.parametrize("rule_line", ['rule = "PV111"\n', ""])
def test_a_waiver_at_base_for_pv111_is_ignored(repo: GitRepo, rule_line: str) -> None:
    """Even a waiver approved before the range (at BASE) cannot cover PV111."""
    _pr_change(repo, {"auditor.toml": CONFIG + SELF_WAIVER})
    _, report = _check(repo)
    fingerprint = next(f["fingerprint"] for f in report["findings"] if f["rule"] == "PV111")
    git(repo.path, "checkout", "-q", "main")
    standing = (
        f'\n[[waivers]]\n{rule_line}fingerprint = "{fingerprint}"\nreason = "policy edits ok"'
        '\napproved_by = "ciso@corp.example"\nexpires = "2027-01-01"\n'
    )
    repo.commit(
        "policy", author=ALICE, date="2026-06-02T10:00:00+0100",
        files={"auditor.toml": CONFIG + standing},
    )  # fmt: skip
    git(repo.path, "branch", "-q", "-D", "feature")
    git(repo.path, "checkout", "-q", "-b", "feature")
    _pr_change(repo, {"auditor.toml": CONFIG + SELF_WAIVER})  # the same content again
    code, report = _check(repo)
    assert code == 1
    pv111 = next(f for f in report["findings"] if f["rule"] == "PV111")
    assert pv111["fingerprint"] == fingerprint and pv111["status"] == "new"
