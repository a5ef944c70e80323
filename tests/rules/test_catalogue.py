"""The rule catalogue: registry, documentation sections, docs/rules.md, third-party rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rules.registry as registry
from auditor.cli.commands.rules import rules_markdown
from auditor.cli.entrypoint import app
from rules.interface import Rule

ROOT = Path(__file__).resolve().parents[2]


def test_registry_holds_pv101_to_pv109_documented() -> None:
    found = registry.all_rules()
    assert [r.id for r in found][:9] == [f"PV10{i}" for i in range(1, 10)]
    for rule in found:
        for heading in ("What it flags", "Why it matters", "Evidence used", "How to resolve"):
            assert len(rule.section(heading)) > 40, (rule.id, heading)
        assert rule.default_severity in ("critical", "high", "medium", "low", "info")
        assert Path(sys.modules[rule.__module__].__file__ or "").name.startswith(rule.id.lower())


def test_docs_rules_md_is_generated_from_docstrings() -> None:
    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == rules_markdown(), (
        "regenerate with: auditor rules --markdown > docs/rules.md"
    )


def test_rules_command_lists_and_explains() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["rules"])
    assert listing.exit_code == 0 and "PV106" in listing.output
    explained = runner.invoke(app, ["rules", "--explain", "pv106"])
    assert explained.exit_code == 0
    assert "Reviewed-by:" in explained.output and "How to resolve" in explained.output


def test_entry_point_rules_join_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_rules.py").write_text(
        "from collections.abc import Iterator\n"
        "from rules.interface import Rule, RuleContext, Outcome\n"
        "class AcmeRule(Rule):\n"
        "    '''ACME900: demo.\n\n*What it flags*\nNothing.\n'''\n"
        "    id = 'ACME900'\n    name = 'acme'\n    title = 'Acme'\n"
        "    default_severity = 'low'\n"
        "    def evaluate(self, ctx: RuleContext) -> Iterator[Outcome]:\n"
        "        return iter(())\n",
        encoding="utf-8",
    )
    info = tmp_path / "acme_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[auditor.rules]\nacme = acme_rules:AcmeRule\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_loaded", False)
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    plugin = registry.get_rule("ACME900")
    assert plugin is not None and issubclass(plugin, Rule)
    assert plugin.section("What it flags") == "Nothing."
