"""Lines of what git writes and reads: each ended by "\\n" alone.

Python's `str.splitlines` also breaks at U+2028, U+2029, U+0085 and at the
ASCII separators VT, FF, FS, GS and RS, which git allows in names, e-mails,
ref names and messages: one such character in a hostile branch or author name
would cut its line in two and shift every answer after it.
"""

from __future__ import annotations


def lines(text: str) -> list[str]:
    """`text` cut at each "\\n" (a last line without one counts too)."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return parts
