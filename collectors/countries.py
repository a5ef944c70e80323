"""Country names to ISO 3166-1 alpha-2 codes, from the tz database's `iso3166.tab`.

The tab file uses short names ("Britain (UK)", "Korea (South)"); HR systems write
official or common ones ("United Kingdom", "South Korea"), so a few well-known
spellings are added. Matching ignores case, accents, punctuation and "the".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from auditor.kernel.config import iso_countries

_ALIASES = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "america": "US",
    "russian federation": "RU",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "north korea": "KP",
    "democratic peoples republic of korea": "KP",
    "korea democratic peoples republic of": "KP",
    "dprk": "KP",
    "iran islamic republic of": "IR",
    "islamic republic of iran": "IR",
    "peoples republic of china": "CN",
    "prc": "CN",
    "mainland china": "CN",
    "czechia": "CZ",
    "holland": "NL",
    "turkiye": "TR",
    "burma": "MM",
    "myanmar": "MM",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "viet nam": "VN",
    "uae": "AE",
    "hong kong sar": "HK",
    "macao": "MO",
    "taiwan province of china": "TW",
    "republic of china": "TW",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "timor leste": "TL",
    "bosnia and herzegovina": "BA",
    "trinidad and tobago": "TT",
    "macedonia": "MK",
    "moldova republic of": "MD",
    "syrian arab republic": "SY",
    "lao peoples democratic republic": "LA",
    "vatican": "VA",
    "holy see": "VA",
    "palestine state of": "PS",
    "cape verde": "CV",
    "cabo verde": "CV",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("'", "").replace("\u2019", ""))
    words = [w for w in text.split() if w != "the"]
    return " ".join(words)


@cache
def _names() -> dict[str, str]:
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    names: dict[str, str] = {}
    short: dict[str, str | None] = {}
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        names[_key(name)] = code
        # "Britain (UK)" -> also "britain"; "Korea (South)"/"Korea (North)" make "korea" ambiguous
        bare = _key(re.sub(r"\(.*?\)", "", name))
        short[bare] = code if short.get(bare, code) == code else None
    for bare, only in short.items():
        if only is not None:
            names.setdefault(bare, only)
    for alias, code in _ALIASES.items():
        names[_key(alias)] = code
    return names


def country_code(value: str) -> str | None:
    """ISO alpha-2 code for a code ("cn") or a name ("China", "United Kingdom"); else None."""
    text = value.strip()
    if len(text) == 2 and text.upper() in iso_countries():
        return text.upper()
    return _names().get(_key(text))
