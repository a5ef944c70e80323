"""Which paths from a repository's trees may enter the store.

The collector runs git with fsck off, so a tree may hold entries git itself
would refuse to check out (`..`, `.git`, names with a slash). Such a path,
once stored, would lead the CODEOWNERS/Backstage import (which reads stored
paths from a working tree) outside the repository. They are rejected here,
at the border, and the commit is flagged so the collect reports it.
"""

from __future__ import annotations

REJECTED_FLAG = "rejected-path"


def is_safe_repo_path(path: str) -> bool:
    """A relative path inside the repository: no `..`/`.` parts, no `.git`, no NUL, not absolute."""
    if not path or "\0" in path or path.startswith("/"):
        return False
    return all(part not in ("", ".", "..") and part.lower() != ".git" for part in path.split("/"))
