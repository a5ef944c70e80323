"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Rule metadata comes from each rule's docstring (What it flags → full
description, the whole documentation → help). Each result carries the
finding's fingerprint in `partialFingerprints` (free of line numbers and moving
figures, so code scanning matches alerts across runs) and a location at the
component's main path: the directory of its first glob in that repository (the
configuration file for findings without a component). Levels: critical/high →
error, medium → warning, low/info → note. Waived findings are included with an
external suppression; baselined ones have `baselineState` "unchanged".

Every string that comes from a repository or the configuration (message,
component, subject, repository, evidence refs, suppression justification) gets
the same `log_safe` escaping: a SARIF file is also printed into CI logs.
"""

from __future__ import annotations

import json
from typing import Any

from auditor import __version__
from auditor.report.formats.interface import Exporter, Report, ReportedFinding
from auditor.report.formats.workflow_commands import log_safe
from rules.registry import all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
MAX_RESULTS = 25_000  # GitHub code scanning's limit per run
# GitHub orders alerts by this 0.0-10.0 score.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def rule_descriptors() -> list[dict[str, Any]]:
    descriptors = []
    for rule in all_rules():
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.section("What it flags") or rule.title},
                "help": {"text": rule.documentation(), "markdown": rule.documentation()},
                "defaultConfiguration": {"level": LEVELS[rule.default_severity]},
                "properties": {
                    "tags": ["provenance", "supply-chain", "security"],
                    "security-severity": SECURITY_SEVERITY[rule.default_severity],
                },
            }
        )
    return descriptors


def _escaped(value: Any) -> Any:
    """`value` with every string in it, at any depth, made `log_safe`."""
    if isinstance(value, str):
        return log_safe(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


class SarifExporter(Exporter):
    name = "sarif"

    def __init__(self, config_uri: str = "auditor.toml"):
        self.config_uri = config_uri

    def render(self, report: Report) -> str:
        return json.dumps(self.document(report), ensure_ascii=False, indent=2) + "\n"

    def document(self, report: Report) -> dict[str, Any]:
        descriptors = rule_descriptors()
        index = {d["id"]: i for i, d in enumerate(descriptors)}
        results = [self._result(item, report, index) for item in report.findings]
        return {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "provenance-auditor",
                            "semanticVersion": __version__,
                            "rules": descriptors,
                        }
                    },
                    "automationDetails": {"id": f"provenance-auditor/{report.as_of.isoformat()}"},
                    # An empty window judged nothing: the invocation says so, so that a code
                    # scanning view never reads the missing results as a clean bill.
                    "invocations": [_invocation(report)],
                    "results": results[:MAX_RESULTS],
                    "properties": {
                        "as_of": report.as_of.isoformat(),
                        "commits_in_window": report.commits_in_window,
                        "warnings": [log_safe(w) for w in report.warnings],
                    },
                }
            ],
        }

    def _uri(self, component: str | None, report: Report) -> str:
        """The component's most-changed file in the window (`analyze` puts it in main_paths),
        its main directory when nothing changed there, else the configuration file."""
        main = report.main_paths.get(component) if component else None
        if not main:
            return self.config_uri
        directory = main.partition(":")[2].strip("/")
        return directory or "."

    def _repository(self, component: str | None, report: Report) -> str | None:
        main = report.main_paths.get(component) if component else None
        return main.partition(":")[0] if main else None

    def _result(
        self, item: ReportedFinding, report: Report, index: dict[str, int]
    ) -> dict[str, Any]:
        f = item.finding
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": LEVELS[f.severity],
            "message": {"text": log_safe(f"{f.subject}: {f.message}")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": self._uri(f.component, report)},
                        "region": {"startLine": 1},
                    },
                    "logicalLocations": [
                        {"name": log_safe(f.component or "(no component)"), "kind": "module"}
                    ],
                }
            ],
            "partialFingerprints": {
                "primaryLocationLineHash": f.fingerprint,
                "auditorFingerprint/v1": f.fingerprint,
            },
            "baselineState": "unchanged" if item.status == "baselined" else "new",
            "properties": _escaped(
                {
                    "severity": f.severity,
                    "confidence": f.confidence,
                    "component": f.component,
                    "repository": self._repository(f.component, report),
                    "subject": f.subject,
                    "status": item.status,
                    "evidence": [{"kind": e.kind, "ref": e.ref} for e in f.evidence],
                }
            ),
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if item.status == "waived" and item.waiver is not None:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": log_safe(
                        f"{item.waiver.reason} (approved by {item.waiver.approved_by}, "
                        f"expires {item.waiver.expires})"
                    ),
                }
            ]
        return result


def _invocation(report: Report) -> dict[str, Any]:
    if report.commits_in_window != 0:
        return {"executionSuccessful": True}
    return {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": "nothing to judge: no commits in the policy window"},
            }
        ],
    }
