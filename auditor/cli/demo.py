"""`auditor demo`: build the sample organisation, audit it, report.

Composes the real pipeline (collect, analyze) on the sample organisation's own
`auditor.toml`; nothing here is specific to the demo but the workspace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from auditor.evaluate.run import AnalyzeResult, analyze
from auditor.ingest.collect import CollectSummary, collect_all
from auditor.kernel.config import LoadedConfig, load_config
from auditor.kernel.enums import Severity
from auditor.report.check import judge
from auditor.report.formats.interface import Report
from auditor.report.triage import configured
from auditor.store.engine import make_engine
from sample_repos.build import BuildResult, build_organisation
from sample_repos.spec import AS_OF


@dataclass(frozen=True)
class DemoResult:
    build: BuildResult
    loaded: LoadedConfig
    engine: Engine
    collected: CollectSummary
    analysis: AnalyzeResult

    def report(self) -> Report:
        """Findings with the waiver status the run stored, formatted as `auditor check`
        formats them (the same `judge`; the demo has no baseline)."""
        return judge(self.analysis, self.loaded)

    def findings_by_severity(self) -> list[tuple[str, int]]:
        counts = Counter(f.severity for f in self.analysis.findings)
        return [(s, counts[s]) for s in Severity if counts[s]]


def run_demo(workspace: Path, *, as_of: date = AS_OF) -> DemoResult:
    """Build the sample organisation into `workspace` (afresh) and audit it as of `as_of`."""
    store = workspace / ".auditor"
    if store.exists():  # a rebuilt organisation has new history: start the store afresh
        import shutil

        shutil.rmtree(store)
    build = build_organisation(workspace)
    loaded = load_config(build.config)
    engine = make_engine(loaded.store_url)
    collected = collect_all(loaded, engine)
    analysis = analyze(engine, loaded, as_of, triage=configured(loaded, as_of))
    return DemoResult(build, loaded, engine, collected, analysis)
