"""Jira REST search results (`/rest/api/2|3/search`, `/search/jql`): `{"issues": [...]}`, or a
list of such pages, or a plain list of issues, or one issue (`/rest/api/2/issue/KEY`). Any
other object (an error response `{"errorMessages": [...]}`) is refused naming its keys.

Per issue: `key`, `fields.summary`, `fields.issuetype.name`, `fields.status.name`,
`fields.created`, `fields.resolutiondate`, `fields.components[].name`,
`fields.labels[]`, and user objects in `fields.assignee` / `fields.reporter`:
`{accountId, accountType, displayName, emailAddress, timeZone}`, any of which
may be null (Server uses `name`/`key` instead of `accountId`). `accountType:
"app"` (Automation for Jira, integrations) is a bot: its `timeZone` is the
site's default, not anybody's location.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from auditor.kernel.enums import Tracker, TrackerKind
from collectors.dates import DateFormatError, parse_iso
from collectors.files import FileBytes, FileCollector
from collectors.interface import Record, TrackerUser, WorkItemRecord
from collectors.json_util import Node, load_json
from collectors.registry import register


@register
class JiraJsonCollector(FileCollector):
    kind: ClassVar[str] = TrackerKind.JIRA_JSON
    identity_kind: ClassVar[str] = Tracker.JIRA

    def _records(self, file: FileBytes) -> Iterator[Record]:
        root = Node(file.display, load_json(file))
        seen: dict[str, str] = {}
        for issue in _issues(root):
            key = issue.text("key", required=True) or ""
            if key in seen:
                raise issue.error(f"issue {key!r} appears twice (first at {seen[key]})", "key")
            seen[key] = issue.path
            fields = issue.obj("fields", required=True)
            assert fields is not None
            assignee = _user(fields, "assignee")
            yield WorkItemRecord(
                key=key,
                kind=_name(fields, "issuetype") or "Issue",
                title=fields.text("summary") or "",
                status=_name(fields, "status"),
                created_at=_date(fields, "created"),
                resolved_at=_date(fields, "resolutiondate"),
                assignee=assignee,
                reporter=_user(fields, "reporter"),
                assignees=(assignee,) if assignee else (),
                components=tuple(
                    name
                    for c in fields.items("components")
                    if (name := c.text("name", required=True))
                ),
                labels=tuple(_strings(fields, "labels")),
            )


def _issues(root: Node) -> Iterator[Node]:
    if root.is_object():
        if "issues" in root.value:
            yield from root.items("issues")
        elif "key" in root.value and "fields" in root.value:
            yield root  # one issue: /rest/api/2/issue/KEY
        else:
            keys = ", ".join(sorted(root.value)[:8]) or "none"
            raise root.error(
                "not a shape this collector reads (search results with 'issues', an array of "
                f"issues or of result pages, or one issue); keys found: {keys}"
            )
        return
    if not isinstance(root.value, list):
        raise root.error("expected an object with 'issues' or an array of issues")
    for element in root.items():
        if element.is_object() and "issues" in element.value and "key" not in element.value:
            yield from element.items("issues")  # a list of result pages
        else:
            yield element


def _name(fields: Node, key: str) -> str | None:
    node = fields.obj(key)
    return node.text("name") if node else None


def _strings(node: Node, key: str) -> Iterator[str]:
    for element in node.items(key):
        if not isinstance(element.value, str):
            raise element.error("expected a string")
        if element.value.strip():
            yield element.value.strip()


def _date(fields: Node, key: str) -> datetime | None:
    value = fields.text(key)
    if value is None or not value.strip():
        return None
    try:
        return parse_iso(value)
    except DateFormatError as exc:
        raise fields.error(str(exc), key) from exc


def _user(fields: Node, key: str) -> TrackerUser | None:
    node = fields.obj(key)
    if node is None:
        return None
    name = node.text("displayName")
    ident = node.text("accountId") or node.text("name") or node.text("key") or name
    if not ident:
        raise node.error("user has neither accountId, name nor displayName")
    return TrackerUser(
        key=ident,
        display_name=name,
        email=(node.text("emailAddress") or None),
        time_zone=(node.text("timeZone") or None),
        login=node.text("name"),
        # Cloud: "atlassian" (a person), "app" (automation, integrations), "customer"
        bot=node.text("accountType") == "app",
    )
