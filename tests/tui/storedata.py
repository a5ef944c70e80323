"""A small, deterministic store for view and TUI tests, with hostile text planted in it.

Written with the store helpers (no collectors, no resolution) so the numbers are
known exactly: the window is 2026-04-05..2026-10-01 (180 days as of 2026-10-01).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from auditor.kernel.config import AuditorConfig, LoadedConfig, WaiverConfig, parse_config
from auditor.store import models
from auditor.store.engine import bulk_insert, transaction
from tests.derived_rows import ensure_resolution, insert_derived

AS_OF = date(2026, 10, 1)

# Payloads that would quit the app, restyle it or drive the terminal if interpreted.
MARKUP_NAME = "[@click=app.quit]Mallory[/] [bold]Root[/bold]"
ANSI_MESSAGE = "Fix \x1b[31mred\x1b[0m and \x1b]8;;https://evil.example\x07link\x1b]8;;\x07"
BIDI_PATH = "src/onprem/\u202eevil.py\u202c"
MARKUP_PATH = "src/onprem/[/]odd[b].py"
HOSTILE_TITLE = "Harden NTLM [@click=app.quit]now[/] \x1b[2J\u2066x\u2069"
HOSTILE_COMPONENT = "Gateway [red]OnPrem[/red]"

CONFIG_TOML = {
    "jurisdictions": {
        "high": ["CN", "RU"],
        "elevated": ["BY"],
        "reasons": {"CN": "Vulnerability disclosure to the state within 2 days"},
    },
    "components": [
        {
            "name": "Collab OnPrem",
            "sensitivity": "critical",
            "paths": ["collab-server:src/onprem/**"],
        },
        {"name": HOSTILE_COMPONENT, "sensitivity": "high", "paths": ["collab-server:src/gw/**"]},
        {"name": "Docs", "sensitivity": "low", "paths": ["collab-server:docs/**"]},
    ],
    "policy": {"window_days": 180},
    "waivers": [
        {
            "fingerprint": "fp0003",
            "reason": "HR confirms the move to Shanghai",
            "approved_by": "ciso@example.com",
            "ticket": "SEC-7",
            "expires": "2027-03-31",
        },
        {  # expired before as_of: no longer applies
            "rule": "PV101",
            "component": "Collab OnPrem",
            "reason": "transfer under way",
            "approved_by": "ciso@example.com",
            "expires": "2026-09-01",
        },
    ],
}


def config() -> AuditorConfig:
    return parse_config(CONFIG_TOML)


def loaded_config(base: Path) -> LoadedConfig:
    return LoadedConfig(config(), base / "auditor.toml", b"")


def _ts(day: str, hour: int = 10) -> int:
    y, m, d = (int(x) for x in day.split("-"))
    return int(datetime(y, m, d, hour, tzinfo=UTC).timestamp())


def populate(engine: Engine) -> None:
    """Fill `engine` with the fixed organisation described in the module docstring."""
    with transaction(engine) as conn:
        bulk_insert(
            conn,
            models.Source,
            [
                {
                    "id": 1,
                    "name": "collab-server",
                    "kind": "git",
                    "location": "repos/collab",
                    "records": 9,
                },
                {
                    "id": 2,
                    "name": "jira.csv",
                    "kind": "jira-csv",
                    "location": "exports/jira.csv",
                    "records": 2,
                },
            ],
        )
        bulk_insert(
            conn,
            models.Identity,
            [
                _ident(1, "git", "Alice Chen <alice@contoso.ie>", "Alice Chen", "alice@contoso.ie"),
                _ident(2, "git", "Bo Zhang <bo@contoso.cn>", "Bo Zhang", "bo@contoso.cn"),
                _ident(3, "git", f"{MARKUP_NAME} <m@example.com>", MARKUP_NAME, "m@example.com"),
                _ident(4, "jira", "712020:9f1c", "Bo Zhang", None, "Asia/Shanghai"),
                _ident(
                    5,
                    "git",
                    "dependabot[bot] <bot@github.com>",
                    "dependabot[bot]",
                    "bot@github.com",
                ),
            ],
        )
        bulk_insert(
            conn,
            models.Path,
            [
                {"id": 1, "path": "src/onprem/auth.py"},
                {"id": 2, "path": "src/onprem/farm.py"},
                {"id": 3, "path": BIDI_PATH},
                {"id": 4, "path": "src/gw/proxy.py"},
                {"id": 5, "path": "docs/readme.md"},
                {"id": 6, "path": MARKUP_PATH},
            ],
        )
        commits = [
            # id, sha, author, day, offset, message, changes [(path, added, deleted)]
            (1, "a1" * 20, 1, "2026-05-04", 60, "Add farm auth", [(1, 40, 0), (2, 20, 0)]),
            (2, "b2" * 20, 2, "2026-06-10", 480, "Harden NTLM OnPrem-1", [(1, 80, 20)]),
            (3, "c3" * 20, 2, "2026-07-15", 480, ANSI_MESSAGE, [(3, 50, 0), (6, 10, 0)]),
            (
                4,
                "d4" * 20,
                3,
                "2026-08-20",
                480,
                "Proxy [bold]tweak[/bold]",
                [(4, 30, 10), (1, 20, 0)],
            ),
            (5, "e5" * 20, 1, "2026-09-01", 60, "Docs", [(5, 5, 5)]),
            (6, "f6" * 20, 5, "2026-09-02", 0, "Bump deps", [(1, 1, 1)]),
            # before the window: counted nowhere in window figures
            (7, "07" * 20, 2, "2026-01-10", 480, "Old change", [(2, 999, 0)]),
        ]
        bulk_insert(
            conn,
            models.Commit,
            [
                {
                    "id": cid,
                    "source_id": 1,
                    "sha": sha,
                    "parents": "",
                    "author_id": author,
                    "committer_id": author,
                    "authored_at": _ts(day),
                    "author_offset": offset,
                    "committed_at": _ts(day),
                    "committer_offset": offset,
                    "message": message,
                    "added": sum(a for _, a, _ in changes),
                    "deleted": sum(d for _, _, d in changes),
                    "files": len(changes),
                    "flags": [],
                }
                for cid, sha, author, day, offset, message, changes in commits
            ],
        )
        bulk_insert(
            conn,
            models.FileChange,
            [
                {"commit_id": cid, "path_id": pid, "added": a, "deleted": d}
                for cid, _, _, _, _, _, changes in commits
                for pid, a, d in changes
            ],
        )
        insert_derived(
            conn,
            models.Component,
            [
                {
                    "id": 1,
                    "name": "Collab OnPrem",
                    "sensitivity": "critical",
                    "paths": ["collab-server:src/onprem/**"],
                },
                {
                    "id": 2,
                    "name": HOSTILE_COMPONENT,
                    "sensitivity": "high",
                    "paths": ["collab-server:src/gw/**"],
                },
                {"id": 3, "name": "Docs", "sensitivity": "low", "paths": ["collab-server:docs/**"]},
            ],
        )
        insert_derived(
            conn,
            models.PathComponent,
            [
                {"source_id": 1, "path_id": p, "component_id": c}
                for p, c in ((1, 1), (2, 1), (3, 1), (6, 1), (4, 2), (5, 3))
            ],
        )
        insert_derived(
            conn,
            models.Person,
            [
                {
                    "id": 1,
                    "key": "alice@contoso.ie",
                    "name": "Alice Chen",
                    "primary_email": "alice@contoso.ie",
                    "bot": False,
                },
                {
                    "id": 2,
                    "key": "bo@contoso.cn",
                    "name": "Bo Zhang",
                    "primary_email": "bo@contoso.cn",
                    "bot": False,
                },
                {
                    "id": 3,
                    "key": "m@example.com",
                    "name": MARKUP_NAME,
                    "primary_email": "m@example.com",
                    "bot": False,
                },
                {
                    "id": 4,
                    "key": "bot@github.com",
                    "name": "dependabot[bot]",
                    "primary_email": "bot@github.com",
                    "bot": True,
                },
            ],
        )
        insert_derived(
            conn,
            models.PersonIdentity,
            [
                {"identity_id": 1, "person_id": 1, "via": "email"},
                {"identity_id": 2, "person_id": 2, "via": "email"},
                {"identity_id": 4, "person_id": 2, "via": "name"},
                {"identity_id": 3, "person_id": 3, "via": "email"},
                {"identity_id": 5, "person_id": 4, "via": "email"},
            ],
        )
        insert_derived(
            conn,
            models.LocationEvidence,
            [
                _ev(1, 1, "roster", "IE", ["IE"], 1.0, "roster.csv:2"),
                _ev(2, 2, "roster", "SG", ["SG"], 1.0, "roster.csv:3", None, date(2026, 5, 31)),
                _ev(3, 2, "tracker_tz", "Asia/Shanghai", ["CN"], 0.6, "identity:4"),
                _ev(4, 2, "email_domain", "contoso.cn", ["CN"], 0.4, "identity:2"),
                _ev(
                    5,
                    3,
                    "tz_offset",
                    "+0800 x 1 in 2026-08",
                    ["CN", "SG", "MY"],
                    0.1,
                    f"commit:{'d4' * 20}",
                ),
                _ev(6, 3, "profile_location", "[bold]Earth[/bold] \x1b[5m", [], 0.2, "identity:3"),
            ],
        )
        insert_derived(
            conn,
            models.ResolvedLocation,
            [
                _loc(1, "IE", ["IE"], 0.95, None, None, [1]),
                _loc(2, "SG", ["SG"], 0.9, None, date(2026, 5, 31), [2]),
                _loc(2, "CN", ["CN"], 0.7, date(2026, 6, 1), None, [3, 4]),
                _loc(3, None, ["CN", "MY", "SG"], 0.2, None, None, [5, 6]),
            ],
        )
        insert_derived(
            conn,
            models.LocationConflict,
            [
                {
                    "person_id": 2,
                    "description": "roster says SG, tracker zone says CN",
                    "countries": ["SG", "CN"],
                    "evidence_ids": [2, 3],
                    "valid_from": date(2026, 5, 1),
                    "valid_to": date(2026, 5, 31),
                }
            ],
        )
        bulk_insert(
            conn,
            models.WorkItem,
            [
                {
                    "id": 1,
                    "source_id": 2,
                    "key": "OnPrem-1",
                    "kind": "Bug",
                    "title": HOSTILE_TITLE,
                    "status": "Done",
                    "created_at": datetime(2026, 6, 1, tzinfo=UTC),
                    "assignee_id": 4,
                    "components": ["OnPrem"],
                },
                {
                    "id": 2,
                    "source_id": 2,
                    "key": "OnPrem-2",
                    "kind": "Task",
                    "title": "Rotate farm keys",
                    "status": "Open",
                    "created_at": datetime(2026, 7, 1, tzinfo=UTC),
                    "assignee_id": None,
                    "components": ["OnPrem"],
                },
            ],
        )
        insert_derived(
            conn,
            models.WorkItemComponent,
            [{"work_item_id": 1, "component_id": 1}, {"work_item_id": 2, "component_id": 1}],
        )
        bulk_insert(
            conn,
            models.Run,
            [
                {
                    "id": 1,
                    "kind": "analyze",
                    "started_at": datetime(2026, 10, 1, 8, tzinfo=UTC),
                    "finished_at": datetime(2026, 10, 1, 8, 1, tzinfo=UTC),
                    "as_of": AS_OF,
                    "status": "ok",
                    "stats": {},
                    "resolution_id": ensure_resolution(conn),
                }
            ],
        )
        bulk_insert(
            conn,
            models.StoredFinding,
            [
                _finding(
                    1,
                    "PV101",
                    "high",
                    "high",
                    "Collab OnPrem",
                    "CN",
                    "Collab OnPrem: 52% of churn in the window from high-risk jurisdictions",
                    [{"kind": "commit", "ref": "b2" * 20}, {"kind": "commit", "ref": "c3" * 20}],
                    {"share_min": 0.52, "share_max": 0.6, "threshold": 0.25},
                ),
                _finding(
                    2,
                    "PV102",
                    "high",
                    "medium",
                    "Collab OnPrem",
                    "Bo Zhang",
                    "Top maintainer Bo Zhang is located in CN",
                    [
                        {"kind": "commit", "ref": "b2" * 20},
                        {"kind": "work_item", "ref": "OnPrem-1"},
                    ],
                    {"churn": 160, "person": 2},
                ),
                _finding(
                    3,
                    "PV107",
                    "medium",
                    "high",
                    None,
                    "Bo Zhang",
                    "Conflicting location evidence for Bo Zhang: SG vs CN",
                    [
                        {"kind": "location_evidence", "ref": "2"},
                        {"kind": "location_evidence", "ref": "3"},
                    ],
                    {},
                    waiver=CONFIG_TOML["waivers"][0],  # as the run's triage stored it
                ),
                _finding(
                    4,
                    "PV103",
                    "low",
                    "low",
                    HOSTILE_COMPONENT,
                    MARKUP_NAME,
                    f"Ambiguous location of {MARKUP_NAME} \x1b[31m",
                    [{"kind": "commit", "ref": "d4" * 20}],
                    {"share_max": 1.0},
                ),
            ],
        )


def _ident(
    i: int, kind: str, key: str, name: str, email: str | None, zone: str | None = None
) -> dict[str, object]:
    # executemany takes its columns from the first row: every row names every column
    return {"id": i, "kind": kind, "key": key, "name": name, "email": email, "time_zone": zone}


def _ev(
    i: int,
    person: int,
    kind: str,
    value: str,
    countries: list[str],
    weight: float,
    ref: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> dict[str, object]:
    return {
        "id": i,
        "person_id": person,
        "kind": kind,
        "value": value,
        "countries": countries,
        "weight": weight,
        "ref": ref,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _loc(
    person: int,
    country: str | None,
    candidates: list[str],
    confidence: float,
    valid_from: date | None,
    valid_to: date | None,
    evidence: list[int],
) -> dict[str, object]:
    return {
        "person_id": person,
        "country": country,
        "candidates": candidates,
        "confidence": confidence,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "evidence_ids": evidence,
    }


def _finding(
    i: int,
    rule: str,
    severity: str,
    confidence: str,
    component: str | None,
    subject: str | None,
    message: str,
    evidence: list[dict[str, str]],
    data: dict[str, object],
    waiver: dict[str, str] | None = None,
) -> dict[str, object]:
    terms = WaiverConfig.model_validate(waiver) if waiver else None
    return {
        "id": i,
        "run_id": 1,
        "fingerprint": f"fp{i:04d}",
        "rule": rule,
        "severity": severity,
        "confidence": confidence,
        "component": component,
        "subject": subject,
        "message": message,
        "evidence": evidence,
        "data": data,
        "status": "waived" if terms else "new",
        "waiver_id": terms.id if terms else None,
        "waiver": terms.model_dump(mode="json") if terms else None,
    }
