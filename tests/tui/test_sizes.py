"""The TUI at 80x24 and at 200x50 on a store of 2,000 people with long e-mails.

Columns by priority: what a reader needs first (name, location, tier,
confidence; severity, rule, subject, message) is on screen without scrolling
sideways; overview bars never wrap; focus shows without colour.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rich.text import Text
from sqlalchemy import Engine
from textual.widgets import DataTable

from tests.tui import crowd, storedata
from tests.tui.test_app import cells, settle
from tui.app import AuditorApp, make_app
from tui.widgets.charts import BarChart

SIZES = [(80, 24), (200, 50)]


@pytest.fixture
def crowded(engine: Engine) -> Engine:
    crowd.populate(engine)
    return engine


def build(store: Engine) -> AuditorApp:
    return make_app(store, as_of=storedata.AS_OF, config=storedata.config())


def drive(
    store: Engine, size: tuple[int, int], scenario: Callable[[AuditorApp, Any], Awaitable[None]]
) -> None:
    async def main() -> None:
        app = build(store)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


def visible_columns(table: DataTable[Any]) -> list[str]:
    """Labels of the columns that fit in the table's width without scrolling sideways."""
    room = table.scrollable_content_region.width
    shown, used = [], 0
    for column in table.ordered_columns:
        used += column.get_render_width(table)
        if used > room:
            break
        shown.append(column.label.plain)
    return shown


@pytest.mark.parametrize("size", SIZES)
def test_people_list_puts_location_before_email(crowded: Engine, size: tuple[int, int]) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("p")
        await settle(app, pilot)
        table = app.screen.query_one("#people", DataTable)
        assert table.row_count == crowd.PEOPLE + 4
        shown = visible_columns(table)
        assert shown[:4] == ["Name", "Location", "Tier", "Confidence"]
        if size[0] >= 200:  # every column on screen, the commits too
            assert shown[4:] == ["E-mail", "Identities", "Commits (180 d)", "Conflicts"]
        rows = {r[0][:13]: r for r in cells(table)}
        utc8 = rows["Engineer 0001"]
        wanted = "13 countries incl. CN, RU"
        # the whole verdict fits even on 80 columns (the zone pattern goes first when cut)
        assert utc8[1] == wanted and utc8[2] == "ambiguous"
        assert rows["Engineer 0002"][1] == "10 countries, none high-risk"
        assert rows["Engineer 0004"][1] == "unknown"
        email = rows["Engineer 0001"][4]
        if size[0] < 120:
            assert email.endswith("…") and len(email) <= 24
        else:  # cut at 44, an ellipsis marking the cut (the person screen shows it all)
            assert email == crowd.email(1)[:43] + "…"

    drive(crowded, size, scenario)


@pytest.mark.parametrize("size", SIZES)
def test_findings_show_severity_rule_subject_and_message(
    crowded: Engine, size: tuple[int, int]
) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        await pilot.press("f")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#findings", DataTable)
        assert visible_columns(table)[:4] == ["Severity", "Rule", "Subject", "Message"]
        assert screen.has_class("narrow") is (size[0] < 120)
        first = cells(table)[0]
        full = "Collab OnPrem: 52% of churn in the window from high-risk jurisdictions"
        assert full.startswith(first[3].rstrip("…"))
        # the detail pane still says it all
        assert full in str(screen.query_one("#why").render())

    drive(crowded, size, scenario)


@pytest.mark.parametrize("size", SIZES)
def test_overview_bars_never_wrap(crowded: Engine, size: tuple[int, int]) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        for chart in app.screen.query(BarChart):
            content = chart.render()
            text = content.plain if isinstance(content, Text) else str(content)
            width = chart.content_region.width
            assert width > 0
            lines = text.splitlines()
            assert lines and all(len(line) <= width for line in lines), (chart.id, width, lines)
        stats = [str(w.render()) for w in app.screen.query(".stat")]
        assert any("2,003" in s for s in stats)  # 2,000 + Alice, Bo, Mallory

    drive(crowded, size, scenario)


def test_focus_is_visible_without_colour(crowded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def scenario(app: AuditorApp, pilot: Any) -> None:
        assert app.no_color
        await pilot.press("p")
        await settle(app, pilot)
        table = app.screen.query_one("#people", DataTable)
        assert table.has_focus
        # a bar beside the focused list, drawn in characters, not only in colour
        assert table.styles.border_left[0] == "outer"
        assert "▌" in html.unescape(app.export_screenshot())  # the bar, in characters
        cursor = table.get_component_styles("datatable--cursor")
        assert cursor.text_style.reverse
        await pilot.press("ctrl+f")
        assert not table.has_focus
        assert table.styles.border_left[0] == "blank"

    drive(crowded, (80, 24), scenario)


def test_person_screen_offsets_per_year_and_evidence_to_commits(crowded: Engine) -> None:
    async def scenario(app: AuditorApp, pilot: Any) -> None:
        app.open_person(crowd.MOVER)
        await settle(app, pilot)
        screen = app.screen
        offsets = str(screen.query_one("#offsets").render())
        lines = offsets.splitlines()
        assert lines[0] == "2025" and "2026" in lines
        y2026 = lines.index("2026")
        assert any(line.strip().startswith("+0100") for line in lines[1:y2026])
        assert [line.split()[0] for line in lines[y2026 + 1 :]] == ["+0800"]
        evidence = screen.query_one("#evidence", DataTable)
        rows = cells(evidence)
        # by date, oldest first
        assert [r[4] for r in rows] == ["2025-03-01", "2025-06-01", "2026-02-01"]
        assert rows[2][2] == "13 countries" and "⏎ commits" in rows[2][6]
        evidence.focus()
        evidence.move_cursor(row=2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "evidence-commits"
        listed = cells(app.screen.query_one("#evidence-commits", DataTable))
        assert [r[0] for r in listed] == ["2026-08-03", "2026-05-04", "2026-02-02"]
        assert {r[4] for r in listed} == {"+0800"}
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "commit"

    drive(crowded, (200, 50), scenario)
