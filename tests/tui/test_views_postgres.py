"""The views' SQL on both backends: the same figures from SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from auditor import views
from auditor.views import ViewContext
from tests.tui import storedata


@pytest.fixture
def both(any_engine: Engine) -> ViewContext:
    storedata.populate(any_engine)
    return ViewContext.build(any_engine, storedata.config(), as_of=storedata.AS_OF)


def test_same_figures_on_every_backend(both: ViewContext) -> None:
    totals = views.totals(both)
    assert (totals.components, totals.people, totals.commits_in_window) == (3, 3, 6)
    onprem = next(r for r in views.components(both) if r.name == "Collab OnPrem")
    assert (onprem.churn, onprem.commits, onprem.people) == (240, 4, 3)
    assert onprem.share_min == pytest.approx(160 / 240)
    assert dict(views.overview(both).churn_by_tier)["high"] == 160
    detail = views.component_detail(both, "Collab OnPrem")
    assert detail is not None and dict(detail.activity)["high"] == (0, 0, 100, 60, 0, 0, 0)
    assert [c.sha[:2] for c in detail.recent_commits] == ["f6", "d4", "c3", "b2", "a1", "07"]
    assert [f.rule for f in views.findings(both)] == ["PV101", "PV102", "PV107", "PV103"]
    bo = views.person_id_for(both, "Bo Zhang")
    assert bo is not None
    person = views.person_detail(both, bo)
    assert person is not None and person.offsets == ((480, 3),)
    commit = views.commit_detail(both, "c3c3")
    assert commit is not None and commit.message == storedata.ANSI_MESSAGE
    hits = [(h.kind, h.target) for h in views.search(both, "ONPREM")]
    assert ("component", "Collab OnPrem") in hits
