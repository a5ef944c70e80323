"""Store tables (SQLModel).

Conventions:
- git times are Unix seconds (UTC) plus the recorded offset in minutes;
  tracker and analysis times are timezone-aware UTC datetimes (SQLModel
  refuses naive ones) or plain dates.
- Lists (components, labels, candidate countries) are JSON columns.
- Paths are stored once in `path`; file changes refer to them.
- Tables filled by a resolution (people, locations, components, ...) are derived
  from the collected tables, which are the evidence. Each derived row carries
  the id of the `resolution` it belongs to and is never rewritten; a run points
  at the resolution it evaluated (see `auditor.store.resolutions`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# 2: identity.bot, roster_entry.account, zone patterns, conflict kinds;
# 3: resolutions (derived rows and runs carry resolution_id)
SCHEMA_VERSION = 3


def _json(default: Any = None) -> Any:
    return Field(default_factory=lambda: [] if default is None else default, sa_column=Column(JSON))


class StoreMeta(SQLModel, table=True):
    __tablename__ = "store_meta"
    key: str = Field(primary_key=True)
    value: str


# --- collected -------------------------------------------------------------


class Source(SQLModel, table=True):
    """A repository or export file. `name` is what configuration globs refer to."""

    __tablename__ = "source"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str  # git | jira-csv | jira-json | ado-csv | github-json | gitlab-json | roster
    location: str
    ref: str | None = None  # git: the branch mined
    head: str | None = None  # git: last mined commit on `ref`
    sha256: str | None = None  # files: digest of the last import
    records: int = 0
    updated_at: datetime | None = None


class Identity(SQLModel, table=True):
    """A name/e-mail or tracker account as seen in one kind of source."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # git | jira | ado | github | roster
    key: str  # git: "Name <email>" as recorded; trackers: account id / login / e-mail
    name: str | None = None
    email: str | None = Field(default=None, index=True)
    mapped_name: str | None = None  # git: after .mailmap
    mapped_email: str | None = None
    time_zone: str | None = None  # tracker profile zone (IANA)
    location_text: str | None = None  # GitHub profile location
    login: str | None = None
    bot: bool = False  # the tracker says so (Jira app, GitHub Bot, ADO service identity)


class Commit(SQLModel, table=True):
    __tablename__ = "commit"
    __table_args__ = (
        UniqueConstraint("source_id", "sha"),
        Index("ix_commit_source_time", "source_id", "authored_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    sha: str = Field(index=True)
    parents: str = ""  # space-separated shas
    author_id: int = Field(foreign_key="identity.id", index=True)
    committer_id: int = Field(foreign_key="identity.id")
    authored_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    author_offset: int | None = None  # minutes east of UTC; None when bogus
    committed_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    committer_offset: int | None = None
    message: str = ""
    encoding: str | None = None
    is_merge: bool = False
    added: int = 0  # totals over text files; 0 for merges
    deleted: int = 0
    files: int = 0
    flags: list[str] = _json()


class Trailer(SQLModel, table=True):
    __tablename__ = "trailer"
    id: int | None = Field(default=None, primary_key=True)
    commit_id: int = Field(foreign_key="commit.id", index=True)
    key: str  # normalised: reviewed-by, approved-by, signed-off-by, co-authored-by, acked-by
    value: str
    identity_id: int | None = Field(default=None, foreign_key="identity.id")


class Path(SQLModel, table=True):
    __tablename__ = "path"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)


class FileChange(SQLModel, table=True):
    __tablename__ = "file_change"
    id: int | None = Field(default=None, primary_key=True)
    commit_id: int = Field(foreign_key="commit.id", index=True)
    path_id: int = Field(foreign_key="path.id", index=True)
    old_path_id: int | None = Field(default=None, foreign_key="path.id")
    added: int | None = None  # None for binary
    deleted: int | None = None
    binary: bool = False


class WorkItem(SQLModel, table=True):
    __tablename__ = "work_item"
    __table_args__ = (UniqueConstraint("source_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    key: str = Field(index=True)
    kind: str
    title: str = ""
    status: str | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    assignee_id: int | None = Field(default=None, foreign_key="identity.id")
    reporter_id: int | None = Field(default=None, foreign_key="identity.id")
    components: list[str] = _json()
    labels: list[str] = _json()
    area_path: str | None = None
    merge_commit_sha: str | None = None
    head_commit_sha: str | None = None
    content_hash: str = ""  # to update changed items on re-import


class WorkItemAssignee(SQLModel, table=True):
    __tablename__ = "work_item_assignee"
    work_item_id: int = Field(foreign_key="work_item.id", primary_key=True)
    identity_id: int = Field(foreign_key="identity.id", primary_key=True)


class Review(SQLModel, table=True):
    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    work_item_id: int = Field(foreign_key="work_item.id", index=True)
    reviewer_id: int = Field(foreign_key="identity.id")
    state: str
    submitted_at: datetime | None = None
    commit_sha: str | None = None


class CommitWorkItem(SQLModel, table=True):
    """A commit ↔ work-item link and how it was established."""

    __tablename__ = "commit_work_item"
    commit_id: int = Field(foreign_key="commit.id", primary_key=True)
    work_item_id: int = Field(foreign_key="work_item.id", primary_key=True)
    via: str = "message"  # message | merge_commit | head_commit


class RosterEntry(SQLModel, table=True):
    __tablename__ = "roster_entry"
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    line: int
    email: str = Field(index=True)
    name: str
    country: str
    office: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    account: str | None = None  # Windows account (DOMAIN\user) that on-premises trackers show


# --- derived: one set of rows per resolution ---------------------------------


class Resolution(SQLModel, table=True):
    """One `resolve_all` result: its inputs' digest (the key), `as_of` and its summary."""

    __tablename__ = "resolution"
    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(unique=True)
    as_of: date
    created_at: datetime
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


def _resolution() -> Any:
    return Field(foreign_key="resolution.id", index=True)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("resolution_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = _resolution()
    key: str  # stable: lower-cased primary e-mail or tracker key
    name: str
    primary_email: str | None = None
    bot: bool = False


class PersonIdentity(SQLModel, table=True):
    __tablename__ = "person_identity"
    resolution_id: int = Field(foreign_key="resolution.id", primary_key=True)
    identity_id: int = Field(foreign_key="identity.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    via: str = "email"  # email | mailmap | roster | noreply | config | name


class LocationEvidence(SQLModel, table=True):
    __tablename__ = "location_evidence"
    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = _resolution()
    person_id: int = Field(foreign_key="person.id", index=True)
    # roster | override | tracker_tz | profile_location | email_domain | tz_offset |
    # activity_rhythm | holiday_activity
    kind: str
    value: str  # the raw value: country, zone name, domain, "+0800 x 123 in 2025-03"
    countries: list[str] = _json()  # candidate set this evidence supports
    weight: float
    valid_from: date | None = None
    valid_to: date | None = None
    ref: str | None = None  # e.g. "roster.csv:4", "identity:12", "commit:<sha>"


class ResolvedLocation(SQLModel, table=True):
    __tablename__ = "resolved_location"
    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = _resolution()
    person_id: int = Field(foreign_key="person.id", index=True)
    country: str | None = None  # None: unknown or ambiguous
    candidates: list[str] = _json()
    confidence: float = 0.0
    valid_from: date | None = None
    valid_to: date | None = None
    evidence_ids: list[int] = _json()
    zone_pattern: str | None = None  # the commit offsets' zones, "EET with EU DST"


class LocationConflict(SQLModel, table=True):
    __tablename__ = "location_conflict"
    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = _resolution()
    person_id: int = Field(foreign_key="person.id", index=True)
    description: str
    countries: list[str] = _json()
    evidence_ids: list[int] = _json()
    valid_from: date | None = None
    valid_to: date | None = None
    kind: str = "sources"  # sources (PV107) | timezone (PV110)
    commits: list[str] = _json()  # timezone: shas of the commits that do not fit
    confidence: float = 0.5


class Component(SQLModel, table=True):
    __tablename__ = "component"
    __table_args__ = (UniqueConstraint("resolution_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    resolution_id: int = _resolution()
    name: str
    sensitivity: str = "normal"
    tags: list[str] = _json()
    paths: list[str] = _json()  # "repo:glob"
    jira: list[str] = _json()
    ado_area: list[str] = _json()
    github_labels: list[str] = _json()
    origin: str = "config"  # config | codeowners | backstage


class PathComponent(SQLModel, table=True):
    """Which component a (repository, path) belongs to; matched once per distinct path."""

    __tablename__ = "path_component"
    resolution_id: int = Field(foreign_key="resolution.id", primary_key=True)
    source_id: int = Field(foreign_key="source.id", primary_key=True)
    path_id: int = Field(foreign_key="path.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)


class WorkItemComponent(SQLModel, table=True):
    __tablename__ = "work_item_component"
    resolution_id: int = Field(foreign_key="resolution.id", primary_key=True)
    work_item_id: int = Field(foreign_key="work_item.id", primary_key=True)
    component_id: int = Field(foreign_key="component.id", primary_key=True)


class Run(SQLModel, table=True):
    __tablename__ = "run"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # collect | analyze | check | export
    started_at: datetime
    finished_at: datetime | None = None
    as_of: date | None = None
    status: str = "running"  # running | ok | failed
    # the resolution an analyze/check/export run evaluated; None for collect runs
    resolution_id: int | None = Field(default=None, foreign_key="resolution.id", index=True)
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class StoredFinding(SQLModel, table=True):
    """A finding as a run stored it (`rules.interface.Finding` is the one a rule yields)."""

    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    fingerprint: str = Field(index=True)
    rule: str
    severity: str  # critical | high | medium | low | info
    confidence: str  # high | medium | low
    component: str | None = None
    subject: str | None = None
    message: str
    evidence: list[dict[str, Any]] = _json()  # [{"kind": "commit", "ref": sha}, ...]
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
