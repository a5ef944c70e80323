"""The real-repository benchmark in quick mode on a tiny history, so that it cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import Skipped, bench_real
from benchmarks.run import main, record, section
from tests.gitrepo import GitRepo, Who, git

ALICE = Who("Alice Example", "alice@example.com")
WEI = Who("Wei Zhang", "wei@example.cn")


def _tiny_repo(path: Path) -> GitRepo:
    repo = GitRepo(path)
    for n in range(14):
        who, offset = (ALICE, "-0500") if n % 3 else (WEI, "+0800")
        repo.commit(
            f"change {n}",
            author=who,
            date=f"2026-0{1 + n % 9}-{10 + n}T10:00:00{offset}",
            files={f"src/m{n % 4}.py": f"value = {n}\n" * (n + 1)},
        )
    return repo


def test_skipped_with_a_message_without_a_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bench_real.ENV, raising=False)
    with pytest.raises(Skipped, match="AUDITOR_BENCH_REPO"):
        bench_real.run(Path("unused"), quick=True)


def test_runner_says_skipped_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(bench_real.ENV, raising=False)
    doc = Path(bench_real.__file__).parent.parent / "docs" / "benchmarks.md"
    before = doc.read_text(encoding="utf-8")
    assert main(["--only", "real", "--workdir", str(tmp_path)]) == 0
    assert "skipped: set AUDITOR_BENCH_REPO" in capsys.readouterr().out
    assert doc.read_text(encoding="utf-8") == before  # nothing recorded


@pytest.mark.slow
def test_quick_run_on_a_tiny_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _tiny_repo(tmp_path / "clone")
    refs_before = git(repo.path, "for-each-ref")
    monkeypatch.setenv(bench_real.ENV, str(repo.path))

    rows = bench_real.run(tmp_path / "work", quick=True)

    by_name = {row["name"]: row for row in rows}
    floor = by_name["git log --numstat -z HEAD (floor)"]
    assert floor["commits"] == 14
    mined = by_name["auditor collect, mirror cached (mining)"]
    assert mined["stored"] == 14 and mined["peak RSS MB"] > 0
    first = by_name["auditor collect, first run (incl. mirror clone)"]
    assert first["target"] == "≤ 1.0× floor" and isinstance(first["ok"], bool)
    assert by_name["auditor collect --jobs 2 (mining)"]["target"] == "≤ 0.8× floor"
    ranged = by_name[f"auditor check --range HEAD~{bench_real.RANGE_MERGES}..HEAD"]
    assert ranged["commits in range"] == bench_real.RANGE_MERGES
    small = [row for row in rows if row["name"].endswith("-commit store")]
    assert [row["name"].split(",")[0] for row in small] == [
        "auditor version (start-up floor)",
        "auditor people --format json",
        "auditor check",
        "auditor verify",
    ]
    assert all(str(bench_real.QUICK_SMALL_COMMITS) in row["name"] for row in small)
    assert all(isinstance(row.get("ok"), bool) for row in small[1:])
    assert all(row["imports share"].endswith(" s") for row in small)  # "78% of 0.69 s"
    assert by_name["peak RSS of any auditor process"]["peak RSS MB"] > 0
    assert any(name.startswith("PyDriller modified_files, newest 14") for name in by_name)
    assert (tmp_path / "work" / "clone" / "overview.svg").read_text().startswith("<svg")
    assert git(repo.path, "for-each-ref") == refs_before  # the clone is only read


def test_each_clone_has_its_own_subsection(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n<!-- bench:real:start -->\nHow it works.\n<!-- bench:real:end -->\n"
        "\nAfter.\n",
        encoding="utf-8",
    )
    for clone, seconds in (("bench-git", 1.0), ("bench-flask", 2.0), ("bench-git", 3.0)):
        key = f"real/{clone}"
        text = section(key, [{"name": "floor", "seconds": seconds}], 1.0, "0.5", "`cmd`")
        record(key, text, doc, within="real")
    text = doc.read_text(encoding="utf-8")
    assert text.count("### real/bench-git") == 1 and text.count("### real/bench-flask") == 1
    assert "| floor | 3 |" in text and "| floor | 1 |" not in text
    assert text.index("How it works.") < text.index("### real/bench-git")
    assert text.index("### real/bench-flask") < text.index("<!-- bench:real:end -->")
    assert text.endswith("<!-- bench:real:end -->\n\nAfter.\n")
    assert "`cmd` on " in text
