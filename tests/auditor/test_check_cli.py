"""`auditor check` end to end on real git repositories: CI semantics, waivers, formats, ranges.

First run exits 1 (violations), `--update-baseline` accepts them (exit 0), a newly
planted violation (a new commit by a high-risk person to the critical component)
exits 1 again; a live waiver silences it, an expired one does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from auditor.kernel.errors import ExportError, UsageError
from tests.gitrepo import GitRepo, Who, git

AS_OF = "2026-10-01"
ALICE = Who("Alice Dunne", "alice@corp.example")
LI = Who("Li Wei", "li@corp.example")
IVAN = Who("Ivan Petrov", "ivan@corp.example")

CONFIG = """
[store]
url = "sqlite:///.auditor/audit.db"

[[git]]
name = "server"
path = "repos/server"

[[roster]]
path = "exports/roster.csv"

[jurisdictions]
high = ["CN", "RU"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/onprem/**"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["server:docs/**"]

[policy]
window_days = 180
fail_on = "high"
"""


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, GitRepo]:
    repo = GitRepo(tmp_path / "repos" / "server")
    repo.commit(
        "start",
        author=ALICE,
        date="2026-02-02T10:00:00+0100",
        files={"src/onprem/core.c": "a\n" * 40, "docs/readme.md": "x\n"},
    )
    repo.commit(
        "onprem: parser",
        author=LI,
        date="2026-08-03T10:00:00+0800",
        files={"src/onprem/parser.c": "p\n" * 60},
    )
    repo.commit(
        "onprem: fix\n\nReviewed-by: Alice Dunne <alice@corp.example>",
        author=LI,
        date="2026-08-04T10:00:00+0800",
        files={"src/onprem/parser.c": "q\n" * 60},
    )
    repo.commit(
        "onprem: docs",
        author=ALICE,
        date="2026-08-05T10:00:00+0100",
        files={"src/onprem/core.c": "b\n" * 40},
    )
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "roster.csv").write_text(
        "email,name,country\nalice@corp.example,Alice Dunne,IE\nli@corp.example,Li Wei,CN\n"
        "ivan@corp.example,Ivan Petrov,RU\n",
        encoding="utf-8",
    )
    (tmp_path / "auditor.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path, repo


def check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["check", "--config", str(root / "auditor.toml"), "--as-of", AS_OF, *args]
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def rules_of(output: str) -> set[tuple[str, str]]:
    data = json.loads(output)
    return {(f["rule"], f["subject"]) for f in data["findings"] if f["status"] == "new"}


def test_ci_semantics_baseline_then_new_violation(workspace: tuple[Path, GitRepo]) -> None:
    root, repo = workspace
    baseline = root / "ci" / "baseline.json"
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 1
    assert {
        ("PV101", "high-risk jurisdictions"),
        ("PV102", "Li Wei"),
        ("PV106", "Li Wei"),
        ("PV109", "Li Wei"),
    } <= rules_of(output)
    pv106 = next(f for f in json.loads(output)["findings"] if f["rule"] == "PV106")
    # Li committed the Reviewed-by: trailer himself and nobody else merged it: not review
    assert "2 of 2 changes" in pv106["message"]
    assert "claimed, not corroborated" in pv106["message"]

    code, _ = check(root, "--baseline", str(baseline), "--update-baseline")
    assert code == 0 and baseline.exists()
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert data["summary"]["new"] == 0 and data["summary"]["baselined"] >= 4

    base = repo.head()
    repo.commit(
        "onprem: tweak",
        author=IVAN,
        date="2026-09-01T10:00:00+0300",
        files={"src/onprem/net.c": "n\n" * 30},
    )
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 1
    assert rules_of(output) == {("PV106", "Ivan Petrov"), ("PV109", "Ivan Petrov")}

    # PR mode: only Ivan's commit is judged; Li's old violations are not in the range.
    code, output = check(root, "--range", f"{base}..HEAD", "--format", "json")
    assert code == 1
    found = {(f["rule"], f["subject"]) for f in json.loads(output)["findings"]}
    assert ("PV106", "Ivan Petrov") in found and ("PV106", "Li Wei") not in found


def test_live_and_expired_waivers(workspace: tuple[Path, GitRepo]) -> None:
    root, _ = workspace
    baseline = root / "baseline.json"
    config = root / "auditor.toml"
    waivers = "".join(
        f'\n[[waivers]]\nrule = "{rule}"\ncomponent = "OnPrem"\nreason = "transfer to Dublin"\n'
        f'approved_by = "ciso@example.com"\nexpires = "{{expires}}"\n'
        for rule in ("PV101", "PV102", "PV106", "PV108", "PV109")
    )
    config.write_text(CONFIG + waivers.format(expires="2027-03-31"), encoding="utf-8")
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    data = json.loads(output)
    assert code == 0
    assert data["summary"]["waived"] == 5 and data["summary"]["expired_waivers"] == []

    config.write_text(CONFIG + waivers.format(expires="2026-09-30"), encoding="utf-8")
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    data = json.loads(output)
    assert code == 1
    assert data["summary"]["waived"] == 0
    assert sorted(w["rule"] for w in data["summary"]["expired_waivers"]) == [
        "PV101",
        "PV102",
        "PV106",
        "PV108",
        "PV109",
    ]


def test_formats_and_output_file(workspace: tuple[Path, GitRepo]) -> None:
    root, _ = workspace
    target = root / "out" / "auditor.sarif"
    code, _ = check(root, "--format", "sarif", "-o", str(target))
    assert code == 1
    sarif = json.loads(target.read_text("utf-8"))
    locations = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    # the component's most-changed file in the window (parser.c: 180 lines, core.c: 80),
    # a real file of the repository rather than its folder
    assert locations == {"src/onprem/parser.c"}
    assert (root / "repos" / "server" / "src" / "onprem" / "parser.c").is_file()
    code, output = check(root, "--format", "github", "--fail-on", "critical")
    assert code == 1  # PV101 on a critical component is critical
    assert output.startswith("::error title=PV10")
    code, output = check(root, "--format", "text")
    assert code == 1 and "PV106" in output and "Li Wei" in output
    # No terminal (a CI log): whole lines per finding, not an 80-column table.
    lines = output.splitlines()
    assert any(line.startswith("NEW  ") and "PV106  OnPrem  Li Wei  (" in line for line in lines)
    message = next(line for line in lines if line.startswith("    2 of 2 changes to OnPrem"))
    assert message.endswith("backs it)") and "no review from a trusted jurisdiction" in message
    assert not any("│" in line for line in lines)


def test_usage_errors(workspace: tuple[Path, GitRepo]) -> None:
    root, repo = workspace
    with pytest.raises(UsageError, match="--update-baseline needs --baseline"):
        check(root, "--update-baseline")
    with pytest.raises(UsageError, match=r"BASE\.\.HEAD"):
        check(root, "--range", "main")
    with pytest.raises(UsageError, match="cannot be combined"):
        check(root, "--baseline", "b.json", "--update-baseline", "--range", "a..b")
    with pytest.raises(UsageError, match="no configured repository knows both"):
        check(root, "--range", "nosuch..HEAD")
    # A branch the collector does not mine: judging it would silently find nothing.
    git(repo.path, "checkout", "-q", "-b", "feature")
    repo.commit(
        "side", author=IVAN, date="2026-09-01T10:00:00+0300", files={"src/onprem/x.c": "x\n"}
    )
    git(repo.path, "checkout", "-q", "main")
    with pytest.raises(UsageError, match="1 of 1 commits were not collected"):
        check(root, "--range", "main..feature")
    code, _ = check(root, "--format", "xml")
    assert code == 2


def test_unwritable_output_and_baseline_are_usage_errors(
    workspace: tuple[Path, GitRepo],
) -> None:
    # A traceback exits 1, which CI reads as "new finding": it must be one line and exit 2.
    root, _ = workspace
    blocker = root / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "x.sarif"
    with pytest.raises(ExportError, match="cannot write") as caught:
        check(root, "--format", "sarif", "-o", str(target))
    assert str(caught.value).startswith(f"{target}: cannot write: ")
    # Readable as "missing" (an empty baseline) but not writable: the QA case.
    baseline = Path("/proc/auditor-baseline.json")
    with pytest.raises(ExportError, match="cannot write") as caught:
        check(root, "--baseline", str(baseline), "--update-baseline")
    assert str(caught.value).startswith(f"{baseline}: cannot write: ")
    assert list(blocker.parent.glob(".x.sarif.*")) == []


def test_run_check_is_the_cli_without_rendering(workspace: tuple[Path, GitRepo]) -> None:
    # The core function gives the CLI's answer; the CLI only parses and renders.
    from datetime import date

    from auditor.kernel.config import load_config
    from auditor.report.check import CheckRequest, run_check

    root, _ = workspace
    loaded = load_config(root / "auditor.toml")
    baseline = root / "baseline.json"
    day = date.fromisoformat(AS_OF)
    outcome = run_check(loaded, day, CheckRequest(baseline=baseline))
    code, output = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 1 and outcome.report.failing and outcome.baseline_written is None
    assert {(i.finding.rule, i.finding.subject) for i in outcome.report.findings} == {
        (f["rule"], f["subject"]) for f in json.loads(output)["findings"]
    }
    accepted = run_check(loaded, day, CheckRequest(baseline=baseline, update_baseline=True))
    assert accepted.baseline_written == len(outcome.report.findings) and baseline.exists()
    assert not accepted.report.failing
    assert {i.status for i in accepted.report.findings} == {"baselined"}
    raised = run_check(loaded, day, CheckRequest(baseline=baseline, fail_on="info"))
    assert raised.report.fail_on == "info" and not raised.report.failing
    with pytest.raises(UsageError, match="cannot be combined"):
        CheckRequest(baseline=baseline, update_baseline=True, commit_range="a..b")


def test_the_tui_shows_the_status_check_stored(workspace: tuple[Path, GitRepo]) -> None:
    """`check` decides each status once and stores it with its run: the views read that,
    with the baseline they cannot see (the TUI is never given one)."""
    from datetime import date

    from auditor import views
    from auditor.kernel.config import load_config
    from auditor.report.check import CheckRequest, run_check
    from auditor.store.engine import make_engine

    root, _ = workspace
    loaded = load_config(root / "auditor.toml")
    baseline = root / "baseline.json"
    day = date.fromisoformat(AS_OF)
    accepted = run_check(loaded, day, CheckRequest(baseline=baseline, update_baseline=True))
    engine = make_engine(loaded.store_url)
    try:
        shown = views.findings(views.ViewContext.build(engine, loaded, as_of=day))
    finally:
        engine.dispose()
    assert sorted((f.fingerprint, f.status) for f in shown) == sorted(
        (i.finding.fingerprint, i.status) for i in accepted.report.findings
    )
    assert {f.status for f in shown} == {"baselined"}


def test_check_with_nothing_new_triages_the_stored_findings_again(
    workspace: tuple[Path, GitRepo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same inputs, same findings: the second check evaluates nothing, yet a new baseline
    still decides their status, and the check is stored as a run of its own."""
    root, _repo = workspace
    code, first = check(root, "--format", "json")
    assert code == 1
    import auditor.evaluate.run as run_module

    def no_evaluation(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("evaluated again although nothing changed")

    monkeypatch.setattr(run_module, "build_context", no_evaluation)
    baseline = root / "ci" / "again.json"
    code, _ = check(root, "--baseline", str(baseline), "--update-baseline")
    assert code == 0
    code, again = check(root, "--baseline", str(baseline), "--format", "json")
    assert code == 0
    before, after = json.loads(first), json.loads(again)
    assert [f["fingerprint"] for f in after["findings"]] == [
        f["fingerprint"] for f in before["findings"]
    ]
    assert {f["status"] for f in after["findings"]} == {"baselined"}
    assert after["summary"]["new"] == 0
