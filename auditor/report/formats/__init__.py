"""Formats for `auditor check` results: text, json, sarif, github."""

from __future__ import annotations

from auditor.report.formats.interface import Exporter


def exporter_for(name: str) -> Exporter:
    # only the asked-for module: each check prints one format
    if name == "text":
        from auditor.report.formats.text import TextExporter

        return TextExporter()
    if name == "json":
        from auditor.report.formats.json import JsonExporter

        return JsonExporter()
    if name == "sarif":
        from auditor.report.formats.sarif import SarifExporter

        return SarifExporter()
    if name == "github":
        from auditor.report.formats.github import GitHubExporter

        return GitHubExporter()
    raise KeyError(name)
