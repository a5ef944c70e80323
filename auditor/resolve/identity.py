"""Identities → people.

An identity is what one source saw (a git "Name <email>", a Jira account, an
ADO e-mail, a GitHub login). People are the connected groups of identities
under these links, all case-insensitive:

- the same e-mail, raw or after `.mailmap` (the git collector records both),
  unless the raw address is *shared* (see `shared_addresses`): one that
  `.mailmap` maps to more than one canonical person (a relay such as
  `gitgitgadget@gmail.com`), that many unrelated names use, a placeholder
  (`root@localhost`, `noreply@…`, `you@example.com`), or one listed in
  `[identity] split`. A shared address is never a join key: each identity using
  it stays with its mailmap-canonical person or on its own;
- a roster e-mail;
- a GitHub noreply address (`123+login@users.noreply.github.com` or
  `login@users.noreply.github.com`) and the GitHub account `login`;
- an Azure DevOps Server account (`DOMAIN\\user`) and a roster row's `account`;
- `[identity] merge` groups from the configuration (the only way to join shared addresses);
- a tracker account without e-mail (Jira CSV knows display names only) joins
  the one person carrying that display name, only when exactly one person
  does and none of its e-mails is listed in `[identity] split`.

Names of people are never used for anything else: no location is inferred
from them. Bots (`name[bot]`, well-known bot addresses, `[identity] bots`
patterns) stay people with `bot=True` so that they remain visible, and are
never merged by name; attribution leaves them out.

A person's `key` is stable across runs: the lower-cased roster e-mail, else
the e-mail `.mailmap` maps to, else the identity e-mail most used in commits
(never a shared address), else `kind:key` of the first identity.

A person who ends up with several mailmap-canonical e-mails through links other
than `[identity] merge` is reported by `merged_identity_warnings`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from auditor.kernel.config import IdentityConfig
from auditor.kernel.enums import Tracker

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
# Addresses that name no one: tools' defaults, unconfigured machines, documentation examples.
PLACEHOLDER_LOCAL_PARTS = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "nobody", "root", "unknown", "none"}
)
# A bare `localhost` is anyone's; `user@laptop.(none)` names one person's machine and stays a key.
PLACEHOLDER_DOMAINS = frozenset(
    {"localhost", "localhost.localdomain", "localdomain", "(none)", "none", "invalid"}
)
# Documentation defaults people commit with before configuring git (`git config user.email`).
PLACEHOLDER_ADDRESSES = frozenset(
    f"{local}@{domain}"
    for local in ("you", "user", "me", "email", "your.email", "your_email", "name", "yourname")
    for domain in ("example.com", "example.org", "example.net")
)
# Name groups (sharing no word) above which one raw address is a shared inbox, not a person.
SHARED_NAME_GROUPS = 3
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

_TRACKERS = frozenset(Tracker)  # identity kinds of tracker accounts


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
    # Distinct mailmap-canonical git e-mails (a noreply address counts as its login).
    canonical: list[str] = field(default_factory=list)
    configured: bool = False  # joined by an `[identity] merge` group


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


def is_placeholder(email: str) -> bool:
    """An address no person owns: `root@localhost`, `noreply@…`, `you@example.com`."""
    local, _, domain = email.rpartition("@")
    if noreply_login(email) or email in KNOWN_BOT_EMAILS:
        return False  # a GitHub account's noreply address, a bot's own address: one owner each
    return (
        email in PLACEHOLDER_ADDRESSES
        or local in PLACEHOLDER_LOCAL_PARTS
        or domain in PLACEHOLDER_DOMAINS
        or "@" not in email
    )


def shared_addresses(rows: Iterable[IdentityRow], config: IdentityConfig) -> dict[str, str]:
    """Raw e-mails that are no join key, each with the reason why.

    The identities using one raw address form groups: one per canonical e-mail
    `.mailmap` maps some of them to, and the unmapped ones join the group whose
    names share a word with theirs (a relay's " via …" suffix left out), or
    form groups of their own the same way. The address is shared when

    - `.mailmap` maps some of its identities and two or more groups remain (a
      relay such as `gitgitgadget@gmail.com`, a colleague's old address);
    - `.mailmap` maps none and `SHARED_NAME_GROUPS` or more groups remain (a team
      inbox), unless `.mailmap` names the address as someone's canonical one;
    - it is a placeholder (`is_placeholder`) or listed in `[identity] split`.
    """
    mapped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    loose: dict[str, list[set[str]]] = defaultdict(list)
    targets: set[str] = set()
    for row in rows:
        raw = normal_email(row.email)
        if raw is None:
            continue
        target = normal_email(row.mapped_email)
        words = _name_words(row.name)
        # A trailer-only identity (no mailmap result) or an unmapped one: no canonical yet.
        if row.kind == "git" and target is not None and target != raw:
            mapped[raw][target] |= words | _name_words(row.mapped_name)
            targets.add(target)
        else:
            loose[raw].append(words)
    reasons: dict[str, str] = {}
    for email in sorted(set(mapped) | set(loose)):
        if is_placeholder(email):
            reasons[email] = "a placeholder address"
            continue
        groups = list(mapped.get(email, {}).values())
        unassigned = [w for w in loose.get(email, []) if not any(w & g for g in groups)]
        count = len(groups) + _word_groups(unassigned)
        if groups and count > 1:
            reasons[email] = f"{count} people use it (.mailmap maps {len(groups)} of them)"
        elif not groups and count >= SHARED_NAME_GROUPS and email not in targets:
            reasons[email] = f"used by {count} unrelated names"
    for listed in (normal_email(x) for x in config.split):
        if listed:
            reasons[listed] = "listed in [identity] split"
    return reasons


def _name_words(name: str | None) -> set[str]:
    """The words of a name, accents and a relay's " via …" suffix left out."""
    if not name:
        return set()
    text = re.sub(r"\s+via\s+.*$", "", name, flags=re.IGNORECASE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return set(re.findall(r"\w{2,}", text))


def _word_groups(names: list[set[str]]) -> int:
    """How many groups the names form when names sharing a word are one group."""
    groups = _UnionFind()
    owner: dict[str, str] = {}
    nodes = []
    for index, words in enumerate(names):
        if not words:
            continue  # no name: says nothing about who else uses the address
        node = f"{index:08d}"
        nodes.append(groups.find(node))
        for word in words:
            if word in owner:
                groups.union(owner[word], node)
            else:
                owner[word] = node
    return len({groups.find(node) for node in nodes})


def merged_identity_warnings(drafts: Iterable[PersonDraft]) -> list[str]:
    """One line per person who joins several mailmap-canonical identities without config."""
    lines = []
    for draft in drafts:
        if draft.bot or draft.configured or len(draft.canonical) < 2:
            continue
        shown = ", ".join(draft.canonical[:4]) + (", …" if len(draft.canonical) > 4 else "")
        lines.append(
            f"person {draft.name!r} joins {len(draft.canonical)} mailmap-canonical identities "
            f"({shown}): check .mailmap, or separate them with [identity] split"
        )
    return lines


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
    shared = shared_addresses(rows, config)
    email_of = _link_by_email(uf, rows, roster_rows, config, shared)
    by_name = _link_by_name(uf, rows, roster_rows, config, email_of, bots)

    members: dict[str, list[IdentityRow]] = defaultdict(list)
    for row in rows:
        members[uf.find(_ident(row.id))].append(row)
    roster_by_root: dict[str, list[RosterPerson]] = defaultdict(list)
    for entry in roster_rows:
        roster_email = normal_email(entry.email)
        if roster_email:
            roster_by_root[uf.find(f"r:{roster_email}")].append(entry)

    roster_emails = {e for e in (normal_email(p.email) for p in roster_rows) if e}
    merge_emails = {e for group in config.merge for e in (normal_email(x) for x in group) if e}
    # A shared address used by several identities names none of them: no person's key.
    users: dict[str, int] = defaultdict(int)
    for row in rows:
        for email in email_of[row.id]:
            users[email] += 1
    no_key = {e for e in shared if users.get(e, 0) > 1}
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
                no_key,
            )
        )
    return _unique_keys(drafts)


def _ident(row_id: int) -> str:
    return f"i:{row_id:012d}"


def _emails(row: IdentityRow) -> set[str]:
    """The e-mails an identity is known by (an ADO or roster key when it has no other)."""
    emails = {e for e in (normal_email(row.email), normal_email(row.mapped_email)) if e}
    if row.kind in (Tracker.ADO, "roster") and not emails:
        key_email = normal_email(row.key)
        if key_email:
            emails.add(key_email)
    return emails


def _link_by_email(
    uf: _UnionFind,
    rows: list[IdentityRow],
    roster_rows: list[RosterPerson],
    config: IdentityConfig,
    shared: Mapping[str, str],
) -> dict[int, set[str]]:
    """Union identities sharing a usable e-mail, a GitHub login or an ADO Server account,
    roster entries and configured merges; return each identity's e-mails."""
    blocked_anywhere = {e for e, why in shared.items() if _blocks_canonical(why)}
    email_of: dict[int, set[str]] = {}
    for row in rows:
        node = _ident(row.id)
        uf.find(node)
        emails = _emails(row)
        email_of[row.id] = emails
        for email in _join_keys(row, emails, shared, blocked_anywhere):
            uf.union(node, f"e:{email}")
            login = noreply_login(email)
            if login:
                uf.union(node, f"g:{login}")
        if row.kind == Tracker.GITHUB:
            login = (row.login or row.key).strip().lower()
            if login:
                uf.union(node, f"g:{login}")
        if row.kind == "ado" and row.login and "\\" in row.login:
            uf.union(node, f"a:{row.login.strip().lower()}")
    for entry in roster_rows:
        roster_email = normal_email(entry.email)
        if roster_email and roster_email not in blocked_anywhere:
            uf.union(f"r:{roster_email}", f"e:{roster_email}")
            if entry.account and "\\" in entry.account:
                uf.union(f"r:{roster_email}", f"a:{entry.account.strip().lower()}")
    for merge_group in config.merge:
        merged = [e for e in (normal_email(x) for x in merge_group) if e]
        for other in merged[1:]:
            uf.union(f"e:{merged[0]}", f"e:{other}")
    return email_of


def _link_by_name(
    uf: _UnionFind,
    rows: list[IdentityRow],
    roster_rows: list[RosterPerson],
    config: IdentityConfig,
    email_of: dict[int, set[str]],
    bots: set[int],
) -> set[int]:
    """Join e-mail-less tracker accounts to the one person with their display name."""
    split = {e for e in (normal_email(x) for x in config.split) if e}
    names_by_root: dict[str, set[str]] = defaultdict(set)
    split_roots: set[str] = set()
    bot_roots = {uf.find(_ident(i)) for i in bots}
    nameless: list[IdentityRow] = []
    for row in rows:
        root = uf.find(_ident(row.id))
        if row.kind in _TRACKERS and not email_of[row.id]:
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
                uf.union(_ident(row.id), target)
                by_name.add(row.id)
    return by_name


def _blocks_canonical(reason: str) -> bool:
    # Placeholders and `split` are no join key even as a .mailmap target; a relay's
    # or a shared inbox's address still joins where .mailmap maps someone *to* it.
    return reason in ("a placeholder address", "listed in [identity] split")


def _join_keys(
    row: IdentityRow, emails: set[str], shared: Mapping[str, str], blocked: set[str]
) -> set[str]:
    raw = normal_email(row.email)
    if raw is None and row.kind in ("ado", "roster"):
        raw = normal_email(row.key)
    keys = set()
    for email in emails:
        if email in blocked or (email == raw and email in shared):
            continue
        keys.add(email)
    return keys


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
    shared: set[str],
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
    plain = sorted(emails - shared, key=lambda e: (noreply_login(e) is not None, e))
    primary: str | None = None
    for choice in (roster_list, mapped_diff, [e for e in mapped if e not in shared], plain):
        if choice:
            primary = choice[0]
            break
    if primary is not None:
        key = primary
    else:
        first = min(group, key=lambda r: (r.kind, r.key))
        key = f"{first.kind}:{first.key}".lower()
    canonical = sorted(
        {
            f"{login}@users.noreply.github.com" if (login := noreply_login(e)) else e
            # trailer-only identities carry no mailmap result: their canonical e-mail is unknown
            for e in (normal_email(r.mapped_email) for r in git_rows)
            if e and e not in shared
        }
    )
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
        canonical=canonical,
        configured=bool(emails & merge_emails),
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
