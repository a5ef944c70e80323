"""Waivers from `[[waivers]]`: accepted findings with a reason, an approver and an expiry.

A waiver matches a finding by fingerprint, or by rule + component (+ subject
when given). A waiver whose `expires` date lies before `as_of` no longer
applies and is reported; a live waiver that matches no finding is reported
too, so stale configuration does not linger unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.kernel.config import WaiverConfig
from rules.interface import Finding


def matches(waiver: WaiverConfig, finding: Finding) -> bool:
    if waiver.fingerprint:
        return waiver.fingerprint == finding.fingerprint
    return (
        waiver.rule == finding.rule
        and waiver.component == finding.component
        and (waiver.subject is None or waiver.subject == finding.subject)
    )


@dataclass(frozen=True)
class WaiverOutcome:
    waived: dict[str, WaiverConfig]  # fingerprint -> the live waiver that applies
    expired: tuple[WaiverConfig, ...]  # past their expiry (whether they match or not)
    unmatched: tuple[WaiverConfig, ...]  # live, but matching no finding


def apply_waivers(
    waivers: Sequence[WaiverConfig], findings: Sequence[Finding], as_of: date
) -> WaiverOutcome:
    waived: dict[str, WaiverConfig] = {}
    expired: list[WaiverConfig] = []
    unmatched: list[WaiverConfig] = []
    for waiver in waivers:
        if waiver.expires < as_of:
            expired.append(waiver)
            continue
        hits = [f for f in findings if matches(waiver, f)]
        if not hits:
            unmatched.append(waiver)
        for finding in hits:
            waived.setdefault(finding.fingerprint, waiver)
    return WaiverOutcome(waived, tuple(expired), tuple(unmatched))


def describe(waiver: WaiverConfig) -> dict[str, Any]:
    """A waiver as plain JSON data (reports, `expired_waivers`)."""
    return {
        "rule": waiver.rule,
        "component": waiver.component,
        "subject": waiver.subject,
        "fingerprint": waiver.fingerprint,
        "reason": waiver.reason,
        "approved_by": waiver.approved_by,
        "ticket": waiver.ticket,
        "expires": waiver.expires.isoformat(),
    }
