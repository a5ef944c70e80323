"""Context building and `analyze` on a real store: committer, trailer and PR-approval reviews,
work items, windows, range mode, stored runs and findings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from auditor.evaluate.context import build_context, main_path
from auditor.evaluate.run import analyze
from auditor.report.triage import configured
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from auditor.store.engine import transaction
from tests.auditor.resolve_support import StoreBuilder, newest_resolution, write_config

AS_OF = date(2025, 12, 31)
CONFIG = """
[[git]]
name = "server"
path = "repos/server"

[jurisdictions]
high = ["CN"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["server:src/onprem/**"]
jira = ["OnPrem"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["server:docs/**"]
"""


def _add(engine: Engine, model: type, **values: object) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(model.insert().values(**values)).inserted_primary_key[0])


def _sha(engine: Engine, commit_id: int) -> str:
    with engine.connect() as conn:
        c = models.Commit
        return str(conn.execute(select(c.c.sha).where(c.c.id == commit_id)).scalar_one())


@pytest.fixture
def store(tmp_path: Path, engine: Engine):  # type: ignore[no-untyped-def]
    s = StoreBuilder(engine)
    repo = s.source("server")
    roster = s.source("roster", kind="roster", location=str(tmp_path / "roster.csv"))
    jira = s.source("jira.csv", kind="jira-csv", location=str(tmp_path / "jira.csv"))
    li = s.git_identity("Li Wei", "li@corp.example")
    alice = s.git_identity("Alice Dunne", "alice@corp.example")
    s.roster(roster, 2, "li@corp.example", "Li Wei", "CN")
    s.roster(roster, 3, "alice@corp.example", "Alice Dunne", "IE")
    # before the window: Alice only
    s.commit(repo, alice, "2025-03-03T10:00:00+01:00", {"src/onprem/a.c": (50, 0)})
    plain = s.commit(repo, li, "2025-08-04T10:00:00+08:00", {"src/onprem/a.c": (20, 0)})
    trailer = s.commit(repo, li, "2025-08-05T10:00:00+08:00", {"src/onprem/b.c": (15, 5)})
    approved = s.commit(repo, li, "2025-08-06T10:00:00+08:00", {"src/onprem/c.c": (20, 0)})
    committed = s.commit(
        repo, li, "2025-08-07T10:00:00+08:00", {"src/onprem/d.c": (10, 0), "docs/x.md": (3, 0)}
    )
    s.commit(repo, alice, "2025-09-01T10:00:00+01:00", {"src/onprem/a.c": (30, 0)})
    _add(
        engine,
        models.Trailer,
        commit_id=trailer,
        key="reviewed-by",
        value="Alice Dunne <alice@corp.example>",
        identity_id=alice,
    )
    with transaction(engine) as conn:
        conn.execute(
            update(models.Commit).where(models.Commit.c.id == committed).values(committer_id=alice)
        )
    pr = s.work_item(
        jira,
        "OP-7",
        assignee_id=_jira_li(s),
        components=["OnPrem"],
        resolved_at=datetime(2025, 8, 10, tzinfo=UTC),
    )
    _add(engine, models.Review, work_item_id=pr, reviewer_id=alice, state="APPROVED")
    _add(engine, models.CommitWorkItem, commit_id=approved, work_item_id=pr, via="message")
    s.work_item(jira, "OP-1", components=["OnPrem"], created_at=datetime(2024, 1, 1, tzinfo=UTC))
    loaded = write_config(tmp_path, CONFIG)
    shas = {
        name: _sha(engine, cid)
        for name, cid in [
            ("plain", plain),
            ("trailer", trailer),
            ("approved", approved),
            ("committed", committed),
        ]
    }
    return loaded, shas


def _jira_li(s: StoreBuilder) -> int:
    return s.identity("jira", "acc-li", name="Li Wei", email="li@corp.example")


def test_context_rows(engine: Engine, store) -> None:  # type: ignore[no-untyped-def]
    loaded, shas = store
    resolve_all(engine, loaded, AS_OF)
    ctx = build_context(engine, loaded, AS_OF, resolution_id=newest_resolution(engine))
    assert ctx.policy.window_start == date(2025, 7, 5)
    assert ctx.components["OnPrem"].main_path == "server:src/onprem"
    onprem = {c.sha: c for c in ctx.window_changes("OnPrem")}
    assert onprem[shas["committed"]].churn == 10  # docs/x.md counted for Docs only
    # Docs is not sensitive: left out unless a rule asks for every component
    assert ctx.window_changes("Docs") == []
    everything = build_context(
        engine, loaded, AS_OF, resolution_id=newest_resolution(engine), all_components=True
    )
    assert [c.churn for c in everything.window_changes("Docs")] == [3]
    assert everything.window_changes("OnPrem") == ctx.window_changes("OnPrem")
    vias = {sha: sorted(r.via for r in onprem[sha].reviewers) for sha in shas.values()}
    assert vias == {
        shas["plain"]: [],
        shas["trailer"]: [],  # Li committed Alice's trailer himself: claimed, not counted
        shas["approved"]: ["pr-approval"],
        shas["committed"]: ["committer"],
    }
    claimed = onprem[shas["trailer"]].claimed_reviewers
    assert [(r.via, r.location.country) for r in claimed] == [("reviewed-by", "IE")]
    li = onprem[shas["plain"]].author
    assert onprem[shas["plain"]].author_location.country == "CN"
    assert [len(ctx.previous_changes("OnPrem"))] == [1]
    assert li not in ctx.earlier_authors["OnPrem"]
    items = {w.key: w for w in ctx.work_items}
    assert items["OP-7"].day == date(2025, 8, 10)
    assert [(h.person, h.role, h.location.country) for h in items["OP-7"].handlers] == [
        (li, "assignee", "CN")
    ]


def test_analyze_stores_run_and_findings(engine: Engine, store) -> None:  # type: ignore[no-untyped-def]
    loaded, shas = store
    result = analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF))
    got = {(f.rule, f.component, f.subject) for f in result.findings}
    assert ("PV101", "OnPrem", "high-risk jurisdictions") in got
    assert ("PV102", "OnPrem", "Li Wei") in got
    assert ("PV105", "OnPrem", "Li Wei") in got
    assert ("PV106", "OnPrem", "Li Wei") in got
    assert ("PV109", "OnPrem", "Li Wei") in got
    pv106 = next(f for f in result.findings if f.rule == "PV106")
    assert "2 of 4 changes" in pv106.message and "claimed, not corroborated" in pv106.message
    assert [e.ref for e in pv106.evidence] == [shas["plain"], shas["trailer"]]
    pv101 = next(f for f in result.findings if f.rule == "PV101")
    assert "70 of 100 lines, 4 commits" in pv101.message and pv101.severity == "critical"
    with engine.connect() as conn:
        run = conn.execute(select(models.Run)).one()
        stored = conn.execute(select(models.StoredFinding)).all()
    assert (run.kind, run.status, run.as_of) == ("analyze", "ok", AS_OF)
    assert run.stats["findings"] == len(result.findings) == len(stored)
    assert {r.fingerprint for r in stored} == {f.fingerprint for f in result.findings}
    assert {tuple(r.evidence[0].values()) for r in stored if r.rule == "PV106"} == {
        ("commit", shas["plain"])
    }


def test_range_mode_judges_only_the_range(engine: Engine, store) -> None:  # type: ignore[no-untyped-def]
    loaded, shas = store
    result = analyze(
        engine,
        loaded,
        AS_OF,
        triage=configured(loaded, AS_OF),
        commit_shas={shas["approved"]},
        kind="check",
    )
    assert result.range_commits == 1
    rules = {f.rule for f in result.findings}
    assert "PV106" not in rules  # the one commit in range was approved
    assert "PV101" in rules  # 20 of 20 lines in range
    assert {n.rule for n in result.unavailable} >= {"PV105", "PV108"}
    result = analyze(
        engine,
        loaded,
        AS_OF,
        triage=configured(loaded, AS_OF),
        commit_shas={shas["plain"]},
        kind="check",
    )
    pv106 = next(f for f in result.findings if f.rule == "PV106")
    assert "1 of 1 changes" in pv106.message
    # Li changed OnPrem outside the range: no first change in it
    assert "PV109" not in {f.rule for f in result.findings}


def test_window_moves_with_as_of(engine: Engine, store) -> None:  # type: ignore[no-untyped-def]
    loaded, _ = store
    result = analyze(
        engine, loaded, date(2025, 6, 30), triage=configured(loaded, date(2025, 6, 30))
    )
    assert {f.rule for f in result.findings} & {"PV101", "PV102", "PV106"} == set()


@pytest.mark.parametrize(
    ("globs", "expected"),
    [
        (["server:src/onprem/**"], "server:src/onprem"),
        (["server:**/*.c", "x:y/**"], "server:"),
        (["gw:lib/core/*.py"], "gw:lib/core"),
        ([], None),
    ],
)
def test_main_path(globs, expected) -> None:  # type: ignore[no-untyped-def]
    assert main_path(globs) == expected


def test_analyze_command_prints_findings(  # type: ignore[no-untyped-def]
    tmp_path: Path, engine: Engine, sqlite_url: str, store
) -> None:
    from typer.testing import CliRunner

    from auditor.cli.entrypoint import app

    config = tmp_path / "auditor.toml"
    config.write_text(f'[store]\nurl = "{sqlite_url}"\n' + CONFIG, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", "--config", str(config), "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "PV106" in result.output and "Li Wei" in result.output
    # without a terminal: one block per finding, the message on one unbroken line
    block = next(
        line for line in result.output.splitlines() if line.startswith("NEW ") and "PV106" in line
    )
    assert "Li Wei" in block
    message_lines = [line for line in result.output.splitlines() if line.startswith("    ")]
    assert message_lines and all(len(line) > 0 for line in message_lines)
    with engine.connect() as conn:
        kinds = [r.kind for r in conn.execute(select(models.Run))]
    assert kinds == ["analyze"]


def test_a_trailer_backed_by_the_reviewers_pr_approval_counts(engine: Engine, store) -> None:  # type: ignore[no-untyped-def]
    """Li committed both trailers himself; Alice's is backed by her approval of the PR."""
    loaded, shas = store
    with engine.connect() as conn:
        c, i = models.Commit, models.Identity
        approved = conn.execute(select(c.c.id).where(c.c.sha == shas["approved"])).scalar_one()
        alice = conn.execute(select(i.c.id).where(i.c.email == "alice@corp.example")).scalar()
        li = conn.execute(select(i.c.id).where(i.c.email == "li@corp.example")).scalar()
    for who in (alice, li):
        _add(
            engine, models.Trailer, commit_id=approved, key="approved-by", value="x",
            identity_id=who,
        )  # fmt: skip
    resolve_all(engine, loaded, AS_OF)
    onprem = {
        c.sha: c
        for c in build_context(
            engine, loaded, AS_OF, resolution_id=newest_resolution(engine)
        ).window_changes("OnPrem")
    }
    change = onprem[shas["approved"]]
    assert sorted(r.via for r in change.reviewers) == ["approved-by", "pr-approval"]
    assert change.claimed_reviewers == ()  # Li naming himself is no review at all
