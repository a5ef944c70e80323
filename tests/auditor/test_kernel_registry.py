"""kernel.registry.Registry: one decorator + entry-point pattern for collectors and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.kernel.errors import AuditorError
from auditor.kernel.registry import Registry
from collectors import registry as collector_registry
from rules import registry as rule_registry


def _install(root: Path, group: str, line: str) -> None:
    info = root / "acme_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{line}\n")


def test_collectors_and_rules_share_one_registry_class() -> None:
    assert isinstance(collector_registry._registry, Registry)
    assert isinstance(rule_registry._registry, Registry)
    assert (collector_registry._registry.group, rule_registry._registry.group) == (
        "auditor.collectors",
        "auditor.rules",
    )


def test_a_broken_rule_plugin_is_one_line_naming_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(tmp_path, "auditor.rules", "acme = acme_missing_module:AcmeRule")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(rule_registry, "_loaded", False)
    monkeypatch.setattr(rule_registry, "_RULES", {})
    with pytest.raises(AuditorError) as error:
        rule_registry.all_rules()
    message = str(error.value)
    assert message.startswith("cannot load rule entry point 'acme' (acme_missing_module:AcmeRule)")
    assert "\n" not in message


def test_a_rule_id_registered_twice_names_both_modules() -> None:
    [pv101] = [r for r in rule_registry.all_rules() if r.id == "PV101"]
    again = type("Again", (pv101,), {"__module__": "acme.rules"})
    with pytest.raises(AuditorError, match=r"rule id PV101 registered twice \(rules\.pv101_"):
        rule_registry.register(again)
