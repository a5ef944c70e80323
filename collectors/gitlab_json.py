"""GitLab issues and merge requests, as the REST API (v4) returns them.

File shape (this docstring is its documentation):

    {"project": "group/sub/repo",
     "issues": [<issue>, ...],
     "merge_requests": [<merge request, optionally with "approvals": {...}>, ...]}

or a plain array of issues and/or merge requests (`/projects/:id/issues`,
`/projects/:id/merge_requests`), or one of them. Per item: `iid`, `title`,
`state` (`opened`, `closed`, `merged`, `locked`), `created_at`, `closed_at`,
`labels` (strings, or objects with `name` when `with_labels_details`),
`author`, `assignees` (or the older single `assignee`), `web_url`,
`references.full`. Merge requests add `merged_at`, `merge_commit_sha`,
`squash_commit_sha`, `sha` (the head), and approvals as the approvals endpoint
returns them (`{"approved_by": [{"user": {...}}]}`) under `approvals`, or a
list of users under `approved_by`.

An item is a merge request when its `web_url` has `/-/merge_requests/` or it
carries a merge field (`merged_at`, `merge_commit_sha`, `source_branch`, ...).
Keys are `group/repo#12` for issues and `group/repo!5` for merge requests.
Status is exactly `open`, `closed` or `merged` (`opened` and `locked` are
open). Users are keyed by `username`; `bot: true` and project/group access
token users (`project_123_bot_...`) are bots. GitLab's API does not show other
users' e-mails: people join by `public_email` when set, else by display name.
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
from collectors.json_util import Node, load_json
from collectors.registry import register

_PROJECT_URL = re.compile(r"^https?://[^/]+/(.+?)/-/(?:issues|merge_requests|work_items)/\d+")
_MR_FIELDS = ("merged_at", "merge_commit_sha", "squash_commit_sha", "source_branch", "merged_by")
_TOKEN_BOT = re.compile(r"^(?:project|group)_\d+_bot(?:_[0-9a-f]+)?$", re.IGNORECASE)
_STATES = {"opened": "open", "locked": "open", "closed": "closed", "merged": "merged"}


@register
class GitLabJsonCollector(FileCollector):
    kind: ClassVar[str] = TrackerKind.GITLAB_JSON
    identity_kind: ClassVar[str] = Tracker.GITLAB

    def _records(self, file: FileBytes) -> Iterator[Record]:
        root = Node(file.display, load_json(file))
        project: str | None = None
        entries: list[tuple[Node, bool | None]]  # (node, is MR; None: tell from the node)
        if root.is_object() and ("issues" in root.value or "merge_requests" in root.value):
            project = root.text("project")
            entries = [(n, False) for n in root.items("issues")]
            entries += [(n, True) for n in root.items("merge_requests")]
        elif root.is_object() and "iid" in root.value:
            entries = [(root, None)]
        elif isinstance(root.value, list):
            entries = [(n, None) for n in root.items()]
        else:
            keys = ", ".join(sorted(root.value)[:8]) if root.is_object() else "none"
            raise root.error(
                "not a shape this collector reads (an object with 'issues'/'merge_requests', "
                f"an array of them, or one issue or merge request); keys found: {keys}"
            )
        seen: dict[str, str] = {}
        for node, listed_as_mr in entries:
            if not node.is_object():
                raise node.error("expected an object")
            is_mr = listed_as_mr if listed_as_mr is not None else _is_merge_request(node)
            item = _item(node, is_mr, project)
            if item.key in seen:
                raise node.error(f"{item.key} appears twice (first at {seen[item.key]})", "iid")
            seen[item.key] = node.path
            if not self.extra.get("repository") and "/" in item.key:
                self.extra["repository"] = item.key.rsplit("!" if is_mr else "#", 1)[0]
            yield item


def _is_merge_request(node: Node) -> bool:
    url = node.value.get("web_url")
    if isinstance(url, str) and "/-/merge_requests/" in url:
        return True
    return any(k in node.value for k in _MR_FIELDS)


def _project_of(node: Node) -> str | None:
    references = node.obj("references")
    full = references.text("full") if references is not None else None
    if full and re.match(r"^[\w./-]+[#!]\d+$", full):
        return re.split(r"[#!]\d+$", full)[0]
    url = node.text("web_url")
    match = _PROJECT_URL.match(url or "")
    return match.group(1) if match else None


def _user(node: Node | None) -> TrackerUser | None:
    if node is None:
        return None
    username = node.text("username", required=True) or ""
    bot = node.value.get("bot") is True or bool(_TOKEN_BOT.match(username))
    return TrackerUser(
        key=username,
        display_name=(node.text("name") or "").strip() or None,
        email=(node.text("public_email") or node.text("email") or "").strip() or None,
        login=username,
        bot=bot,
    )


def _date(node: Node, key: str) -> datetime | None:
    value = node.text(key)
    if value is None or not value.strip():
        return None
    try:
        return parse_iso(value)
    except DateFormatError as exc:
        raise node.error(str(exc), key) from exc


def _labels(node: Node) -> tuple[str, ...]:
    labels: list[str] = []
    for label in node.items("labels"):
        name = label.value if isinstance(label.value, str) else label.text("name", required=True)
        if not isinstance(name, str):
            raise label.error("expected a label name")
        if name.strip() and name.strip() not in labels:
            labels.append(name.strip())
    return tuple(labels)


def _approvals(node: Node) -> tuple[ReviewRecord, ...]:
    holder = node.obj("approvals")
    approvers = holder.items("approved_by") if holder is not None else node.items("approved_by")
    reviews = []
    for entry in approvers:
        user = _user(entry.obj("user") if entry.is_object() and "user" in entry.value else entry)
        if user is not None:
            reviews.append(ReviewRecord(reviewer=user, state="APPROVED"))
    return tuple(reviews)


def _item(node: Node, is_mr: bool, project: str | None) -> WorkItemRecord:
    iid = node.integer("iid", required=True)
    project = project or _project_of(node)
    key = f"{project or ''}{'!' if is_mr else '#'}{iid}"
    raw_state = (node.text("state") or "").lower()
    state = _STATES.get(raw_state)
    if raw_state and state is None:
        raise node.error(f"unknown state {raw_state!r} (opened, closed, merged, locked)", "state")
    merged_at = _date(node, "merged_at") if is_mr else None
    if is_mr and merged_at is not None:
        state = "merged"
    if not is_mr and state == "merged":
        raise node.error("an issue cannot be merged", "state")
    assignees = tuple(u for a in node.items("assignees") if (u := _user(a)) is not None)
    if not assignees:
        single = _user(node.obj("assignee"))
        assignees = (single,) if single is not None else ()
    merged = state == "merged"
    merge_sha = node.text("merge_commit_sha") or node.text("squash_commit_sha")
    return WorkItemRecord(
        key=key,
        kind="merge_request" if is_mr else (node.text("issue_type") or "issue"),
        title=node.text("title") or "",
        status=state,
        created_at=_date(node, "created_at"),
        resolved_at=_date(node, "closed_at") or merged_at,
        assignee=assignees[0] if assignees else None,
        reporter=_user(node.obj("author")),
        assignees=assignees,
        labels=_labels(node),
        merge_commit_sha=merge_sha.strip().lower() if merged and merge_sha else None,
        head_commit_sha=(node.text("sha") or "").strip().lower() or None if is_mr else None,
        reviews=_approvals(node) if is_mr else (),
    )
