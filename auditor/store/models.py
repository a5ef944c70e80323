"""Store tables (SQLAlchemy Core).

Conventions:
- git times are Unix seconds (UTC) plus the recorded offset in minutes;
  tracker and analysis times are timezone-aware UTC datetimes or plain dates.
- Lists (components, labels, candidate countries) are JSON columns.
- Paths are stored once in `path`; file changes refer to them.
- Tables filled by a resolution (people, locations, components, ...) are derived
  from the collected tables, which are the evidence. Each derived row carries
  the id of the `resolution` it belongs to and is never rewritten; a run points
  at the resolution it evaluated (see `auditor.store.resolutions`).

Core `Table`s, not ORM classes: every reader and writer works on rows, and a
command that opens the store should not pay for a class layer it never uses
(SQLModel and pydantic cost about 0.15 s of every command's start).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

# 2: identity.bot, roster_entry.account, zone patterns, conflict kinds;
# 3: resolutions (derived rows and runs carry resolution_id); finding.status, waiver_id,
#    waiver (the triage stored with the run)
SCHEMA_VERSION = 3

metadata = MetaData()


def _id() -> Column[Any]:
    return Column("id", Integer, primary_key=True)


def _text(name: str, *, default: str | None = None, **kw: Any) -> Column[Any]:
    """A text column, NOT NULL unless `nullable=True`."""
    return Column(name, String, default=default, nullable=kw.pop("nullable", False), **kw)


def _opt_text(name: str, **kw: Any) -> Column[Any]:
    return Column(name, String, nullable=True, **kw)


def _int(name: str, *, default: int | None = None, **kw: Any) -> Column[Any]:
    return Column(name, Integer, default=default, nullable=kw.pop("nullable", False), **kw)


def _flag(name: str) -> Column[Any]:
    return Column(name, Boolean, default=False, nullable=False)


def _ref(name: str, target: str, *, nullable: bool = False, **kw: Any) -> Column[Any]:
    return Column(name, Integer, ForeignKey(target), nullable=nullable, **kw)


def _time(name: str, *, nullable: bool = True) -> Column[Any]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _json(name: str) -> Column[Any]:
    return Column(name, JSON)


StoreMeta = Table(
    "store_meta",
    metadata,
    _text("key", primary_key=True),
    _text("value"),
)


# --- collected -------------------------------------------------------------

# A repository or export file. `name` is what configuration globs refer to.
Source = Table(
    "source",
    metadata,
    _id(),
    _text("name", unique=True, index=True),
    _text("kind"),  # git | jira-csv | jira-json | ado-csv | github-json | gitlab-json | roster
    _text("location"),
    _opt_text("ref"),  # git: the branch mined
    _opt_text("head"),  # git: last mined commit on `ref`
    _opt_text("sha256"),  # files: digest of the last import
    _int("records", default=0),
    _time("updated_at"),
)

# A name/e-mail or tracker account as seen in one kind of source.
Identity = Table(
    "identity",
    metadata,
    _id(),
    _text("kind"),  # git | jira | ado | github | roster
    _text("key"),  # git: "Name <email>" as recorded; trackers: account id / login / e-mail
    _opt_text("name"),
    _opt_text("email", index=True),
    _opt_text("mapped_name"),  # git: after .mailmap
    _opt_text("mapped_email"),
    _opt_text("time_zone"),  # tracker profile zone (IANA)
    _opt_text("location_text"),  # GitHub profile location
    _opt_text("login"),
    _flag("bot"),  # the tracker says so (Jira app, GitHub Bot, ADO service identity)
    UniqueConstraint("kind", "key"),
)

Commit = Table(
    "commit",
    metadata,
    _id(),
    _ref("source_id", "source.id", index=True),
    _text("sha", index=True),
    _text("parents", default=""),  # space-separated shas
    _ref("author_id", "identity.id", index=True),
    _ref("committer_id", "identity.id"),
    Column("authored_at", BigInteger, nullable=False),
    _int("author_offset", nullable=True),  # minutes east of UTC; None when bogus
    Column("committed_at", BigInteger, nullable=False),
    _int("committer_offset", nullable=True),
    _text("message", default=""),
    _opt_text("encoding"),
    _flag("is_merge"),
    _int("added", default=0),  # totals over text files; 0 for merges
    _int("deleted", default=0),
    _int("files", default=0),
    _json("flags"),
    UniqueConstraint("source_id", "sha"),
    Index("ix_commit_source_time", "source_id", "authored_at"),
)

Trailer = Table(
    "trailer",
    metadata,
    _id(),
    _ref("commit_id", "commit.id", index=True),
    _text("key"),  # normalised: reviewed-by, approved-by, signed-off-by, co-authored-by, acked-by
    _text("value"),
    _ref("identity_id", "identity.id", nullable=True),
)

Path = Table(
    "path",
    metadata,
    _id(),
    _text("path", unique=True),
)

FileChange = Table(
    "file_change",
    metadata,
    _id(),
    _ref("commit_id", "commit.id", index=True),
    _ref("path_id", "path.id", index=True),
    _ref("old_path_id", "path.id", nullable=True),
    _int("added", nullable=True),  # None for binary
    _int("deleted", nullable=True),
    _flag("binary"),
)

WorkItem = Table(
    "work_item",
    metadata,
    _id(),
    _ref("source_id", "source.id", index=True),
    _text("key", index=True),
    _text("kind"),
    _text("title", default=""),
    _opt_text("status"),
    _time("created_at"),
    _time("resolved_at"),
    _ref("assignee_id", "identity.id", nullable=True),
    _ref("reporter_id", "identity.id", nullable=True),
    _json("components"),
    _json("labels"),
    _opt_text("area_path"),
    _opt_text("merge_commit_sha"),
    _opt_text("head_commit_sha"),
    _text("content_hash", default=""),  # to update changed items on re-import
    UniqueConstraint("source_id", "key"),
)

WorkItemAssignee = Table(
    "work_item_assignee",
    metadata,
    _ref("work_item_id", "work_item.id", primary_key=True),
    _ref("identity_id", "identity.id", primary_key=True),
)

Review = Table(
    "review",
    metadata,
    _id(),
    _ref("work_item_id", "work_item.id", index=True),
    _ref("reviewer_id", "identity.id"),
    _text("state"),
    _time("submitted_at"),
    _opt_text("commit_sha"),
)

# A commit ↔ work-item link and how it was established.
CommitWorkItem = Table(
    "commit_work_item",
    metadata,
    _ref("commit_id", "commit.id", primary_key=True),
    _ref("work_item_id", "work_item.id", primary_key=True),
    _text("via", default="message"),  # message | merge_commit | head_commit
)

RosterEntry = Table(
    "roster_entry",
    metadata,
    _id(),
    _ref("source_id", "source.id", index=True),
    _int("line"),
    _text("email", index=True),
    _text("name"),
    _text("country"),
    _opt_text("office"),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    _opt_text("account"),  # Windows account (DOMAIN\user) that on-premises trackers show
)


# --- derived: one set of rows per resolution ---------------------------------

# One `resolve_all` result: its inputs' digest (the key), `as_of` and its summary.
Resolution = Table(
    "resolution",
    metadata,
    _id(),
    _text("digest", unique=True),
    Column("as_of", Date, nullable=False),
    _time("created_at", nullable=False),
    _json("summary"),  # ResolveSummary: counts, coverage and the resolution's warnings
)


def _resolution(**kw: Any) -> Column[Any]:
    """The resolution a derived row belongs to (every query on it filters on this).

    In the link tables' keys it follows the columns joins probe by (a file change's
    source and path, a commit's author), and queries filter on it only once a row is
    found (`auditor.store.resolutions.of`): leading, it would make SQLite's planner
    (no statistics) scan a whole resolution's links first.
    """
    if not kw.get("primary_key"):
        kw.setdefault("index", True)
    return _ref("resolution_id", "resolution.id", **kw)


Person = Table(
    "person",
    metadata,
    _id(),
    _resolution(),
    _text("key"),  # stable: lower-cased primary e-mail or tracker key
    _text("name"),
    _opt_text("primary_email"),
    _flag("bot"),
    UniqueConstraint("resolution_id", "key"),
)

PersonIdentity = Table(
    "person_identity",
    metadata,
    _ref("identity_id", "identity.id", primary_key=True),
    _resolution(primary_key=True),
    _ref("person_id", "person.id", index=True),
    _text("via", default="email"),  # email | mailmap | roster | noreply | config | name
)

LocationEvidence = Table(
    "location_evidence",
    metadata,
    _id(),
    _resolution(),
    _ref("person_id", "person.id", index=True),
    # roster | override | tracker_tz | profile_location | email_domain | tz_offset |
    # activity_rhythm | holiday_activity
    _text("kind"),
    _text("value"),  # the raw value: country, zone name, domain, "+0800 x 123 in 2025-03"
    _json("countries"),  # candidate set this evidence supports
    Column("weight", Float, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    _opt_text("ref"),  # e.g. "roster.csv:4", "identity:12", "commit:<sha>"
)

ResolvedLocation = Table(
    "resolved_location",
    metadata,
    _id(),
    _resolution(),
    _ref("person_id", "person.id", index=True),
    _opt_text("country"),  # None: unknown or ambiguous
    _json("candidates"),
    Column("confidence", Float, default=0.0, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    _json("evidence_ids"),
    _opt_text("zone_pattern"),  # the commit offsets' zones, "EET with EU DST"
)

LocationConflict = Table(
    "location_conflict",
    metadata,
    _id(),
    _resolution(),
    _ref("person_id", "person.id", index=True),
    _text("description"),
    _json("countries"),
    _json("evidence_ids"),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    _text("kind", default="sources"),  # sources (PV107) | timezone (PV110)
    _json("commits"),  # timezone: shas of the commits that do not fit
    Column("confidence", Float, default=0.5, nullable=False),
)

Component = Table(
    "component",
    metadata,
    _id(),
    _resolution(),
    _text("name"),
    _text("sensitivity", default="normal"),
    _json("tags"),
    _json("paths"),  # "repo:glob"
    _json("jira"),
    _json("ado_area"),
    _json("github_labels"),
    _text("origin", default="config"),  # config | codeowners | backstage
    UniqueConstraint("resolution_id", "name"),
)

# Which component a (repository, path) belongs to; matched once per distinct path.
PathComponent = Table(
    "path_component",
    metadata,
    _ref("source_id", "source.id", primary_key=True),
    _ref("path_id", "path.id", primary_key=True),
    _resolution(primary_key=True),
    _ref("component_id", "component.id", primary_key=True),
)

WorkItemComponent = Table(
    "work_item_component",
    metadata,
    _ref("work_item_id", "work_item.id", primary_key=True),
    _resolution(primary_key=True),
    _ref("component_id", "component.id", primary_key=True),
)

Run = Table(
    "run",
    metadata,
    _id(),
    _text("kind"),  # collect | analyze | check | export
    _time("started_at", nullable=False),
    _time("finished_at"),
    Column("as_of", Date, nullable=True),
    _text("status", default="running"),  # running | ok | failed
    Column("stats", JSON),
    # the resolution an analyze/check/export run evaluated; None for collect runs
    _ref("resolution_id", "resolution.id", nullable=True, index=True),
)

# A finding as a run stored it (`rules.interface.Finding` is the one a rule yields).
StoredFinding = Table(
    "finding",
    metadata,
    _id(),
    _ref("run_id", "run.id", index=True),
    _text("fingerprint", index=True),
    _text("rule"),
    _text("severity"),  # critical | high | medium | low | info
    _text("confidence"),  # high | medium | low
    _opt_text("component"),
    _opt_text("subject"),
    _text("message"),
    _json("evidence"),  # [{"kind": "commit", "ref": sha}, ...]
    _json("data"),
    # decided once by auditor.report.triage when the run was stored; read, never re-decided
    _text("status"),  # new | baselined | waived
    _opt_text("waiver_id"),  # WaiverConfig.id of the waiver that applied
    _json("waiver"),  # its terms
)
