"""Findings of the view's run (by default the latest analysis) with their numbers, evidence
and waivers.

A finding's status and waiver are the ones its run stored (decided by
`auditor.report.triage` when the run was written): a waiver edited, added or
removed since then changes the next run, not what this one said.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from auditor.store.resolutions import latest_analysis_run
from auditor.views.common import (
    _DAY,
    SEVERITY_ORDER,
    ViewContext,
    _commit,
    _day,
    _evidence,
    _finding,
    _first_line,
    _identity,
    _person,
    _person_identity,
    _work_item,
)

# --- findings -------------------------------------------------------------------


def latest_run_id(conn: Connection) -> int | None:
    """The newest successful analysis over the whole history (`--range` runs judge a few
    commits only): findings shown by default are that run's."""
    return latest_analysis_run(conn)


def rule_text(rule_id: str) -> str:
    """Why a rule flags: its title and documented sections, or '' for an unknown rule.

    Imported lazily: the rule registry loads every rule (and entry-point plugins).
    """
    try:
        registry = importlib.import_module("rules.registry")
    except ImportError:
        return ""
    rule = registry.get_rule(rule_id)
    if rule is None:
        return ""
    parts = [f"{rule.id} {rule.title}"]
    for heading in ("What it flags", "Why it matters", "Evidence used", "How to resolve"):
        body = rule.section(heading)
        if body:
            parts.append(f"{heading}: {body}")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Evidence:
    """One evidence reference of a finding, described from the store where it can be."""

    kind: str  # commit | work_item | location_evidence | location_conflict | ...
    ref: str
    detail: str = ""
    person_id: int | None = None  # whose commit / evidence row it is, to link to
    person: str | None = None


@dataclass(frozen=True)
class FindingRow:
    id: int
    fingerprint: str
    rule: str
    severity: str
    confidence: str
    component: str | None
    subject: str | None
    message: str
    status: str  # new | baselined | waived, as the run stored it
    evidence: tuple[Evidence, ...]
    numbers: tuple[tuple[str, str], ...]  # (name, value) from the finding's data
    waiver: str = ""  # the waiver that applied in the run: reason, approver, ticket, expiry


def _numbers(
    data: dict[str, Any], names: dict[int, str] | None = None
) -> tuple[tuple[str, str], ...]:
    """The finding's figures; `person` (a store id, meaningless to a reader) by name."""
    out = []
    for key, value in sorted(data.items()):
        if key == "person" and isinstance(value, int) and not isinstance(value, bool):
            out.append((key, (names or {}).get(value, f"#{value}")))
        elif isinstance(value, float):
            out.append((key, f"{value:.3f}"))
        elif isinstance(value, int | str | bool) or value is None:
            out.append((key, str(value)))
        else:
            out.append((key, repr(value)))
    return tuple(out)


def _evidence_refs(items: Iterable[Any]) -> tuple[Evidence, ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            kind = str(item.get("kind", "?"))
            ref = str(item.get("ref", ""))
            detail = " ".join(
                f"{k}={v}" for k, v in sorted(item.items()) if k not in ("kind", "ref")
            )
            out.append(Evidence(kind, ref, detail))
        else:
            out.append(Evidence("?", str(item)))
    return tuple(out)


def _describe_evidence(
    conn: Connection, ctx: ViewContext, items: Sequence[Any]
) -> dict[tuple[str, str], Evidence]:
    """Commit summaries, evidence rows and work-item titles for the refs findings cite."""
    refs: dict[str, set[str]] = {}
    for item in items:
        if isinstance(item, dict):
            refs.setdefault(str(item.get("kind")), set()).add(str(item.get("ref", "")))
    out: dict[tuple[str, str], Evidence] = {}
    shas = sorted(refs.get("commit", ()))
    for start in range(0, len(shas), 500):
        commits = (
            select(
                _commit.c.sha,
                _commit.c.authored_at,
                _commit.c.message,
                func.coalesce(_identity.c.mapped_name, _identity.c.name, _identity.c.key),
                _person_identity.c.person_id,
            )
            .join(_identity, _identity.c.id == _commit.c.author_id)
            .outerjoin(
                _person_identity,
                and_(
                    _person_identity.c.identity_id == _commit.c.author_id,
                    ctx.of(_person_identity),
                ),
            )
            .where(_commit.c.sha.in_(shas[start : start + 500]))
        )
        for sha, ts, message, author, pid in conn.execute(commits):
            detail = f"{_day(ts // _DAY).isoformat()} {author}: {_first_line(message)}"
            out[("commit", sha)] = Evidence("commit", sha, detail, pid, author)
    ids = sorted(int(r) for r in refs.get("location_evidence", ()) if r.isdigit())
    for start in range(0, len(ids), 500):
        rows = (
            select(
                _evidence.c.id,
                _evidence.c.kind,
                _evidence.c.value,
                _evidence.c.ref,
                _person.c.name,
                _person.c.id,
            )
            .join(_person, _person.c.id == _evidence.c.person_id)
            .where(_evidence.c.id.in_(ids[start : start + 500]), ctx.of(_evidence), ctx.of(_person))
        )
        for eid, kind, value, ref, name, pid in conn.execute(rows):
            detail = f"{name}: {kind} {value}" + (f" ({ref})" if ref else "")
            out[("location_evidence", str(eid))] = Evidence(
                "location_evidence", str(eid), detail, pid, name
            )
    keys = sorted(refs.get("work_item", ()))
    for start in range(0, len(keys), 500):
        wanted = (
            select(_work_item.c.key, _work_item.c.title, _work_item.c.status)
            .where(_work_item.c.key.in_(keys[start : start + 500]))
            .order_by(_work_item.c.id)
        )
        for key, title, item_status in conn.execute(wanted):
            out.setdefault(
                ("work_item", key), Evidence("work_item", key, f"[{item_status or '?'}] {title}")
            )
    return out


def _person_names(conn: Connection, ctx: ViewContext, ids: Iterable[Any]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return {}
    stmt = select(_person.c.id, _person.c.name).where(_person.c.id.in_(wanted), ctx.of(_person))
    return {pid: str(name) for pid, name in conn.execute(stmt)}


def findings(
    ctx: ViewContext,
    *,
    severity: str | None = None,
    rule: str | None = None,
    status: str | None = None,
    component: str | None = None,
) -> list[FindingRow]:
    """Findings of the view's run, most severe first; filters are exact matches."""
    with ctx.engine.connect() as conn:
        run_id = ctx.run_id
        if run_id is None:
            return []
        stmt = select(_finding).where(_finding.c.run_id == run_id)
        if severity:
            stmt = stmt.where(_finding.c.severity == severity)
        if rule:
            stmt = stmt.where(_finding.c.rule == rule)
        if component:
            stmt = stmt.where(_finding.c.component == component)
        if status:
            stmt = stmt.where(_finding.c.status == status)
        rows = conn.execute(stmt).mappings().all()
        cited = [e for row in rows for e in row["evidence"] or ()]
        described = _describe_evidence(conn, ctx, cited)
        names = _person_names(conn, ctx, [(row["data"] or {}).get("person") for row in rows])
    out = []
    for row in rows:
        data = dict(row["data"] or {})
        out.append(
            FindingRow(
                id=row["id"],
                fingerprint=row["fingerprint"],
                rule=row["rule"],
                severity=row["severity"],
                confidence=row["confidence"],
                component=row["component"],
                subject=row["subject"],
                message=row["message"],
                status=row["status"],
                evidence=tuple(
                    described.get((e.kind, e.ref), e) for e in _evidence_refs(row["evidence"])
                ),
                numbers=_numbers(data, names),
                waiver=_describe_waiver(row["waiver"]) if row["waiver"] else "",
            )
        )
    # Within a severity the surer findings first: a low-confidence PV103 must not push the
    # medium-confidence finding that fails `check` below the fold.
    out.sort(
        key=lambda f: (
            _rank(SEVERITY_ORDER, f.severity),
            _rank(CONFIDENCE_ORDER, f.confidence),
            f.rule,
            f.component or "",
            f.id,
        )
    )
    return out


def _describe_waiver(waiver: dict[str, Any]) -> str:
    """A stored waiver's terms (`WaiverConfig` as JSON) in one line."""
    ticket = f", ticket {waiver['ticket']}" if waiver.get("ticket") else ""
    return (
        f"{waiver.get('reason', '')} (approved by {waiver.get('approved_by', '')}{ticket}, "
        f"expires {waiver.get('expires', '?')})"
    )


CONFIDENCE_ORDER = ("high", "medium", "low")


def _rank(order: Sequence[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _findings_per_component(conn: Connection, run_id: int | None) -> Counter[str]:
    if run_id is None:
        return Counter()
    stmt = (
        select(_finding.c.component, func.count())
        .where(_finding.c.run_id == run_id, _finding.c.component.is_not(None))
        .group_by(_finding.c.component)
    )
    return Counter({name: int(n) for name, n in conn.execute(stmt)})
