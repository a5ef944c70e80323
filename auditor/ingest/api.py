"""Store live tracker sources (GitHub, Jira, Azure DevOps APIs): one transaction per page.

Each page of changed items is written like an export's items (`ingest_tracker`:
upserted on (source, key), identities shared with the file kinds) together with
the source's new cursor (`Source.head`), in one transaction. A run that fails
keeps its whole pages and the next run resumes after the last one; a re-run with
nothing new asks each source once.

Tokens are read from the environment variables the configuration names and go
only into request headers: never into the store, a message or a record.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from auditor.ingest.trackers import ImportResult, tracker_name
from auditor.ingest.trackers import _check_names as check_source_names
from auditor.ingest.trackers import _upsert_source as upsert_source
from auditor.ingest.trackers import _write_items as write_items
from auditor.kernel.config import LoadedConfig, TrackerSource
from auditor.kernel.errors import ApiError, ConfigError
from auditor.store import models
from auditor.store.engine import transaction
from collectors import ado_api, github_api, jira_api
from collectors.api_cursor import Cursor
from collectors.api_source import ApiCollector
from collectors.http_client import ApiClient, ApiProgress, AuthHelp, Clock

GITHUB_API = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class _Target:
    client: ApiClient
    collector: ApiCollector
    location: str  # what the store and reports call the source: no credentials


def import_api_trackers(
    loaded: LoadedConfig,
    engine: Engine,
    *,
    only: Collection[str] | None = None,
    clock: Clock | None = None,
    notify: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> list[ImportResult]:
    """Collect every API `[[tracker]]` (or those named in `only`), in configuration order.

    `progress(name, items, None)` follows each page (the total is unknown);
    `notify` gets waits and retries.
    """
    check_source_names(loaded)
    env = os.environ if environ is None else environ
    results = []
    for index, src in enumerate(loaded.config.tracker):
        if not src.is_api or (only is not None and tracker_name(src) not in only):
            continue
        results.append(import_api_source(engine, loaded, index, src, clock, notify, env, progress))
    return results


def import_api_source(
    engine: Engine,
    loaded: LoadedConfig,
    index: int,
    src: TrackerSource,
    clock: Clock | None,
    notify: Callable[[str], None] | None,
    environ: Mapping[str, str],
    on_page: Callable[[str, int, int | None], None] | None = None,
) -> ImportResult:
    name = tracker_name(src)
    srct = models.Source
    with engine.connect() as conn:
        existing = conn.execute(select(srct.c.kind, srct.c.head).where(srct.c.name == name)).first()
    if existing is not None and existing.kind != src.kind:
        raise ConfigError(
            f"source name {name!r} is already used in the store by a {existing.kind} source; "
            f"give this one a distinct 'name'",
            location=loaded.where("tracker", index, "kind"),
            field=f"tracker[{index}].name",
        )
    cursor = Cursor.loads(existing.head if existing else None, source=name)

    def say(message: str) -> None:
        if notify is not None:
            notify(f"{name}: {message}")

    progress = ApiProgress(notify=say)
    target = _target(loaded, index, src, cursor, clock, progress, environ)
    added = updated = unchanged = 0
    with target.client:
        for page in target.collector.pages():
            with transaction(engine) as conn:
                source_id = upsert_source(
                    conn, name, src.kind, target.location, target.collector.extra
                )
                a, u, c = write_items(
                    conn, source_id, target.collector.identity_kind, list(page.items)
                )
                added, updated, unchanged = added + a, updated + u, unchanged + c
                cursor = cursor.advance(page.stamps)
                _record_position(conn, source_id, cursor)
            if on_page is not None:
                on_page(name, progress.items, None)
    with transaction(engine) as conn:  # a quiet source is still a known, checked source
        source_id = upsert_source(conn, name, src.kind, target.location, target.collector.extra)
        records = _record_position(conn, source_id, cursor)
    return ImportResult(
        name,
        src.kind,
        target.location,
        "",
        records,
        added=added,
        updated=updated,
        unchanged=unchanged,
        skipped=added + updated == 0,
        note=progress.summary(),
    )


def _record_position(conn: Connection, source_id: int, cursor: Cursor) -> int:
    """Store the cursor and the item count; never moves back past what another job stored.

    The source row is locked by the transaction's upsert, so concurrent collectors of
    one source (PostgreSQL) serialise here.
    """
    wi, srct = models.WorkItem, models.Source
    stored = conn.execute(select(srct.c.name, srct.c.head).where(srct.c.id == source_id)).one()
    cursor = cursor.later(Cursor.loads(stored.head, source=stored.name))
    records = int(
        conn.execute(
            select(func.count()).select_from(wi).where(wi.c.source_id == source_id)
        ).scalar_one()
    )
    conn.execute(
        update(srct)
        .where(srct.c.id == source_id)
        .values(head=cursor.dumps(), records=records, updated_at=datetime.now(UTC))
    )
    return records


def _secret(
    loaded: LoadedConfig,
    index: int,
    key: str,
    variable: str,
    environ: Mapping[str, str],
    needs: str,
) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise ApiError(
            f"environment variable {variable} is not set or empty; it must hold {needs}",
            location=loaded.where("tracker", index, key),
            field=f"tracker[{index}].{key}",
        )
    return value


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _target(
    loaded: LoadedConfig,
    index: int,
    src: TrackerSource,
    cursor: Cursor,
    clock: Clock | None,
    progress: ApiProgress,
    environ: Mapping[str, str],
) -> _Target:
    def client(
        base: str, service: str, headers: dict[str, str], needs: str, missing: str
    ) -> ApiClient:
        return ApiClient(
            base,
            service=service,
            headers=headers,
            auth=AuthHelp(src.token_env, needs),
            not_found=missing,
            clock=clock,
            progress=progress,
        )

    if src.kind == "github-api":
        base = (src.api_url or GITHUB_API).rstrip("/")
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if src.token_env:
            token = _secret(
                loaded, index, "token_env", src.token_env, environ, github_api.TOKEN_NEEDS
            )
            headers["Authorization"] = f"Bearer {token}"
        gh = client(
            base,
            "GitHub",
            headers,
            github_api.TOKEN_NEEDS,
            f"repository {src.repo!r} does not exist at {base}",
        )
        return _Target(
            gh, github_api.GitHubApiCollector(gh, str(src.repo), cursor), f"{base}/repos/{src.repo}"
        )
    if src.kind == "jira-api":
        base = str(src.url).rstrip("/")
        token = _secret(
            loaded, index, "token_env", str(src.token_env), environ, jira_api.TOKEN_NEEDS
        )
        cloud = src.user_env is not None
        if cloud:
            user = _secret(
                loaded, index, "user_env", str(src.user_env), environ, "the Jira account's e-mail"
            )
            auth = _basic(user, token)
        else:
            auth = f"Bearer {token}"
        jira = client(
            base,
            "Jira",
            {"Accept": "application/json", "Authorization": auth},
            jira_api.TOKEN_NEEDS,
            f"no Jira search API at {base} (is it the site URL, and Cloud vs Data Center right: "
            f"user_env set means Cloud?)",
        )
        collector = jira_api.JiraApiCollector(jira, str(src.jql), cursor, cloud=cloud)
        return _Target(jira, collector, base)
    base = str(src.organization_url).rstrip("/")
    token = _secret(loaded, index, "token_env", str(src.token_env), environ, ado_api.TOKEN_NEEDS)
    ado = client(
        base,
        "Azure DevOps",
        {"Accept": "application/json", "Authorization": _basic("", token)},
        ado_api.TOKEN_NEEDS,
        f"project {src.project!r} does not exist in {base}",
    )
    work_items = ado_api.AdoApiCollector(ado, str(src.project), str(src.wiql), cursor)
    return _Target(ado, work_items, f"{base}/{src.project}")
