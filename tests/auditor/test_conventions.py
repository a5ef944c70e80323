"""Ecosystem conventions: --version, the README's links, the CI install step, coverage defined."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from typer.testing import CliRunner

from auditor import __version__
from auditor.cli.entrypoint import app

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_version_option() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"auditor {__version__}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["version"] == __version__


def test_readme_links_every_doc_and_nothing_missing() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    targets = {t for t in LINK.findall(readme) if "://" not in t}
    missing = sorted(t for t in targets if not (ROOT / t).exists())
    assert missing == []
    docs = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "docs").rglob("*")
        if p.suffix in {".md", ".yml"} and p.is_file()
    }
    assert sorted(docs - targets) == []
    assert "design document" not in readme  # the repository has none to point to


def test_ci_examples_install_from_somewhere_that_exists() -> None:
    # not on PyPI: a bare `pip install provenance-auditor` would fail in every pipeline
    workflow = yaml.safe_load((ROOT / "docs/ci/github-actions.yml").read_text("utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    (install,) = [s for s in steps if s.get("name") == "Install the auditor"]
    assert install["env"]["AUDITOR_PIP_SPEC"] == "${{ vars.AUDITOR_PIP_SPEC }}"
    assert 'pip install "$AUDITOR_PIP_SPEC"' in install["run"]
    gitlab = yaml.safe_load((ROOT / "docs/ci/gitlab-ci.yml").read_text("utf-8"))
    before = gitlab[".auditor"]["before_script"]
    assert any('pip install -q "$AUDITOR_PIP_SPEC"' in line for line in before)
    for text in (install["run"], *before):
        assert "pip install provenance-auditor" not in text


def test_coverage_is_defined_where_it_is_printed() -> None:
    help_text = CliRunner().invoke(app, ["analyze", "--help"]).output
    assert "coverage is the share of churn" in " ".join(help_text.split())
    config_doc = (ROOT / "docs/configuration.md").read_text("utf-8")
    assert "**Coverage**" in config_doc
