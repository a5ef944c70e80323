"""Benchmark: resolution + attribution on a 100k-commit history (target ≤ 10 s).

The store is filled directly with Core bulk inserts (deterministic synthetic
organisation: 240 authors in a dozen countries, roster rows with relocations,
tracker zones, a few bots, 100k commits over three years touching 6,000
paths), so that the figure measures `resolve_all` and
`component_attribution`, not collection. `run(workdir, quick)` returns one
dict per measurement for `benchmarks/run.py`.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor import models
from auditor.attribution import component_attribution
from auditor.config import load_config
from auditor.locations.index import LocationIndex
from auditor.resolve import resolve_all
from auditor.store import bulk_insert, make_engine, table, transaction

TARGET_SECONDS = 10.0
AS_OF = date(2026, 9, 30)
# (country, offset in minutes in January, in July, IANA zone)
PLACES = [
    ("DE", 60, 120, "Europe/Berlin"),
    ("IE", 0, 60, "Europe/Dublin"),
    ("US", -480, -420, "America/Los_Angeles"),
    ("US", -300, -240, "America/New_York"),
    ("CN", 480, 480, "Asia/Shanghai"),
    ("SG", 480, 480, "Asia/Singapore"),
    ("IN", 330, 330, "Asia/Kolkata"),
    ("RU", 180, 180, "Europe/Moscow"),
    ("BY", 180, 180, "Europe/Minsk"),
    ("PL", 60, 120, "Europe/Warsaw"),
    ("NP", 345, 345, "Asia/Kathmandu"),
    ("GB", 0, 60, "Europe/London"),
]

CONFIG = """
[store]
url = "sqlite:///bench-resolve.db"

[[git]]
name = "synthetic"
path = "repos/synthetic"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[[components]]
name = "OnPrem"
sensitivity = "critical"
paths = ["synthetic:src/onprem/**"]

[[components]]
name = "Gateway"
sensitivity = "high"
paths = ["synthetic:src/gateway/**", "synthetic:*.proto"]

[[components]]
name = "Web"
paths = ["synthetic:src/web/**"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["synthetic:docs/**", "synthetic:*.md"]
"""


def build_store(workdir: Path, commits: int, seed: int = 7) -> Path:
    """Write auditor.toml and a store with `commits` synthetic commits; return the config path."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "auditor.toml"
    config.write_text(CONFIG, encoding="utf-8")
    db = workdir / "bench-resolve.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    loaded = load_config(config)
    engine = make_engine(loaded.store_url)
    rng = random.Random(seed)
    areas = ["src/onprem", "src/gateway", "src/web", "docs", "tools", "lib"]
    paths = [f"{rng.choice(areas)}/m{i // 40}/f{i}.c" for i in range(6000)] + ["README.md"]
    start = datetime(2023, 10, 1, tzinfo=UTC)
    span = int((datetime(2026, 9, 30, tzinfo=UTC) - start).total_seconds())
    with transaction(engine) as conn:
        bulk_insert(
            conn,
            table(models.Source),
            [
                {"id": 1, "name": "synthetic", "kind": "git", "location": "repos/synthetic"},
                {"id": 2, "name": "roster.csv", "kind": "roster", "location": "roster.csv"},
                {"id": 3, "name": "jira.json", "kind": "jira-json", "location": "jira.json"},
            ],
        )
        bulk_insert(
            conn, table(models.Path), [{"id": i + 1, "path": p} for i, p in enumerate(paths)]
        )
        identities, roster, authors = [], [], []
        for n in range(240):
            place = PLACES[n % len(PLACES)]
            email = f"dev{n}@corp.example" if n % 5 else f"dev{n}@gmail.com"
            identities.append(
                {
                    "id": n + 1,
                    "kind": "git",
                    "key": f"Dev {n} <{email}>",
                    "name": f"Dev {n}",
                    "email": email,
                    "mapped_name": f"Dev {n}",
                    "mapped_email": email,
                }
            )
            moved = PLACES[(n + 5) % len(PLACES)] if n % 17 == 0 else None
            if n % 4:
                if moved:
                    roster.append(
                        {
                            "source_id": 2,
                            "line": len(roster) + 2,
                            "email": email,
                            "name": f"Dev {n}",
                            "country": place[0],
                            "valid_to": date(2025, 3, 31),
                        }
                    )
                    roster.append(
                        {
                            "source_id": 2,
                            "line": len(roster) + 2,
                            "email": email,
                            "name": f"Dev {n}",
                            "country": moved[0],
                            "valid_from": date(2025, 4, 1),
                        }
                    )
                else:
                    roster.append(
                        {
                            "source_id": 2,
                            "line": len(roster) + 2,
                            "email": email,
                            "name": f"Dev {n}",
                            "country": place[0],
                        }
                    )
            elif n % 8 == 0:
                identities.append(
                    {
                        "id": 1000 + n,
                        "kind": "jira",
                        "key": f"acc-{n}",
                        "name": f"Dev {n}",
                        "time_zone": place[3],
                    }
                )
            authors.append((n + 1, place, moved))
        for b in range(3):
            identities.append(
                {
                    "id": 900 + b,
                    "kind": "git",
                    "key": f"bot{b}[bot] <b{b}@x>",
                    "name": f"bot{b}[bot]",
                    "email": f"{b}+bot{b}[bot]@users.noreply.github.com",
                    "mapped_name": f"bot{b}[bot]",
                    "mapped_email": f"{b}+bot{b}[bot]@users.noreply.github.com",
                }
            )
            authors.append((900 + b, ("", 0, 0, ""), None))
        bulk_insert(conn, table(models.Identity), _uniform(identities))
        bulk_insert(conn, table(models.RosterEntry), _uniform(roster))
        commit_rows, change_rows = [], []
        change_id = 0
        for c in range(1, commits + 1):
            author, place, moved = authors[rng.randrange(len(authors))]
            when = start + timedelta(seconds=rng.randrange(span))
            here = moved if moved and when.date() >= date(2025, 4, 1) else place
            offset = here[2] if 4 <= when.month <= 10 else here[1]
            merge = c % 25 == 0
            files = [] if merge else rng.sample(range(1, len(paths) + 1), rng.randint(1, 4))
            added, deleted = rng.randint(1, 80), rng.randint(0, 40)
            commit_rows.append(
                {
                    "id": c,
                    "source_id": 1,
                    "sha": f"{c:040x}",
                    "parents": "",
                    "author_id": author,
                    "committer_id": author,
                    "authored_at": int(when.timestamp()),
                    "author_offset": offset,
                    "committed_at": int(when.timestamp()),
                    "committer_offset": offset,
                    "message": "",
                    "is_merge": merge,
                    "added": added * len(files),
                    "deleted": deleted * len(files),
                    "files": len(files),
                    "flags": [],
                }
            )
            for path_id in files:
                change_id += 1
                change_rows.append(
                    {
                        "id": change_id,
                        "commit_id": c,
                        "path_id": path_id,
                        "added": added,
                        "deleted": deleted,
                    }
                )
        bulk_insert(conn, table(models.Commit), commit_rows)
        bulk_insert(conn, table(models.FileChange), change_rows)
    engine.dispose()
    return config


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Executemany batches need the same keys in every row."""
    keys = {k for row in rows for k in row}
    return [{k: row.get(k) for k in keys} for row in rows]


def run(workdir: Path, quick: bool) -> list[dict[str, Any]]:
    commits = 20_000 if quick else 100_000
    config = build_store(Path(workdir) / "resolve", commits)
    loaded = load_config(config)
    engine = make_engine(loaded.store_url)
    try:
        t0 = time.perf_counter()
        summary = resolve_all(engine, loaded, AS_OF)
        t1 = time.perf_counter()
        index = LocationIndex.load(engine)
        attribution = component_attribution(
            engine, loaded, AS_OF - timedelta(days=179), AS_OF, index=index
        )
        t2 = time.perf_counter()
        again = resolve_all(engine, loaded, AS_OF)
        t3 = time.perf_counter()
    finally:
        engine.dispose()
    assert again == summary  # idempotent
    assert sum(a.commits for a in attribution) > 0
    total = (t1 - t0) + (t2 - t1)
    return [
        {
            "name": "resolve_all",
            "commits": commits,
            "seconds": round(t1 - t0, 3),
            "people": summary.people,
            "evidence": summary.evidence,
            "periods": summary.periods,
        },
        {
            "name": "component_attribution (180 days)",
            "commits": commits,
            "seconds": round(t2 - t1, 3),
            "components": len(attribution),
        },
        {
            "name": "resolve_all again (idempotent)",
            "commits": commits,
            "seconds": round(t3 - t2, 3),
        },
        {
            "name": "resolution + attribution",
            "commits": commits,
            "seconds": round(total, 3),
            "target_seconds": TARGET_SECONDS,
            "ok": total <= TARGET_SECONDS or quick,
        },
    ]


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(Path(tmp), quick="--quick" in sys.argv):
            print(json.dumps(row))
