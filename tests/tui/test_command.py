"""`auditor tui`: refuses without a terminal, writes the overview as SVG with --screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """
[store]
url = "sqlite:///{db}"

[jurisdictions]
high = ["CN", "RU"]

[[components]]
name = "Collab OnPrem"
sensitivity = "critical"
paths = ["collab-server:src/onprem/**"]
"""


def _auditor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _workspace(store: Engine, tmp_path: Path) -> Path:
    config = tmp_path / "auditor.toml"
    config.write_text(CONFIG.format(db=store.url.database), encoding="utf-8")
    return config


def test_screenshot_of_the_overview(store: Engine, tmp_path: Path) -> None:
    config = _workspace(store, tmp_path)
    target = tmp_path / "overview.svg"
    result = _auditor("tui", "--config", str(config), "--screenshot", str(target))
    assert result.returncode == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    # the window defaults to the latest analysis (2026-10-01), not today
    assert "as&#160;of&#160;2026-10-01" in svg
    assert "Churn&#160;by&#160;jurisdiction&#160;tier" in svg
    assert "Collab&#160;OnPrem" in svg


def test_needs_a_terminal(store: Engine, tmp_path: Path) -> None:
    config = _workspace(store, tmp_path)
    result = _auditor("tui", "--config", str(config))
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr


def test_bad_as_of_is_a_usage_error(store: Engine, tmp_path: Path) -> None:
    config = _workspace(store, tmp_path)
    result = _auditor("tui", "--config", str(config), "--as-of", "yesterday", "--screenshot", "x")
    assert result.returncode == 2
    assert "--as-of wants YYYY-MM-DD" in result.stderr


def test_as_of_another_date_is_analyzed_first(store: Engine, tmp_path: Path) -> None:
    # The stored analysis is for 2026-10-01; the screen for 2025-01-01 must not show
    # 2026 findings under 2025 figures, so that date is analyzed before the app opens.
    from auditor.views import latest_as_of

    config = _workspace(store, tmp_path)
    target = tmp_path / "overview.svg"
    result = _auditor(
        "tui", "--config", str(config), "--as-of", "2025-01-01", "--screenshot", str(target)
    )
    assert result.returncode == 0, result.stderr
    assert "analyzing as of 2025-01-01 first (the stored analysis is as of 2026-10-01)" in (
        result.stdout
    )
    assert str(latest_as_of(store)) == "2025-01-01"
    assert "as&#160;of&#160;2025-01-01" in target.read_text(encoding="utf-8")
    # the same date again: nothing to analyze
    again = _auditor(
        "tui", "--config", str(config), "--as-of", "2025-01-01", "--screenshot", str(target)
    )
    assert again.returncode == 0, again.stderr
    assert "analyzing" not in again.stdout


def test_help_states_the_real_default(store: Engine, tmp_path: Path) -> None:
    result = _auditor("tui", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "default: today" not in text
    assert "latest analysis ended" in text
