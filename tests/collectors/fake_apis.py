"""Local stand-ins for the GitHub, Jira and Azure DevOps REST APIs, on a real HTTP server.

Each serves its API's documented response shapes (GitHub REST v3 issues, pulls,
reviews and users; Jira `search/jql` and Data Center `search`; Azure DevOps `wiql`
and `workitemsbatch`), filters by the incremental bound the collector sends, pages
with the API's own mechanism, checks the credentials, and can be told to answer the
next requests with a fault (a 500, a rate limit). Items change through `touch`,
which moves their update time on, as the real services do.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def server_error() -> Response:
    return json_response({"message": "Server Error"}, 500)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status, headers=headers or {}, content_type="application/json"
    )


class FakeApi:
    """One handler for every request; requests are logged as 'METHOD /path'."""

    def __init__(self, server: HTTPServer, token: str):
        self.server = server
        self.token = token
        self.requests: list[str] = []
        # (which requests, the answer, how many times): faults answered before anything else
        self.faults: list[list[Any]] = []
        # the service's clock for touch(): after every seeded item, before the real now
        self.now = T0 + timedelta(days=200)
        server.expect_request(re.compile(".*")).respond_with_handler(self._dispatch)

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def _dispatch(self, request: Request) -> Response:
        self.requests.append(f"{request.method} {request.path}")
        for fault in self.faults:
            matches, answer, remaining = fault
            if remaining > 0 and matches(request):
                fault[2] -= 1
                return answer()
        if not self.authorized(request):
            return self.unauthorized()
        return self.handle(request)

    def fail(
        self,
        answer: Callable[[], Response],
        *,
        times: int = 1,
        when: Callable[[Request], bool] = lambda request: True,
    ) -> None:
        self.faults.append([when, answer, times])

    def tick(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Response:
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        raise NotImplementedError


# --- GitHub -------------------------------------------------------------------------------


def gh_user(login: str, uid: int, kind: str = "User") -> dict[str, Any]:
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "type": kind,
        "site_admin": False,
        "url": f"https://api.github.com/users/{login}",
    }


class FakeGitHub(FakeApi):
    PAGE = 2  # the server pages small, below the per_page asked for, as servers may

    def __init__(self, server: HTTPServer, token: str, repo: str = "contoso/collab-server"):
        super().__init__(server, token)
        self.repo = repo
        self.issues: dict[int, dict[str, Any]] = {}
        self.pulls: dict[int, dict[str, Any]] = {}
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.users: dict[str, dict[str, Any]] = {}

    def profile(self, login: str, uid: int, **fields: Any) -> dict[str, Any]:
        self.users[login] = {
            **gh_user(login, uid),
            "name": None,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "bio": None,
            **fields,
        }
        return gh_user(login, uid)

    def add_issue(self, number: int, title: str, user: dict[str, Any], **extra: Any) -> None:
        created = T0 + timedelta(hours=number)
        self.issues[number] = {
            "id": 1000 + number,
            "node_id": f"I_{number}",
            "url": f"https://api.github.com/repos/{self.repo}/issues/{number}",
            "repository_url": f"https://api.github.com/repos/{self.repo}",
            "html_url": f"https://github.com/{self.repo}/issues/{number}",
            "number": number,
            "state": "open",
            "state_reason": None,
            "title": title,
            "body": "",
            "user": user,
            "labels": [],
            "assignee": None,
            "assignees": [],
            "comments": 0,
            "created_at": iso(created),
            "updated_at": iso(created),
            "closed_at": None,
            "author_association": "MEMBER",
            **extra,
        }

    def add_pull(
        self,
        number: int,
        title: str,
        user: dict[str, Any],
        *,
        merged: bool,
        head: str,
        merge: str,
        reviews: list[tuple[dict[str, Any], str, str]],
    ) -> None:
        created = T0 + timedelta(hours=number)
        merged_at = iso(created + timedelta(hours=2)) if merged else None
        self.add_issue(
            number,
            title,
            user,
            state="closed" if merged else "open",
            closed_at=merged_at,
            pull_request={
                "url": f"https://api.github.com/repos/{self.repo}/pulls/{number}",
                "html_url": f"https://github.com/{self.repo}/pull/{number}",
                "merged_at": merged_at,
            },
        )
        issue = self.issues[number]
        self.pulls[number] = {
            "url": issue["pull_request"]["url"],
            "id": 5000 + number,
            "number": number,
            "state": issue["state"],
            "locked": False,
            "title": title,
            "user": user,
            "body": "",
            "labels": [],
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_at": merged_at,
            "merged_at": merged_at,
            "merge_commit_sha": merge,
            "assignees": [],
            "draft": False,
            "head": {"label": "contoso:topic", "ref": "topic", "sha": head},
            "base": {"label": "contoso:main", "ref": "main", "sha": "0" * 40},
        }
        self.reviews[number] = [
            {
                "id": 9000 + number * 10 + i,
                "node_id": f"R_{number}_{i}",
                "user": reviewer,
                "body": "",
                "state": state,
                "html_url": f"https://github.com/{self.repo}/pull/{number}#review",
                "pull_request_url": issue["pull_request"]["url"],
                "submitted_at": iso(created + timedelta(hours=1)),
                "commit_id": commit,
                "author_association": "MEMBER",
            }
            for i, (reviewer, state, commit) in enumerate(reviews)
        ]

    def touch(self, number: int, **changes: Any) -> None:
        stamp = iso(self.tick())
        self.issues[number].update(changes, updated_at=stamp)
        if number in self.pulls:
            self.pulls[number].update(changes, updated_at=stamp)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    def unauthorized(self) -> Response:
        return json_response(
            {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
            401,
        )

    def rate_limited(self, reset: float) -> Callable[[], Response]:
        """GitHub's primary limit: 403, no quota left until `reset` (Unix seconds)."""
        return lambda: json_response(
            {"message": "API rate limit exceeded for user ID 1."},
            403,
            {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(reset)),
                "X-RateLimit-Resource": "core",
            },
        )

    def _paged(self, request: Request, items: list[Any]) -> Response:
        page = int(request.args.get("page", "1"))
        chunk = items[(page - 1) * self.PAGE : page * self.PAGE]
        headers = {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": "0"}
        if page * self.PAGE < len(items):
            query = {**request.args.to_dict(), "page": str(page + 1)}
            headers["Link"] = (
                f'<{self.base_url}{request.path}?{urlencode(query)}>; rel="next", '
                f'<{self.base_url}{request.path}?page=1>; rel="first"'
            )
        return json_response(chunk, headers=headers)

    def handle(self, request: Request) -> Response:
        prefix = f"/repos/{self.repo}"
        path = request.path
        if path == f"{prefix}/issues":
            assert request.args.get("state") == "all"
            assert request.args.get("sort") == "updated"
            assert request.args.get("direction") == "asc"
            since = request.args.get("since")
            listed = sorted(self.issues.values(), key=lambda i: (i["updated_at"], i["number"]))
            if since:
                listed = [i for i in listed if i["updated_at"] >= since]
            return self._paged(request, listed)
        match = re.fullmatch(rf"{prefix}/pulls/(\d+)(/reviews)?", path)
        if match and int(match.group(1)) in self.pulls:
            number = int(match.group(1))
            if match.group(2):
                return self._paged(request, self.reviews[number])
            return json_response(self.pulls[number])
        match = re.fullmatch(r"/users/([^/]+)", path)
        if match and match.group(1) in self.users:
            return json_response(self.users[match.group(1)])
        return json_response(
            {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404
        )


# --- Jira -----------------------------------------------------------------------------------


def jira_user(
    account: str, name: str, zone: str | None, *, email: str | None = None, kind: str = "atlassian"
) -> dict[str, Any]:
    return {
        "self": f"https://contoso.atlassian.net/rest/api/3/user?accountId={account}",
        "accountId": account,
        "accountType": kind,
        "emailAddress": email,
        "displayName": name,
        "active": True,
        "timeZone": zone,
    }


def parse_jira_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def jira_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class FakeJira(FakeApi):
    PAGE = 2

    def __init__(self, server: HTTPServer, token: str, user: str | None = "audit@contoso.com"):
        super().__init__(server, token)
        self.user = user  # Cloud: Basic e-mail:token; None: Data Center, Bearer token
        self.issues: dict[str, dict[str, Any]] = {}
        self.jql: list[str] = []

    def add_issue(
        self,
        key: str,
        summary: str,
        assignee: dict[str, Any] | None,
        reporter: dict[str, Any] | None,
        *,
        components: tuple[str, ...] = (),
        hours: int = 0,
    ) -> None:
        created = T0 + timedelta(hours=hours)
        self.issues[key] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(10000 + len(self.issues)),
            "self": f"https://contoso.atlassian.net/rest/api/3/issue/{key}",
            "key": key,
            "fields": {
                "summary": summary,
                "issuetype": {"id": "10004", "name": "Bug", "subtask": False},
                "status": {"id": "3", "name": "In Progress"},
                "created": jira_time(created),
                "updated": jira_time(created),
                "resolutiondate": None,
                "components": [{"id": "1", "name": c} for c in components],
                "labels": [],
                "assignee": assignee,
                "reporter": reporter,
            },
        }

    def touch(self, key: str, **fields: Any) -> None:
        self.issues[key]["fields"].update(fields, updated=jira_time(self.tick()))

    def authorized(self, request: Request) -> bool:
        if self.user is None:
            return request.headers.get("Authorization") == f"Bearer {self.token}"
        pair = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {pair}"

    def unauthorized(self) -> Response:
        return json_response(
            {"errorMessages": ["You are not authenticated. Authentication required."]}, 401
        )

    def rate_limited(self, seconds: int) -> Callable[[], Response]:
        return lambda: Response(
            "Rate limit exceeded", status=429, headers={"Retry-After": str(seconds)}
        )

    def _matching(self, jql: str) -> list[dict[str, Any]]:
        self.jql.append(jql)
        assert jql.endswith("ORDER BY updated ASC, key ASC"), jql
        listed = sorted(self.issues.values(), key=lambda i: (i["fields"]["updated"], i["key"]))
        bound = re.search(r'updated >= "-(\d+)m"', jql)
        if bound:  # relative to the server's now: the real clock, as the collector's
            since = datetime.now(UTC) - timedelta(minutes=int(bound.group(1)))
            listed = [i for i in listed if parse_jira_time(i["fields"]["updated"]) >= since]
        return listed

    def handle(self, request: Request) -> Response:
        fields = set(request.args.get("fields", "").split(","))
        if request.path == "/rest/api/3/search/jql" and self.user is not None:
            assert {"updated", "assignee", "reporter", "components"} <= fields
            listed = self._matching(request.args["jql"])
            token = request.args.get("nextPageToken")
            start = int(base64.b64decode(token).decode()) if token else 0
            size = min(int(request.args.get("maxResults", "50")), self.PAGE)
            body: dict[str, Any] = {"issues": listed[start : start + size]}
            if start + size < len(listed):
                body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
                body["isLast"] = False
            else:
                body["isLast"] = True
            return json_response(body)
        if request.path == "/rest/api/2/search" and self.user is None:
            listed = self._matching(request.args["jql"])
            start = int(request.args.get("startAt", "0"))
            size = min(int(request.args.get("maxResults", "50")), self.PAGE)
            return json_response(
                {
                    "expand": "schema,names",
                    "startAt": start,
                    "maxResults": size,
                    "total": len(listed),
                    "issues": listed[start : start + size],
                }
            )
        return json_response({"errorMessages": ["Not found"]}, 404)


# --- Azure DevOps ---------------------------------------------------------------------------


def ado_identity(name: str, unique: str) -> dict[str, Any]:
    return {
        "displayName": name,
        "url": "https://spsprodweu5.vssps.visualstudio.com/A1/_apis/Identities/1",
        "id": "d291b0c4-a05c-4ea6-8df1-4b41d5f39eff",
        "uniqueName": unique,
        "imageUrl": "https://dev.azure.com/contoso/_apis/GraphProfile/MemberAvatars/aad.1",
        "descriptor": "aad.MTIzNDU2Nzg5",
    }


def ado_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class FakeAdo(FakeApi):
    def __init__(self, server: HTTPServer, token: str, project: str = "Collab"):
        super().__init__(server, token)
        self.project = project
        self.items: dict[int, dict[str, Any]] = {}
        self.queries: list[str] = []
        self.batch_size = 200

    def add_item(
        self, item_id: int, title: str, assigned: dict[str, Any] | None, area: str, tags: str = ""
    ) -> None:
        created = T0 + timedelta(hours=item_id % 100)
        fields: dict[str, Any] = {
            "System.Id": item_id,
            "System.AreaPath": area,
            "System.TeamProject": self.project,
            "System.WorkItemType": "Bug",
            "System.State": "Active",
            "System.CreatedDate": ado_time(created),
            "System.CreatedBy": ado_identity("Dana Ortiz", "dana.ortiz@contoso.com"),
            "System.ChangedDate": ado_time(created),
            "System.Title": title,
        }
        if assigned is not None:
            fields["System.AssignedTo"] = assigned
        if tags:
            fields["System.Tags"] = tags
        self.items[item_id] = {
            "id": item_id,
            "rev": 1,
            "fields": fields,
            "url": f"https://dev.azure.com/contoso/_apis/wit/workItems/{item_id}",
        }

    def touch(self, item_id: int, **fields: Any) -> None:
        item = self.items[item_id]
        item["rev"] += 1
        item["fields"].update(fields)
        item["fields"]["System.ChangedDate"] = ado_time(self.tick())

    def authorized(self, request: Request) -> bool:
        pair = base64.b64encode(f":{self.token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {pair}"

    def unauthorized(self) -> Response:
        return Response("", status=401, headers={"WWW-Authenticate": "Bearer"})

    def rate_limited(self, seconds: int) -> Callable[[], Response]:
        return lambda: json_response(
            {"message": "Request was blocked due to exceeding usage of resource."},
            429,
            {"Retry-After": str(seconds), "X-RateLimit-Resource": "ATCPU"},
        )

    def handle(self, request: Request) -> Response:
        if request.args.get("api-version") != "7.1":
            return json_response({"message": "api-version missing"}, 400)
        if request.path == f"/{self.project}/_apis/wit/wiql" and request.method == "POST":
            assert request.args.get("timePrecision") == "true"
            query = request.get_json()["query"]
            self.queries.append(query)
            listed = sorted(
                self.items.values(), key=lambda i: (i["fields"]["System.ChangedDate"], i["id"])
            )
            bound = re.search(r"\[System\.ChangedDate\] >= '([^']+)'", query)
            if bound:
                listed = [i for i in listed if i["fields"]["System.ChangedDate"] >= bound.group(1)]
            excluded = re.search(
                r"\(\[System\.ChangedDate\] > '([^']+)' OR \[System\.Id\] NOT IN \(([^)]*)\)\)",
                query,
            )
            if excluded:
                ids = {int(x) for x in excluded.group(2).split(",")}
                listed = [
                    i
                    for i in listed
                    if i["fields"]["System.ChangedDate"] > excluded.group(1) or i["id"] not in ids
                ]
            return json_response(
                {
                    "queryType": "flat",
                    "queryResultType": "workItem",
                    "asOf": ado_time(self.now),
                    "columns": [{"referenceName": "System.Id", "name": "ID", "url": ""}],
                    "sortColumns": [],
                    "workItems": [{"id": i["id"], "url": i["url"]} for i in listed],
                }
            )
        if request.path == f"/{self.project}/_apis/wit/workitemsbatch" and request.method == "POST":
            body = request.get_json()
            assert len(body["ids"]) <= 200 and "System.ChangedDate" in body["fields"]
            value = [
                {**self.items[i], "fields": {k: v for k, v in self.items[i]["fields"].items()}}
                if i in self.items
                else None
                for i in body["ids"]
            ]
            return json_response({"count": len(value), "value": value})
        return json_response(
            {
                "$id": "1",
                "message": f"TF200016: The following project does not exist: {request.path}.",
                "typeName": "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistException",
                "errorCode": 0,
                "eventId": 3000,
            },
            404,
        )
