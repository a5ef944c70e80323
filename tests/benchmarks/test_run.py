"""The benchmark runner: discovery and the recorded sections of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import discover, record, section, table


def test_discovers_bench_modules() -> None:
    assert "git" in discover()


def test_record_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nHand-written intro.\n", encoding="utf-8")
    rows = [{"name": "collect", "seconds": 1.5, "target_seconds": 10, "ok": True, "commits": 1000}]
    record("git", section("git", rows, 3.0, "0.5"), doc)
    record("tui", section("tui", [{"name": "paint", "seconds": 0.2}], 1.0, "0.5"), doc)
    record("git", section("git", [{"name": "collect", "seconds": 2.5, "ok": False}], 4.0, "1"), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHand-written intro.\n")
    assert text.count("<!-- bench:git:start -->") == 1 and text.count("### tui") == 1
    assert "| collect | 2.5 |  | **no** |  |" in text and "1.5" not in text
    assert text.index("### git") < text.index("### tui")


def test_table_cells() -> None:
    lines = table([{"name": "a|b", "seconds": 0.25, "target": "≤ 1.3× floor", "rate": 12345}])
    assert lines[2] == "| a\\|b | 0.25 | ≤ 1.3× floor |  | rate 12,345 |"
