"""The quarterly export on a small store: schema, determinism, integrity, pseudonyms, diffs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Engine

from auditor.audit_export.build import ExportOptions, assemble
from auditor.audit_export.canonical import body_sha256, render
from auditor.audit_export.period import quarter
from auditor.audit_export.pseudonym import Pseudonymizer
from auditor.audit_export.summary import render_summary
from auditor.audit_export.verify import parse_document, schema, verify_document
from auditor.kernel.config import LoadedConfig
from auditor.kernel.errors import ExportError
from tests.auditor.export_support import (
    HIGH_SHARE,
    PEOPLE,
    Q2_END,
    Q3_END,
    ROSTER_ONLY,
    TOP_MAINTAINER,
    TOP_MAINTAINER_Q2,
    UNKNOWN_DOCS,
    build_store,
    store_run,
)

KEY = b"0123456789abcdef-test-key"


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> LoadedConfig:
    return build_store(engine, tmp_path)


def export(
    engine: Engine,
    loaded: LoadedConfig,
    label: str = "2026-Q3",
    findings: list[dict[str, Any]] | None = None,
    **options: Any,
) -> dict[str, Any]:
    period = quarter(label)
    chosen = [TOP_MAINTAINER, HIGH_SHARE, UNKNOWN_DOCS] if findings is None else findings
    run_id = store_run(engine, loaded, period.end, chosen)
    return assemble(engine, loaded, ExportOptions(period=period, **options), run_id)


def test_export_follows_the_published_schema(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded)
    jsonschema.validate(document, schema(3), cls=jsonschema.Draft202012Validator)
    assert verify_document(document) == []
    assert list(document) == [
        "schema_version",
        "tool",
        "period",
        "generated_at",
        "policy",
        "sources",
        "components",
        "people",
        "findings",
        "waivers",
        "coverage",
        "warnings",
        "integrity",
    ]
    assert document["period"] == {"start": "2026-07-01", "end": "2026-09-30", "previous": None}
    assert document["generated_at"] == "2026-09-30"


def test_components_sources_and_policy_figures(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded)
    onprem = next(c for c in document["components"] if c["name"] == "OnPrem")
    assert onprem["activity"] == {"commits": 3, "churn": 120, "people": 3}
    cn = next(j for j in onprem["jurisdictions"] if j["country"] == "CN")
    # Chen (roster CN) 80 lines; Amber's +0800 offset makes CN a candidate for 20 more.
    assert (cn["churn"], cn["churn_max"], cn["share_min"]) == (80, 100, 0.666667)
    assert cn["share_max"] == 0.833333
    top = onprem["maintainers"][0]
    assert top["person"] == "chen.wei@corp.example"
    assert (top["churn"], top["commits"], top["share"]) == (80, 1, 0.666667)
    assert top["location"]["country"] == "CN"
    assert onprem["tiers"]["high"]["share_min"] == 0.666667
    server = next(s for s in document["sources"] if s["name"] == "server")
    assert (server["kind"], server["commits_in_period"]) == ("git", 5)
    assert document["policy"]["jurisdictions"][0] == {
        "country": "CN",
        "tier": "high",
        "reason": "Vulnerability disclosure to the state within 2 days",
    }
    assert re.fullmatch(r"[0-9a-f]{64}", document["policy"]["sha256"])


def test_waivers_apply_until_they_expire(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded)
    live, expired = (
        next(w for w in document["waivers"] if w["rule"] == rule) for rule in ("PV101", "PV104")
    )
    assert (live["expired"], expired["expired"]) == (False, True)
    by_rule = {f["rule"]: f for f in document["findings"]}
    assert by_rule["PV101"]["waiver"] == {"id": live["id"], "expires": "2027-03-31"}
    assert by_rule["PV104"]["waiver"] is None  # its waiver expired in January
    assert expired["findings"] == [by_rule["PV104"]["fingerprint"]]


def test_same_store_gives_byte_identical_files(engine: Engine, loaded: LoadedConfig) -> None:
    first = render(export(engine, loaded))
    second = render(export(engine, loaded))
    assert first == second
    assert parse_document(first)["integrity"]["sha256"] == body_sha256(parse_document(first))


def test_changing_one_number_is_detected(engine: Engine, loaded: LoadedConfig) -> None:
    text = render(export(engine, loaded)).decode("utf-8")
    tampered = text.replace('"churn": 120', '"churn": 12', 1)
    assert tampered != text
    problems = verify_document(parse_document(tampered.encode("utf-8")))
    assert len(problems) == 1
    assert problems[0].startswith("integrity mismatch")


def test_schema_violation_is_reported_even_with_a_recomputed_hash(
    engine: Engine, loaded: LoadedConfig
) -> None:
    document = export(engine, loaded)
    del document["components"][0]["activity"]
    document["integrity"]["sha256"] = body_sha256(document)
    problems = verify_document(document)
    assert problems == ["schema: $.components[0]: 'activity' is a required property"]


def _identity_strings() -> list[str]:
    strings = [*PEOPLE, *PEOPLE.values(), *ROSTER_ONLY.values(), *ROSTER_ONLY]
    return [*strings, *(f"{name} <{email}>" for name, email in PEOPLE.items())]


def test_pseudonymized_export_names_nobody(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded, pseudonymizer=Pseudonymizer(KEY))
    data = render(document).decode("utf-8").casefold()
    for value in _identity_strings():
        assert value.casefold() not in data, value
    for part in ("chen", "dora", "fischer", "amber", "okafor", "ciso", "@"):
        assert part not in data, part
    assert verify_document(document) == []
    people = document["people"]
    assert people["pseudonymized"] is True
    assert all(re.fullmatch(r"P-[0-9a-f]{16}", p["id"]) for p in people["entries"])
    chen = Pseudonymizer(KEY).person("chen.wei@corp.example")
    top = next(f for f in document["findings"] if f["rule"] == "PV102")
    assert top["subject"] == chen
    assert top["message"].startswith(f"{chen} (CN) is the top maintainer")
    live = next(w for w in document["waivers"] if w["rule"] == "PV101")
    dora = Pseudonymizer(KEY).person("dora.fischer@corp.example")
    assert live["reason"] == f"Transfer to Dublin under way, see {chen}'s plan; ask {dora}"
    assert live["approved_by"] == Pseudonymizer(KEY).person("ciso@corp.example")


def test_plain_export_names_people(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded)
    names = {p.get("name") for p in document["people"]["entries"]}
    assert {"Chen Wei", "Dora Fischer", "Amber Lin", "Uma Okafor"} <= names
    assert document["people"]["key_id"] is None
    # addresses only: an identity's key reads "name <address>" and is no e-mail
    emails = [e for p in document["people"]["entries"] for e in p.get("emails", [])]
    assert emails and all(" " not in e and "<" not in e and e.count("@") == 1 for e in emails)


def test_same_key_same_pseudonyms_across_quarters(engine: Engine, loaded: LoadedConfig) -> None:
    q2 = export(engine, loaded, "2026-Q2", [TOP_MAINTAINER_Q2], pseudonymizer=Pseudonymizer(KEY))
    q3 = export(engine, loaded, "2026-Q3", pseudonymizer=Pseudonymizer(KEY))
    other = export(
        engine, loaded, "2026-Q3", pseudonymizer=Pseudonymizer(b"another key, 16+ bytes")
    )
    ids = [{p["id"] for p in d["people"]["entries"]} for d in (q2, q3, other)]
    assert len(ids[0] & ids[1]) == 2  # Chen and Dora committed in both quarters
    assert not ids[1] & ids[2]
    assert q2["people"]["key_id"] == q3["people"]["key_id"] != other["people"]["key_id"]


@pytest.mark.parametrize("key", [None, KEY])
def test_quarter_diff_statuses(engine: Engine, loaded: LoadedConfig, key: bytes | None) -> None:
    pseudonymizer = Pseudonymizer(key) if key else None
    q2 = export(
        engine, loaded, "2026-Q2", [TOP_MAINTAINER_Q2, HIGH_SHARE], pseudonymizer=pseudonymizer
    )
    q3 = export(engine, loaded, pseudonymizer=pseudonymizer, previous=parse_document(render(q2)))
    assert verify_document(q3) == []
    statuses = {(f["rule"], f["component"], f["status"]) for f in q3["findings"]}
    assert statuses == {
        ("PV102", "OnPrem", "new"),  # Chen became top maintainer
        ("PV101", "OnPrem", "persisting"),
        ("PV104", "Docs", "new"),
        ("PV102", "OnPrem", "resolved"),  # Dora's finding is gone
    }
    assert [f["status"] for f in q3["findings"]] == ["new", "new", "persisting", "resolved"]
    assert q3["period"]["previous"] == {
        "start": "2026-04-01",
        "end": "2026-06-30",
        "sha256": q2["integrity"]["sha256"],
    }


def test_previous_export_must_use_the_same_key(engine: Engine, loaded: LoadedConfig) -> None:
    q2 = export(engine, loaded, "2026-Q2", [HIGH_SHARE])
    with pytest.raises(ExportError, match="not pseudonymized, this one is"):
        export(engine, loaded, pseudonymizer=Pseudonymizer(KEY), previous=q2)


def test_previous_export_must_come_before(engine: Engine, loaded: LoadedConfig) -> None:
    q3 = export(engine, loaded)
    with pytest.raises(ExportError, match="does not end before 2026-07-01"):
        export(engine, loaded, previous=q3)


def test_as_of_before_period_end_is_refused(engine: Engine, loaded: LoadedConfig) -> None:
    with pytest.raises(ExportError, match="before the end of the period"):
        export(engine, loaded, as_of=Q2_END)


def test_as_of_is_recorded_not_the_clock(engine: Engine, loaded: LoadedConfig) -> None:
    later = Q3_END.replace(month=10, day=5)
    assert export(engine, loaded, as_of=later)["generated_at"] == "2026-10-05"


def test_summary_has_headline_top_findings_and_changes(
    engine: Engine, loaded: LoadedConfig
) -> None:
    q2 = export(engine, loaded, "2026-Q2", [TOP_MAINTAINER_Q2, HIGH_SHARE])
    q3 = export(engine, loaded, previous=q2)
    text = render_summary(q3, q2)
    assert text.startswith("# Provenance audit 2026-07-01 – 2026-09-30\n")
    assert "- Findings: 3 (critical 1, high 2)" in text
    assert "- Against the previous export: 2 new, 1 persisting, 1 resolved" in text
    assert "- Waived findings: 1; expired waivers: 1" in text
    assert "1. **critical** PV101 · OnPrem · persisting, waived:" in text
    assert "| OnPrem | critical | 3 | 120 | 66.7% – 83.3%" in text
    assert "- Resolved: 1\n  - PV102 OnPrem · Dora Fischer (medium)" in text
    assert "| +52.4 pts | Chen Wei (CN, 66.7%) |" in text
    assert json.dumps(q3["integrity"]["sha256"]).strip('"') in text
    # Which days each figure covers: the quarter for components, the policy window for findings.
    assert "maintainers cover the period 2026-07-01 – 2026-09-30." in text
    assert (
        "policy window 2026-04-04 – 2026-09-30 (180 days ending on the period's last day)" in text
    )
    assert "## Sensitive components (period 2026-07-01 – 2026-09-30)" in text
    assert "## Top findings (policy window 2026-04-04 – 2026-09-30)" in text


def test_findings_window_is_recorded(engine: Engine, loaded: LoadedConfig) -> None:
    """Component figures cover the period, findings the rules' window: the file says both."""
    document = export(engine, loaded)
    assert document["schema_version"] == 3
    assert document["policy"]["window"] == {"start": "2026-04-04", "end": "2026-09-30", "days": 180}
    assert document["policy"]["settings"]["window_days"] == 180
    q2 = export(engine, loaded, "2026-Q2", [TOP_MAINTAINER_Q2])
    assert q2["policy"]["window"] == {"start": "2026-01-02", "end": "2026-06-30", "days": 180}
    # The window is part of the schema since version 2: a file without it does not verify.
    del document["policy"]["window"]
    document["integrity"]["sha256"] = body_sha256(document)
    assert verify_document(document) == ["schema: $.policy: 'window' is a required property"]


def test_version_1_files_still_verify(engine: Engine, loaded: LoadedConfig) -> None:
    """A file written before policy.window existed keeps verifying (and summarising)."""
    document = export(engine, loaded)
    del document["policy"]["window"], document["coverage"], document["warnings"]
    document["schema_version"] = 1
    document["integrity"]["sha256"] = body_sha256(document)
    assert verify_document(document) == []
    assert "this export does not record" in render_summary(document)
    document["policy"]["window"] = {"start": "2026-04-04", "end": "2026-09-30", "days": 180}
    document["integrity"]["sha256"] = body_sha256(document)
    assert verify_document(document)[0].startswith("schema: $.policy: Additional properties")


def _documented_snippet() -> str:
    text = (Path(__file__).parents[2] / "docs" / "export.md").read_text("utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match is not None
    return match.group(1)


def test_documented_hand_verification_works(
    engine: Engine, loaded: LoadedConfig, tmp_path: Path
) -> None:
    """The Python snippet and jq recipe of docs/export.md, on a real export and a tampered one."""
    good, bad = tmp_path / "q3.json", tmp_path / "bad.json"
    data = render(export(engine, loaded, pseudonymizer=Pseudonymizer(KEY)))
    good.write_bytes(data)
    bad.write_bytes(data.replace(b'"churn": 120', b'"churn": 121', 1))
    script = tmp_path / "check.py"
    script.write_text(_documented_snippet(), encoding="utf-8")
    for path, expected in ((good, "True"), (bad, "False")):
        result = subprocess.run(
            [sys.executable, str(script), str(path)], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == expected
    if shutil.which("jq"):
        body = subprocess.run(
            ["jq", "-cjS", "del(.integrity)", str(good)], capture_output=True, check=True
        ).stdout
        assert hashlib.sha256(body).hexdigest() == parse_document(data)["integrity"]["sha256"]


def test_schema_refuses_names_in_a_pseudonymized_file(engine: Engine, loaded: LoadedConfig) -> None:
    document = export(engine, loaded, pseudonymizer=Pseudonymizer(KEY))
    document["people"]["entries"][0]["name"] = "Chen Wei"
    document["integrity"]["sha256"] = body_sha256(document)
    problems = verify_document(document)
    assert len(problems) == 1 and problems[0].startswith("schema: $.people.entries[0]:")


def test_warnings_are_recorded_and_those_naming_people_withheld_when_pseudonymized(
    engine: Engine, loaded: LoadedConfig
) -> None:
    from auditor.store.engine import transaction

    period = quarter("2026-Q3")
    run_id = store_run(engine, loaded, period.end, [TOP_MAINTAINER])  # resolves: its own lines
    from auditor.store.resolutions import of_run
    from tests.derived_rows import set_resolution_warnings

    with transaction(engine) as conn:
        resolution = of_run(conn, run_id)
        assert resolution is not None
        set_resolution_warnings(
            conn,
            resolution,
            ["component 'Docs': glob 'x:docs/**' matches no path"],
            ["person 'Chen Wei' joins 2 mailmap-canonical …"],
        )
    plain = assemble(engine, loaded, ExportOptions(period=period), run_id)
    assert plain["warnings"] == [
        "component 'Docs': glob 'x:docs/**' matches no path",
        "person 'Chen Wei' joins 2 mailmap-canonical …",
    ]
    hidden = assemble(
        engine, loaded, ExportOptions(period=period, pseudonymizer=Pseudonymizer(KEY)), run_id
    )
    assert hidden["warnings"] == [
        "component 'Docs': glob 'x:docs/**' matches no path",
        "1 identity warnings naming people left out (--pseudonymize)",
    ]
    assert "Chen Wei" not in json.dumps(hidden)


def test_summary_charts_churn_by_tier_against_the_previous_quarter(
    engine: Engine, loaded: LoadedConfig
) -> None:
    q2 = export(engine, loaded, "2026-Q2", [TOP_MAINTAINER_Q2, HIGH_SHARE])
    q3 = export(engine, loaded, previous=q2)
    text = render_summary(q3, q2)
    assert "### Churn by jurisdiction tier" in text
    assert "2026-Q2 (previous export) beside 2026-Q3" in text
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "xychart-beta"
    assert block[1] == '    title "OnPrem: lines changed by tier"'
    labels = re.findall(r'"([^"]+)"', block[2])
    assert labels[:4] == ["high 2026-Q2", "high 2026-Q3", "elevated 2026-Q2", "elevated 2026-Q3"]
    values = [int(v) for v in block[4].removeprefix("    bar [").removesuffix("]").split(", ")]
    onprem = {c["name"]: c for c in q3["components"]}["OnPrem"]
    # this quarter's bars add up to the component's churn (the table's 120 lines)
    assert sum(values[1::2]) == onprem["activity"]["churn"] == 120
    assert values[1] == round(onprem["tiers"]["high"]["share_min"] * 120)
    # without a previous export: this quarter alone, and it says so
    alone = render_summary(q3)
    assert "no previous export to compare" in alone
    assert '"high 2026-Q3"' in alone and "2026-Q2" not in alone.split("```mermaid")[1]


def test_chart_labels_cannot_leave_the_mermaid_block() -> None:
    from auditor.audit_export.chart import chart_label

    hostile = 'Core"]\n```\n<script>x</script> [click] `rm`'
    label = chart_label(hostile)
    assert not set(label) & set('"`[]<>\n')
    assert label.startswith("Core")
