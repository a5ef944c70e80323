"""Only `tui/` imports textual: every module of auditor, collectors and rules is checked
in a fresh interpreter (as Harlequin does), so an indirect import is caught too."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("auditor", "collectors", "rules")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        folder = ROOT / package
        if not (folder / "__init__.py").exists():
            continue
        names.append(package)
        for info in pkgutil.walk_packages([str(folder)], prefix=f"{package}."):
            if not info.name.endswith("__main__"):  # running it would start the CLI
                names.append(info.name)
    return sorted(names)


def test_core_packages_never_import_textual() -> None:
    modules = _modules()
    assert "auditor.views" in modules and "auditor.cli.entrypoint" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'textual' in sys.modules:\n"
        "        print(name); sys.exit(1)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{result.stdout.strip()} imports textual\n{result.stderr}"


def test_tui_command_imports_textual_only_when_run() -> None:
    # `auditor --help` must stay fast: the tui command module defers the import
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import auditor.cli.entrypoint, sys; print('textual' in sys.modules)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr
