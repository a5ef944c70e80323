"""Where a live source got to: the latest `updated` time stored, and the items stored at it.

Every API lists items in ascending update order, from a time on (GitHub `since`,
Jira `updated >=`, Azure DevOps `[System.ChangedDate] >=`). Those filters include
their bound, so the items stored at exactly that time come back on the next run;
keeping their keys lets the collector skip them without fetching more (a re-run
with nothing new costs one request). An item changed again has a later time and
is fetched. The cursor advances after each page is committed, so a failed run
resumes after its last whole page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from auditor.kernel.errors import StoreError


@dataclass(frozen=True, slots=True)
class Cursor:
    updated: datetime | None = None  # None: never collected, fetch everything
    keys: frozenset[str] = frozenset()  # items stored whose update time is `updated`

    def seen(self, key: str, updated: datetime | None) -> bool:
        """True when this version of the item is already stored."""
        if self.updated is None or updated is None:
            return False
        return updated < self.updated or (updated == self.updated and key in self.keys)

    def advance(self, stamps: Iterable[tuple[str, datetime | None]]) -> Cursor:
        """The cursor after storing items with these (key, updated) stamps."""
        latest, keys = self.updated, set(self.keys)
        for key, updated in stamps:
            if updated is None:
                continue
            if latest is None or updated > latest:
                latest, keys = updated, {key}
            elif updated == latest:
                keys.add(key)
        return Cursor(latest, frozenset(keys))

    def later(self, other: Cursor) -> Cursor:
        """The further of two positions (keys joined when they are at the same time)."""
        if other.updated is None:
            return self
        if self.updated is None or other.updated > self.updated:
            return other
        if other.updated == self.updated:
            return Cursor(self.updated, self.keys | other.keys)
        return self

    def dumps(self) -> str | None:
        if self.updated is None:
            return None
        return json.dumps(
            {"updated": self.updated.astimezone(UTC).isoformat(), "keys": sorted(self.keys)},
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str | None, *, source: str) -> Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            updated = datetime.fromisoformat(data["updated"])
            keys = frozenset(str(k) for k in data["keys"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"source {source!r}: stored position {text[:80]!r} is not a cursor; "
                f"was the name used by another kind of source?"
            ) from exc
        return cls(updated, keys)
