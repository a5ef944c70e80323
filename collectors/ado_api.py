"""Azure DevOps work items from the REST API (Services or Server, api-version 7.1).

1. `POST {organization_url}/{project}/_apis/wit/wiql?timePrecision=true&$top=…` with the
   configured WIQL, narrowed to `[System.ChangedDate]` after the cursor and ordered by
   it: the ids of what changed, oldest change first (at most `$top` per query; the
   next query starts after the last one's newest change).
2. `POST {organization_url}/{project}/_apis/wit/workitemsbatch` with up to 200 ids, the
   fields below and `asOf` = the query's `asOf`, so a batch shows the items as the
   query ordered them (one batch is one page: stored, then the cursor moves).

Fields read: `System.Id`, `System.WorkItemType`, `System.Title`, `System.State`,
`System.AssignedTo` and `System.CreatedBy` (identity references: `displayName`,
`uniqueName`), `System.CreatedDate`, `Microsoft.VSTS.Common.ClosedDate` (else
`ResolvedDate`), `System.ChangedDate`, `System.AreaPath`, `System.Tags`. Dates are UTC.
People and items are keyed as the `ado-csv` collector keys them (the e-mail, the
id), so an exported item and the same item read here are one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors.ado_csv import _tags
from collectors.api_cursor import Cursor
from collectors.api_source import ApiCollector, ApiPage
from collectors.dates import DateFormatError, parse_iso
from collectors.http_client import ApiClient
from collectors.interface import TrackerUser, WorkItemRecord
from collectors.json_util import Node

API_VERSION = "7.1"
BATCH = 200  # workitemsbatch's maximum
WIQL_TOP = 20_000  # WIQL's maximum result size
MAX_EXCLUDED = 200  # ids stored at the cursor's time, left out of the next query
FIELDS = (
    "System.Id",
    "System.WorkItemType",
    "System.Title",
    "System.State",
    "System.AssignedTo",
    "System.CreatedBy",
    "System.CreatedDate",
    "System.ChangedDate",
    "Microsoft.VSTS.Common.ClosedDate",
    "Microsoft.VSTS.Common.ResolvedDate",
    "System.AreaPath",
    "System.Tags",
)
TOKEN_NEEDS = "the 'Work Items (Read)' scope (vso.work) on the organization"
_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)


def _wiql_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def narrowed_wiql(wiql: str, cursor: Cursor) -> str:
    """The configured WIQL restricted to items changed after the cursor, oldest first."""
    match = _WHERE.search(wiql)
    head, where = (wiql[: match.start()], wiql[match.end() :]) if match else (wiql, "")
    clauses = [f"({where.strip()})"] if where.strip() else []
    if cursor.updated is not None:
        at = _wiql_time(cursor.updated)
        clauses.append(f"[System.ChangedDate] >= '{at}'")
        ids = sorted(int(k) for k in cursor.keys if k.isdigit())
        if ids and len(ids) <= MAX_EXCLUDED:
            listed = ", ".join(str(i) for i in ids)
            clauses.append(f"([System.ChangedDate] > '{at}' OR [System.Id] NOT IN ({listed}))")
    text = head.strip()
    if clauses:
        text += " WHERE " + " AND ".join(clauses)
    return text + " ORDER BY [System.ChangedDate] ASC"


class AdoApiCollector(ApiCollector):
    kind: ClassVar[str] = "ado-api"
    identity_kind: ClassVar[str] = "ado"

    def __init__(self, client: ApiClient, project: str, wiql: str, cursor: Cursor, **kwargs: Any):
        super().__init__(client, cursor, **kwargs)
        self.project = project
        self.wiql = wiql

    def pages(self) -> Iterator[ApiPage]:
        position = self.cursor
        number = 0
        while True:
            query = self.client.post(
                f"/{self.project}/_apis/wit/wiql",
                {"query": narrowed_wiql(self.wiql, position)},
                params={"api-version": API_VERSION, "timePrecision": "true", "$top": WIQL_TOP},
            )
            root = Node(f"POST {query.url}", query.data)
            if not root.is_object():
                raise root.error("expected a WIQL result object")
            ids = [r.integer("id", required=True) for r in root.items("workItems")]
            as_of = root.text("asOf")
            for start in range(0, len(ids), BATCH):
                number += 1
                chunk = ids[start : start + BATCH]
                page = self._batch(chunk, as_of, position)
                self.count_page("the WIQL result", number, len(page.items))
                if page.items:
                    position = position.advance(page.stamps)
                    yield page
            if len(ids) < WIQL_TOP:
                return

    def _batch(self, ids: list[int | None], as_of: str | None, position: Cursor) -> ApiPage:
        body: dict[str, Any] = {"ids": ids, "fields": list(FIELDS), "errorPolicy": "Omit"}
        if as_of:
            body["asOf"] = as_of
        response = self.client.post(
            f"/{self.project}/_apis/wit/workitemsbatch", body, params={"api-version": API_VERSION}
        )
        root = Node(f"POST {response.url}", response.data)
        if not root.is_object():
            raise root.error("expected an object with 'value'")
        items: list[WorkItemRecord] = []
        stamps: list[tuple[str, datetime | None]] = []
        for entry in root.items("value"):
            if entry.value is None:  # deleted since the query (errorPolicy Omit)
                continue
            fields = entry.obj("fields", required=True)
            assert fields is not None
            key = str(entry.integer("id", required=True))
            changed = _date(fields, "System.ChangedDate")
            if position.seen(key, changed):
                continue
            items.append(_record(key, fields))
            stamps.append((key, changed))
        return ApiPage(tuple(items), tuple(stamps))


def _record(key: str, fields: Node) -> WorkItemRecord:
    assignee = _identity(fields, "System.AssignedTo")
    return WorkItemRecord(
        key=key,
        kind=fields.text("System.WorkItemType") or "",
        title=fields.text("System.Title") or "",
        status=fields.text("System.State"),
        created_at=_date(fields, "System.CreatedDate"),
        resolved_at=_date(fields, "Microsoft.VSTS.Common.ClosedDate")
        or _date(fields, "Microsoft.VSTS.Common.ResolvedDate"),
        assignee=assignee,
        reporter=_identity(fields, "System.CreatedBy"),
        assignees=(assignee,) if assignee else (),
        labels=tuple(_tags(fields.text("System.Tags"))),
        area_path=fields.text("System.AreaPath"),
    )


def _identity(fields: Node, key: str) -> TrackerUser | None:
    """An identity reference, keyed like the CSV export's `Display Name <email>`."""
    node = fields.obj(key)
    if node is None:
        return None
    name = (node.text("displayName") or "").strip()
    unique = (node.text("uniqueName") or "").strip()
    if "@" in unique and " " not in unique:
        return TrackerUser(key=unique.lower(), display_name=name or None, email=unique)
    if not unique and not name:
        raise node.error("identity has neither uniqueName nor displayName")
    shown = f"{name} <{unique}>" if name and unique else (name or unique)
    return TrackerUser(key=shown, display_name=shown, login=unique or None)


def _date(fields: Node, key: str) -> datetime | None:
    value = fields.text(key)
    if not value or not value.strip():
        return None
    try:
        return parse_iso(value)
    except DateFormatError as exc:
        raise fields.error(str(exc), key) from exc
