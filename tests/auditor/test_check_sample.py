"""`auditor check` on the sample organisation: the planted on-prem scenario is found."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli.entrypoint import app
from sample_repos.spec import AS_OF, PLANTED, engineer


def test_onprem_scenario_produces_the_expected_rules(sample_workspace: Path) -> None:
    # Own store next to the shared workspace, so other tests' stores are left alone.
    text = (sample_workspace / "auditor.toml").read_text("utf-8")
    config = sample_workspace / "auditor-check-test.toml"
    config.write_text(
        text.replace('url = "sqlite:///.auditor/audit.db"', 'url = "sqlite:///.auditor/check.db"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["check", "--config", str(config), "--as-of", AS_OF.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    onprem = [f for f in data["findings"] if f["component"] == "Collab OnPrem"]
    rules = {f["rule"] for f in onprem}
    assert set(PLANTED.expected_rules) <= rules
    team = {engineer(key).name for key in PLANTED.high_risk_team}
    by_rule = {rule: [f for f in onprem if f["rule"] == rule] for rule in rules}
    assert {f["subject"] for f in by_rule["PV106"]} == team
    assert {f["subject"] for f in by_rule["PV105"]} == team
    assert by_rule["PV102"][0]["subject"] in team
    assert by_rule["PV101"][0]["severity"] == "critical"
    for finding in (*by_rule["PV101"], *by_rule["PV106"]):
        kinds = {e["kind"] for e in finding["evidence"]}
        assert kinds == {"commit"} and len(finding["evidence"]) >= 5
    assert all(e["kind"] == "work_item" for e in by_rule["PV105"][0]["evidence"][:5])
    # The reviewer's `Reviewed-by:` trailers count: not every change is unreviewed.
    for finding in by_rule["PV106"]:
        unreviewed, total = (int(x) for x in finding["message"].split(" changes")[0].split(" of "))
        assert 0 < unreviewed < total
    assert [w["rule"] for w in data["summary"]["expired_waivers"]] == ["PV101"]
    assert data["summary"]["waived"] >= 1
