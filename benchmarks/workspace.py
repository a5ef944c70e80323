"""The audit workspace the resolution and TUI benchmarks share: the synthetic repository,
a roster and a configuration.

The repository is `benchmarks/synthetic.py`'s (cached beside `bench_git`'s);
the roster places four authors in five in a dozen countries, some of them
relocating, and leaves the fifth to their commit offsets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from auditor.kernel.config import LoadedConfig, load_config
from auditor.store import models
from benchmarks.synthetic import synthetic_repo

COUNTRIES = ("US", "DE", "IN", "CN", "IE", "GB", "RU", "PL", "SG", "BR", "JP", "BY")

CONFIG = """
[store]
url = "sqlite:///audit.db"

[[git]]
name = "synthetic"
path = "{repo}"
branch = "main"

[[roster]]
path = "roster.csv"

[jurisdictions]
high = ["CN", "RU"]
elevated = ["BY"]

[identity]
corporate_domains = {{ "example1.com" = "US" }}

[[components]]
name = "Core"
sensitivity = "critical"
paths = ["synthetic:src/alpha/**", "synthetic:src/bravo/**"]

[[components]]
name = "Gateway"
sensitivity = "high"
paths = ["synthetic:src/charlie/**", "synthetic:src/delta/**"]

[[components]]
name = "Platform"
paths = ["synthetic:src/**", "synthetic:lib/**"]

[[components]]
name = "Docs"
sensitivity = "low"
paths = ["synthetic:docs/**", "synthetic:*.md"]
"""


def synthetic_workspace(workdir: Path, commits: int) -> LoadedConfig:
    """`workdir/store-<commits>/` with auditor.toml and roster.csv (collect fills its store)."""
    repo = synthetic_repo(workdir.parent / "git" / "repos", commits)  # bench_git's cache
    space = workdir / f"store-{commits}"
    space.mkdir(parents=True, exist_ok=True)
    rows = ["email,name,country,office,valid_from,valid_to"]
    for i in range(300):
        if i % 5 == 0:
            continue  # left to the commit offsets
        email, name = f"dev{i:03d}@example{i % 7}.com", f"Developer {i:03d}"
        country = COUNTRIES[i % len(COUNTRIES)]
        if i % 13 == 0:  # relocations
            moved = COUNTRIES[(i + 5) % len(COUNTRIES)]
            rows.append(f"{email},{name},{country},,,2024-12-31")
            rows.append(f"{email},{name},{moved},,2025-01-01,")
        else:
            rows.append(f"{email},{name},{country},,,")
    (space / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (space / "auditor.toml").write_text(CONFIG.format(repo=repo), encoding="utf-8")
    return load_config(space / "auditor.toml")


def last_commit_day(engine: Engine) -> date:
    """The day (UTC) of the newest collected commit: the benchmarks' as-of day."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(models.Commit.c.authored_at))).scalar()
    return datetime.fromtimestamp(int(last or 0), UTC).date()
