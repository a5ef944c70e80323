"""Names, messages, paths and tracker fields from strangers are shown, never obeyed.

The store holds markup (`[@click=app.quit]`, `[bold]`, `[/`), ANSI/OSC escapes
and bidi overrides in person names, a component name, commit messages, paths,
evidence values and a work-item title. Every screen must show them literally
with control characters escaped, and keep running.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from sqlalchemy import Engine
from textual.widgets import DataTable, Static

from auditor.report.display_text import visible
from tests.tui import storedata
from tests.tui.test_app import SIZE, build, cells, settle, static_text
from tui.app import AuditorApp
from tui.screens.base import DataScreen

RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\u202c", "\u2066", "\u2069")


def _all_table_text(app: AuditorApp) -> str:
    return "\n".join(
        "\t".join(row) for table in app.screen.query(DataTable) for row in cells(table)
    )


def _all_static_text(app: AuditorApp) -> str:
    out = []
    for widget in app.screen.query(Static):
        content = widget.content
        out.append(content.plain if isinstance(content, Text) else str(content))
    return "\n".join(out)


def _assert_no_raw_controls(text: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in text, f"raw {char!r} reached the screen"


def _visit_everything(store: Engine) -> list[str]:
    """Open every screen that shows hostile text; return what each showed."""
    shown: list[str] = []

    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)

            async def capture() -> None:
                await settle(app, pilot)
                assert app.is_running
                text = _all_table_text(app) + "\n" + _all_static_text(app)
                _assert_no_raw_controls(text)
                # the screenshot is what a terminal would receive
                _assert_no_raw_controls(app.export_screenshot())
                shown.append(text)

            await capture()  # overview
            for key in ("c", "f", "p"):
                await pilot.press(key)
                await capture()
            app.open_component(storedata.HOSTILE_COMPONENT)
            await capture()
            await pilot.press("escape")
            app.open_component("Collab OnPrem")
            await capture()
            app.open_person(3)  # the person whose name is markup
            await capture()
            app.open_commit("c3" * 20)  # ANSI/OSC in the message, bidi and markup in paths
            await capture()
            app.open_commit("d4" * 20)
            await capture()
            assert app.is_running and app.return_code is None

    asyncio.run(main())
    return shown


def test_every_screen_shows_hostile_text_literally(store: Engine) -> None:
    everything = "\n".join(_visit_everything(store))
    for payload in (
        storedata.MARKUP_NAME,
        storedata.HOSTILE_COMPONENT,
        visible(storedata.ANSI_MESSAGE),
        visible(storedata.BIDI_PATH),
        storedata.MARKUP_PATH,
        visible(storedata.HOSTILE_TITLE),
        "Proxy [bold]tweak[/bold]",
        visible("[bold]Earth[/bold] \x1b[5m"),
    ):
        assert payload in everything, payload


def test_markup_name_cell_is_plain_text(store: Engine) -> None:
    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("p")
            await settle(app, pilot)
            table = app.screen.query_one("#people", DataTable)
            cell = table.get_row_at(2)[0]
            assert isinstance(cell, Text)
            assert cell.plain == storedata.MARKUP_NAME
            assert not cell.spans  # no style or link came out of the brackets
            # clicking the row that reads "[@click=app.quit]" opens the person, nothing else
            table.move_cursor(row=2)
            await pilot.click(table, offset=(3, 3))
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.is_running and app.screen.name == "person"
            assert static_text(app, "#summary").startswith(storedata.MARKUP_NAME)

    asyncio.run(main())


def test_search_and_palette_show_names_literally(store: Engine) -> None:
    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", *"mallory")
            await app.workers.wait_for_complete()
            await pilot.pause()
            svg = app.export_screenshot()
            _assert_no_raw_controls(svg)
            assert "click=app.quit" in svg
            await pilot.press("escape", "ctrl+p", *"Mallory")
            await pilot.pause(0.3)
            svg = app.export_screenshot()
            assert "click=app.quit" in svg
            await pilot.press("escape")
            assert app.is_running

    asyncio.run(main())


def test_load_failure_is_reported_not_fatal(store: Engine) -> None:
    """A query that raises (here: a dropped table) shows an error; the app keeps running."""
    with store.begin() as conn:
        conn.exec_driver_sql("DROP TABLE work_item_component")

    async def main() -> None:
        app = build(store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_component("Collab OnPrem")
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, DataScreen) and screen.loaded
            assert app.is_running
            assert any("could not load" in str(n.message) for n in app._notifications)

    asyncio.run(main())
