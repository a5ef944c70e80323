"""A small store for export tests: two quarters of history, resolved, with stored findings.

Findings are written as rows of a stored run (as `auditor.evaluate.run` does) so the
tests choose exactly which findings each quarter has; end-to-end tests run the
real analysis instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine

from auditor.evaluate.run import finding_from_row
from auditor.kernel.config import LoadedConfig
from auditor.kernel.findings import finding_fingerprint
from auditor.report.triage import configured
from auditor.resolve.pipeline import resolve_all
from auditor.store import models
from auditor.store.engine import transaction
from tests.auditor.resolve_support import StoreBuilder, write_config

CONFIG = """
[[git]]
name = "server"
path = "repos/server"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]
[jurisdictions.reasons]
CN = "Vulnerability disclosure to the state within 2 days"

[[components]]
name = "OnPrem"
sensitivity = "critical"
tags = ["on-prem"]
paths = ["server:src/onprem/**"]

[[components]]
name = "Docs"
paths = ["server:docs/**"]

[[waivers]]
rule = "PV101"
component = "OnPrem"
reason = "Transfer to Dublin under way, see Chen Wei's plan; ask dora.fischer@corp.example"
approved_by = "ciso@corp.example"
ticket = "SEC-12"
expires = "2027-03-31"

[[waivers]]
rule = "PV104"
component = "Docs"
reason = "Old exception"
approved_by = "Dora Fischer"
expires = "2026-01-31"
"""

# Every name and e-mail of the people in this store: none may appear in a pseudonymized export.
PEOPLE = {
    "Chen Wei": "chen.wei@corp.example",
    "Dora Fischer": "dora.fischer@corp.example",
    "Amber Lin": "amber@example.com",
    "Uma Okafor": "uma@example.com",
}
ROSTER_ONLY = {"Ciso Office": "ciso@corp.example"}
Q2_END = date(2026, 6, 30)
Q3_END = date(2026, 9, 30)


def build_store(engine: Engine, directory: Path) -> LoadedConfig:
    s = StoreBuilder(engine)
    repo = s.source("server")
    roster = s.source("roster.csv", kind="roster", location="roster.csv")
    ids = {name: s.git_identity(name, email) for name, email in PEOPLE.items()}
    s.roster(roster, 2, PEOPLE["Chen Wei"], "Chen Wei", "CN")
    s.roster(roster, 3, PEOPLE["Dora Fischer"], "Dora Fischer", "DE")
    s.roster(roster, 4, ROSTER_ONLY["Ciso Office"], "Ciso Office", "DE")
    # Q2
    s.commit(repo, ids["Dora Fischer"], "2026-05-04T10:00:00+02:00", {"src/onprem/a.c": (50, 10)})
    s.commit(repo, ids["Chen Wei"], "2026-05-05T10:00:00+08:00", {"src/onprem/a.c": (10, 0)})
    # Q3
    s.commit(repo, ids["Chen Wei"], "2026-08-04T10:00:00+08:00", {"src/onprem/a.c": (60, 20)})
    s.commit(repo, ids["Chen Wei"], "2026-08-06T10:00:00+08:00", {"docs/x.md": (5, 0)})
    s.commit(repo, ids["Dora Fischer"], "2026-08-05T10:00:00+02:00", {"src/onprem/b.c": (15, 5)})
    s.commit(repo, ids["Amber Lin"], "2026-08-06T10:00:00+08:00", {"src/onprem/c.c": (20, 0)})
    s.commit(repo, ids["Uma Okafor"], "2026-09-07T10:00:00+00:00", {"docs/y.md": (10, 0)})
    return write_config(directory, CONFIG)


def finding(
    rule: str, component: str | None, subject: str, message: str, **extra: Any
) -> dict[str, Any]:
    return {
        "fingerprint": finding_fingerprint(rule, component, subject),
        "rule": rule,
        "severity": extra.pop("severity", "high"),
        "confidence": extra.pop("confidence", "high"),
        "component": component,
        "subject": subject,
        "message": message,
        "evidence": extra.pop("evidence", []),
        "data": extra.pop("data", {}),
        "status": "new",
    }


def store_run(
    engine: Engine, loaded: LoadedConfig, as_of: date, findings: list[dict[str, Any]]
) -> int:
    """Resolve as of `as_of` and store an analysis run with exactly `findings`, each with the
    status and waiver the configuration's triage gives it (as `analyze` stores them)."""
    resolution = resolve_all(engine, loaded, as_of)
    verdicts = configured(loaded, as_of)(
        [finding_from_row(SimpleNamespace(**item)) for item in findings]
    ).by_fingerprint
    moment = datetime(2026, 10, 1, tzinfo=UTC)
    with transaction(engine) as conn:
        inserted = conn.execute(
            models.Run.insert().values(
                kind="analyze",
                started_at=moment,
                finished_at=moment,
                as_of=as_of,
                status="ok",
                stats={},
                resolution_id=resolution.id,
            )
        )
        run_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        for item in findings:
            verdict = verdicts[item["fingerprint"]]
            waiver_id = verdict.waiver.id if verdict.waiver else None
            conn.execute(
                models.StoredFinding.insert().values(
                    run_id=run_id, **{**item, "status": verdict.status, "waiver_id": waiver_id}
                )
            )
    return run_id


TOP_MAINTAINER_Q2 = finding(
    "PV102",
    "OnPrem",
    "Dora Fischer",
    "Dora Fischer (DE) is the top maintainer; e-mail dora.fischer@corp.example",
    severity="medium",
)
TOP_MAINTAINER = finding(
    "PV102",
    "OnPrem",
    "Chen Wei",
    "Chen Wei (CN) is the top maintainer of OnPrem with 62% of churn",
    evidence=[{"kind": "commit", "ref": "a" * 40}],
    data={"churn": 80, "share": 0.6153846153846154},
)
HIGH_SHARE = finding(
    "PV101",
    "OnPrem",
    "high-risk jurisdictions",
    "62% of OnPrem churn from high-risk jurisdictions (Chen Wei)",
    severity="critical",
    data={"share_min": 0.6153846153846154, "share_max": 0.7692307692307693},
)
UNKNOWN_DOCS = finding(
    "PV104", "Docs", "unknown locations", "Docs: 67% of churn by people of unknown location"
)
