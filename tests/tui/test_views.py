"""The read-only views on a store with known numbers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from auditor import views
from auditor.views import ViewContext
from tests.derived_rows import insert_derived
from tests.tui import storedata


def test_window_is_inclusive_of_as_of(ctx: ViewContext) -> None:
    assert ctx.start == date(2026, 4, 5)
    assert ctx.end_ts - ctx.start_ts == 180 * 86400


def test_totals(ctx: ViewContext) -> None:
    totals = views.totals(ctx)
    assert (totals.components, totals.sensitive_components, totals.people) == (3, 2, 3)
    assert totals.commits_in_window == 6  # the bot's commit counts, the January one does not
    assert dict(totals.findings_by_severity) == {
        "critical": 0,
        "high": 2,
        "medium": 1,
        "low": 1,
        "info": 0,
    }
    assert totals.last_run == "analyze as of 2026-10-01 (run #1)"


def test_components_share_interval(ctx: ViewContext) -> None:
    rows = {r.name: r for r in views.components(ctx)}
    onprem = rows["Collab OnPrem"]
    # Alice 60 (IE), Bo 100 + 60 (CN since June), Mallory 20 (candidates CN/MY/SG); bot excluded
    assert (onprem.churn, onprem.commits, onprem.people) == (240, 4, 3)
    assert onprem.share_min == pytest.approx(160 / 240)
    assert onprem.share_max == pytest.approx(180 / 240)
    assert onprem.findings == 2
    gateway = rows[storedata.HOSTILE_COMPONENT]
    assert (gateway.churn, gateway.share_min, gateway.share_max) == (40, 0.0, 1.0)
    assert rows["Docs"].sensitive is False
    assert [r.sensitivity for r in views.components(ctx)] == ["critical", "high", "low"]


def test_overview_tiers_and_top_risky(ctx: ViewContext) -> None:
    ov = views.overview(ctx)
    assert dict(ov.churn_by_tier) == {
        "high": 160,
        "elevated": 0,
        "ambiguous": 60,
        "trusted": 70,
        "other": 0,
        "unknown": 0,
    }
    assert [r.name for r in ov.top_risky] == ["Collab OnPrem", storedata.HOSTILE_COMPONENT]


def test_location_changes_with_the_period(ctx: ViewContext) -> None:
    # Bo's June commit falls in the CN period; with the window moved to May only SG applies.
    may = ViewContext.build(ctx.engine, ctx.config, as_of=date(2026, 5, 31), window_days=30)
    detail = views.component_detail(may, "Collab OnPrem")
    assert detail is not None
    assert [(j.country, j.tier) for j in detail.jurisdictions] == [("IE", "trusted")]


def test_component_detail(ctx: ViewContext) -> None:
    detail = views.component_detail(ctx, "Collab OnPrem")
    assert detail is not None
    assert [(j.label, j.tier, j.churn, j.churn_max) for j in detail.jurisdictions] == [
        ("CN", "high", 160, 180),  # Mallory's candidates include CN: upper bound only
        ("IE", "trusted", 60, 60),
        # resolved countries first, then unresolved churn by candidate set, riskiest named first
        ("CN, MY or SG", "ambiguous", 20, 20),
    ]
    assert detail.jurisdictions[-1].country is None
    cn = detail.jurisdictions[0]
    assert cn.reason.startswith("Vulnerability disclosure")
    assert [(m.name, m.churn, m.country) for m in detail.maintainers] == [
        ("Bo Zhang", 160, "CN"),
        ("Alice Chen", 60, "IE"),
        (storedata.MARKUP_NAME, 20, None),
    ]
    assert detail.maintainers[0].evidence[0] == "tracker_tz: Asia/Shanghai"
    assert detail.months[0] == "2026-04" and detail.months[-1] == "2026-10"
    series = dict(detail.activity)
    assert series["high"] == (0, 0, 100, 60, 0, 0, 0)
    assert series["trusted"] == (0, 60, 0, 0, 0, 0, 0)
    # recent commits include the bot's and the old one, newest first
    assert [c.sha[:2] for c in detail.recent_commits] == ["f6", "d4", "c3", "b2", "a1", "07"]
    assert detail.recent_commits[2].summary == storedata.ANSI_MESSAGE
    assert [w.key for w in detail.work_items] == ["OnPrem-2", "OnPrem-1"]
    assert [f.rule for f in detail.findings] == ["PV101", "PV102"]
    assert views.component_detail(ctx, "nope") is None


def test_findings_filters(ctx: ViewContext) -> None:
    everything = views.findings(ctx)
    assert [f.rule for f in everything] == ["PV101", "PV102", "PV107", "PV103"]
    assert [f.rule for f in views.findings(ctx, severity="high")] == ["PV101", "PV102"]
    assert [f.rule for f in views.findings(ctx, rule="PV107")] == ["PV107"]
    assert [f.rule for f in views.findings(ctx, status="waived")] == ["PV107"]
    # the word check, JSON and SARIF use for a finding that is neither baselined nor waived
    assert [f.status for f in everything] == ["new", "new", "waived", "new"]
    # a person's store id means nothing to a reader: the finding shows the name
    assert ("person", "Bo Zhang") in everything[1].numbers
    assert everything[2].waiver == (
        "HR confirms the move to Shanghai (approved by ciso@example.com, ticket SEC-7, "
        "expires 2027-03-31)"
    )
    pv101 = everything[0]
    assert ("share_min", "0.520") in pv101.numbers
    assert [e.kind for e in pv101.evidence] == ["commit", "commit"]
    assert pv101.evidence[0].detail == "2026-06-10 Bo Zhang: Harden NTLM OnPrem-1"
    assert (pv101.evidence[0].person_id, pv101.evidence[0].person) == (2, "Bo Zhang")
    pv107 = everything[2]
    assert [e.detail for e in pv107.evidence] == [
        "Bo Zhang: roster SG (roster.csv:3)",
        "Bo Zhang: tracker_tz Asia/Shanghai (identity:4)",
    ]
    pv102 = everything[1]
    assert pv102.evidence[1].detail == f"[Done] {storedata.HOSTILE_TITLE}"


def test_rule_text_from_the_registry() -> None:
    text = views.rule_text("PV101")
    assert text.startswith("PV101 ") and "What it flags: " in text and "How to resolve: " in text
    assert views.rule_text("PV999") == ""


def test_people_and_person_detail(ctx: ViewContext) -> None:
    rows = views.people(ctx)
    assert [p.name for p in rows] == [
        "Alice Chen",
        "Bo Zhang",
        storedata.MARKUP_NAME,
        "dependabot[bot]",
    ]
    bo = rows[1]
    assert (bo.country, bo.tier, bo.identities, bo.commits, bo.conflicts) == ("CN", "high", 2, 2, 1)
    detail = views.person_detail(ctx, bo.id)
    assert detail is not None
    assert [i.kind for i in detail.identities] == ["git", "jira"]
    assert [(p.country, p.valid_to) for p in detail.periods] == [
        ("SG", date(2026, 5, 31)),
        ("CN", None),
    ]
    assert [e.kind for e in detail.periods[1].evidence] == ["tracker_tz", "email_domain"]
    assert len(detail.evidence) == 3
    assert detail.offsets == ((480, 3),)
    assert detail.conflicts[0].countries == ("SG", "CN")
    assert detail.conflicts[0].countries_label == "CN or SG"  # high-risk first, never a/b/c
    assert [c.sha[:2] for c in detail.commits] == ["c3", "b2", "07"]
    assert views.person_id_for(ctx, "Bo Zhang") == bo.id


def test_commit_detail_and_search(ctx: ViewContext) -> None:
    commit = views.commit_detail(ctx, "c3c3")
    assert commit is not None
    assert commit.message == storedata.ANSI_MESSAGE
    assert set(commit.paths) == {storedata.BIDI_PATH, storedata.MARKUP_PATH}
    assert views.commit_detail(ctx, "zz") is None
    kinds = [(h.kind, h.target) for h in views.search(ctx, "onprem")]
    assert ("component", "Collab OnPrem") in kinds
    assert ("finding", "1") in kinds
    assert [h.kind for h in views.search(ctx, "alice")] == ["person"]
    assert views.search(ctx, "  ") == []


def test_empty_store(engine: Engine) -> None:
    empty = ViewContext.build(engine, None, as_of=storedata.AS_OF)
    assert views.findings(empty) == []
    assert views.overview(empty).top_risky == ()
    assert views.people(empty) == []


def test_location_label_takes_the_zone_pattern_when_resolution_gives_one(
    ctx: ViewContext,
) -> None:
    from types import SimpleNamespace

    from auditor.views.common import zone_pattern

    utc8 = ["AU", "BN", "CN", "HK", "ID", "MN", "MO", "MY", "PH", "RU", "SG", "TW", "UA"]
    assert zone_pattern(SimpleNamespace(zone_pattern="UTC+8")) == "UTC+8"
    assert zone_pattern(SimpleNamespace(pattern="EET with EU DST")) == "EET with EU DST"
    assert zone_pattern(SimpleNamespace(country="DE")) is None  # the column not there yet
    assert ctx.location_label(None, utc8, "UTC+8") == "UTC+8 · 13 incl. CN, RU"
    assert ctx.location_label(None, utc8) == "13 countries incl. CN, RU"
    assert ctx.location_label("DE", ["DE"], "CET with EU DST") == "DE"
    people = {p.name: p for p in views.people(ctx)}
    assert people["Bo Zhang"].location == "CN"
    assert people[storedata.MARKUP_NAME].location == "CN, MY or SG"


def test_an_item_from_a_file_export_and_from_the_api_is_listed_once(
    store: Engine, ctx: ViewContext
) -> None:
    from datetime import UTC, datetime

    from auditor.store import models
    from auditor.store.engine import bulk_insert, transaction

    with transaction(store) as conn:
        bulk_insert(
            conn,
            models.Source,
            [{"id": 90, "name": "jira:contoso", "kind": "jira-api", "location": "x", "records": 1}],
        )
        bulk_insert(
            conn,
            models.WorkItem,
            [
                {
                    "id": 90, "source_id": 90, "key": "OnPrem-1", "kind": "Bug",
                    "title": "the same item, read from the API", "status": "Done",
                    "created_at": datetime(2026, 6, 1, tzinfo=UTC), "components": ["OnPrem"],
                }
            ],
        )  # fmt: skip
        insert_derived(conn, models.WorkItemComponent, [{"work_item_id": 90, "component_id": 1}])
    detail = views.component_detail(ctx, "Collab OnPrem")
    assert detail is not None
    assert [w.key for w in detail.work_items] == ["OnPrem-2", "OnPrem-1"]


def test_surer_findings_come_first_within_a_severity(store: Engine, ctx: ViewContext) -> None:
    """A low-confidence PV100-something must not sit above the medium one that fails CI."""
    from auditor.store import models
    from auditor.store.engine import bulk_insert, transaction

    with transaction(store) as conn:
        bulk_insert(
            conn,
            models.StoredFinding,
            [
                {
                    "id": 90, "run_id": 1, "fingerprint": "fp0090", "rule": "PV100",
                    "severity": "high", "confidence": "low", "component": "Collab OnPrem",
                    "subject": "someone", "message": "a hunch", "evidence": [], "data": {},
                    "status": "new",
                }
            ],
        )  # fmt: skip
    ranked = [(f.rule, f.severity, f.confidence) for f in views.findings(ctx, severity="high")]
    assert ranked[-1] == ("PV100", "high", "low")
    assert all(confidence != "low" for _, _, confidence in ranked[:-1])
