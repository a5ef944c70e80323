"""GitHub issues and pull requests, as the REST API or `gh ... --json` print them.

File shape (this docstring is its documentation):

    {"repository": "org/repo",
     "issues": [<issue>, ...],
     "pull_requests": [<pull request, optionally with "reviews": [...]>, ...],
     "users": {"<login>": {"login", "name", "location", "email", "company"}, ...}}

or a plain array of issues / pull requests. Both REST snake_case
(`created_at`, `closed_at`, `merged_at`, `merge_commit_sha`, `head.sha`,
`user`, reviews with `user`, `state`, `submitted_at`, `commit_id`) and `gh`
camelCase (`createdAt`, `closedAt`, `mergedAt`, `mergeCommit.oid`,
`headRefOid`, `author`, reviews with `author`, `submittedAt`, `commit.oid`)
are read. The REST issues endpoint lists pull requests too (with a
`pull_request` key): an entry in `pull_requests` replaces such an issue.

Keys are `org/repo#12` (or `#12` when the repository is unknown). The
repository comes from `repository`, else from an item's `repository_url` or
`html_url`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from collectors.dates import DateFormatError, parse_iso
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, ReviewRecord, TrackerUser, WorkItemRecord
from collectors.json_util import Node, load_json

_REPO_URL = re.compile(r"(?:api\.github\.com/repos/|github\.com/)([\w.-]+/[\w.-]+?)(?:/|$)")
_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
PR_FIELDS = (
    "pull_request",
    "merged_at",
    "mergedAt",
    "merge_commit_sha",
    "mergeCommit",
    "headRefOid",
    "head",
    "reviews",
    "isDraft",
    "draft",
)


class GitHubJsonCollector(FileCollector):
    kind: ClassVar[str] = "github-json"

    def _records(self, file: FileBytes) -> Iterator[Record]:
        root = Node(file.display, load_json(file))
        profiles: dict[str, Node] = {}
        entries: list[tuple[Node, bool]] = []
        repository: str | None = None
        if root.is_object():
            repository = root.text("repository")
            if repository is not None and not _REPO.match(repository):
                raise root.error(
                    f"repository must look like 'org/repo', got {repository!r}", "repository"
                )
            users = root.obj("users")
            if users is not None:
                for login in users.value:
                    profile = users.obj(login)
                    if profile is not None:
                        profiles[login.lower()] = profile
            entries += [(n, False) for n in root.items("issues")]
            entries += [(n, True) for n in root.items("pull_requests")]
        elif isinstance(root.value, list):
            entries = [(n, False) for n in root.items()]
        else:
            raise root.error("expected an object with 'issues'/'pull_requests' or an array")
        repository = repository or _repository_of(entries)
        self.extra["repository"] = repository or ""
        people = _People(profiles)
        chosen: dict[
            int, tuple[Node, bool, bool]
        ] = {}  # number -> (node, is PR, from pull_requests)
        for node, listed_as_pr in entries:
            if not node.is_object():
                raise node.error("expected an object")
            number = node.integer("number", required=True)
            assert number is not None
            is_pr = listed_as_pr or any(k in node.value for k in PR_FIELDS)
            previous = chosen.get(number)
            if previous is not None:
                prev_node, _prev_is_pr, prev_listed = previous
                # the /issues listing repeats pull requests; the /pulls entry is the richer one
                if listed_as_pr and not prev_listed and "pull_request" in prev_node.value:
                    chosen[number] = (node, True, True)
                    continue
                if prev_listed and not listed_as_pr and "pull_request" in node.value:
                    continue
                raise node.error(
                    f"number {number} appears twice (first at {prev_node.path})", "number"
                )
            chosen[number] = (node, is_pr, listed_as_pr)
        for number, (node, is_pr, _listed) in chosen.items():
            yield _item(node, number, is_pr, repository, people)


def _repository_of(entries: list[tuple[Node, bool]]) -> str | None:
    for node, _ in entries:
        if not node.is_object():
            continue
        for key in ("repository_url", "html_url", "url"):
            value = node.value.get(key)
            if isinstance(value, str):
                match = _REPO_URL.search(value)
                if match:
                    return match.group(1)
    return None


class _People:
    """Users as items name them, completed by the file's `users` profiles."""

    def __init__(self, profiles: dict[str, Node]):
        self.profiles = profiles

    def user(self, node: Node | None) -> TrackerUser | None:
        if node is None:
            return None
        login = node.text("login", required=True) or ""
        profile = self.profiles.get(login.lower())
        sources = [n for n in (profile, node) if n is not None]
        return TrackerUser(
            key=login,
            display_name=_first(sources, "name"),
            email=_first(sources, "email"),
            location=_first(sources, "location"),
            login=login,
        )


def _first(nodes: list[Node], key: str) -> str | None:
    for node in nodes:
        value = node.text(key)
        if value and value.strip():
            return value.strip()
    return None


def _date(node: Node, *keys: str) -> datetime | None:
    for key in keys:
        value = node.text(key)
        if value and value.strip():
            try:
                return parse_iso(value)
            except DateFormatError as exc:
                raise node.error(str(exc), key) from exc
    return None


def _sha(node: Node, flat: str, nested: str, inner: str) -> str | None:
    value = node.text(flat)
    if value:
        return value.strip().lower()
    holder = node.obj(nested)
    if holder is not None:
        inner_value = holder.text(inner)
        return inner_value.strip().lower() if inner_value else None
    return None


def _item(
    node: Node, number: int, is_pr: bool, repository: str | None, people: _People
) -> WorkItemRecord:
    author = people.user(node.obj("user") or node.obj("author"))
    assignees = tuple(u for a in node.items("assignees") if (u := people.user(a)) is not None)
    labels: list[str] = []
    for label in node.items("labels"):
        name = label.value if isinstance(label.value, str) else label.text("name", required=True)
        if not isinstance(name, str):
            raise label.error("expected a label name")
        if name not in labels:
            labels.append(name)
    merged_at = _date(node, "merged_at", "mergedAt")
    state = (node.text("state") or "").lower() or None
    merged = is_pr and (merged_at is not None or state == "merged")
    if merged:
        state = "merged"
    reviews = tuple(_review(r, people) for r in node.items("reviews"))
    return WorkItemRecord(
        key=f"{repository or ''}#{number}",
        kind="pull_request" if is_pr else "issue",
        title=node.text("title") or "",
        status=state,
        created_at=_date(node, "created_at", "createdAt"),
        resolved_at=_date(node, "closed_at", "closedAt") or merged_at,
        assignee=assignees[0] if assignees else None,
        reporter=author,
        assignees=assignees,
        labels=tuple(labels),
        # an open PR's merge_commit_sha is GitHub's test merge, not history
        merge_commit_sha=_sha(node, "merge_commit_sha", "mergeCommit", "oid") if merged else None,
        head_commit_sha=_sha(node, "headRefOid", "head", "sha"),
        reviews=reviews,
    )


def _review(node: Node, people: _People) -> ReviewRecord:
    reviewer = people.user(node.obj("user") or node.obj("author"))
    if reviewer is None:
        raise node.error("review has no user", "user")
    state = (node.text("state", required=True) or "").upper()
    return ReviewRecord(
        reviewer=reviewer,
        state=state,
        submitted_at=_date(node, "submitted_at", "submittedAt"),
        commit_sha=_sha(node, "commit_id", "commit", "oid"),
    )
