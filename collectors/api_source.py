"""What the live tracker collectors share: pages of records, bounds, the cursor they start from."""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from auditor.kernel.errors import ApiError
from collectors.api_cursor import Cursor
from collectors.http_client import ApiClient
from collectors.interface import Collector, Record, TrackerUser, WorkItemRecord

MAX_PAGES = 10_000  # of one listing in one run: a million items at 100 a page


@dataclass(frozen=True, slots=True)
class ApiPage:
    """Items of one listing page not yet stored, with their update times (for the cursor)."""

    items: tuple[WorkItemRecord, ...]
    stamps: tuple[tuple[str, datetime | None], ...]


class ApiCollector(Collector):
    """A collector over a tracker's API: `pages()` yields what changed since `cursor`."""

    kind: ClassVar[str]
    identity_kind: ClassVar[str]  # the identity kind its people share with the file exports

    def __init__(self, client: ApiClient, cursor: Cursor, *, max_pages: int = MAX_PAGES):
        self.client = client
        self.cursor = cursor
        self.max_pages = max_pages
        self.extra: dict[str, str] = {}

    @abstractmethod
    def pages(self) -> Iterator[ApiPage]:
        """Pages of items changed since the cursor, oldest change first."""

    def collect(self) -> Iterator[Record]:
        for page in self.pages():
            yield from page.items

    def count_page(self, what: str, number: int, items: int) -> None:
        """Account for one fetched page; an error past the bound."""
        if number > self.max_pages:
            raise ApiError(
                f"{self.client.service}: {what} has more than {self.max_pages} pages; "
                f"narrow the query or run again (stored pages are kept, the next run resumes)",
                location=self.client.base_url,
            )
        self.client.progress.pages += 1
        self.client.progress.items += items


def with_users(
    item: WorkItemRecord, change: Callable[[TrackerUser], TrackerUser]
) -> WorkItemRecord:
    """The item with `change` applied to every user it names (assignees, reporter, reviewers)."""

    def one(user: TrackerUser | None) -> TrackerUser | None:
        return None if user is None else change(user)

    return dataclasses.replace(
        item,
        assignee=one(item.assignee),
        reporter=one(item.reporter),
        assignees=tuple(change(u) for u in item.assignees),
        reviews=tuple(dataclasses.replace(r, reviewer=change(r.reviewer)) for r in item.reviews),
    )
