"""Counts agree with their number; an interval whose bounds print alike is one number."""

from __future__ import annotations

from auditor.kernel.wording import counted, percent_range
from rules.pv103_ambiguous_high_risk_share import _between
from tui import text as fmt


def test_counted() -> None:
    assert counted(1, "person") == "1 person"
    assert counted(2, "person") == "2 people"
    assert counted(0, "commit") == "0 commits"
    assert counted(1, "identity") == "1 identity"
    assert counted(13, "country") == "13 countries"
    assert counted(2, "day") == "2 days"
    assert counted(1200, "commit") == "1,200 commits"


def test_degenerate_interval_is_one_number() -> None:
    assert percent_range(0.85, 0.85) == "85%"
    assert percent_range(0.851, 0.849) == "85%"
    assert percent_range(0.4, 0.55) == "40%–55%"
    assert _between(0.3, 0.3) == "30%"
    assert _between(0.1, 0.3) == "between 10% and 30%"
    assert fmt.share(0.85, 0.85).plain == "85%"
    assert fmt.share(0.0, 0.2).plain == "0%–20%"
