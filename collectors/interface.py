"""The collector interface and the records collectors yield.

Records are frozen dataclasses: nothing from GitPython, PyDriller or the csv
module leaves `collectors/`. Times are timezone-aware `datetime`s in UTC for
tracker data; git times are integer Unix seconds plus the UTC offset in
minutes as recorded, because git keeps both and both are evidence.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Signature:
    """A git author or committer: as recorded, and after `.mailmap` as git applies it."""

    name: str
    email: str
    mapped_name: str
    mapped_email: str
    timestamp: int  # Unix seconds, UTC; may be negative or far in the future
    offset_minutes: int | None  # None when the recorded offset is bogus (flagged on the commit)


@dataclass(frozen=True, slots=True)
class FileChangeRecord:
    path: str
    old_path: str | None = None  # set on renames and copies
    added: int | None = None  # None for binary files
    deleted: int | None = None
    binary: bool = False


@dataclass(frozen=True, slots=True)
class CommitRecord:
    sha: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str
    encoding: str | None = None
    trailers: tuple[
        tuple[str, str], ...
    ] = ()  # (key as written, value), e.g. ("Reviewed-by", "A <a@x>")
    changes: tuple[FileChangeRecord, ...] = ()  # empty for merges: their churn is not counted twice
    flags: tuple[str, ...] = ()  # e.g. "bogus-offset", "nul-in-message", "undecodable-message"

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True, slots=True)
class TrackerUser:
    """A person as a work tracker knows them. `key` is stable within the tracker."""

    key: str  # account id, login or e-mail, whatever the tracker keys people by
    display_name: str | None = None
    email: str | None = None
    time_zone: str | None = None  # IANA name, e.g. "Asia/Shanghai"
    location: str | None = None  # free text (GitHub profile)
    login: str | None = None
    company: str | None = None  # free text (GitHub profile)
    # The tracker says this account is not a person: Jira `accountType: "app"`, GitHub
    # `type: "Bot"` / `is_bot`, GitLab `bot`, ADO service identities. Never located.
    bot: bool = False


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    reviewer: TrackerUser
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    submitted_at: datetime | None = None
    commit_sha: str | None = None


@dataclass(frozen=True, slots=True)
class WorkItemRecord:
    key: str  # "SPO-1423", "4411", "gh#12"
    kind: str  # Bug, Story, Task, issue, pull_request, ...
    title: str
    # Pull/merge requests: exactly "merged", "closed" (not merged) or "open", whichever
    # endpoint the file came from; other items keep the tracker's status as written.
    status: str | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    assignee: TrackerUser | None = None
    reporter: TrackerUser | None = None
    assignees: tuple[TrackerUser, ...] = ()  # all assignees where the tracker has several
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    area_path: str | None = None
    merge_commit_sha: str | None = None
    head_commit_sha: str | None = None
    reviews: tuple[ReviewRecord, ...] = ()
    line: int | None = None  # where the record starts in its file, for messages


@dataclass(frozen=True, slots=True)
class RosterRecord:
    email: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    office: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    line: int = 0
    account: str | None = None  # DOMAIN\user, for trackers that show no e-mail (ADO Server)


Record = CommitRecord | WorkItemRecord | RosterRecord


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a collector reports about its source once collection is done."""

    name: str
    kind: str
    location: str
    head: str | None = None  # git: the commit mined up to
    sha256: str | None = None  # files: digest of the bytes read
    records: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class Collector(ABC):
    """Reads one source and yields records, oldest first where order exists."""

    kind: ClassVar[str]

    @abstractmethod
    def collect(self) -> Iterator[Record]:
        """Yield the records this source holds."""
