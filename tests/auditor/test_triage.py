"""`auditor.report.triage`: each finding's status decided once, and stored with its run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from auditor.evaluate.run import analyze
from auditor.kernel.config import WaiverConfig
from auditor.kernel.enums import FindingStatus
from auditor.report.triage import configured, triage
from auditor.store import models
from rules.interface import Finding
from tests.auditor.resolve_support import write_config
from tests.tui.test_pipeline import AS_OF, CONFIG, WAIVED_PV102, _analysed_with

DAY = date(2026, 10, 1)


def waiver(**fields: object) -> WaiverConfig:
    terms: dict[str, object] = {"reason": "r", "approved_by": "ciso@example.com"}
    return WaiverConfig.model_validate({"expires": "2027-03-31", **terms, **fields})


def test_waiver_beats_baseline_and_expired_or_unmatched_waivers_are_kept_apart() -> None:
    bo = Finding("PV102", "high", "high", "Core", "Bo", "m")
    ivan = Finding("PV102", "high", "high", "Core", "Ivan", "m")
    live = waiver(fingerprint=bo.fingerprint)
    expired = waiver(fingerprint=ivan.fingerprint, expires="2026-09-30")
    stale = waiver(rule="PV104", component="Core")
    verdicts = triage(
        [bo, ivan],
        baseline={bo.fingerprint, ivan.fingerprint},
        waivers=[live, expired, stale],
        as_of=DAY,
    )
    assert verdicts.by_fingerprint[bo.fingerprint].status == FindingStatus.WAIVED
    assert verdicts.by_fingerprint[bo.fingerprint].waiver == live
    assert verdicts.by_fingerprint[ivan.fingerprint].status == FindingStatus.BASELINED
    assert (verdicts.expired, verdicts.unmatched) == ((expired,), (stale,))


def test_a_policy_change_is_never_waived() -> None:
    change = Finding("PV111", "high", "high", None, "auditor.toml", "the policy changed")
    by_rule = waiver(rule="PV111", component="Core")
    by_print = waiver(fingerprint=change.fingerprint)
    verdicts = triage([change], baseline=(), waivers=[by_rule, by_print], as_of=DAY)
    assert verdicts.by_fingerprint[change.fingerprint].status == FindingStatus.NEW
    assert verdicts.unmatched == ()  # left out before matching, as `check` always did


def test_the_run_stores_each_verdict_and_a_reused_run_returns_them(
    engine: Engine, tmp_path: Path
) -> None:
    loaded = write_config(tmp_path, CONFIG + WAIVED_PV102)
    _analysed_with(engine, loaded)
    finding = models.StoredFinding
    with engine.connect() as conn:
        stored = {
            row.rule: (row.status, row.waiver_id, (row.waiver or {}).get("reason"))
            for row in conn.execute(select(finding))
        }
    [configured_waiver] = loaded.config.waivers
    assert stored["PV102"] == ("waived", configured_waiver.id, "Wei moves to Dublin in October")
    assert stored["PV101"] == ("new", None, None)
    fresh = analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF), kind="export")
    reused = analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF), reuse=True)
    assert reused.run_id == fresh.run_id
    assert reused.verdicts == fresh.verdicts
