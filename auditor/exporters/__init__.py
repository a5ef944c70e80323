"""Formats for `auditor check` results: text, json, sarif, github."""

from __future__ import annotations

from auditor.exporters.interface import Exporter


def exporter_for(name: str) -> Exporter:
    from auditor.exporters.github import GitHubExporter
    from auditor.exporters.json import JsonExporter
    from auditor.exporters.sarif import SarifExporter
    from auditor.exporters.text import TextExporter

    exporters: dict[str, type[Exporter]] = {
        "text": TextExporter,
        "json": JsonExporter,
        "sarif": SarifExporter,
        "github": GitHubExporter,
    }
    return exporters[name]()
