"""Countries: the one table of codes, of places that are no work jurisdiction, and of names.

Codes are ISO 3166-1 alpha-2 as the tz database ships them (tzdata's
`iso3166.tab`), plus XK: Kosovo has its own law and labour market but only a
user-assigned code, which iso3166.tab leaves out (its zone is Europe/Belgrade).

Some codes name places nobody is employed in: Antarctic research stations
(staff work under their home country's law and keep its time), uninhabited
islands and military-only territories. They are never a person's work
jurisdiction: `country_code` does not return them, the configuration refuses
them where it names where people work, and they are the default
`[locations] exclude_countries` (their zones are never a commit offset's
candidates).

Names: the tab file's short names ("Britain (UK)", "Korea (South)"), the part
before the parentheses when only one country has it ("Britain"; "Korea",
"Congo", "Samoa" and "Virgin Islands" name two and give nothing), and `ALIASES`:
official, common and native spellings HR systems and profiles use. Matching
ignores case, accents, dots, apostrophes, other punctuation and "the". Nothing
here is ever applied to a person's name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

KOSOVO = "XK"

# Not work places: Antarctic research stations, uninhabited and military-only territories.
NOT_WORK_JURISDICTIONS = ("AQ", "BV", "HM", "TF", "GS", "UM", "PN", "IO")

# Left out on purpose: "Macedonia" (also a Greek region), "Korea" (two countries).
ALIASES: dict[str, str] = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "russian federation": "RU",
    "россия": "RU",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "한국": "KR",
    "대한민국": "KR",
    "north korea": "KP",
    "democratic peoples republic of korea": "KP",
    "korea democratic peoples republic of": "KP",
    "dprk": "KP",
    "iran islamic republic of": "IR",
    "islamic republic of iran": "IR",
    "peoples republic of china": "CN",
    "prc": "CN",
    "mainland china": "CN",
    "中国": "CN",
    "中國": "CN",
    "日本": "JP",
    "czechia": "CZ",
    "česko": "CZ",
    "holland": "NL",
    "nederland": "NL",
    "deutschland": "DE",
    "españa": "ES",
    "brasil": "BR",
    "türkiye": "TR",
    "україна": "UA",
    "беларусь": "BY",
    "burma": "MM",
    "myanmar": "MM",
    "ivory coast": "CI",
    "viet nam": "VN",
    "uae": "AE",
    "hong kong sar": "HK",
    "macao": "MO",
    "taiwan province of china": "TW",
    "republic of china": "TW",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "timor leste": "TL",
    "moldova republic of": "MD",
    "syrian arab republic": "SY",
    "syria": "SY",
    "lao peoples democratic republic": "LA",
    "laos": "LA",
    "bolivia plurinational state of": "BO",
    "venezuela bolivarian republic of": "VE",
    "tanzania united republic of": "TZ",
    "vatican": "VA",
    "holy see": "VA",
    "palestine state of": "PS",
    "cape verde": "CV",
    "cabo verde": "CV",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
    "kosovo": KOSOVO,
}


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code the auditor knows (XK included)."""
    return frozenset(_tab()) | {KOSOVO}


@cache
def work_jurisdictions() -> frozenset[str]:
    """The codes a person can work in: every known code but `NOT_WORK_JURISDICTIONS`."""
    return iso_codes() - set(NOT_WORK_JURISDICTIONS)


def country_code(text: str, *, codes: bool = True) -> str | None:
    """The work jurisdiction `text` names ("China", "U.S.", "Deutschland"; with `codes`
    also an alpha-2 code, "cn"), else None: unknown, ambiguous ("Korea") or no work
    jurisdiction ("Antarctica"). Free text where two letters are more often a state or
    a province ("Palo Alto, CA") passes `codes=False`."""
    stripped = text.strip()
    if codes and len(stripped) == 2 and stripped.isascii():
        code = stripped.upper()
        if code in work_jurisdictions():
            return code
    found = _names().get(name_key(stripped))
    return found if found in work_jurisdictions() else None


def name_key(text: str) -> str:
    """`text` as names are compared: accents, case, dots, apostrophes and "the" dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    bare = re.sub(r"[.'\u2019]", "", bare.replace("&", " and "))
    words = re.sub(r"[\W_]+", " ", bare).split()
    return " ".join(w for w in words if w != "the")


@cache
def _tab() -> dict[str, str]:
    """iso3166.tab: code -> short name."""
    text = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[0]: row[1] for row in rows}


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    bare: dict[str, str | None] = {}
    for code, name in _tab().items():
        names[name_key(name)] = code
        short = name_key(re.sub(r"\(.*?\)", "", name))
        bare[short] = code if bare.get(short, code) == code else None  # two countries: None
    for short, only in bare.items():
        if only is not None:
            names.setdefault(short, only)
    for alias, code in ALIASES.items():
        names[name_key(alias)] = code
    return names
