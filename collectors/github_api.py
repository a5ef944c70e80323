"""GitHub issues, pull requests, reviews and user profiles from the REST API (v3).

Endpoints (GitHub.com `https://api.github.com`, Enterprise Server `https://HOST/api/v3`):

- `GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc&since=…`
  lists issues *and* pull requests changed since the cursor, oldest change first;
- for each pull request: `GET /repos/{owner}/{repo}/pulls/{number}` (merge commit,
  head sha, merge time) and `GET /repos/{owner}/{repo}/pulls/{number}/reviews`;
- for each person named: `GET /users/{login}` (name, company, location: evidence
  whose source is the GitHub profile).

Pages follow `Link: <…>; rel="next"`, only to the configured host. The records are
made by the `github-json` collector from the same JSON, so an item exported to a
file and the same item read from the API are the same record.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from auditor.kernel.errors import ApiError
from collectors.api_cursor import Cursor
from collectors.api_source import ApiCollector, ApiPage, with_users
from collectors.dates import DateFormatError, parse_iso
from collectors.github_json import GitHubJsonCollector
from collectors.http_client import ApiClient, ApiResponse
from collectors.interface import TrackerUser, WorkItemRecord
from collectors.json_util import Node

PER_PAGE = 100
_NEXT = re.compile(r'<([^<>]*)>\s*;[^,]*\brel="?next"?')
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
TOKEN_NEEDS = (
    "read access to the repository's issues and pull requests (fine-grained token: "
    "'Issues' and 'Pull requests' read; classic token: 'repo' for a private repository, "
    "none for a public one)"
)


def next_link(response: ApiResponse, base_url: str) -> str | None:
    """The `rel="next"` URL, refused unless it is on the API's own host (the token goes there)."""
    match = _NEXT.search(response.headers.get("Link", ""))
    if not match:
        return None
    url = match.group(1)
    base, target = urlsplit(base_url), urlsplit(url)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        raise ApiError(
            f"GitHub's next page points to another host ({target.netloc!r}); not following it "
            f"with the token",
            location=response.url,
        )
    return url


class GitHubApiCollector(ApiCollector):
    kind: ClassVar[str] = "github-api"
    identity_kind: ClassVar[str] = "github"

    def __init__(self, client: ApiClient, repository: str, cursor: Cursor, **kwargs: Any):
        super().__init__(client, cursor, **kwargs)
        self.repository = repository
        self.extra["repository"] = repository
        self._profiles: dict[str, dict[str, Any] | None] = {}  # login (lower) -> profile

    def _listing(
        self, path: str, params: dict[str, Any], what: str, *, items: bool = True
    ) -> Iterator[ApiResponse]:
        url: str | None = path
        seen: set[str] = set()
        number = 0
        while url is not None:
            response = self.client.get(url, params if number == 0 else None)
            number += 1
            if not isinstance(response.data, list):
                raise ApiError(f"GitHub: expected a JSON array from {what}", location=response.url)
            self.count_page(what, number, len(response.data) if items else 0)
            yield response
            url = next_link(response, self.client.base_url)
            if url is not None and url in seen:
                raise ApiError(f"GitHub: {what} repeats page {url}", location=response.url)
            if url is not None:
                seen.add(url)

    def pages(self) -> Iterator[ApiPage]:
        params: dict[str, Any] = {
            "state": "all",
            "sort": "updated",
            "direction": "asc",
            "per_page": PER_PAGE,
        }
        if self.cursor.updated is not None:
            params["since"] = self.cursor.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for response in self._listing(
            f"/repos/{self.repository}/issues", params, "the issue listing"
        ):
            fresh: list[tuple[dict[str, Any], str, datetime | None]] = []
            for index, issue in enumerate(response.data):
                node = Node(f"GET {response.url}", issue, f"$[{index}]")
                if not node.is_object():
                    raise node.error("expected an object")
                number = node.integer("number", required=True)
                key = f"{self.repository}#{number}"
                updated = _updated(node)
                if not self.cursor.seen(key, updated):
                    fresh.append((issue, key, updated))
            if fresh:
                yield self._page(response.url, fresh)

    def _page(self, url: str, fresh: list[tuple[dict[str, Any], str, datetime | None]]) -> ApiPage:
        issues, pulls = [], []
        for issue, _key, _updated in fresh:
            pull = self._pull_request(int(issue["number"])) if "pull_request" in issue else None
            if pull is not None:
                pulls.append(pull)
            else:
                issues.append(issue)  # an issue, or a pull request GitHub no longer serves
        users = [*_users(issues), *_users(pulls)]
        profiles = {
            login: profile
            for user in users
            if (login := _login(user)) and (profile := self._profile(user)) is not None
        }
        document = {
            "repository": self.repository,
            "issues": issues,
            "pull_requests": pulls,
            "users": profiles,
        }
        mapper = GitHubJsonCollector(
            Path(urlsplit(url).path),
            display=f"GET {url}",
            data=json.dumps(document).encode("utf-8"),
        )
        bots = {login.lower() for u in users if (login := _login(u)) and u.get("type") == "Bot"}
        companies = {
            login.lower(): p["company"].strip()
            for login, p in profiles.items()
            if isinstance(p.get("company"), str) and p["company"].strip()
        }

        def flag(user: TrackerUser) -> TrackerUser:
            login = (user.login or user.key).lower()
            return _replace_user(user, bot=login in bots, company=companies.get(login))

        items = tuple(
            with_users(record, flag)
            for record in mapper.collect()
            if isinstance(record, WorkItemRecord)
        )
        stamps = tuple((key, updated) for _issue, key, updated in fresh)
        return ApiPage(items, stamps)

    def _pull_request(self, number: int) -> dict[str, Any] | None:
        base = f"/repos/{self.repository}/pulls/{number}"
        response = self.client.get_optional(base)
        if response is None:
            return None
        pull = response.data
        if not isinstance(pull, dict):
            raise ApiError("GitHub: expected a pull request object", location=self.client.url(base))
        reviews: list[Any] = []
        for response in self._listing(
            f"{base}/reviews", {"per_page": PER_PAGE}, f"the reviews of #{number}", items=False
        ):
            reviews.extend(response.data)
        return {**pull, "reviews": reviews}

    def _profile(self, user: dict[str, Any]) -> dict[str, Any] | None:
        login = _login(user)
        if login is None or user.get("type") == "Bot" or not _LOGIN.match(login):
            return None  # bots and odd logins ("ghost" is fine) have no profile worth asking
        cached = login.lower()
        if cached not in self._profiles:
            response = self.client.get_optional(f"/users/{quote(login)}")
            data = response.data if response is not None else None
            self._profiles[cached] = data if isinstance(data, dict) else None
        return self._profiles[cached]


def _replace_user(user: TrackerUser, *, bot: bool, company: str | None) -> TrackerUser:
    return dataclasses.replace(user, bot=user.bot or bot, company=user.company or company)


def _login(user: Any) -> str | None:
    if isinstance(user, dict) and isinstance(user.get("login"), str) and user["login"].strip():
        return str(user["login"]).strip()
    return None


def _users(entries: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every user object an issue or pull request names (author, assignees, reviewers)."""
    for entry in entries:
        for holder in (entry.get("user"), *(entry.get("assignees") or ())):
            if isinstance(holder, dict):
                yield holder
        for review in entry.get("reviews") or ():
            if isinstance(review, dict) and isinstance(review.get("user"), dict):
                yield review["user"]


def _updated(node: Node) -> datetime | None:
    value = node.text("updated_at")
    if not value:
        return None
    try:
        return parse_iso(value)
    except DateFormatError as exc:
        raise node.error(str(exc), "updated_at") from exc
