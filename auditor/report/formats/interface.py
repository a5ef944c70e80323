"""The report every exporter formats, and the `Exporter` interface.

`build_report` pairs each finding with the verdict the run stored for it
(`new`, `baselined` or `waived`, decided by `auditor.report.triage`); nothing
here compares findings with the baseline or the waivers. `failing` are the new
findings at or above the fail-on severity, which decide the exit status of
`auditor check`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from auditor.kernel.config import WaiverConfig
from auditor.kernel.enums import FindingStatus
from auditor.kernel.findings import Verdicts, at_or_above, confident_enough, sort_key
from rules.interface import Finding, Unavailable


@dataclass(frozen=True)
class ReportedFinding:
    finding: Finding
    status: FindingStatus
    waiver: WaiverConfig | None = None


@dataclass(frozen=True)
class Report:
    as_of: date
    findings: tuple[ReportedFinding, ...]
    fail_on: str
    expired_waivers: tuple[WaiverConfig, ...] = ()
    unmatched_waivers: tuple[WaiverConfig, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    main_paths: Mapping[str, str | None] = field(default_factory=dict)  # component -> repo:dir
    range_commits: int | None = None
    commits_in_window: int | None = None  # None: not counted (range mode)
    warnings: tuple[str, ...] = ()  # from every step, see auditor.store.warnings
    fail_on_confidence: str = "low"  # findings less sure are reported but never fail

    def count(self, status: str) -> int:
        return sum(1 for f in self.findings if f.status == status)

    @property
    def failing(self) -> list[ReportedFinding]:
        return [
            f
            for f in self.findings
            if f.status == FindingStatus.NEW
            and at_or_above(f.finding.severity, self.fail_on)
            and confident_enough(f.finding.confidence, self.fail_on_confidence)
        ]


def build_report(
    findings: Sequence[Finding],
    verdicts: Verdicts,
    *,
    as_of: date,
    fail_on: str,
    unavailable: Sequence[Unavailable] = (),
    main_paths: Mapping[str, str | None] | None = None,
    range_commits: int | None = None,
    commits_in_window: int | None = None,
    warnings: Sequence[str] = (),
    fail_on_confidence: str = "low",
) -> Report:
    """The findings, most severe first, each with its verdict from `verdicts`."""
    reported = []
    for finding in sorted(findings, key=sort_key):
        verdict = verdicts.by_fingerprint[finding.fingerprint]
        reported.append(ReportedFinding(finding, verdict.status, verdict.waiver))
    return Report(
        as_of=as_of,
        findings=tuple(reported),
        fail_on=fail_on,
        expired_waivers=verdicts.expired,
        unmatched_waivers=verdicts.unmatched,
        unavailable=tuple(unavailable),
        main_paths=dict(main_paths or {}),
        range_commits=range_commits,
        commits_in_window=commits_in_window,
        warnings=tuple(warnings),
        fail_on_confidence=fail_on_confidence,
    )


class Exporter(ABC):
    name: ClassVar[str]

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output as text (written to stdout or `-o FILE`)."""
