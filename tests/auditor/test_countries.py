"""One countries table: the roster, GitHub profiles and the configuration agree on every name."""

from __future__ import annotations

import pytest

from auditor.kernel.config import parse_config
from auditor.kernel.countries import NOT_WORK_JURISDICTIONS, country_code, iso_codes
from auditor.kernel.errors import ConfigError
from auditor.resolve.locations.profile import country_for_profile_location

# name -> code (None: unknown, ambiguous or no work jurisdiction), as HR rosters and
# profiles write them; the roster parser and the profile parser must both give the code.
NAMES = [
    ("Korea", None),  # two countries: never guessed
    ("South Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("North Korea", "KP"),
    ("Korea (North)", "KP"),
    ("한국", "KR"),
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("USA", "US"),
    ("United States", "US"),
    ("United States of America", "US"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("United Kingdom", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Deutschland", "DE"),
    ("Germany", "DE"),
    ("España", "ES"),
    ("Espana", "ES"),
    ("Brasil", "BR"),
    ("Kosovo", "XK"),  # not in iso3166.tab, a jurisdiction all the same
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("Turkey", "TR"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("the Netherlands", "NL"),
    ("Holland", "NL"),
    ("Russian Federation", "RU"),
    ("Россия", "RU"),
    ("Беларусь", "BY"),
    ("中国", "CN"),
    ("People's Republic of China", "CN"),
    ("Taiwan", "TW"),
    ("Hong Kong", "HK"),
    ("Côte d'Ivoire", "CI"),
    ("Ivory Coast", "CI"),
    ("Bosnia & Herzegovina", "BA"),
    ("Iran", "IR"),
    ("Viet Nam", "VN"),
    ("Congo", None),  # two countries
    ("Samoa", None),  # two: American Samoa and Samoa
    ("Macedonia", None),  # also a Greek region
    ("Antarctica", None),  # no work jurisdiction
    ("Bouvet Island", None),
    ("US minor outlying islands", None),
    ("Atlantis", None),
]


@pytest.mark.parametrize(("name", "code"), NAMES)
def test_roster_and_profile_give_the_same_code(name: str, code: str | None) -> None:
    assert country_code(name) == code  # the roster parser's lookup
    assert country_for_profile_location(name) == code


@pytest.mark.parametrize("code", ["CN", "cn", " de ", "XK"])
def test_the_roster_takes_codes(code: str) -> None:
    assert country_code(code) == code.strip().upper()


@pytest.mark.parametrize("code", NOT_WORK_JURISDICTIONS)
def test_places_nobody_works_are_no_jurisdiction(code: str) -> None:
    assert code in iso_codes()
    assert country_code(code) is None
    with pytest.raises(ConfigError, match="no work jurisdiction"):
        parse_config({"jurisdictions": {"high": [code]}})
    # still a code the zone catalogue may leave out
    assert (
        code
        in parse_config({"locations": {"exclude_countries": [code]}}).locations.exclude_countries
    )


def test_profile_free_text_keeps_its_own_tokenising() -> None:
    assert country_for_profile_location("Berlin, Deutschland") == "DE"
    assert country_for_profile_location("Seoul, Korea") == "KR"  # the city settles it
    assert country_for_profile_location("Palo Alto, CA") == "US"  # CA: the state, not Canada
    # Georgia: the US state or the country, and the city says which
    assert country_for_profile_location("Atlanta, Georgia") == "US"
    assert country_for_profile_location("Tbilisi, Georgia") == "GE"


def test_kosovo_is_a_configurable_jurisdiction() -> None:
    config = parse_config({"jurisdictions": {"elevated": ["XK"]}})
    assert config.jurisdictions.elevated == ["XK"]
