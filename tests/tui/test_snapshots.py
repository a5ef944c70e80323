"""SVG snapshots of the main screens on the fixed store (as of 2026-10-01).

After an intended visual change: `pytest tests/tui/test_snapshots.py --snapshot-update`,
then look at the SVGs under `__snapshots__/` before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.tui import crowd
from tests.tui.test_app import SIZE, build, settle
from tui.app import AuditorApp


def _then(*steps: Callable[[AuditorApp], Any] | str) -> Callable[[Any], Any]:
    """A run_before that settles, then presses keys or calls app methods, settling after each."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await settle(app, pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                step(app)
            await settle(app, pilot)

    return run_before


SCREENS: dict[str, Callable[[Any], Any]] = {
    "overview": _then(),
    "components": _then("c"),
    "component": _then(lambda app: app.open_component("Collab OnPrem")),
    "findings": _then("f"),
    "people": _then("p"),
    "person": _then(lambda app: app.open_person(2)),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(screen: str, store: Engine, snap_compare: Any) -> None:
    assert snap_compare(build(store), terminal_size=SIZE, run_before=SCREENS[screen])


# On 2,000 people with long e-mails, at the smallest and a large terminal.
CROWD_SCREENS: dict[str, tuple[tuple[int, int], Callable[[Any], Any]]] = {
    "people-80x24": ((80, 24), _then("p")),
    "findings-80x24": ((80, 24), _then("f")),
    "overview-80x24": ((80, 24), _then()),
    "people-200x50": ((200, 50), _then("p")),
    "person-200x50": ((200, 50), _then(lambda app: app.open_person(crowd.MOVER))),
}


@pytest.mark.parametrize("screen", list(CROWD_SCREENS))
def test_crowd_snapshot(screen: str, engine: Engine, snap_compare: Any) -> None:
    crowd.populate(engine)
    size, run_before = CROWD_SCREENS[screen]
    assert snap_compare(build(engine), terminal_size=size, run_before=run_before)
