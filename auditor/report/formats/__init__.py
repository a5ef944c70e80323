"""Formats for `auditor check` results: text, json, sarif, github."""

from __future__ import annotations

from auditor.report.formats.interface import Exporter


def exporter_for(name: str) -> Exporter:
    from auditor.report.formats.github import GitHubExporter
    from auditor.report.formats.json import JsonExporter
    from auditor.report.formats.sarif import SarifExporter
    from auditor.report.formats.text import TextExporter

    exporters: dict[str, type[Exporter]] = {
        "text": TextExporter,
        "json": JsonExporter,
        "sarif": SarifExporter,
        "github": GitHubExporter,
    }
    return exporters[name]()
