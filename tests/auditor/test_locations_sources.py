"""E-mail domains and GitHub profile locations → countries."""

from __future__ import annotations

import pytest

from auditor.resolve.locations.email_domains import (
    NATIONAL_PROVIDERS,
    WEIGHT_CCTLD,
    WEIGHT_CORPORATE,
    WEIGHT_NATIONAL_PROVIDER,
    country_for_email,
)
from auditor.resolve.locations.profile import country_for_profile_location

CORPORATE = {"contoso.cn": "CN", "contoso.de": "DE"}


@pytest.mark.parametrize(
    ("email", "country", "how", "weight"),
    [
        ("wei@qq.com", "CN", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("x@163.com", "CN", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("x@126.com", "CN", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("x@yeah.net", "CN", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("ivan@yandex.ru", "RU", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("ivan@mail.ru", "RU", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("kim@naver.com", "KR", "national_provider", WEIGHT_NATIONAL_PROVIDER),
        ("Dev@Mail.Contoso.CN", "CN", "corporate", WEIGHT_CORPORATE),
        ("dev@contoso.de", "DE", "corporate", WEIGHT_CORPORATE),
        ("anna@uni-heidelberg.de", "DE", "cctld", WEIGHT_CCTLD),
        ("bob@example.co.uk", "GB", "cctld", WEIGHT_CCTLD),
        ("olga@tut.by", "BY", "national_provider", WEIGHT_NATIONAL_PROVIDER),
    ],
)
def test_domains_that_say_a_country(email: str, country: str, how: str, weight: float) -> None:
    found = country_for_email(email, CORPORATE)
    assert found is not None
    assert (found.country, found.how, found.weight) == (country, how, weight)


@pytest.mark.parametrize(
    "email",
    [
        "dev@startup.io",
        "dev@startup.ai",
        "dev@brand.co",
        "dev@show.tv",
        "dev@korins.ky",  # Cayman Islands: a vanity domain, not a residence
        "dev@bit.ly",
        "dev@name.me",
        "dev@free.tk",
        "dev@gmail.com",
        "dev@outlook.com",
        "123+dev@users.noreply.github.com",
        "not-an-address",
        "@qq.com",
    ],
)
def test_domains_that_say_nothing(email: str) -> None:
    assert country_for_email(email, CORPORATE) is None


def test_corporate_domain_beats_provider_and_tld() -> None:
    found = country_for_email("a@qq.com", {"qq.com": "SG"})
    assert found is not None and (found.country, found.how) == ("SG", "corporate")


def test_cctld_list_uses_iso_codes() -> None:
    from auditor.kernel.countries import work_jurisdictions
    from auditor.resolve.locations.email_domains import COUNTRY_CCTLDS

    assert {"GB" if t == "uk" else t.upper() for t in COUNTRY_CCTLDS} <= work_jurisdictions()
    assert not {"io", "ai", "me", "co", "tv", "ky", "ly"} & COUNTRY_CCTLDS


def test_provider_list_uses_iso_codes() -> None:
    from auditor.kernel.countries import work_jurisdictions

    assert set(NATIONAL_PROVIDERS.values()) <= work_jurisdictions()


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Minsk, Belarus", "BY"),
        ("Berlin", "DE"),
        ("Berlin, Germany", "DE"),
        ("Shenzhen, China", "CN"),
        ("  shanghai  ", "CN"),
        ("Seoul, South Korea", "KR"),
        ("Moscow, Russia", "RU"),
        ("Singapore", "SG"),
        ("Bengaluru, India", "IN"),
        ("Dublin, Ireland", "IE"),
        ("Taipei", "TW"),
        ("Kathmandu", "NP"),
        ("Zürich", "CH"),
        ("United Kingdom", "GB"),
        ("Portland, OR", "US"),
        # a region after the place says where it is, whatever city of that name we know
        ("Paris, Texas", "US"),
        ("Paris, TX", "US"),
        ("London, Ontario", "CA"),
        ("Perth, Scotland", "GB"),
        ("Perth, WA", "AU"),
        ("Victoria, BC", "CA"),
        ("Berlin, NH", "US"),
        ("Cambridge, MA, USA", "US"),
        # a two-letter part: a postal code or a country's ISO code, whichever fits
        ("Palo Alto, CA", "US"),
        ("Toronto, CA", "CA"),
        ("Berlin, DE", "DE"),
        ("Atlanta, Georgia", "US"),
        ("Tbilisi, Georgia", "GE"),
    ],
)
def test_profile_locations(text: str, country: str) -> None:
    assert country_for_profile_location(text) == country


@pytest.mark.parametrize(
    "text",
    [
        *(None, "", "Earth", "Remote", "the internet", "CA", "🌍"),
        # Massachusetts or Morocco, Idaho or Indonesia: neither is where the city we know is
        *("Cambridge, MA", "Moscow, ID", "Athens, GA"),
        "Hong Kong, China",  # a city of one country beside the name of another
    ],
)
def test_profile_locations_that_name_no_country(text: str | None) -> None:
    assert country_for_profile_location(text) is None
