"""Jira issues from the REST search API, Cloud or Data Center.

- Cloud (`user_env` set: e-mail + API token, Basic auth):
  `GET /rest/api/3/search/jql?jql=…&fields=…&maxResults=100&nextPageToken=…`, pages
  chained by `nextPageToken` until it is absent or `isLast` is true.
- Data Center (token only, Bearer): `GET /rest/api/2/search?jql=…&startAt=…&maxResults=100`,
  pages by `startAt` until `total` is reached.

The configured JQL is narrowed to what changed since the cursor and ordered
`updated ASC`. An absolute JQL date is read in the API user's time zone (which
the collector does not know) and to the minute, so the bound is relative instead:
`updated >= "-95m"`, the minutes since the cursor by our clock plus
`JQL_SLACK_MINUTES` for clock skew, measured by the Jira server from its own now.
Items already stored at their current `updated` are skipped by the cursor
without further requests. The records are made by the `jira-json`
collector from the same JSON; `accountType: "app"` marks a user as a bot.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from auditor.kernel.errors import ApiError
from collectors.api_cursor import Cursor
from collectors.api_source import ApiCollector, ApiPage, with_users
from collectors.dates import DateFormatError, parse_iso
from collectors.http_client import ApiClient
from collectors.interface import TrackerUser, WorkItemRecord
from collectors.jira_json import JiraJsonCollector
from collectors.json_util import Node

PAGE_SIZE = 100
FIELDS = (
    "summary",
    "issuetype",
    "status",
    "created",
    "updated",
    "resolutiondate",
    "components",
    "labels",
    "assignee",
    "reporter",
)
JQL_SLACK_MINUTES = 5  # our clock against Jira's, and the minute the bound is rounded to
TOKEN_NEEDS = (
    "'Browse projects' permission on the projects the JQL names (Cloud: an API token of "
    "an account with that permission, its e-mail in user_env; Data Center: a personal "
    "access token)"
)


def narrowed_jql(jql: str, cursor: Cursor, now: float) -> str:
    """The configured JQL, restricted to what changed since the cursor, oldest change first."""
    clauses = [f"({jql})"] if jql.strip() else []
    if cursor.updated is not None:
        minutes = math.ceil(max(now - cursor.updated.timestamp(), 0) / 60) + JQL_SLACK_MINUTES
        clauses.append(f'updated >= "-{minutes}m"')
    return " AND ".join(clauses) + " ORDER BY updated ASC, key ASC"


class JiraApiCollector(ApiCollector):
    kind: ClassVar[str] = "jira-api"
    identity_kind: ClassVar[str] = "jira"

    def __init__(self, client: ApiClient, jql: str, cursor: Cursor, *, cloud: bool, **kwargs: Any):
        super().__init__(client, cursor, **kwargs)
        self.jql = jql
        self.cloud = cloud

    def pages(self) -> Iterator[ApiPage]:
        params: dict[str, Any] = {
            "jql": narrowed_jql(self.jql, self.cursor, self.client.clock.now()),
            "fields": ",".join(FIELDS),
            "maxResults": PAGE_SIZE,
        }
        path = "/rest/api/3/search/jql" if self.cloud else "/rest/api/2/search"
        tokens: set[str] = set()
        number = 0
        start = 0
        while True:
            if not self.cloud:
                params["startAt"] = start
            response = self.client.get(path, params)
            number += 1
            root = Node(f"GET {response.url}", response.data)
            if not root.is_object():
                raise root.error("expected an object with 'issues'")
            issues = list(root.items("issues"))
            self.count_page("the search", number, len(issues))
            page = self._page(response.url, issues)
            if page.items:
                yield page
            if self.cloud:
                token = root.text("nextPageToken")
                if not token or root.value.get("isLast") is True or not issues:
                    return
                if token in tokens:
                    raise ApiError("Jira repeated a nextPageToken", location=response.url)
                tokens.add(token)
                params["nextPageToken"] = token
            else:
                total = root.integer("total")
                start += len(issues)
                if not issues or total is None or start >= total:
                    return

    def _page(self, url: str, issues: list[Node]) -> ApiPage:
        fresh: list[Any] = []
        stamps: list[tuple[str, datetime | None]] = []
        for issue in issues:
            key = issue.text("key", required=True) or ""
            fields = issue.obj("fields", required=True)
            assert fields is not None
            updated = _updated(fields)
            if self.cursor.seen(key, updated):
                continue
            fresh.append(issue.value)
            stamps.append((key, updated))
        if not fresh:
            return ApiPage((), ())
        apps = {ident for issue in fresh for ident in _app_accounts(issue)}
        mapper = JiraJsonCollector(
            Path("search.json"),
            display=f"GET {url}",
            data=json.dumps({"issues": fresh}).encode("utf-8"),
        )

        def flag(user: TrackerUser) -> TrackerUser:
            return dataclasses.replace(user, bot=True) if user.key in apps else user

        items = tuple(
            with_users(record, flag)
            for record in mapper.collect()
            if isinstance(record, WorkItemRecord)
        )
        return ApiPage(items, tuple(stamps))


def _app_accounts(issue: Any) -> Iterator[str]:
    """Identifiers of users whose `accountType` is "app" (automation, integrations)."""
    fields = issue.get("fields") if isinstance(issue, dict) else None
    if not isinstance(fields, dict):
        return
    for role in ("assignee", "reporter", "creator"):
        user = fields.get(role)
        if isinstance(user, dict) and user.get("accountType") == "app":
            for key in ("accountId", "name", "key", "displayName"):
                if isinstance(user.get(key), str):
                    yield user[key]


def _updated(fields: Node) -> datetime | None:
    value = fields.text("updated")
    if not value:
        return None
    try:
        return parse_iso(value)
    except DateFormatError as exc:
        raise fields.error(str(exc), "updated") from exc
