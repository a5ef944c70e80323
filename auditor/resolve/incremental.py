"""A new resolution that copies, from a stored one, the people whose inputs did not change.

A CI check after a push of 100 commits used to infer every person's zones
again from a million commits (most of `check`'s time). Everything a person's
location rows are made of is their own: their identities and roster rows, the
overrides naming them, the commits of their identities (offsets, hours), and
the configuration and the reference data, which are in
`ResolutionInputs.growth["stable"]`, and the as-of day. So when the stored resolution `base`
was made from the same stable inputs, from a history that has only grown since
(no commit deleted: `auditor.store.deletions`; its identities unchanged), a
person is copied from it when:

- unification gives them the same key, name, e-mail, bot flag and identities;
- none of those identities authored a commit collected since, or is new;
- the evidence that does not come from commits (roster, overrides, tracker
  zones, profiles, e-mail domains) is, row for row, what `base` stored.

Then their commit evidence, periods and conflicts are `base`'s rows under the
new ids, in the order a rebuild writes them: the same rows as a rebuild would
write (`tests/auditor/test_incremental_resolution.py` compares the two).
Everyone else is inferred from their commits as in a rebuild.

`base` may be as of an earlier day (CI's `check` is as of today): then the
commits authored up to the new day count as new too, and a person is copied
only when nothing of theirs was cut at `base`'s day (`_settled_before`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from auditor.kernel.window import day_end
from auditor.resolve.identity import PersonDraft
from auditor.resolve.inputs import rows_digest
from auditor.resolve.locations.evidence import EvidenceDraft, evidence_order
from auditor.store import models
from auditor.store.resolutions import of

# what inference makes of a person's commits; the other kinds are re-read every time
COMMIT_KINDS = frozenset(("tz_offset", "activity_rhythm", "holiday_activity"))
_GROWN = ("commits", "file_changes", "paths")


@dataclass(frozen=True)
class Base:
    """A stored resolution this one extends: its id, as-of day and the highest ids it saw."""

    id: int
    identities: int
    commits: int
    as_of: date


def find_base(conn: Connection, growth: dict[str, Any], as_of: date) -> Base | None:
    """The stored resolution, as of `as_of` or the latest day before, made from the same
    stable inputs as `growth`, of a history that has only grown since; None when there is
    none (a rebuild then)."""
    res, ident = models.Resolution, models.Identity
    rows = conn.execute(
        select(res.c.id, res.c.summary, res.c.as_of)
        .where(res.c.as_of <= as_of)
        .order_by(res.c.as_of.desc(), res.c.id.desc())
    )
    for rid, summary, day in rows:
        marks = summary.get("growth") if isinstance(summary, dict) else None
        if not isinstance(marks, dict) or marks.get("stable") != growth["stable"]:
            continue
        if marks.get("deleted") != growth["deleted"]:
            continue  # commits were deleted since it was made
        top, digest = marks["identities"]
        if top > growth["identities"][0] or any(marks[n] > growth[n] for n in _GROWN):
            continue
        if top == growth["identities"][0]:  # no identity since: the digest at hand says it
            seen = growth["identities"][1]
        else:
            seen = rows_digest(conn, select(ident).where(ident.c.id <= top).order_by(ident.c.id))
        if seen == digest:
            return Base(int(rid), int(top), int(marks["commits"]), day)
    return None


@dataclass(frozen=True)
class _StoredPerson:
    id: int
    name: str
    primary_email: str | None
    bot: bool
    identities: frozenset[tuple[int, str]]


@dataclass
class KeptPerson:
    """A person copied from `base`: their stored evidence, periods and conflicts."""

    base_id: int
    evidence: list[tuple[int, EvidenceDraft]] = field(default_factory=list)  # (base id, row)
    periods: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def commit_evidence(self) -> list[EvidenceDraft]:
        return [e for _, e in self.evidence if e.kind in COMMIT_KINDS]


def kept_people(
    conn: Connection,
    base: Base,
    drafts: Sequence[PersonDraft],
    person_ids: dict[str, int],
    stated: Iterable[EvidenceDraft],
    as_of: date,
) -> dict[int, KeptPerson]:
    """The people (new person id -> copy) whose rows `base` holds already, as of `as_of`.

    `stated`: this resolution's evidence not made from commits, every person's.
    """
    stored = _stored_people(conn, base.id)
    touched = _touched_identities(conn, base, as_of)
    candidates: dict[int, int] = {}  # new person id -> base person id
    for d in drafts:
        old = stored.get(d.key)
        identities = frozenset(d.identities)
        if (
            old is None
            or (old.name, old.primary_email, old.bot) != (d.name, d.primary_email, d.bot)
            or old.identities != identities
            or any(iid in touched for iid, _via in identities)
        ):
            continue
        candidates[person_ids[d.key]] = old.id
    if not candidates:
        return {}
    kept = {pid: KeptPerson(bid) for pid, bid in candidates.items()}
    by_base = {k.base_id: (pid, k) for pid, k in kept.items()}
    _read_evidence(conn, base.id, by_base)
    new_stated: dict[int, list[EvidenceDraft]] = defaultdict(list)
    for e in stated:
        if e.person_id in kept:
            new_stated[e.person_id].append(e)
    for pid, person in list(kept.items()):
        mine = sorted(new_stated.get(pid, []), key=evidence_order)
        theirs = [e for _, e in person.evidence if e.kind not in COMMIT_KINDS]
        if [_stored_form(e) for e in mine] != [_stored_form(e) for e in theirs]:
            del kept[pid]
    _read_periods(conn, base.id, {k.base_id: k for k in kept.values()})
    if base.as_of < as_of:
        kept = {pid: k for pid, k in kept.items() if _settled_before(k, base.as_of)}
    return kept


def _settled_before(person: KeptPerson, day: date) -> bool:
    """Whether the rows stored as of `day` hold for any later day too.

    A resolution cuts its periods and conflicts at its as-of day: it drops those that
    start later and ends those that run past it there. Periods begin where evidence
    begins or ends (a day after), so when every evidence row begins by `day` and ended
    before it, or never ends, and no stored period or conflict ends on or after it,
    nothing was cut and a later day cuts nothing either.
    """
    for _, e in person.evidence:
        if (e.valid_from is not None and e.valid_from > day) or (
            e.valid_to is not None and e.valid_to >= day
        ):
            return False
    return all(
        row["valid_to"] is None or row["valid_to"] < day
        for row in (*person.periods, *person.conflicts)
    )


def _stored_form(e: EvidenceDraft) -> tuple[Any, ...]:
    """What the store keeps of an evidence row, the person aside."""
    return (e.kind, e.value, tuple(e.countries), e.weight, e.valid_from, e.valid_to, e.ref)


def _stored_people(conn: Connection, base_id: int) -> dict[str, _StoredPerson]:
    person, link = models.Person, models.PersonIdentity
    identities: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for pid, iid, via in conn.execute(
        select(link.c.person_id, link.c.identity_id, link.c.via).where(of(link, base_id))
    ):
        identities[int(pid)].add((int(iid), str(via)))
    return {
        str(key): _StoredPerson(
            int(pid), str(name), email, bool(bot), frozenset(identities.get(int(pid), ()))
        )
        for pid, key, name, email, bot in conn.execute(
            select(
                person.c.id, person.c.key, person.c.name, person.c.primary_email, person.c.bot
            ).where(of(person, base_id))
        )
    }


def _touched_identities(conn: Connection, base: Base, as_of: date) -> set[int]:
    """Identities with commits collected since `base` or authored after its as-of day up
    to `as_of`, and identities new since."""
    commit, ident = models.Commit, models.Identity
    since = commit.c.id > base.commits
    if base.as_of < as_of:
        later = commit.c.authored_at >= day_end(base.as_of)
        since = or_(since, and_(later, commit.c.authored_at < day_end(as_of)))
    authors = conn.execute(select(commit.c.author_id).where(since).distinct()).scalars()
    new = conn.execute(select(ident.c.id).where(ident.c.id > base.identities)).scalars()
    return {int(i) for i in authors} | {int(i) for i in new}


def _read_evidence(
    conn: Connection, base_id: int, by_base: dict[int, tuple[int, KeptPerson]]
) -> None:
    ev = models.LocationEvidence
    rows = conn.execute(
        select(
            ev.c.id,
            ev.c.person_id,
            ev.c.kind,
            ev.c.value,
            ev.c.countries,
            ev.c.weight,
            ev.c.valid_from,
            ev.c.valid_to,
            ev.c.ref,
        )
        .where(of(ev, base_id))
        .order_by(ev.c.id)
    )
    for eid, person, kind, value, countries, weight, start, end, ref in rows:
        found = by_base.get(int(person))
        if found is None:
            continue
        pid, kept = found
        draft = EvidenceDraft(pid, kind, value, tuple(countries or ()), weight, start, end, ref)
        kept.evidence.append((int(eid), draft))


def _read_periods(conn: Connection, base_id: int, by_base: dict[int, KeptPerson]) -> None:
    for tbl, attr in ((models.ResolvedLocation, "periods"), (models.LocationConflict, "conflicts")):
        skip = {"id", "resolution_id", "person_id"}
        columns = [c for c in tbl.c if c.name not in skip]
        for row in conn.execute(
            select(tbl.c.person_id, *columns).where(of(tbl, base_id)).order_by(tbl.c.id)
        ):
            kept = by_base.get(int(row.person_id))
            if kept is not None:
                getattr(kept, attr).append({c.name: row._mapping[c.name] for c in columns})
