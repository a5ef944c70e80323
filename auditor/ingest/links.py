"""Commit ↔ work-item links: keys in commit messages, PR merge and head commits.

`link_commits` rebuilds `commit_work_item` from the stored commits and work
items in one transaction, so it is idempotent and follows changed patterns.

A match of a `[links] patterns` regex (its first group if it has one, else the
whole match) is read by its shape:

- `AB#123`: Azure Boards work item 123 (every ado-csv/ado-api source);
- ends in `#123` (`#123`, `Fixes #123`, `org/repo#123`): GitHub issue or PR 123
  of the github-json export (or github-api source) belonging to the commit's
  repository: the `[[tracker]] repo` (github-api: `git`) naming a `[[git]]`
  source, else the export's repository whose name part equals the `[[git]]`
  name (`org/collab-server` ↔ `collab-server`); `org/repo#123` names the repository itself;
- `ABC-123`: Jira issue ABC-123 (every jira-csv/jira-json/jira-api source);
- bare digits: Azure Boards work item.

PR links: a commit whose sha is a pull request's merge commit (`via`
"merge_commit") or head commit ("head_commit"). One link per (commit, item):
merge_commit beats head_commit beats message.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, select, tuple_
from sqlalchemy.engine import Connection

from auditor.kernel.config import LoadedConfig
from auditor.kernel.errors import ConfigError
from auditor.store import models
from auditor.store.engine import transaction, upsert

GITHUB_KINDS = ("github-json", "github-api")
# Forges whose items are numbered per repository: GitHub `#12`, GitLab issues `#12` and
# merge requests `!5` (keys "org/repo#12", "group/repo!5").
FORGE_KINDS = (*GITHUB_KINDS, "gitlab-json")
_VIA_RANK = {"merge_commit": 0, "head_commit": 1, "message": 2}
_ADO = re.compile(r"^AB#(\d+)$", re.IGNORECASE)
_FORGE = re.compile(r"(?:([\w.-]+(?:/[\w.-]+)+))?([#!])(\d+)$")
_JIRA = re.compile(r"([A-Za-z][A-Za-z0-9_]*-\d+)$")


@dataclass(frozen=True, slots=True)
class LinkSummary:
    links: int = 0
    commits_linked: int = 0
    work_items_linked: int = 0
    by_via: dict[str, int] = field(default_factory=dict)


def _github_sources(
    loaded: LoadedConfig, sources: list[tuple[int, str, str, str | None]]
) -> dict[int, set[str]]:
    """Forge source id (GitHub, GitLab) -> the [[git]] names whose `#123` / `!5` refer to it."""
    git_names = {g.name for g in loaded.config.git}
    # github-json names its [[git]] target `repo`; github-api uses `repo` for the GitHub
    # repository ("owner/name") and `git` for the target.
    configured = {
        (t.name or t.default_name): (t.git if t.kind == "github-api" else t.repo)
        for t in loaded.config.tracker
        if t.kind in FORGE_KINDS
    }
    for index, t in enumerate(loaded.config.tracker):
        key = "git" if t.kind == "github-api" else "repo"
        target = t.git if t.kind == "github-api" else t.repo
        if t.kind in FORGE_KINDS and target is not None and target not in git_names:
            raise ConfigError(
                f"{key} {target!r} is not one of the [[git]] names {sorted(git_names)}",
                location=str(loaded.path),
                field=f"tracker[{index}].{key}",
            )
    result: dict[int, set[str]] = {}
    for source_id, name, kind, ref in sources:
        if kind not in FORGE_KINDS:
            continue
        repo = configured.get(name)
        if repo:
            result[source_id] = {repo}
        elif ref:
            result[source_id] = {ref.rsplit("/", 1)[-1]}
        else:
            result[source_id] = set()
    return result


def link_commits(engine: Engine, loaded: LoadedConfig) -> LinkSummary:
    """Rebuild every commit ↔ work-item link; returns what was linked."""
    patterns = [re.compile(p) for p in loaded.config.links.patterns]
    src, wi = models.Source, models.WorkItem
    with transaction(engine) as conn:
        sources: list[tuple[int, str, str, str | None]] = [
            (r.id, r.name, r.kind, r.ref)
            for r in conn.execute(select(src.c.id, src.c.name, src.c.kind, src.c.ref))
        ]
        kinds = {row[0]: row[2] for row in sources}
        git_name = {row[0]: row[1] for row in sources if row[2] == "git"}
        github = _github_sources(loaded, sources)
        repo_of_github = {
            sid: (ref or "").lower() for sid, _n, kind, ref in sources if kind in FORGE_KINDS
        }

        jira: dict[str, list[int]] = defaultdict(list)
        ado: dict[str, list[int]] = defaultdict(list)
        gh_by_repo: dict[tuple[str, str], list[int]] = defaultdict(list)  # (git name, "#12")
        gh_by_full: dict[tuple[str, str], list[int]] = defaultdict(list)  # ("org/repo", "!5")
        by_sha: dict[str, list[tuple[int, str]]] = defaultdict(list)
        items = conn.execute(
            select(wi.c.id, wi.c.source_id, wi.c.key, wi.c.merge_commit_sha, wi.c.head_commit_sha)
        ).all()
        for item_id, source_id, key, merge_sha, head_sha in items:
            kind = kinds.get(source_id)
            if kind in ("jira-csv", "jira-json", "jira-api"):
                jira[key.upper()].append(item_id)
            elif kind in ("ado-csv", "ado-api"):
                ado[key].append(item_id)
            elif kind in FORGE_KINDS and (numbered := _FORGE.search(key)) is not None:
                number = numbered.group(2) + str(int(numbered.group(3)))
                for repo in github.get(source_id, ()):
                    gh_by_repo[(repo, number)].append(item_id)
                if repo_of_github.get(source_id):
                    gh_by_full[(repo_of_github[source_id], number)].append(item_id)
            if merge_sha:
                by_sha[merge_sha.lower()].append((item_id, "merge_commit"))
            if head_sha:
                by_sha[head_sha.lower()].append((item_id, "head_commit"))

        links: dict[tuple[int, int], str] = {}
        if items:
            keys = (jira, ado, gh_by_repo, gh_by_full)
            links = _scan_commits(conn, patterns, git_name, by_sha, keys)
        _replace_links(conn, links)
    return LinkSummary(
        links=len(links),
        commits_linked=len({c for c, _ in links}),
        work_items_linked=len({w for _, w in links}),
        by_via=dict(Counter(links.values())),
    )


def _scan_commits(
    conn: Connection,
    patterns: list[re.Pattern[str]],
    git_name: dict[int, str],
    by_sha: dict[str, list[tuple[int, str]]],
    keys: tuple[
        dict[str, list[int]],
        dict[str, list[int]],
        dict[tuple[str, str], list[int]],
        dict[tuple[str, str], list[int]],
    ],
) -> dict[tuple[int, int], str]:
    """(commit, work item) -> the strongest way they are linked, over every commit."""
    commit = models.Commit
    links: dict[tuple[int, int], str] = {}

    def add(commit_id: int, item_id: int, via: str) -> None:
        known = links.get((commit_id, item_id))
        if known is None or _VIA_RANK[via] < _VIA_RANK[known]:
            links[(commit_id, item_id)] = via

    query = select(commit.c.id, commit.c.source_id, commit.c.sha, commit.c.message)
    for commit_id, source_id, sha, message in conn.execute(query):
        for item_id, via in by_sha.get(sha.lower(), ()):
            add(commit_id, item_id, via)
        repo = git_name.get(source_id, "")
        for text in _matches(patterns, message or ""):
            for item_id in _resolve(text, repo, *keys):
                add(commit_id, item_id, "message")
    return links


def _replace_links(conn: Connection, links: dict[tuple[int, int], str]) -> None:
    """Make the table equal `links` by difference, not delete-all + insert.

    Concurrent collectors on PostgreSQL may link at the same time: upserts wait
    for each other instead of failing on a duplicate key.
    """
    link_tbl = models.CommitWorkItem
    pair = tuple_(link_tbl.c.commit_id, link_tbl.c.work_item_id)
    stored = {
        (c, w): v
        for c, w, v in conn.execute(
            select(link_tbl.c.commit_id, link_tbl.c.work_item_id, link_tbl.c.via)
        )
    }
    stale = sorted(set(stored) - set(links))
    for start in range(0, len(stale), 500):
        conn.execute(delete(link_tbl).where(pair.in_(stale[start : start + 500])))
    changed = sorted(key for key, via in links.items() if stored.get(key) != via)
    upsert(
        conn,
        link_tbl,
        [{"commit_id": c, "work_item_id": w, "via": links[(c, w)]} for c, w in changed],
        key=["commit_id", "work_item_id"],
        update=["via"],
    )


def _matches(patterns: list[re.Pattern[str]], message: str) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        for match in pattern.finditer(message):
            text = match.group(1) if pattern.groups and match.group(1) else match.group(0)
            if text not in found:
                found.append(text)
    return found


def _resolve(
    text: str,
    repo: str,
    jira: dict[str, list[int]],
    ado: dict[str, list[int]],
    gh_by_repo: dict[tuple[str, str], list[int]],
    gh_by_full: dict[tuple[str, str], list[int]],
) -> list[int]:
    text = text.strip()
    if (m := _ADO.search(text)) is not None:
        return ado.get(str(int(m.group(1))), [])
    if (m := _FORGE.search(text)) is not None:
        number = m.group(2) + str(int(m.group(3)))
        if m.group(1):
            return gh_by_full.get((m.group(1).lower(), number), [])
        return gh_by_repo.get((repo, number), [])
    if (m := _JIRA.search(text)) is not None:
        return jira.get(m.group(1).upper(), [])
    if text.isdigit():
        return ado.get(str(int(text)), [])
    return []
