from __future__ import annotations

from dataclasses import replace

import pytest

from rules.interface import PolicyFile
from rules.pv111_audit_policy_changed import AuditPolicyChanged
from tests.rules.support import context, run

TOML = PolicyFile("auditor.toml", "server", "b" * 40, (), "d" * 64)
BASELINE = PolicyFile("ci/baseline.json", "server", "b" * 40, (), "e" * 64)


@pytest.mark.parametrize(
    ("files", "subjects", "words"),
    [
        ([TOML], [], []),  # tracked, unchanged: nothing to say
        (
            [replace(TOML, changed=("jurisdictions", "waivers"))],
            ["server:auditor.toml (sha256 dddddddddddd)"],
            ["(jurisdictions, waivers)", "BASE bbbbbbbbbbbb", "policy as of BASE"],
        ),
        (
            [TOML, replace(BASELINE, changed=("baseline",))],
            ["server:ci/baseline.json (sha256 eeeeeeeeeeee)"],
            ["(baseline)"],
        ),
        (
            [replace(TOML, changed=("added",)), replace(BASELINE, changed=("added",))],
            [
                "server:auditor.toml (sha256 dddddddddddd)",
                "server:ci/baseline.json (sha256 eeeeeeeeeeee)",
            ],
            ["(added)"],
        ),
    ],
)
def test_flags_changed_policy_files(files, subjects, words) -> None:  # type: ignore[no-untyped-def]
    ctx = replace(context([]), range_mode=True, policy_files=tuple(files))
    findings, notes = run(AuditPolicyChanged, ctx)
    assert notes == []
    assert [f.subject for f in findings] == subjects
    assert all((f.rule, f.severity, f.component) == ("PV111", "high", None) for f in findings)
    for word in words:
        assert word in findings[0].message
    for finding in findings:
        assert finding.evidence[0].kind == "policy_file"
        assert finding.evidence[0].ref.endswith("@" + "b" * 40)


def test_new_content_new_fingerprint() -> None:
    """A baseline entry or waiver accepts one exact content, never "any policy change"."""
    one = replace(TOML, changed=("waivers",))
    two = replace(one, digest="f" * 64)
    first = run(AuditPolicyChanged, replace(context([]), range_mode=True, policy_files=(one,)))
    second = run(AuditPolicyChanged, replace(context([]), range_mode=True, policy_files=(two,)))
    assert first[0][0].fingerprint != second[0][0].fingerprint


def test_silent_outside_a_range_and_not_available_when_untracked() -> None:
    assert run(AuditPolicyChanged, context([])) == ([], [])
    _, notes = run(AuditPolicyChanged, replace(context([]), range_mode=True))
    assert [n.rule for n in notes] == ["PV111"] and "not tracked" in notes[0].reason
