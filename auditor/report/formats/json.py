"""`--format json`: exactly the `auditor check` JSON contract of DESIGN.md."""

from __future__ import annotations

import json
from typing import Any

from auditor.report.formats.interface import Exporter, Report
from auditor.report.waivers import describe


def report_data(report: Report) -> dict[str, Any]:
    return {
        "as_of": report.as_of.isoformat(),
        "findings": [
            {
                "fingerprint": item.finding.fingerprint,
                "rule": item.finding.rule,
                "severity": item.finding.severity,
                "confidence": item.finding.confidence,
                "component": item.finding.component,
                "subject": item.finding.subject,
                "message": item.finding.message,
                "status": item.status,
                "evidence": [{"kind": e.kind, "ref": e.ref} for e in item.finding.evidence],
            }
            for item in report.findings
        ],
        "summary": {
            "new": report.count("new"),
            "baselined": report.count("baselined"),
            "waived": report.count("waived"),
            "expired_waivers": [describe(w) for w in report.expired_waivers],
            "commits_in_window": report.commits_in_window,
        },
        "warnings": list(report.warnings),
    }


class JsonExporter(Exporter):
    name = "json"

    def render(self, report: Report) -> str:
        return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"
