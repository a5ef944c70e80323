"""GitHub issues and pull requests, as the REST API or `gh ... --json` print them.

File shape (this docstring is its documentation):

    {"repository": "org/repo",
     "issues": [<issue>, ...],
     "pull_requests": [<pull request, optionally with "reviews": [...]>, ...],
     "users": {"<login>": {"login", "name", "location", "email", "company"}, ...}}

or a plain array of issues / pull requests, or one of them (`gh api
repos/O/R/pulls/N`), or a search response (`{"total_count", "items": [...]}`),
or GraphQL (`{"data": {"repository": {"issues"|"pullRequests": {"nodes"|"edges"}}}}`
or `{"data": {"search": ...}}`, connections also for labels, assignees and
reviews). A list of reviews alone, GraphQL errors and any other object are
refused naming what was found. A pull request's status is exactly `merged`,
`closed` or `open`; its merge time may sit in `pull_request.merged_at` (the
issues and search endpoints). Users with `type: "Bot"`, `is_bot: true` or
`__typename: "Bot"` are bots. Both REST snake_case
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

from auditor.kernel.enums import Tracker, TrackerKind
from collectors.dates import DateFormatError, parse_iso
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, ReviewRecord, TrackerUser, WorkItemRecord
from collectors.json_util import Node, json_kind, load_json
from collectors.registry import register

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


@register
class GitHubJsonCollector(FileCollector):
    kind: ClassVar[str] = TrackerKind.GITHUB_JSON
    identity_kind: ClassVar[str] = Tracker.GITHUB

    def _records(self, file: FileBytes) -> Iterator[Record]:
        root = Node(file.display, load_json(file))
        profiles: dict[str, Node] = {}
        repository: str | None = None
        if root.is_object() and ("issues" in root.value or "pull_requests" in root.value):
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
            entries = [(n, False) for n in root.items("issues")]
            entries += [(n, True) for n in root.items("pull_requests")]
        else:
            entries, repository = _other_shape(root)
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
            is_pr = listed_as_pr or _is_pull_request(node)
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


def _is_pull_request(node: Node) -> bool:
    if node.value.get("__typename") in ("PullRequest", "Issue"):
        return bool(node.value["__typename"] == "PullRequest")
    return any(k in node.value for k in PR_FIELDS)


def _other_shape(root: Node) -> tuple[list[tuple[Node, bool]], str | None]:
    """Entries of the shapes `gh` and the API print besides the documented object.

    Read: a plain array; one issue or pull request (`gh api repos/O/R/pulls/N`); a
    search response (`{"total_count", "items": [...]}`); GraphQL (`{"data": ...}`,
    `nodes` or `edges[].node` of `repository.issues|pullRequests` or `search`).
    Anything else is refused naming what was found, never read as empty.
    """
    value = root.value
    if isinstance(value, list):
        entries = [(n, False) for n in root.items()]
        first = value[0] if value else None
        if isinstance(first, dict) and "number" not in first and _looks_like_review(first):
            raise root.error(
                "this is a list of pull request reviews (`.../pulls/N/reviews`), not issues "
                'or pull requests; put them under their pull request\'s "reviews" key'
            )
        return entries, None
    if not isinstance(value, dict):
        raise root.error(f"expected an object or an array, got {json_kind(value)}")
    if "number" in value:
        return [(root, False)], None
    if "items" in value:
        return [(n, False) for n in root.items("items")], None
    if "data" in value or "errors" in value:
        return _graphql(root)
    keys = ", ".join(sorted(value)[:8]) or "none"
    raise root.error(
        "not a shape this collector reads (an object with 'issues'/'pull_requests', an "
        f"array, one issue or pull request, a search or GraphQL response); keys found: {keys}"
    )


def _graphql(root: Node) -> tuple[list[tuple[Node, bool]], str | None]:
    errors = root.value.get("errors")
    data = root.obj("data")
    if data is None:
        first = errors[0] if isinstance(errors, list) and errors else {}
        message = first.get("message") if isinstance(first, dict) else None
        raise root.error(f"GraphQL response without data (error: {message!r})")
    entries: list[tuple[Node, bool]] = []
    repository: str | None = None
    holders = []
    repo = data.obj("repository")
    if repo is not None:
        repository = repo.text("nameWithOwner")
        holders += [(repo, "issues", False), (repo, "pullRequests", True)]
        for key in ("issue", "pullRequest"):
            single = repo.obj(key)
            if single is not None:
                entries.append((single, key == "pullRequest"))
    holders.append((data, "search", False))
    for holder, key, as_pr in holders:
        if holder.obj(key) is not None:
            entries += [(n, as_pr) for n in connection(holder, key)]
    if not entries and repo is None and data.obj("search") is None:
        keys = ", ".join(sorted(data.value)[:8]) or "none"
        raise data.error(
            "GraphQL data without repository.issues, repository.pullRequests or search; "
            f"keys found: {keys}"
        )
    return entries, repository


def connection(node: Node, key: str) -> Iterator[Node]:
    """The elements at `key`: a REST array, or a GraphQL connection's `nodes` / `edges[].node`."""
    holder = node.child(key)
    if isinstance(holder.value, dict):
        if "nodes" in holder.value:
            yield from holder.items("nodes")
        else:
            for edge in holder.items("edges"):
                inner = edge.obj("node", required=True)
                assert inner is not None
                yield inner
        return
    yield from node.items(key)


def _looks_like_review(value: dict[str, object]) -> bool:
    return "state" in value and any(
        k in value for k in ("submitted_at", "submittedAt", "commit_id")
    )


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
            bot=any(_is_bot(n) for n in sources),
        )


def _is_bot(node: Node) -> bool:
    # REST `type: "Bot"`, `gh --json author` `is_bot: true`, GraphQL `__typename: "Bot"`
    value = node.value
    return (
        value.get("type") == "Bot"
        or value.get("is_bot") is True
        or value.get("__typename") == "Bot"
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
    assignees = tuple(u for a in connection(node, "assignees") if (u := people.user(a)) is not None)
    labels: list[str] = []
    for label in connection(node, "labels"):
        name = label.value if isinstance(label.value, str) else label.text("name", required=True)
        if not isinstance(name, str):
            raise label.error("expected a label name")
        if name not in labels:
            labels.append(name)
    # the issues and search endpoints carry a PR's merge time inside `pull_request`
    nested = node.obj("pull_request")
    merged_at = _date(node, "merged_at", "mergedAt") or (
        _date(nested, "merged_at") if nested is not None else None
    )
    state = (node.text("state") or "").lower() or None
    merged = is_pr and (merged_at is not None or state == "merged")
    if merged:
        state = "merged"
    elif is_pr and state not in (None, "open", "closed"):
        raise node.error(
            f"pull request state must be open, closed or merged, got {state!r}", "state"
        )
    reviews = tuple(_review(r, people) for r in connection(node, "reviews"))
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
