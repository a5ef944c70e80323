"""One share, three readers: PV101's finding, the audit export and the TUI's view agree.

They all read churn per component × author location from
`auditor.store.activity`; on the sample organisation, with the policy window
set to the export's quarter, the high-risk share of every sensitive component
must be the same number in the three places.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from auditor import views
from auditor.audit_export.verify import load_document
from auditor.cli.entrypoint import app
from auditor.kernel.config import load_config
from auditor.store import models
from auditor.store.engine import make_engine

QUARTER_END = date(2026, 9, 30)
QUARTER_DAYS = 92  # 2026-07-01 .. 2026-09-30


@pytest.fixture(scope="module")
def workspace(sample_workspace: Path) -> Path:
    text = (sample_workspace / "auditor.toml").read_text("utf-8")
    assert "window_days = 180" in text
    config = sample_workspace / "auditor-one-figure.toml"
    config.write_text(
        text.replace(
            'url = "sqlite:///.auditor/audit.db"', 'url = "sqlite:///.auditor/one-figure.db"'
        ).replace("window_days = 180", f"window_days = {QUARTER_DAYS}"),
        encoding="utf-8",
    )
    runner = CliRunner()
    exported = str(config.with_suffix(".json"))
    for args in (
        ["collect", "-c", str(config)],
        ["analyze", "-c", str(config), "--as-of", QUARTER_END.isoformat()],
        ["export", "-c", str(config), "--period", "2026-Q3", "-o", exported],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
    return config


def test_pv101_export_and_view_give_the_same_high_risk_share(workspace: Path) -> None:
    loaded = load_config(workspace)
    engine = make_engine(loaded.store_url)
    with engine.connect() as conn:
        run_id = conn.execute(
            select(models.Run.c.id)
            .where(models.Run.c.kind == "analyze")
            .order_by(models.Run.c.id.desc())
        ).scalar_one()
        rule_share = {
            row.component: (row.data["share_min"], row.data["share_max"], row.data["total"])
            for row in conn.execute(
                select(models.StoredFinding).where(
                    models.StoredFinding.c.run_id == run_id,
                    models.StoredFinding.c.rule == "PV101",
                    models.StoredFinding.c.subject == "high-risk jurisdictions",
                )
            )
        }
    assert rule_share, "the sample organisation has PV101 findings in 2026-Q3"
    document = load_document(workspace.with_suffix(".json"))
    exported = {c["name"]: c for c in document["components"]}
    ctx = views.ViewContext.build(engine, loaded, as_of=QUARTER_END)
    assert ctx.window.days == QUARTER_DAYS
    for component, (share_min, share_max, total) in rule_share.items():
        entry = exported[component]
        assert entry["activity"]["churn"] == total
        high = entry["tiers"]["high"]
        assert round(high["share_min"], 4) == share_min
        assert round(high["share_max"], 4) == share_max
        detail = views.component_detail(ctx, component)
        assert detail is not None
        assert detail.churn == total
        assert round(detail.share_min, 4) == share_min
        assert round(detail.share_max, 4) == share_max
