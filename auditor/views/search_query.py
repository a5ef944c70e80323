"""One commit, search across the store, names for the palette, the latest as-of day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, false, func, or_, select

from auditor.views.common import (
    ViewContext,
    _change,
    _commit,
    _component,
    _finding,
    _identity,
    _path,
    _person,
    _run,
    _source,
)
from auditor.views.findings_query import latest_run_id

# --- commit and search ------------------------------------------------------------


@dataclass(frozen=True)
class CommitDetail:
    sha: str
    source: str
    author: str
    committer: str
    authored: datetime
    offset: int | None
    message: str
    churn: int
    paths: tuple[str, ...]


def commit_detail(ctx: ViewContext, sha: str) -> CommitDetail | None:
    """A commit by full sha or unique prefix, with the paths it changed."""
    committer = _identity.alias("committer")
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(
                _commit.c.id,
                _commit.c.sha,
                _source.c.name,
                func.coalesce(_identity.c.mapped_name, _identity.c.name, _identity.c.key),
                func.coalesce(committer.c.mapped_name, committer.c.name, committer.c.key),
                _commit.c.authored_at,
                _commit.c.author_offset,
                _commit.c.message,
                _commit.c.added,
                _commit.c.deleted,
            )
            .join(_source, _source.c.id == _commit.c.source_id)
            .join(_identity, _identity.c.id == _commit.c.author_id)
            .join(committer, committer.c.id == _commit.c.committer_id)
            .where(_commit.c.sha.startswith(sha, autoescape=True))
            .order_by(_commit.c.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        paths = tuple(
            p
            for (p,) in conn.execute(
                select(_path.c.path)
                .join(_change, _change.c.path_id == _path.c.id)
                .where(_change.c.commit_id == row[0])
                .order_by(_path.c.path)
            )
        )
    _, full, source, author, committer_name, ts, offset, message, added, deleted = row
    return CommitDetail(
        sha=full,
        source=source,
        author=author or "",
        committer=committer_name or "",
        authored=datetime.fromtimestamp(ts, UTC),
        offset=offset,
        message=message or "",
        churn=int((added or 0) + (deleted or 0)),
        paths=paths,
    )


@dataclass(frozen=True)
class SearchHit:
    kind: str  # component | person | finding
    label: str
    target: str  # component name, person id, finding id


def search(ctx: ViewContext, text: str, *, limit: int = 30) -> list[SearchHit]:
    """Components, people and findings whose names or messages contain `text`."""
    needle = text.strip()
    if not needle:
        return []
    pattern = f"%{needle}%"
    hits: list[SearchHit] = []
    with ctx.engine.connect() as conn:
        for (name,) in conn.execute(
            select(_component.c.name)
            .where(_component.c.name.ilike(pattern), ctx.of(_component))
            .order_by(_component.c.name)
            .limit(limit)
        ):
            hits.append(SearchHit("component", name, name))
        for pid, name, email in conn.execute(
            select(_person.c.id, _person.c.name, _person.c.primary_email)
            .where(
                or_(_person.c.name.ilike(pattern), _person.c.primary_email.ilike(pattern)),
                ctx.of(_person),
            )
            .order_by(_person.c.name)
            .limit(limit)
        ):
            hits.append(SearchHit("person", f"{name} <{email or '?'}>", str(pid)))
        run_id = ctx.run_id
        if run_id is not None:
            for fid, rule, message in conn.execute(
                select(_finding.c.id, _finding.c.rule, _finding.c.message)
                .where(
                    _finding.c.run_id == run_id,
                    or_(
                        _finding.c.message.ilike(pattern),
                        _finding.c.rule.ilike(pattern),
                        _finding.c.subject.ilike(pattern),
                    ),
                )
                .order_by(_finding.c.id)
                .limit(limit)
            ):
                hits.append(SearchHit("finding", f"{rule} {message}", str(fid)))
    return hits[:limit]


@dataclass(frozen=True)
class Names:
    """Everything the command palette can jump to, loaded once."""

    components: tuple[str, ...]
    people: tuple[tuple[int, str], ...]


def names(ctx: ViewContext) -> Names:
    with ctx.engine.connect() as conn:
        comps = tuple(
            n
            for (n,) in conn.execute(
                select(_component.c.name).where(ctx.of(_component)).order_by(_component.c.name)
            )
        )
        folks = tuple(
            (pid, name)
            for pid, name in conn.execute(
                select(_person.c.id, _person.c.name)
                .where(_person.c.bot == false(), ctx.of(_person))
                .order_by(_person.c.name)
            )
        )
    return Names(comps, folks)


def latest_as_of(engine: Engine) -> date | None:
    """The `as_of` of the latest successful analysis: the TUI's default window end."""
    with engine.connect() as conn:
        run_id = latest_run_id(conn)
        if run_id is None:
            return None
        value = conn.execute(select(_run.c.as_of).where(_run.c.id == run_id)).scalar()
    return value if isinstance(value, date) else None
