"""summarize_candidates: a candidate set as a line a reader can act on."""

from __future__ import annotations

import pytest

from auditor.resolve.locations.summary import summarize_candidates

TIERS = {"CN": "high", "RU": "high", "IR": "high", "KP": "high", "BY": "elevated", "US": "trusted"}
EET_EU = ["BG", "CY", "EE", "FI", "GR", "LT", "LV", "RO", "UA", "MD"]
UTC8 = ["AU", "BN", "CN", "HK", "ID", "MN", "MO", "MY", "PH", "RU", "SG", "TW", "WA"]


@pytest.mark.parametrize(
    ("countries", "pattern", "expected"),
    [
        (["DE"], None, "DE"),
        (["DE"], "CET with EU DST", "DE"),
        ([], None, "unknown"),
        ([], "UTC+8", "UTC+8 · no country"),
        (["TW", "CN"], None, "CN or TW"),
        (["SG", "MY", "CN"], "UTC+8", "UTC+8 · CN, MY or SG"),
        (EET_EU, "EET with EU DST", "EET with EU DST · 10 countries, none high-risk"),
        (EET_EU, None, "10 countries, none high-risk"),
        (UTC8, "UTC+8", "UTC+8 · 13 incl. CN, RU"),
        (UTC8, None, "13 countries incl. CN, RU"),
        ([*EET_EU, "BY"], None, "11 countries incl. BY (elevated), none high-risk"),
        (
            ["CN", "RU", "IR", "KP", "BY", "AA", "BB"],
            None,
            "7 countries incl. CN, IR, KP, RU +1 more",
        ),
    ],
)
def test_summary(countries: list[str], pattern: str | None, expected: str) -> None:
    assert summarize_candidates(countries, TIERS.get, pattern) == expected


def test_never_the_first_codes_alphabetically() -> None:
    # the old display showed "?AD/AE/AF/AL +20": the high-risk member was cut off
    many = ["AD", "AE", "AF", "AL", "AM", "AO", "AR", "AT", "ZW", "RU"]
    line = summarize_candidates(many, TIERS.get)
    assert "RU" in line and "AD" not in line
