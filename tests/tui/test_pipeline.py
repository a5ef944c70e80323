"""The views and the TUI on a store that resolution (H4) and the rules (H5) really filled.

Collected tables are written directly (`StoreBuilder`); `analyze` then resolves
people and locations and stores a run with findings, as `auditor analyze` does.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from textual.widgets import DataTable, OptionList

from auditor import views
from auditor.evaluate.run import analyze
from auditor.report.triage import configured
from tests.auditor.resolve_support import StoreBuilder, write_config
from tests.tui.test_app import SIZE, cells, settle, static_text
from tui.app import make_app

AS_OF = date(2026, 9, 30)
HOSTILE = "[@click=app.quit]Eve[/] \x1b]0;pwned\x07\u202e"
CONFIG = """
[store]
url = "sqlite:///unused.db"

[[git]]
name = "app"
path = "repos/app"

[[roster]]
path = "roster.csv"

[jurisdictions]
high = ["CN"]

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["app:src/core/**"]
"""


def _analysed(engine: Engine, tmp_path: Path) -> Any:
    loaded = write_config(tmp_path, CONFIG)
    _analysed_with(engine, loaded)
    return loaded


def _analysed_with(engine: Engine, loaded: Any) -> None:
    b = StoreBuilder(engine)
    repo = b.source("app")
    roster = b.source("roster.csv", kind="roster")
    wei = b.git_identity("Wei Zhang", "wei@corp.example")
    ann = b.git_identity("Ann Byrne", "ann@corp.example")
    eve = b.git_identity(HOSTILE, "eve@mail.example")
    b.roster(roster, 2, "wei@corp.example", "Wei Zhang", "CN")
    b.roster(roster, 3, "ann@corp.example", "Ann Byrne", "IE")
    for day in range(1, 20):
        b.commit(repo, wei, f"2026-07-{day:02d}T10:00:00+08:00", {"src/core/a.c": (40, 5)})
    for day in range(1, 6):
        b.commit(repo, ann, f"2026-08-{day:02d}T10:00:00+01:00", {"src/core/b.c": (10, 0)})
    b.commit(repo, eve, "2026-09-01T10:00:00+08:00", {"src/core/c.c": (30, 0)})
    analyze(engine, loaded, AS_OF, triage=configured(loaded, AS_OF))


def test_views_on_analysed_store(engine: Engine, tmp_path: Path) -> None:
    loaded = _analysed(engine, tmp_path)
    ctx = views.ViewContext.build(engine, loaded, as_of=AS_OF)
    rows = views.findings(ctx)
    rules = {f.rule for f in rows}
    assert {"PV101", "PV102"} <= rules
    pv102 = next(f for f in rows if f.rule == "PV102")
    assert pv102.subject == "Wei Zhang" and pv102.component == "Core"
    assert views.person_id_for(ctx, "Wei Zhang") is not None
    assert views.rule_text("PV102").startswith("PV102 ")
    core = views.components(ctx)[0]
    total = 19 * 45 + 5 * 10 + 30
    assert (core.name, core.churn) == ("Core", total)
    assert core.share_min == 19 * 45 / total
    assert core.share_max >= core.share_min
    assert views.latest_as_of(engine) == AS_OF
    people = {p.name: p for p in views.people(ctx)}
    assert people["Wei Zhang"].country == "CN"
    assert people[HOSTILE].country is None  # offsets only: candidates, no country


def test_tui_explains_a_real_finding(engine: Engine, tmp_path: Path) -> None:
    loaded = _analysed(engine, tmp_path)

    async def main() -> None:
        app = make_app(engine, as_of=AS_OF, config=loaded)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("f")
            await settle(app, pilot)
            table = app.screen.query_one("#findings", DataTable)
            row = next(i for i, r in enumerate(cells(table)) if r[1] == "PV102")
            table.move_cursor(row=row)
            await pilot.pause()
            assert "Wei Zhang" in static_text(app, "#why")
            assert "What it flags:" in static_text(app, "#rule")
            links = app.screen.query_one("#links", OptionList)
            ids = [links.get_option_at_index(i).id or "" for i in range(links.option_count)]
            assert ids[0] == "component:Core" and ids[1].startswith("person:")
            links.focus()
            links.highlighted = 1
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen.name == "person"
            periods = cells(app.screen.query_one("#periods", DataTable))
            assert periods[0][1] == "CN"
            assert any(r[0].strip() == "roster" for r in periods)
            await pilot.press("escape", "p")
            await settle(app, pilot)
            names = [r[0] for r in cells(app.screen.query_one("#people", DataTable))]
            assert "[@click=app.quit]Eve[/] \\x1b]0;pwned\\x07\\u202e" in names
            assert app.is_running

    asyncio.run(main())


WAIVED_PV102 = """
[[waivers]]
rule = "PV102"
component = "Core"
reason = "Wei moves to Dublin in October"
approved_by = "ciso@corp.example"
expires = "2027-03-31"
"""
EDITED_WAIVERS = """
[[waivers]]
rule = "PV101"
component = "Core"
reason = "added after the run"
approved_by = "ciso@corp.example"
expires = "2027-03-31"
"""


def test_a_waiver_edited_after_the_run_does_not_change_what_the_run_showed(
    engine: Engine, tmp_path: Path
) -> None:
    """The TUI shows each finding's status as its run stored it: the configuration's
    waivers are read when a run is triaged, never re-matched when it is shown."""
    loaded = write_config(tmp_path, CONFIG + WAIVED_PV102)
    _analysed_with(engine, loaded)
    edited_dir = tmp_path / "edited"
    edited_dir.mkdir()
    edited = write_config(edited_dir, CONFIG + EDITED_WAIVERS)  # PV102's waiver removed
    ctx = views.ViewContext.build(engine, edited, as_of=AS_OF)
    status = {f.rule: (f.status, f.waiver) for f in views.findings(ctx)}
    assert status["PV101"] == ("new", "")
    assert status["PV102"] == (
        "waived",
        "Wei moves to Dublin in October (approved by ciso@corp.example, expires 2027-03-31)",
    )
    assert [f.rule for f in views.findings(ctx, status="waived")] == ["PV102"]

    async def main() -> None:
        app = make_app(engine, as_of=AS_OF, config=edited)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("f")
            await settle(app, pilot)
            table = app.screen.query_one("#findings", DataTable)
            shown = {r[1]: r for r in cells(table)}
            assert "waived" in shown["PV102"] and "new" in shown["PV101"]
            table.move_cursor(row=list(shown).index("PV102"))
            await pilot.pause()
            assert "Wei moves to Dublin" in static_text(app, "#why")

    asyncio.run(main())
    # the next run reads the edited waivers (a view reads the run it was built on: a new one)
    analyze(engine, edited, AS_OF, triage=configured(edited, AS_OF))
    status = {
        f.rule: f.status
        for f in views.findings(views.ViewContext.build(engine, edited, as_of=AS_OF))
    }
    assert (status["PV101"], status["PV102"]) == ("waived", "new")
