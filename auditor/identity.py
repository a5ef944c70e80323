"""Identities → people.

An identity is what one source saw (a git "Name <email>", a Jira account, an
ADO e-mail, a GitHub login). People are the connected groups of identities
under these links, all case-insensitive:

- the same e-mail, raw or after `.mailmap` (the git collector records both);
- a roster e-mail;
- a GitHub noreply address (`123+login@users.noreply.github.com` or
  `login@users.noreply.github.com`) and the GitHub account `login`;
- an Azure DevOps Server account (`DOMAIN\\user`) and a roster row's `account`;
- `[identity] merge` groups from the configuration;
- a tracker account without e-mail (Jira CSV knows display names only) joins
  the one person carrying that display name, only when exactly one person
  does and none of its e-mails is listed in `[identity] split`.

Names of people are never used for anything else: no location is inferred
from them. Bots (`name[bot]`, well-known bot addresses, `[identity] bots`
patterns) stay people with `bot=True` so that they remain visible, and are
never merged by name; attribution leaves them out.

A person's `key` is stable across runs: the lower-cased roster e-mail, else
the e-mail `.mailmap` maps to, else the identity e-mail most used in commits,
else `kind:key` of a tracker account.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from auditor.config import IdentityConfig

_NOREPLY = re.compile(
    r"^(?:\d+\+)?(?P<login>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\[bot\])?)@users\.noreply\.github\.com$"
)
KNOWN_BOT_EMAILS = frozenset(
    {
        "noreply@github.com",  # GitHub web-flow (web UI merges, squash commits)
        "actions@github.com",
        "github-actions@github.com",
        "bot@renovateapp.com",
        "support@dependabot.com",
        "no-reply@gitlab.com",
    }
)
KNOWN_BOT_NAMES = frozenset(
    {
        "dependabot",
        "renovate",
        "renovate bot",
        "github-actions",
        "github actions",
        "gitlab ci",
        "jenkins",
        "azure pipelines",
    }
)


@dataclass(frozen=True, slots=True)
class IdentityRow:
    id: int
    kind: str
    key: str
    name: str | None = None
    email: str | None = None
    mapped_name: str | None = None
    mapped_email: str | None = None
    login: str | None = None
    commits: int = 0  # commits authored under this identity (to pick the primary e-mail)
    bot: bool = False  # the tracker flagged the account as an app, bot or service identity


@dataclass(frozen=True, slots=True)
class RosterPerson:
    email: str
    name: str
    line: int = 0
    account: str | None = None  # DOMAIN\user


@dataclass
class PersonDraft:
    key: str
    name: str
    primary_email: str | None
    bot: bool
    identities: list[tuple[int, str]] = field(default_factory=list)  # (identity id, via)
    emails: list[str] = field(default_factory=list)
    roster_emails: list[str] = field(default_factory=list)


def normal_email(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().lower()
    return text if "@" in text else None


def normal_name(value: str | None) -> str | None:
    if not value:
        return None
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).casefold()).strip()
    return text or None


def noreply_login(email: str | None) -> str | None:
    """The GitHub login of a noreply address, or None."""
    match = _NOREPLY.match(email or "")
    return match.group("login") if match else None


def is_bot(row: IdentityRow, patterns: Sequence[str] = ()) -> bool:
    if row.bot:
        return True
    texts = [t for t in (row.name, row.mapped_name, row.login) if t]
    emails = [e for e in (normal_email(row.email), normal_email(row.mapped_email)) if e]
    if any(t.lower().endswith("[bot]") for t in texts) or any("[bot]@" in e for e in emails):
        return True
    if any(e in KNOWN_BOT_EMAILS for e in emails):
        return True
    if any(normal_name(t) in KNOWN_BOT_NAMES for t in texts):
        return True
    candidates = [t.lower() for t in (*texts, *emails, row.key)]
    return any(fnmatchcase(c, p.lower()) for p in patterns for c in candidates)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Deterministic root: the smaller node name, so results never depend on order.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def unify(
    identities: Iterable[IdentityRow],
    roster: Iterable[RosterPerson],
    config: IdentityConfig,
) -> list[PersonDraft]:
    """Group identities and roster entries into people (see the module docstring)."""
    rows = sorted(identities, key=lambda r: r.id)
    roster_rows = sorted(roster, key=lambda r: (r.line, r.email))
    uf = _UnionFind()
    bots = {row.id for row in rows if is_bot(row, config.bots)}

    def ident(row_id: int) -> str:
        return f"i:{row_id:012d}"

    email_of: dict[int, set[str]] = {}
    for row in rows:
        node = ident(row.id)
        uf.find(node)
        emails = {e for e in (normal_email(row.email), normal_email(row.mapped_email)) if e}
        if row.kind in ("ado", "roster") and not emails:
            key_email = normal_email(row.key)
            if key_email:
                emails.add(key_email)
        email_of[row.id] = emails
        for email in emails:
            uf.union(node, f"e:{email}")
            login = noreply_login(email)
            if login:
                uf.union(node, f"g:{login}")
        if row.kind == "github":
            login = (row.login or row.key).strip().lower()
            if login:
                uf.union(node, f"g:{login}")
        if row.kind == "ado" and row.login and "\\" in row.login:
            uf.union(node, f"a:{row.login.strip().lower()}")
    for entry in roster_rows:
        roster_email = normal_email(entry.email)
        if roster_email:
            uf.union(f"r:{roster_email}", f"e:{roster_email}")
            if entry.account and "\\" in entry.account:
                uf.union(f"r:{roster_email}", f"a:{entry.account.strip().lower()}")
    for merge_group in config.merge:
        merged = [e for e in (normal_email(x) for x in merge_group) if e]
        for other in merged[1:]:
            uf.union(f"e:{merged[0]}", f"e:{other}")

    # Display-name matching for e-mail-less tracker accounts.
    split = {e for e in (normal_email(x) for x in config.split) if e}
    names_by_root: dict[str, set[str]] = defaultdict(set)
    split_roots: set[str] = set()
    bot_roots = {uf.find(ident(i)) for i in bots}
    nameless: list[IdentityRow] = []
    for row in rows:
        root = uf.find(ident(row.id))
        if row.kind in ("jira", "ado", "github", "gitlab") and not email_of[row.id]:
            nameless.append(row)
            continue
        for name in (row.mapped_name, row.name):
            norm = normal_name(name)
            if norm:
                names_by_root[root].add(norm)
        if email_of[row.id] & split:
            split_roots.add(root)
    for entry in roster_rows:
        roster_email = normal_email(entry.email)
        roster_name = normal_name(entry.name)
        if roster_email and roster_name:
            root = uf.find(f"r:{roster_email}")
            names_by_root[root].add(roster_name)
            if roster_email in split:
                split_roots.add(root)
    roots_by_name: dict[str, set[str]] = defaultdict(set)
    for root, names in names_by_root.items():
        for name in names:
            roots_by_name[name].add(root)
    by_name: set[int] = set()
    for row in nameless:
        if row.id in bots:
            continue
        norm = normal_name(row.name)
        targets = roots_by_name.get(norm, set()) if norm else set()
        if len(targets) == 1:
            (target,) = targets
            if target not in split_roots and target not in bot_roots:
                uf.union(ident(row.id), target)
                by_name.add(row.id)

    members: dict[str, list[IdentityRow]] = defaultdict(list)
    for row in rows:
        members[uf.find(ident(row.id))].append(row)
    roster_by_root: dict[str, list[RosterPerson]] = defaultdict(list)
    for entry in roster_rows:
        roster_email = normal_email(entry.email)
        if roster_email:
            roster_by_root[uf.find(f"r:{roster_email}")].append(entry)

    roster_emails = {e for e in (normal_email(p.email) for p in roster_rows) if e}
    merge_emails = {e for group in config.merge for e in (normal_email(x) for x in group) if e}
    drafts: list[PersonDraft] = []
    for root in sorted(set(members) | set(roster_by_root)):
        drafts.append(
            _draft(
                members.get(root, []),
                roster_by_root.get(root, []),
                bots,
                email_of,
                by_name,
                roster_emails,
                merge_emails,
            )
        )
    return _unique_keys(drafts)


def _via(
    row: IdentityRow,
    emails: set[str],
    by_name: set[int],
    roster_emails: set[str],
    merge_emails: set[str],
) -> str:
    if row.id in by_name:
        return "name"
    if emails & merge_emails:
        return "config"
    if any(noreply_login(e) for e in emails):
        return "noreply"
    if normal_email(row.mapped_email) and normal_email(row.mapped_email) != normal_email(row.email):
        return "mailmap"
    if emails & roster_emails:
        return "roster"
    return "email"


def _draft(
    group: list[IdentityRow],
    roster: list[RosterPerson],
    bots: set[int],
    email_of: Mapping[int, set[str]],
    by_name: set[int],
    roster_emails: set[str],
    merge_emails: set[str],
) -> PersonDraft:
    emails: set[str] = set()
    for row in group:
        emails |= email_of[row.id]
    roster_list = [e for e in (normal_email(p.email) for p in roster) if e]
    emails |= set(roster_list)
    git_rows = sorted((r for r in group if r.kind == "git"), key=lambda r: (-r.commits, r.id))
    mapped: list[str] = []
    mapped_diff: list[str] = []
    for r in git_rows:
        target = normal_email(r.mapped_email)
        if target:
            mapped.append(target)
            if target != normal_email(r.email):
                mapped_diff.append(target)
    plain = sorted(emails, key=lambda e: (noreply_login(e) is not None, e))
    primary: str | None = None
    for choice in (roster_list, mapped_diff, mapped, plain):
        if choice:
            primary = choice[0]
            break
    if primary is not None:
        key = primary
    else:
        first = min(group, key=lambda r: (r.kind, r.key))
        key = f"{first.kind}:{first.key}".lower()
    name = ""
    if roster:
        name = roster[0].name
    else:
        for row in (*git_rows, *sorted(group, key=lambda r: r.id)):
            name = row.mapped_name or row.name or row.login or ""
            if name:
                break
    return PersonDraft(
        key=key,
        name=name or key,
        primary_email=primary,
        bot=any(r.id in bots for r in group),
        identities=[
            (r.id, _via(r, email_of[r.id], by_name, roster_emails, merge_emails)) for r in group
        ],
        emails=sorted(emails),
        roster_emails=sorted(set(roster_list)),
    )


def _unique_keys(drafts: list[PersonDraft]) -> list[PersonDraft]:
    # Two groups can only share a key through a primary e-mail the other group also
    # lists, which union-find has already merged; suffix defensively anyway.
    seen: dict[str, int] = {}
    for draft in drafts:
        if draft.key in seen:
            seen[draft.key] += 1
            draft.key = f"{draft.key}#{seen[draft.key]}"
        else:
            seen[draft.key] = 1
    return drafts
