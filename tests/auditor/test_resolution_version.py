"""A change of the resolution's code must bump `RESOLUTION_VERSION`.

Stored resolutions are reused by the digest of their inputs, and the code is
in that digest only as `RESOLUTION_VERSION`: a change of what the same inputs
resolve to, without a bump, would leave stores serving results of the old
code. This test pins the code (its syntax tree without docstrings, so that
formatting and comments do not count) to the version.

When it fails: if the change alters what a resolution writes, bump
`RESOLUTION_VERSION` in `auditor/resolve/inputs.py`; either way, put the new
digest below under the (new) version.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from auditor.resolve.inputs import RESOLUTION_VERSION

ROOT = Path(__file__).resolve().parents[2]
# version -> digest of the resolution's code at that version
PINNED = {
    1: "a7a8b5e5b74d26b4de7a89ff67200f9edfd5686b9db31f1da69da67c0e8c032c",
    2: "63f1f82d744a95ce6bdc7840597b434b77997c7824995dcfb83b2882109a130b",
    3: "c82400280b0d5b8ed1fe02b1daf5aefeb7ce30d365b9b58bd74088bfdcade47b",
}


def resolution_code_digest() -> str:
    """The syntax of `auditor/resolve/` (locations included), docstrings left out."""
    digest = hashlib.sha256()
    base = ROOT / "auditor" / "resolve"
    for file in sorted(base.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (
                isinstance(body, list)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body[0] = ast.Pass()
        digest.update(file.relative_to(base).as_posix().encode() + b"\0")
        digest.update(ast.dump(tree, include_attributes=False).encode())
    return digest.hexdigest()


def test_the_resolution_code_is_the_one_its_version_was_pinned_with() -> None:
    found = resolution_code_digest()
    assert PINNED.get(RESOLUTION_VERSION) == found, (
        f"auditor/resolve/ changed since RESOLUTION_VERSION {RESOLUTION_VERSION} was pinned: "
        "bump it if the same inputs now resolve differently, and pin "
        f"{{{RESOLUTION_VERSION}: {found!r}}} in tests/auditor/test_resolution_version.py"
    )
