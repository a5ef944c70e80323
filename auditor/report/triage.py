"""Each finding's status, decided once: new, baselined or waived.

`triage` is the one place that compares findings with the baseline and the
waivers. `check` and `analyze` store its verdicts with the run's findings
(`finding.status`, `finding.waiver_id`, `finding.waiver`; the waivers that
apply to nothing in the run's stats), and everything after that (the `check`
formats, the TUI and its views) reads what the run stored:
a waiver edited after a run does not change what that run said.

A live waiver wins over the baseline. A waiver never applies to a PV111
finding ("the audit policy changed in this change set"): a standing waiver for
it, by rule or by fingerprint, would let every later policy change through
unseen, so such waivers are left out before matching.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date

from auditor.kernel.config import LoadedConfig, WaiverConfig
from auditor.kernel.enums import FindingStatus
from auditor.kernel.findings import Verdict, Verdicts
from auditor.report.waivers import apply_waivers
from rules.interface import Finding

POLICY_CHANGE_RULE = "PV111"


def triage(
    findings: Sequence[Finding],
    *,
    baseline: Collection[str],
    waivers: Sequence[WaiverConfig],
    as_of: date,
) -> Verdicts:
    """Each finding's verdict by fingerprint, and the expired and unmatched waivers."""
    outcome = apply_waivers(_waivers_that_may_apply(waivers, findings), findings, as_of)
    verdicts: dict[str, Verdict] = {}
    for finding in findings:
        waiver = outcome.waived.get(finding.fingerprint)
        if waiver is not None:
            verdicts[finding.fingerprint] = Verdict(FindingStatus.WAIVED, waiver)
        elif finding.fingerprint in baseline:
            verdicts[finding.fingerprint] = Verdict(FindingStatus.BASELINED)
        else:
            verdicts[finding.fingerprint] = Verdict(FindingStatus.NEW)
    return Verdicts(verdicts, outcome.expired, outcome.unmatched)


def configured(
    loaded: LoadedConfig, as_of: date, baseline: Collection[str] = ()
) -> Callable[[Sequence[Finding]], Verdicts]:
    """The triage `analyze` applies before it stores a run: the configured waivers as of
    `as_of`, against `baseline` (none for `auditor analyze`, the TUI and the export)."""
    waivers = loaded.config.waivers

    def decide(findings: Sequence[Finding]) -> Verdicts:
        return triage(findings, baseline=baseline, waivers=waivers, as_of=as_of)

    return decide


def _waivers_that_may_apply(
    waivers: Sequence[WaiverConfig], findings: Sequence[Finding]
) -> list[WaiverConfig]:
    """Every waiver but those for PV111, by rule or by the fingerprint of a PV111 finding."""
    policy_changes = {f.fingerprint for f in findings if f.rule == POLICY_CHANGE_RULE}
    return [
        w
        for w in waivers
        if w.rule != POLICY_CHANGE_RULE
        and (w.fingerprint is None or w.fingerprint not in policy_changes)
    ]
