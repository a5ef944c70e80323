"""Finding identity, order, and the status a run stores with each finding.

The fingerprint hashes the rule id, the component and the subject only, never
figures that move between runs (shares, counts, dates), so a finding keeps its
fingerprint across runs and machines and baselines/waivers keep matching.

`Verdicts` is what `auditor.report.triage` decides (new, baselined or waived, and
which waiver) and what a run stores with its findings; it lives here so that the
analysis can store it without knowing how it was decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.kernel.config import WaiverConfig
from auditor.kernel.enums import FindingStatus, Severity

CONFIDENCES = ("high", "medium", "low")


def finding_fingerprint(rule: str, component: str | None, subject: str | None) -> str:
    """sha256 hex of rule id, component and subject, separated by a unit separator."""
    body = "\x1f".join((rule, component or "", subject or ""))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def severity_rank(severity: str) -> int:
    """0 for critical … 4 for info."""
    return Severity(severity).rank


def at_or_above(severity: str, threshold: str) -> bool:
    return severity_rank(severity) <= severity_rank(threshold)


def confident_enough(confidence: str, threshold: str) -> bool:
    """`[policy] fail_on_confidence`: a finding at least this sure may fail `check`."""
    return CONFIDENCES.index(confidence) <= CONFIDENCES.index(threshold)


class _Sortable(Protocol):
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def component(self) -> str | None: ...
    @property
    def subject(self) -> str: ...


def sort_key(finding: _Sortable) -> tuple[Any, ...]:
    """Most severe first, then rule, component, subject: stable output for diffs and CI."""
    return (
        severity_rank(finding.severity),
        finding.rule,
        finding.component or "",
        finding.subject,
    )


@dataclass(frozen=True)
class Verdict:
    """One finding's status, and the live waiver that gave it (when waived)."""

    status: FindingStatus
    waiver: WaiverConfig | None = None


@dataclass(frozen=True)
class Verdicts:
    """A run's triage: each finding's verdict by fingerprint, and the waivers that
    apply to none (expired ones, and live ones matching no finding)."""

    by_fingerprint: Mapping[str, Verdict] = field(default_factory=dict)
    expired: tuple[WaiverConfig, ...] = ()
    unmatched: tuple[WaiverConfig, ...] = ()
