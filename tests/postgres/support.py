"""Store snapshots that can be compared across backends and runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

COLLECTED = (
    "source",
    "identity",
    "commit",
    "trailer",
    "path",
    "file_change",
    "work_item",
    "work_item_assignee",
    "review",
    "commit_work_item",
    "roster_entry",
)


def counts(engine: Engine, tables: tuple[str, ...] = COLLECTED) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables
        }


def commit_shas(engine: Engine) -> dict[str, list[str]]:
    """Commit shas per source name, sorted."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT s.name, c.sha FROM "commit" c JOIN source s ON s.id = c.source_id '
                "ORDER BY 1, 2"
            )
        )
        for name, sha in rows:
            out.setdefault(name, []).append(sha)
    return out


def duplicate_shas(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    'SELECT source_id, sha, count(*) FROM "commit" '
                    "GROUP BY 1, 2 HAVING count(*) > 1"
                )
            )
        )


def latest_fingerprints(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        run_id = conn.execute(
            text("SELECT max(id) FROM run WHERE status = 'ok' AND kind = 'analyze'")
        ).scalar_one()
        return sorted(
            r[0]
            for r in conn.execute(
                text("SELECT fingerprint FROM finding WHERE run_id = :r"), {"r": run_id}
            )
        )
