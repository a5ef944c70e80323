from __future__ import annotations

import json
from datetime import date

from auditor.kernel.config import WaiverConfig
from auditor.report.formats import exporter_for
from auditor.report.formats.github import escape_data, escape_property
from auditor.report.formats.interface import Report, build_report
from auditor.report.formats.sarif import SarifExporter
from auditor.report.triage import triage
from rules.interface import Evidence, Finding, Unavailable

AS_OF = date(2026, 10, 1)
HOSTILE = "Bo [bold red]Zhang[/] \x1b]8;;http://evil\x07x\x1b[2J 100%\r\n::error::fake"


def sample_report() -> Report:
    findings = [
        Finding(
            "PV101",
            "critical",
            "high",
            "Gateway OnPrem",
            "high-risk jurisdictions",
            "40% of churn (40 of 100 lines)",
            (Evidence("commit", "a" * 40),),
        ),
        Finding("PV106", "medium", "medium", "Gateway OnPrem", HOSTILE, HOSTILE),
        Finding(
            "PV107", "low", "medium", None, "Sam", "conflict", (Evidence("location_evidence", "3"),)
        ),
    ]
    waiver = WaiverConfig(
        rule="PV107",
        subject="Sam",
        component=None,
        fingerprint=findings[2].fingerprint,
        reason="HR confirms",
        approved_by="ciso@example.com",
        expires=date(2027, 1, 1),
    )
    expired = WaiverConfig(
        rule="PV104",
        component="Gateway OnPrem",
        reason="old",
        approved_by="x@y",
        expires=date(2026, 1, 1),
    )
    return build_report(
        findings,
        triage(
            findings, baseline={findings[1].fingerprint}, waivers=[waiver, expired], as_of=AS_OF
        ),
        as_of=AS_OF,
        fail_on="high",
        unavailable=[Unavailable("PV105", "no work items were collected")],
        main_paths={"Gateway OnPrem": "gateway:src/onprem"},
        commits_in_window=412,
        warnings=["component 'Docs': glob 'nw-docs:guide/**' matches no path"],
    )


def test_json_contract_exactly() -> None:
    data = json.loads(exporter_for("json").render(sample_report()))
    assert set(data) == {"as_of", "findings", "summary", "warnings"}
    assert data["as_of"] == "2026-10-01"
    assert set(data["summary"]) == {
        "new",
        "baselined",
        "waived",
        "expired_waivers",
        "commits_in_window",
    }
    assert data["summary"]["commits_in_window"] == 412
    assert data["warnings"] == ["component 'Docs': glob 'nw-docs:guide/**' matches no path"]
    assert (data["summary"]["new"], data["summary"]["baselined"], data["summary"]["waived"]) == (
        1,
        1,
        1,
    )
    assert [w["rule"] for w in data["summary"]["expired_waivers"]] == ["PV104"]
    first = data["findings"][0]
    assert set(first) == {
        "fingerprint",
        "rule",
        "severity",
        "confidence",
        "component",
        "subject",
        "message",
        "status",
        "evidence",
    }
    assert (first["rule"], first["status"], first["severity"]) == ("PV101", "new", "critical")
    assert first["evidence"] == [{"kind": "commit", "ref": "a" * 40}]
    assert len(first["fingerprint"]) == 64
    assert [f["status"] for f in data["findings"]] == ["new", "baselined", "waived"]


def test_sarif_shape() -> None:
    report = sample_report()
    doc = json.loads(SarifExporter().render(report))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and {f"PV{i}" for i in range(101, 112)} <= set(ids)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "How to resolve" in rule["help"]["text"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("PV101", "error"),
        ("PV106", "warning"),
        ("PV107", "note"),
    ]
    for result, item in zip(results, report.findings, strict=True):
        assert result["partialFingerprints"]["primaryLocationLineHash"] == item.finding.fingerprint
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] == 1
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["src/onprem", "src/onprem", "auditor.toml"]
    assert results[0]["properties"]["repository"] == "gateway"
    assert results[1]["baselineState"] == "unchanged"
    assert results[2]["suppressions"][0]["kind"] == "external"
    assert "\x1b" not in json.dumps(doc, ensure_ascii=False)


def test_github_annotations_escape_untrusted_text() -> None:
    lines = exporter_for("github").render(sample_report()).splitlines()
    assert lines[0].startswith("::error title=PV101 Gateway OnPrem%3A high-risk jurisdictions")
    assert lines[0].endswith("::40% of churn (40 of 100 lines)".replace("%", "%25"))
    assert lines[1].startswith("::warning title=PV106 ")
    # waived findings are not annotated; every line is one workflow command
    assert not any("PV107" in line and line.startswith("::note") for line in lines)
    assert all(line.startswith("::") for line in lines)
    assert len([x for x in lines if "fake" in x]) == 1  # the injected command stays inside
    assert "\x1b" not in "\n".join(lines) and "\r" not in "\n".join(lines)
    assert any("PV105 not available" in line for line in lines)
    assert any("expired waiver PV104" in line for line in lines)
    assert escape_data("50%\r\n") == "50%25%0D%0A"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_text_table_shows_markup_literally() -> None:
    text = exporter_for("text").render(sample_report())
    assert "[bold red]Zhang[/]" in text
    assert "\x1b" not in text and "\\x1b" in text
    assert "not available: PV105" in text
    assert "expired waiver: PV104 Gateway OnPrem expired 2026-01-01" in text
    assert "1 new, 1 baselined, 1 waived; 1 new at or above high" in text


def test_text_without_terminal_is_one_block_per_finding_with_whole_lines() -> None:
    long_message = " ".join(["churn from high-risk jurisdictions"] * 8)  # 279 characters
    findings = [
        Finding("PV101", "critical", "high", "Gateway OnPrem", "jurisdictions", long_message)
    ]
    report = build_report(
        findings,
        triage(findings, baseline=(), waivers=[], as_of=AS_OF),
        as_of=AS_OF,
        fail_on="high",
    )
    lines = exporter_for("text").render(report).splitlines()
    assert lines[0] == "Findings as of 2026-10-01"
    header = next(line for line in lines if line.startswith("NEW  "))
    assert header.startswith("NEW  critical  PV101  Gateway OnPrem  jurisdictions  (confidence")
    assert f"    {long_message}" in lines  # never folded, never split inside a word
    assert not any(line.endswith("jurisdictio") for line in lines)


def test_text_blocks_show_waiver_terms_and_hostile_text_literally() -> None:
    lines = exporter_for("text").render(sample_report()).splitlines()
    hostile = next(line for line in lines if line.startswith("BASELINED  medium  PV106"))
    assert "[bold red]Zhang[/]" in hostile and "\\x1b" in hostile
    assert not any("\x1b" in line or "\r" in line or line.startswith("::") for line in lines)
    waived = lines.index(next(line for line in lines if line.startswith("WAIVED  low  PV107")))
    assert lines[waived + 1] == "    conflict"
    assert lines[waived + 2] == "    waived: until 2027-01-01 by ciso@example.com: HR confirms"


# A CI runner acts on lines starting with `::` (after blanks) and on `##[` anywhere.
INJECTIONS = ("::add-mask::secret", "  ::stop-commands::tok", "x ##[group]fake", "###[error]x")


def _injected_report() -> Report:
    findings = [
        Finding(
            "PV106",
            "high",
            "medium",
            text,
            text,
            text,
            (Evidence("commit", text),),
        )
        for text in INJECTIONS
    ]
    waiver = WaiverConfig(
        rule="PV101",
        component="::warning::w",
        reason="##[section]r",
        approved_by="a@b",
        expires=date(2026, 1, 1),
    )
    return build_report(
        findings,
        triage(findings, baseline=(), waivers=[waiver], as_of=AS_OF),
        as_of=AS_OF,
        fail_on="high",
        unavailable=[Unavailable("PV105", "::error::no items ##[x]")],
    )


def _runner_would_act_on(line: str) -> bool:
    return line.lstrip().startswith("::") or "##[" in line


def test_text_report_lines_never_read_as_workflow_commands() -> None:
    text = exporter_for("text").render(_injected_report())
    lines = text.splitlines()
    assert not [line for line in lines if _runner_would_act_on(line)]
    # the text is still there, with the marker's first character made visible
    assert "    \\x3a:add-mask::secret" in lines
    assert "x \\x23#[group]fake" in text
    assert "expired waiver: PV101 ::warning::w expired 2026-01-01" in text  # not at a line start


def test_sarif_properties_get_the_same_escaping_as_the_message() -> None:
    document = json.loads(exporter_for("sarif").render(_injected_report()))
    for result in document["runs"][0]["results"]:
        props = result["properties"]
        strings = [props["component"], props["subject"], props["evidence"][0]["ref"]]
        assert not [s for s in [*strings, result["message"]["text"]] if "##[" in s]
        assert not [s for s in strings if s.lstrip().startswith("::")]
        assert "\\x" in props["subject"]


def test_github_annotations_break_up_legacy_commands() -> None:
    lines = exporter_for("github").render(_injected_report()).splitlines()
    assert all(line.startswith("::") for line in lines)
    assert not [line for line in lines if "##[" in line]
