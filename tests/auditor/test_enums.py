"""The kernel's StrEnums are the vocabularies the export schema and the configuration spell out."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from auditor.kernel.config import tracker_kinds
from auditor.kernel.enums import (
    ApiKind,
    PeriodStatus,
    Sensitivity,
    Severity,
    Tier,
    Tracker,
    TrackerKind,
)
from auditor.kernel.findings import at_or_above, severity_rank


def _enums(node: Any, key: str) -> list[list[str]]:
    """Every `enum` list of a property named `key` in the JSON schema."""
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, dict) and "enum" in value:
                found.append(value["enum"])
            found += _enums(value, key)
    elif isinstance(node, list):
        for value in node:
            found += _enums(value, key)
    return found


def test_the_export_schema_spells_the_enums() -> None:
    text = resources.files("auditor").joinpath("schemas", "export-v3.schema.json").read_text()
    schema = json.loads(text)
    assert _enums(schema, "severity") == [list(Severity)]
    assert _enums(schema, "sensitivity") == [list(Sensitivity)]
    assert _enums(schema, "status") == [list(PeriodStatus)]
    # a person's tier in the export is a resolved country's: never ambiguous or unknown
    resolved = [t for t in Tier if t not in (Tier.AMBIGUOUS, Tier.UNKNOWN)]
    assert _enums(schema, "tier") == [resolved, resolved]
    assert _enums(schema, "kind")[0] == ["git", *TrackerKind, *ApiKind, "roster"]


def test_severity_order_and_tracker_of_a_kind() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]
    assert severity_rank("medium") == 2 and at_or_above("critical", "high")
    assert not at_or_above("low", Severity.MEDIUM)
    assert [k.tracker for k in TrackerKind] == [
        Tracker.JIRA,
        Tracker.JIRA,
        Tracker.ADO,
        Tracker.GITHUB,
        Tracker.GITLAB,
    ]
    assert [k.tracker for k in ApiKind] == [Tracker.GITHUB, Tracker.JIRA, Tracker.ADO]
    assert tracker_kinds() == [*TrackerKind, *ApiKind]  # no plug-in installed here
