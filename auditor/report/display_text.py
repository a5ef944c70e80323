"""Text from repositories and exports, made safe to show on a terminal.

Control characters (ANSI/OSC escapes, bidi overrides, NUL, ...) become visible
escapes such as `\\x1b` or `\\u202e`; nothing is ever interpreted as Rich markup
because callers wrap the result in `rich.text.Text`, never in a markup string.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

_ALLOWED = {"\n", "\t"}


def visible(value: object, *, keep_newlines: bool = False) -> str:
    """Replace control and format characters (Cc, Cf, Cs) with visible escapes."""
    text = "" if value is None else str(value)
    out = []
    for char in text:
        if keep_newlines and char in _ALLOWED:
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def plain(value: object, *, style: str = "") -> Text:
    """A Rich `Text` holding `value` literally: no markup, no control sequences."""
    from rich.text import Text  # here: `visible` alone is what machine formats need

    return Text(visible(value), style=style)
