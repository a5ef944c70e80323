"""A mark that changes whenever collected commits are deleted.

Collectors only insert commits, file changes and paths, except when a branch
moved (force push) or a shallow history was deepened: then
`auditor.ingest.git.delete_commits` removes rows, and SQLite may give a later
row the id a deleted one had, so counts and highest ids no longer tell what
changed. A resolution keeps the mark it saw; a later one extends it only while
the mark is the same (`auditor.resolve.incremental`).

The mark is a fresh random token, not a counter: two deletions at once can only
both change it, never leave it as it was.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.engine import Connection

from auditor.store import models
from auditor.store.engine import upsert

_KEY = "commits.deleted"


def note_deletion(conn: Connection) -> None:
    """In the transaction that deletes commits: change the mark."""
    meta = models.StoreMeta
    upsert(conn, meta, [{"key": _KEY, "value": uuid.uuid4().hex}], key=["key"], update=["value"])


def deletion_mark(conn: Connection) -> str:
    """The current mark ("" while no commit was ever deleted)."""
    meta = models.StoreMeta
    return str(conn.execute(select(meta.c.value).where(meta.c.key == _KEY)).scalar() or "")
