"""The sample organisation's exports import completely and link to its commits."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from sqlalchemy import Engine

from auditor.ingest.collect import collect_all
from auditor.kernel.config import load_config
from tests.fixtures.workspace import rows

REFERENCE = re.compile(r"\b(SPO-\d+|CLD-\d+)\b|\bAB#(\d+)\b|Fixes #(\d+)\b")


def _csv_rows(path: Path) -> int:
    return len(list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))) - 1


def test_sample_exports_import_completely_and_link(sample_workspace: Path, engine: Engine) -> None:
    loaded = load_config(sample_workspace / "auditor.toml")
    summary = collect_all(loaded, engine)  # into this test's own store
    exports = sample_workspace / "exports"
    github = json.loads((exports / "github.json").read_text())
    jira = json.loads((exports / "jira.json").read_text())
    expected = {
        "jira.csv": _csv_rows(exports / "jira.csv"),
        "jira.json": len(jira["issues"]),
        "ado.csv": _csv_rows(exports / "ado.csv"),
        "github.json": len({i["number"] for i in github["issues"] + github["pull_requests"]}),
        "roster.csv": _csv_rows(exports / "roster.csv"),
    }
    imported = {r.name: r.records for r in [*summary.trackers, *summary.rosters]}
    assert imported == expected
    assert min(expected.values()) > 10
    stored = dict(
        rows(
            engine,
            "SELECT s.name, count(w.id) FROM source s JOIN work_item w ON w.source_id = s.id "
            "GROUP BY s.name",
        )
    )
    stored["roster.csv"] = rows(engine, "SELECT count(*) FROM roster_entry")[0][0]
    assert stored == expected

    # every reference written in a commit message is a stored link to the item it names
    wanted = set()
    for sha, message in rows(engine, 'SELECT sha, message FROM "commit"'):
        for jira_key, ado_id, number in REFERENCE.findall(message):
            key = jira_key or ado_id or f"{github['repository']}#{number}"
            wanted.add((sha, key))
    linked = set(
        rows(
            engine,
            'SELECT c.sha, w.key FROM commit_work_item l JOIN "commit" c ON c.id = l.commit_id '
            "JOIN work_item w ON w.id = l.work_item_id WHERE l.via = 'message'",
        )
    )
    assert linked == wanted and len(wanted) > 1000

    # every merged pull request links its merge and head commits
    merged = [p for p in github["pull_requests"] if p.get("merged_at")]
    by_via = dict(rows(engine, "SELECT via, count(*) FROM commit_work_item GROUP BY via"))
    assert merged and by_via["merge_commit"] == len(merged)
    assert by_via["head_commit"] == len({p["head"]["sha"] for p in merged})
    assert summary.links is not None and summary.links.commits_linked > 1000
    assert summary.links.links == sum(by_via.values())

    again = collect_all(loaded, engine)
    assert all(r.skipped for r in [*again.trackers, *again.rosters])
    assert again.links == summary.links
