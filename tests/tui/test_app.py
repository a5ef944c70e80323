"""Pilot tests: press keys on every screen and drill-down, assert what is shown.

No async test plugin is installed: each test drives its scenario with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from sqlalchemy import Engine
from textual.widgets import DataTable, OptionList, Static

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
        if not isinstance(screen, DataScreen) or screen.loaded:
            if getattr(screen, "attribution_loaded", True):
                return
    raise AssertionError("screen never finished loading")


def cells(table: DataTable[Any]) -> list[list[str]]:
    return [[c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


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
        assert risky[0][5] == "67%–75%"

    drive(store, scenario)
