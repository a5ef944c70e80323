"""Pilot tests: press keys on every screen and drill-down, assert what is shown.

No async test plugin is installed: each test drives its scenario with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine
from textual.widgets import DataTable, OptionList, Select, Static, TabbedContent

from tests.tui import storedata
from tui.app import AuditorApp, make_app
from tui.screens.base import DataScreen

SIZE = (140, 45)


def build(store: Engine) -> AuditorApp:
    return make_app(store, as_of=storedata.AS_OF, config=storedata.config())


def drive(store: Engine, scenario: Callable[[AuditorApp, Any], Awaitable[None]]) -> None:
    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


async def settle(app: AuditorApp, pilot: Any) -> None:
    """Wait until the workers have delivered and the screen has repainted."""
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        done = not isinstance(screen, DataScreen) or screen.loaded
        if done and getattr(screen, "attribution_loaded", True):
            return
    raise AssertionError("screen never finished loading")


def cells(table: DataTable[Any]) -> list[list[str]]:
    return [
        [c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(i)]
        for i in range(table.row_count)
    ]


def static_text(app: AuditorApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def test_overview_shows_totals_tiers_and_risky(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        assert app.current_mode == "overview"
        assert static_text(app, "#stat-components").split() == ["3", "components"]
        assert static_text(app, "#stat-commits").startswith("6")
        tiers = static_text(app, "#tiers")
        assert "high" in tiers and "160" in tiers and "ambiguous" in tiers
        risky = cells(app.screen.query_one("#top-risky", DataTable))
        assert [r[0] for r in risky] == ["Collab OnPrem", storedata.HOSTILE_COMPONENT]
        assert risky[0][2] == "67%–75%"  # the risk right after the name and sensitivity
        severe = cells(app.screen.query_one("#top-findings", DataTable))
        assert [r[1] for r in severe] == ["PV101", "PV102", "PV103"]  # PV107 is waived
        table = app.screen.query_one("#top-findings", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == "findings"
        findings = app.screen.query_one("#findings", DataTable)
        assert cells(findings)[findings.cursor_row][1] == "PV102"

    drive(store, scenario)


def test_overview_enter_opens_top_risky_component(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        app.screen.query_one("#top-risky", DataTable).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "component"
        assert static_text(app, "#summary").startswith("Collab OnPrem  critical")
        await pilot.press("escape")
        assert app.current_mode == "overview" and len(app.screen_stack) == 1

    drive(store, scenario)


def test_components_filter_sort_and_open(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("c")
        await settle(app, pilot)
        table = app.screen.query_one("#components", DataTable)
        assert [r[0] for r in cells(table)] == [
            "Collab OnPrem",
            storedata.HOSTILE_COMPONENT,
            "Docs",
        ]
        first = cells(table)[0]
        assert first[1:3] == ["critical", "67%–75%"] and first[4:7] == ["240", "4", "3"]
        await pilot.press("s")  # Sensitivity -> Churn: largest first
        assert [r[4] for r in cells(table)] == ["240", "40", "10"]
        await pilot.press("r")
        assert [r[4] for r in cells(table)] == ["10", "40", "240"]
        await pilot.press("question_mark")
        console = Console(width=120, file=io.StringIO())
        console.print(app.screen.query_one("#help-keys", Static).content)
        assert "Sort by next column" in console.file.getvalue()  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("ctrl+f", *"gate")
        assert [r[0] for r in cells(table)] == [storedata.HOSTILE_COMPONENT]
        await pilot.press("enter")  # submits the filter, focuses the table
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "component"
        assert static_text(app, "#summary").startswith(storedata.HOSTILE_COMPONENT)
        await pilot.press("escape")
        assert app.current_mode == "components" and len(app.screen_stack) == 1
        await pilot.press("escape")
        assert app.current_mode == "overview"

    drive(store, scenario)


def test_component_screen_drill_downs(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        app.open_component("Collab OnPrem")
        await settle(app, pilot)
        screen = app.screen
        assert [r[:3] for r in cells(screen.query_one("#jurisdictions", DataTable))] == [
            ["CN", "high", "160"],
            ["IE", "trusted", "60"],
            # resolved countries first; the unresolved author's churn under their candidates
            ["CN, MY or SG", "ambiguous", "20"],
        ]
        sparks = screen.query(".tier-line")
        assert len(sparks) == 3  # high, ambiguous, trusted: tiers with activity
        maintainers = cells(screen.query_one("#maintainers", DataTable))
        assert maintainers[0][:5] == ["Bo Zhang", "160", "2", "CN", "high"]
        work = cells(screen.query_one("#work-items", DataTable))
        assert [w[0] for w in work] == ["OnPrem-2", "OnPrem-1"]
        # Enter on the first maintainer opens the person screen
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "person"
        assert static_text(app, "#summary").startswith("Bo Zhang")
        await pilot.press("escape")
        # recent commits tab: Enter opens the commit
        screen.query_one("#tabs", TabbedContent).active = "tab-commits"
        await pilot.pause()
        commits = screen.query_one("#commits", DataTable)
        commits.focus()
        commits.move_cursor(row=2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "commit"
        shown = static_text(app, "#commit-detail")
        assert "c3c3c3c3" in shown and "\\x1b[31mred" in shown and "\x1b" not in shown
        await pilot.press("escape")
        # findings tab: Enter jumps to the finding in the findings screen
        screen.query_one("#tabs", TabbedContent).active = "tab-findings"
        await pilot.pause()
        component_findings = screen.query_one("#component-findings", DataTable)
        component_findings.focus()
        component_findings.move_cursor(row=1)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.current_mode == "findings"
        table = app.screen.query_one("#findings", DataTable)
        assert cells(table)[table.cursor_row][1] == "PV102"

    drive(store, scenario)


def test_findings_filters_detail_and_links(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("f")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#findings", DataTable)
        assert [r[1] for r in cells(table)] == ["PV101", "PV102", "PV107", "PV103"]
        why = static_text(app, "#why")
        assert "52% of churn" in why and "share_min = 0.520" in why
        evidence = static_text(app, "#evidence")
        assert "b2b2b2" in evidence and "Harden NTLM OnPrem-1" in evidence
        assert "What it flags:" in static_text(app, "#rule")
        screen.query_one("#filter-severity", Select).value = "high"
        await pilot.pause()
        assert [r[1] for r in cells(table)] == ["PV101", "PV102"]
        screen.query_one("#filter-severity", Select).clear()
        screen.query_one("#filter-status", Select).value = "waived"
        await pilot.pause()
        assert [r[1] for r in cells(table)] == ["PV107"]
        assert "HR confirms the move" in static_text(app, "#why")
        screen.query_one("#filter-status", Select).clear()
        await pilot.pause()
        table.focus()
        await pilot.press("down")  # PV102: subject Bo Zhang is a person
        assert "Top maintainer Bo Zhang" in static_text(app, "#why")
        links = screen.query_one("#links", OptionList)
        assert [links.get_option_at_index(i).id for i in range(links.option_count)] == [
            "component:Collab OnPrem",
            "person:2",
            f"commit:{'b2' * 20}",
        ]
        await pilot.press("enter")  # to the links
        assert app.focused is links
        links.highlighted = 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "person"
        await pilot.press("escape")
        links.focus()
        links.highlighted = 2
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "commit"

    drive(store, scenario)


def test_people_filter_and_person_screen(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(app, pilot)
        table = app.screen.query_one("#people", DataTable)
        assert [r[0] for r in cells(table)] == [
            "Alice Chen",
            "Bo Zhang",
            storedata.MARKUP_NAME,
            "dependabot[bot]",
        ]
        await pilot.press("ctrl+f", "c", "n", "enter")
        assert [r[0] for r in cells(table)] == ["Bo Zhang", storedata.MARKUP_NAME]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert screen.name == "person"
        periods = cells(screen.query_one("#periods", DataTable))
        assert [r[0].strip() for r in periods] == [
            "… → 2026-05-31",
            "roster",
            "2026-06-01 → …",
            "tracker_tz",
            "email_domain",
        ]
        # an evidence row sits under its period, its value in the location column
        assert periods[1][1] == "SG" and periods[3][1] == "Asia/Shanghai"
        conflicts = cells(screen.query_one("#conflicts", DataTable))
        assert conflicts[0][3] == "roster says SG, tracker zone says CN"
        assert "+0800" in static_text(app, "#offsets")
        identities = cells(screen.query_one("#identities", DataTable))
        assert [(i[0], i[4]) for i in identities] == [("git", "email"), ("jira", "name")]

    drive(store, scenario)


def test_search_opens_hit(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("slash")
        assert app.screen.name == "search"
        await pilot.press(*"alice")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        assert results.option_count == 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "person"
        assert static_text(app, "#summary").startswith("Alice Chen")

    drive(store, scenario)


def test_help_palette_theme_and_loading(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        console = Console(width=120, file=io.StringIO())
        console.print(app.screen.query_one("#help-keys", Static).content)
        rendered = console.file.getvalue()  # type: ignore[attr-defined]
        assert "command palette" in rendered and "dark / light" in rendered
        assert "quit" in rendered and "search components" in rendered
        assert "Sort by next column" not in rendered  # the overview has no sorting
        await pilot.press("escape")
        assert app.current_mode == "overview" and len(app.screen_stack) == 1
        before = app.theme
        await pilot.press("d")
        assert app.theme != before
        await pilot.press("ctrl+p")
        await pilot.press(*"Component Collab")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "component"
        # reloading shows the loading state until the worker delivers
        screen = app.screen
        assert isinstance(screen, DataScreen)
        screen.reload()
        assert screen.query_one("#body").loading is True
        await settle(app, pilot)
        assert screen.query_one("#body").loading is False

    drive(store, scenario)


def test_search_down_then_enter_opens_a_single_hit(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("slash")
        await pilot.press(*"alice")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert static_text(app, "#search-state").startswith("1 hit ·")
        await pilot.press("down", "enter")  # as the hint says: ↓ to choose, Enter opens
        await settle(app, pilot)
        assert app.screen.name == "person"
        assert static_text(app, "#summary").startswith("Alice Chen")

    drive(store, scenario)


def test_people_counts_match_the_overview_and_label_the_window(store: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        people_stat = static_text(app, "#stat-people")
        await pilot.press("p")
        await settle(app, pilot)
        # the overview counts people without bots; the People screen says so
        assert people_stat.split() == ["3", "people"]
        assert static_text(app, "#count") == "3 people + 1 bot · Enter opens"
        table = app.screen.query_one("#people", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert "Commits (180 d)" in labels and "Commits" not in labels
        await pilot.press("ctrl+f", "c", "n", "enter")
        assert static_text(app, "#count") == "2 shown of 3 people + 1 bot · Enter opens"

    drive(store, scenario)


def test_components_footer_is_not_cut_off(store: Engine) -> None:
    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("c")
            await settle(app, pilot)
            svg = app.export_screenshot()
        assert "Dark/light" in svg.replace("&#160;", " ")
        assert "Quit" in svg

    asyncio.run(main())


def test_status_bar_counts_the_stored_warnings(store: Engine) -> None:
    from auditor.store import warnings as run_warnings
    from auditor.store.engine import transaction
    from tests.derived_rows import HAND_RESOLUTION, set_resolution_warnings

    assert "warning" not in build(store).sub_title
    with transaction(store) as conn:
        set_resolution_warnings(
            conn, HAND_RESOLUTION, ["component 'Docs': glob 'x:docs/**' matches no path"]
        )
        run_warnings.record(conn, "collect:server", ["server: shallow history"])
    assert build(store).sub_title.endswith(", 2 warnings (auditor check)")
