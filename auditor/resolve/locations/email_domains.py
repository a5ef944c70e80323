"""E-mail address → country, with how strongly the domain says so.

Three sources, strongest first:

1. corporate domains configured in `[identity] corporate_domains`
   (`"contoso.cn" = "CN"`): the organisation knows where each domain's mailboxes are;
2. national mail providers: free-mail services used overwhelmingly by residents of
   one country (curated below: registration needs a local phone number or the
   service only serves one market);
3. country-code TLDs that mean a country (`.de` → DE; curated in
   `COUNTRY_CCTLDS`); ccTLDs sold as generic names (`.io`, `.co`, `.ai`, `.me`,
   `.ky`, ...) say nothing about where the owner lives.

Generic providers (gmail.com, outlook.com, proton.me, ...) and GitHub noreply
addresses give nothing. A domain is matched with its subdomains
(`mail.contoso.cn` is `contoso.cn`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.kernel.countries import work_jurisdictions

WEIGHT_CORPORATE = 0.6
WEIGHT_NATIONAL_PROVIDER = 0.5
WEIGHT_CCTLD = 0.4

# Free-mail providers tied to one national market. Each entry is widely
# documented as a domestic service (local phone verification or a domestic
# user base of well over 90%); sources: the providers' own pages and their
# Wikipedia articles. Add entries with a reason, never guesses.
NATIONAL_PROVIDERS: dict[str, str] = {
    # China: Tencent, NetEase, Sina, Sohu, Aliyun, China Mobile / Telecom / Unicom.
    "qq.com": "CN",
    "foxmail.com": "CN",
    "163.com": "CN",
    "126.com": "CN",
    "yeah.net": "CN",
    "188.com": "CN",
    "vip.163.com": "CN",
    "sina.com": "CN",
    "sina.cn": "CN",
    "sohu.com": "CN",
    "aliyun.com": "CN",
    "139.com": "CN",
    "189.cn": "CN",
    "wo.cn": "CN",
    # Russia: Yandex, VK's Mail.ru family, Rambler.
    "yandex.ru": "RU",
    "ya.ru": "RU",
    "mail.ru": "RU",
    "bk.ru": "RU",
    "list.ru": "RU",
    "inbox.ru": "RU",
    "internet.ru": "RU",
    "rambler.ru": "RU",
    # South Korea: Naver, Kakao (Daum, Hanmail).
    "naver.com": "KR",
    "daum.net": "KR",
    "hanmail.net": "KR",
    "kakao.com": "KR",
    # Japan: NTT Docomo, au (KDDI), SoftBank carrier mail.
    "docomo.ne.jp": "JP",
    "ezweb.ne.jp": "JP",
    "softbank.ne.jp": "JP",
    # Germany: United Internet (web.de, GMX Germany), T-Online.
    "web.de": "DE",
    "gmx.de": "DE",
    "t-online.de": "DE",
    # France: Orange (Wanadoo), Free, SFR, La Poste.
    "orange.fr": "FR",
    "wanadoo.fr": "FR",
    "free.fr": "FR",
    "sfr.fr": "FR",
    "laposte.net": "FR",
    # Czech Republic: Seznam.
    "seznam.cz": "CZ",
    # Poland: Onet, Wirtualna Polska, Interia.
    "onet.pl": "PL",
    "wp.pl": "PL",
    "interia.pl": "PL",
    # Ukraine: ukr.net, i.ua.
    "ukr.net": "UA",
    "i.ua": "UA",
    # Belarus: tut.by.
    "tut.by": "BY",
    # Iran: Chmail.
    "chmail.ir": "IR",
    # India: Rediffmail.
    "rediffmail.com": "IN",
    # Brazil: UOL, BOL, Terra Brazil.
    "uol.com.br": "BR",
    "bol.com.br": "BR",
    # Italy: Libero, Virgilio, Tiscali Italy.
    "libero.it": "IT",
    "virgilio.it": "IT",
}

# ccTLDs that mean a country: registries that require a local presence, or domains
# used overwhelmingly by residents (national universities, companies, ISPs). Any
# ccTLD not listed says nothing: the ones sold as generic names (.io .ai .me .co .tv
# .ly .ky .to .fm .gg .sh .ws .cc .nu .so .la .vc .am ...) or given away free
# (Freenom: .tk .ml .ga .cf .gq), and small territories whose domains are mostly
# registered from abroad. Residents of unlisted countries lose this evidence, which
# is the cautious side. Add entries with a reason, never guesses.
COUNTRY_CCTLDS = frozenset(
    {
        # Europe
        "at",
        "be",
        "bg",
        "by",
        "ch",
        "cy",
        "cz",
        "de",
        "dk",
        "ee",
        "es",
        "fi",
        "fr",
        "gr",
        "hr",
        "hu",
        "ie",
        "is",
        "it",
        "li",
        "lt",
        "lu",
        "lv",
        "mk",
        "mt",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "rs",
        "ru",
        "se",
        "si",
        "sk",
        "ua",
        "uk",
        "ba",
        "al",
        "md",
        "ge",
        "az",
        "kz",
        "uz",
        # Americas
        "ar",
        "bo",
        "br",
        "ca",
        "cl",
        "cr",
        "cu",
        "do",
        "ec",
        "gt",
        "hn",
        "mx",
        "ni",
        "pa",
        "pe",
        "py",
        "sv",
        "us",
        "uy",
        "ve",
        # Asia and Oceania
        "au",
        "bd",
        "cn",
        "hk",
        "id",
        "il",
        "in",
        "ir",
        "jp",
        "kh",
        "kp",
        "kr",
        "lk",
        "mm",
        "mn",
        "mo",
        "my",
        "np",
        "nz",
        "ph",
        "pk",
        "sg",
        "th",
        "tr",
        "tw",
        "vn",
        "sa",
        "ae",
        "qa",
        "kw",
        "bh",
        "om",
        "jo",
        "lb",
        "sy",
        "iq",
        "af",
        # Africa
        "dz",
        "eg",
        "et",
        "gh",
        "ke",
        "ma",
        "ng",
        "rw",
        "sn",
        "tn",
        "tz",
        "ug",
        "za",
        "zw",
    }
)

# Second-level labels under which a ccTLD still means the country (example.co.uk → GB).
_CCTLD_ALIASES = {"uk": "GB"}


@dataclass(frozen=True, slots=True)
class DomainCountry:
    country: str
    weight: float
    how: str  # corporate | national_provider | cctld
    domain: str


def email_domain(email: str) -> str | None:
    local, sep, domain = email.strip().rpartition("@")
    if not sep or not local or not domain:
        return None
    return domain.lower().rstrip(".")


def _suffixes(domain: str) -> list[str]:
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def country_for_email(email: str, corporate_domains: Mapping[str, str]) -> DomainCountry | None:
    """What the address's domain says about the owner's country, or None."""
    domain = email_domain(email)
    if domain is None or domain.endswith("users.noreply.github.com"):
        return None
    corporate = {k.lower().strip("."): v for k, v in corporate_domains.items()}
    for suffix in _suffixes(domain):
        if suffix in corporate:
            return DomainCountry(corporate[suffix], WEIGHT_CORPORATE, "corporate", suffix)
    for suffix in _suffixes(domain):
        if suffix in NATIONAL_PROVIDERS:
            return DomainCountry(
                NATIONAL_PROVIDERS[suffix], WEIGHT_NATIONAL_PROVIDER, "national_provider", suffix
            )
    tld = domain.rsplit(".", 1)[-1]
    if tld not in COUNTRY_CCTLDS:
        return None
    code = _CCTLD_ALIASES.get(tld, tld.upper())
    if code not in work_jurisdictions():
        return None
    return DomainCountry(code, WEIGHT_CCTLD, "cctld", tld)
