"""Hostile text is shown literally: control characters visible, markup never interpreted."""

from __future__ import annotations

import pytest
from rich.console import Console

from auditor.report.display_text import plain, visible


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI colour
        ("\x1b]8;;https://evil\x07link", "\\x1b]8;;https://evil\\x07link"),  # OSC 8 hyperlink
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("nul\x00byte", "nul\\x00byte"),
        ("line\nbreak\ttab", "line\\x0abreak\\x09tab"),
        ("Zhang Wei 张伟", "Zhang Wei 张伟"),  # ordinary text untouched
        (None, ""),
    ],
)
def test_visible(raw: str | None, shown: str) -> None:
    assert visible(raw) == shown


def test_visible_can_keep_newlines() -> None:
    assert visible("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


@pytest.mark.parametrize("payload", ["[bold]x[/bold]", "[@click=app.quit]q[/]", "[/", "[link=x]y"])
def test_plain_never_interprets_markup(payload: str) -> None:
    console = Console(record=True, width=80, color_system=None)
    console.print(plain(payload))
    assert console.export_text().rstrip("\n") == payload
