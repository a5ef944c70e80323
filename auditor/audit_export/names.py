"""How people appear in an export: by stable key, or by keyed pseudonym with free text scrubbed.

Rules write people's names into finding subjects and messages, and waivers
name approvers by e-mail. When pseudonymizing, every name, e-mail, login and
identity key the store knows for a person is replaced in such free text by
that person's pseudonym (longest strings first, whole words only); strings
that belong to no person become `[redacted]`.

Matching compares a normal form of both the text and the names: NFKC, then
full case folding, cluster by cluster (a character with its combining marks),
with Turkish dotted and dotless i as plain "i".
`re.IGNORECASE` folds one character to one character only, so "GROSS" never
matched "Groß", nor "İlkay" its own lower case ("i̇lkay"), nor "ﬁ" a name's
"fi", nor a decomposed "é" a composed one: those names leaked. Each match is
mapped back to whole clusters of the original text, and only those are replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select

from auditor.audit_export.pseudonym import Pseudonymizer
from auditor.store import models
from auditor.store.resolutions import of

REDACTED = "[redacted]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MIN_SCRUB_LENGTH = 2  # single letters identify nobody and would shred every sentence


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    key: str
    name: str
    primary_email: str | None
    bot: bool


class People:
    """The store's people and every string that names them, for one export."""

    def __init__(
        self,
        rows: dict[int, PersonRow],
        strings: dict[int, set[str]],
        emails: dict[int, set[str]],
        loose: set[str],
        pseudonymizer: Pseudonymizer | None,
    ):
        self.rows = rows
        self.emails = emails
        self._by_email = {e: pid for pid, addresses in emails.items() for e in addresses}
        self.pseudonymizer = pseudonymizer
        self._by_string: dict[str, str] = {}
        self._by_name: dict[str, set[int]] = defaultdict(set)
        for pid, row in rows.items():
            self._by_name[match_form(row.name)].add(pid)
        if pseudonymizer is None:
            self._pattern: re.Pattern[str] | None = None
            return
        for pid, values in strings.items():
            for value in values:
                self._by_string.setdefault(match_form(value), self.ref(pid))
        for value in loose:
            self._by_string.setdefault(match_form(value), REDACTED)
        candidates = sorted(
            (s for s in self._by_string if len(s.strip()) >= MIN_SCRUB_LENGTH),
            key=lambda s: (-len(s), s),
        )
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in candidates) + r")(?!\w)")
            if candidates
            else None
        )

    @classmethod
    def load(
        cls, engine: Engine, pseudonymizer: Pseudonymizer | None, resolution_id: int
    ) -> People:
        """The people of resolution `resolution_id`, and every identity's strings."""
        person, pi, ident = (
            models.Person,
            models.PersonIdentity,
            models.Identity,
        )
        roster = models.RosterEntry
        rows: dict[int, PersonRow] = {}
        strings: dict[int, set[str]] = defaultdict(set)
        emails: dict[int, set[str]] = defaultdict(set)
        loose: set[str] = set()
        with engine.connect() as conn:
            for pid, key, name, primary, bot in conn.execute(
                select(
                    person.c.id, person.c.key, person.c.name, person.c.primary_email, person.c.bot
                ).where(of(person, resolution_id))
            ):
                rows[pid] = PersonRow(pid, key, name, primary, bool(bot))
                strings[pid] |= {v for v in (key, name, primary) if v}
                if primary:
                    emails[pid].add(primary.strip().lower())
            linked: set[int] = set()
            # every identity string that could name a person in free text
            texts = (
                ident.c.key,
                ident.c.name,
                ident.c.email,
                ident.c.mapped_name,
                ident.c.mapped_email,
                ident.c.login,
            )
            for pid, iid, *values in conn.execute(
                select(pi.c.person_id, ident.c.id, *texts)
                .join(ident, ident.c.id == pi.c.identity_id)
                .where(of(pi, resolution_id))
            ):
                linked.add(iid)
                strings[pid] |= {v for v in values if v}
                # the addresses only: a key reads "name <address>", a name may hold an "@"
                _key, _name, email, _mapped_name, mapped_email, _login = values
                emails[pid] |= {v.strip().lower() for v in (email, mapped_email) if v and "@" in v}
            for iid, *values in conn.execute(select(ident.c.id, *texts)):
                if iid not in linked:
                    loose |= {v for v in values if v}
            by_email = {e: pid for pid, es in emails.items() for e in es}
            for email, name in conn.execute(select(roster.c.email, roster.c.name)):
                pid_of = by_email.get(email.strip().lower())
                if pid_of is None:
                    loose |= {v for v in (email, name) if v}
                else:
                    strings[pid_of] |= {v for v in (email, name) if v}
        return cls(rows, dict(strings), dict(emails), loose, pseudonymizer)

    @property
    def pseudonymized(self) -> bool:
        return self.pseudonymizer is not None

    def ref(self, person_id: int) -> str:
        """How the export names a person: their stable key, or its pseudonym."""
        key = self.rows[person_id].key
        return self.pseudonymizer.person(key) if self.pseudonymizer else key

    def named(self, name: str | None) -> int | None:
        """The one person called `name` (rules name people by name), or None."""
        matches = self._by_name.get(match_form(name), set()) if name else set()
        return next(iter(matches)) if len(matches) == 1 else None

    def subject(self, subject: str | None) -> str | None:
        """A finding or waiver subject; a person's name becomes their pseudonym."""
        if subject is None or self.pseudonymizer is None:
            return subject
        person_id = self.named(subject)
        return self.ref(person_id) if person_id is not None else self.scrub(subject)

    def person_email(self, email: str) -> str:
        """An e-mail (e.g. a waiver approver): its person's pseudonym, or a keyed one of its own."""
        if self.pseudonymizer is None:
            return email
        normal = email.strip().lower()
        pid = self._by_email.get(normal)
        return self.ref(pid) if pid is not None else self.pseudonymizer.person(normal)

    def scrub(self, text: str) -> str:
        """Free text with every known name, e-mail and identity replaced (when pseudonymizing)."""
        if self.pseudonymizer is None:
            return text
        if self._pattern is not None:
            text = self._replace_known(text, self._pattern)
        # E-mail addresses the store does not know (e.g. in a waiver reason) go too.
        return _EMAIL.sub(lambda m: self.person_email(m.group(0)), text)

    def _replace_known(self, text: str, pattern: re.Pattern[str]) -> str:
        folded, origin = _folded_with_origin(text)
        pieces: list[str] = []
        done = 0
        for match in pattern.finditer(folded):
            start, end = origin.get(match.start()), origin.get(match.end())
            if start is None or end is None:
                continue  # the match begins or ends inside one original character's folding
            pieces += [text[done:start], self._by_string.get(match.group(0), REDACTED)]
            done = end
        pieces.append(text[done:])
        return "".join(pieces)


def _clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of each character together with the combining marks after it."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            bounds.append((start, index))
            start = index
    return bounds if text else []


def _fold(cluster: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", cluster).casefold())
    # Turkish: "İ" folds to "i" + combining dot, and "I" is the capital of "ı", so
    # "ŞAHİN" and "Şahin", "IŞIK" and "Işık" only meet with both dots dropped.
    return folded.replace("i\u0307", "i").replace("ı", "i")


def match_form(value: str) -> str:
    """The form names and text are compared in: NFKC and full case folding, per cluster."""
    return "".join(_fold(value[a:b]) for a, b in _clusters(value))


def _folded_with_origin(text: str) -> tuple[str, dict[int, int]]:
    """`match_form(text)` and, for each cluster boundary in it, the offset in `text`."""
    parts: list[str] = []
    origin = {0: 0}
    length = 0
    for a, b in _clusters(text):
        folded = _fold(text[a:b])
        parts.append(folded)
        length += len(folded)
        origin[length] = b
    return "".join(parts), origin
