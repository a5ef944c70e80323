from __future__ import annotations

from datetime import date

from auditor.kernel.config import WaiverConfig
from auditor.report.formats.interface import build_report
from auditor.report.triage import triage
from auditor.report.waivers import apply_waivers, describe
from rules.interface import Finding

AS_OF = date(2026, 10, 1)


def finding(rule: str = "PV101", component: str = "OnPrem", subject: str = "Bo") -> Finding:
    return Finding(rule, "high", "high", component, subject, f"{rule} message")


def waiver(**fields: object) -> WaiverConfig:
    values: dict[str, object] = {
        "reason": "transfer under way",
        "approved_by": "ciso@example.com",
        "expires": date(2027, 3, 31),
    }
    values.update(fields)
    return WaiverConfig.model_validate(values)


def test_live_expired_and_unmatched() -> None:
    findings = [finding("PV101", "OnPrem", "high-risk jurisdictions"), finding("PV106")]
    live = waiver(rule="PV101", component="OnPrem")
    expired = waiver(rule="PV106", component="OnPrem", expires=date(2026, 9, 30))
    stale = waiver(rule="PV104", component="OnPrem")
    outcome = apply_waivers([live, expired, stale], findings, AS_OF)
    assert outcome.waived == {findings[0].fingerprint: live}
    assert outcome.expired == (expired,)
    assert outcome.unmatched == (stale,)
    report = build_report(
        findings,
        triage(findings, baseline=(), waivers=[live, expired, stale], as_of=AS_OF),
        as_of=AS_OF,
        fail_on="high",
    )
    assert {(f.finding.rule, f.status) for f in report.findings} == {
        ("PV101", "waived"),
        ("PV106", "new"),  # its waiver expired: it fails again
    }
    assert [f.finding.rule for f in report.failing] == ["PV106"]
    assert describe(expired)["expires"] == "2026-09-30"


def test_waiver_valid_through_its_expiry_day() -> None:
    outcome = apply_waivers(
        [waiver(rule="PV106", component="OnPrem", expires=AS_OF)], [finding("PV106")], AS_OF
    )
    assert len(outcome.waived) == 1 and outcome.expired == ()


def test_match_by_fingerprint_and_by_subject() -> None:
    bo, ivan = finding(subject="Bo"), finding(subject="Ivan")
    by_print = waiver(fingerprint=ivan.fingerprint)
    by_subject = waiver(rule="PV101", component="OnPrem", subject="Bo")
    outcome = apply_waivers([by_print], [bo, ivan], AS_OF)
    assert set(outcome.waived) == {ivan.fingerprint}
    outcome = apply_waivers([by_subject], [bo, ivan], AS_OF)
    assert set(outcome.waived) == {bo.fingerprint}
    outcome = apply_waivers([waiver(rule="PV101", component="Other")], [bo], AS_OF)
    assert outcome.waived == {} and len(outcome.unmatched) == 1


def test_waiver_beats_baseline_and_baseline_keeps_ci_green() -> None:
    bo, ivan = finding(subject="Bo"), finding(subject="Ivan")
    report = build_report(
        [bo, ivan],
        triage(
            [bo, ivan],
            baseline={bo.fingerprint, ivan.fingerprint},
            waivers=[waiver(rule="PV101", component="OnPrem", subject="Bo")],
            as_of=AS_OF,
        ),
        as_of=AS_OF,
        fail_on="high",
    )
    assert [f.status for f in report.findings] == ["waived", "baselined"]
    assert report.failing == []


def test_fail_on_threshold() -> None:
    low = Finding("PV103", "medium", "low", "OnPrem", "high-risk jurisdictions", "m")
    report = build_report(
        [low], triage([low], baseline=(), waivers=[], as_of=AS_OF), as_of=AS_OF, fail_on="high"
    )
    assert report.count("new") == 1 and report.failing == []
    report = build_report(
        [low], triage([low], baseline=(), waivers=[], as_of=AS_OF), as_of=AS_OF, fail_on="medium"
    )
    assert len(report.failing) == 1
