"""GitHub profile `location` free text → country.

The text is cut into parts at commas and slashes; each part is looked up as a
country name in the one countries table (`auditor.kernel.countries`, names
only: "CA" in "Palo Alto, CA" is a state, not Canada), then in a curated list
of major cities (capitals and large engineering hubs). The last part is tried
first ("Minsk, Belarus" → BY), then the other parts, then the whole text. A
city of one country beside the name of another ("Hong Kong, China") says
nothing. A US state, Canadian province, Australian state or UK nation after
the place, by name or postal code, says where it is: "Paris, Texas" and
"London, Ontario" are in the US and Canada, "Perth, WA" in Australia; a
two-letter part may also be a country's ISO code ("Berlin, DE": Delaware or
Germany, and Berlin is in Germany; "Atlanta, Georgia" is in the US, "Tbilisi,
Georgia" in Georgia), and when that leaves more than one
country ("Cambridge, MA": Massachusetts or Morocco, and Cambridge is in
neither) the text says nothing. Nothing is ever inferred from a person's
name; text that matches nothing gives no evidence.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from auditor.kernel.countries import country_code, iso_codes

WEIGHT_PROFILE = 0.5

CITIES: dict[str, str] = {
    # China
    "beijing": "CN",
    "shanghai": "CN",
    "shenzhen": "CN",
    "guangzhou": "CN",
    "hangzhou": "CN",
    "chengdu": "CN",
    "nanjing": "CN",
    "wuhan": "CN",
    "xi'an": "CN",
    "xian": "CN",
    "suzhou": "CN",
    "tianjin": "CN",
    "chongqing": "CN",
    "dalian": "CN",
    "xiamen": "CN",
    "北京": "CN",
    "上海": "CN",
    "深圳": "CN",
    "杭州": "CN",
    # Russia, Belarus, Iran, North Korea
    "moscow": "RU",
    "saint petersburg": "RU",
    "st. petersburg": "RU",
    "st petersburg": "RU",
    "novosibirsk": "RU",
    "yekaterinburg": "RU",
    "kazan": "RU",
    "nizhny novgorod": "RU",
    "москва": "RU",
    "санкт-петербург": "RU",
    "minsk": "BY",
    "минск": "BY",
    "tehran": "IR",
    "isfahan": "IR",
    "shiraz": "IR",
    "pyongyang": "KP",
    # Asia-Pacific
    "singapore": "SG",
    "kuala lumpur": "MY",
    "penang": "MY",
    "manila": "PH",
    "taipei": "TW",
    "hsinchu": "TW",
    "hong kong": "HK",
    "tokyo": "JP",
    "osaka": "JP",
    "kyoto": "JP",
    "seoul": "KR",
    "busan": "KR",
    "bangalore": "IN",
    "bengaluru": "IN",
    "mumbai": "IN",
    "delhi": "IN",
    "new delhi": "IN",
    "hyderabad": "IN",
    "pune": "IN",
    "chennai": "IN",
    "kolkata": "IN",
    "noida": "IN",
    "gurgaon": "IN",
    "gurugram": "IN",
    "colombo": "LK",
    "kathmandu": "NP",
    "dhaka": "BD",
    "karachi": "PK",
    "lahore": "PK",
    "islamabad": "PK",
    "jakarta": "ID",
    "bangkok": "TH",
    "hanoi": "VN",
    "ho chi minh city": "VN",
    "sydney": "AU",
    "melbourne": "AU",
    "brisbane": "AU",
    "perth": "AU",
    "auckland": "NZ",
    "wellington": "NZ",
    # Europe
    "london": "GB",
    "manchester": "GB",
    "edinburgh": "GB",
    "cambridge": "GB",
    "dublin": "IE",
    "paris": "FR",
    "lyon": "FR",
    "berlin": "DE",
    "munich": "DE",
    "münchen": "DE",
    "hamburg": "DE",
    "frankfurt": "DE",
    "cologne": "DE",
    "köln": "DE",
    "stuttgart": "DE",
    "amsterdam": "NL",
    "rotterdam": "NL",
    "brussels": "BE",
    "zurich": "CH",
    "zürich": "CH",
    "geneva": "CH",
    "vienna": "AT",
    "wien": "AT",
    "prague": "CZ",
    "praha": "CZ",
    "brno": "CZ",
    "warsaw": "PL",
    "warszawa": "PL",
    "krakow": "PL",
    "kraków": "PL",
    "wroclaw": "PL",
    "wrocław": "PL",
    "gdansk": "PL",
    "budapest": "HU",
    "bucharest": "RO",
    "sofia": "BG",
    "belgrade": "RS",
    "zagreb": "HR",
    "ljubljana": "SI",
    "bratislava": "SK",
    "kyiv": "UA",
    "kiev": "UA",
    "kharkiv": "UA",
    "lviv": "UA",
    "odesa": "UA",
    "odessa": "UA",
    "vilnius": "LT",
    "riga": "LV",
    "tallinn": "EE",
    "helsinki": "FI",
    "stockholm": "SE",
    "gothenburg": "SE",
    "oslo": "NO",
    "copenhagen": "DK",
    "madrid": "ES",
    "barcelona": "ES",
    "lisbon": "PT",
    "porto": "PT",
    "rome": "IT",
    "milan": "IT",
    "milano": "IT",
    "athens": "GR",
    "istanbul": "TR",
    "ankara": "TR",
    "tel aviv": "IL",
    "jerusalem": "IL",
    "tbilisi": "GE",
    "yerevan": "AM",
    "baku": "AZ",
    "chisinau": "MD",
    "reykjavik": "IS",
    # Americas
    "new york": "US",
    "nyc": "US",
    "san francisco": "US",
    "sf": "US",
    "seattle": "US",
    "redmond": "US",
    "austin": "US",
    "boston": "US",
    "chicago": "US",
    "los angeles": "US",
    "mountain view": "US",
    "palo alto": "US",
    "san jose": "US",
    "denver": "US",
    "portland": "US",
    "atlanta": "US",
    "washington, dc": "US",
    "washington dc": "US",
    "toronto": "CA",
    "vancouver": "CA",
    "montreal": "CA",
    "montréal": "CA",
    "ottawa": "CA",
    "waterloo": "CA",
    "mexico city": "MX",
    "guadalajara": "MX",
    "são paulo": "BR",
    "sao paulo": "BR",
    "rio de janeiro": "BR",
    "buenos aires": "AR",
    "santiago": "CL",
    "bogota": "CO",
    "bogotá": "CO",
    "medellin": "CO",
    "medellín": "CO",
    "lima": "PE",
    "montevideo": "UY",
    # Africa, Middle East
    "cairo": "EG",
    "lagos": "NG",
    "nairobi": "KE",
    "cape town": "ZA",
    "johannesburg": "ZA",
    "casablanca": "MA",
    "tunis": "TN",
    "dubai": "AE",
    "abu dhabi": "AE",
    "riyadh": "SA",
    "doha": "QA",
    "amman": "JO",
    "beirut": "LB",
}


# States, provinces and nations whose name or postal code follows a city: "Cambridge, MA"
# is in the United States, "London, Ontario" in Canada, and neither is in Britain.
_US_STATES = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga",
    "hawaii": "hi", "idaho": "id", "illinois": "il", "indiana": "in", "iowa": "ia", "kansas": "ks",
    "kentucky": "ky", "louisiana": "la", "maine": "me", "maryland": "md",
    "massachusetts": "ma", "michigan": "mi", "minnesota": "mn", "mississippi": "ms",
    "missouri": "mo", "montana": "mt", "nebraska": "ne", "nevada": "nv",
    "new hampshire": "nh", "new jersey": "nj", "new mexico": "nm", "new york": "ny",
    "north carolina": "nc",
    "north dakota": "nd", "ohio": "oh", "oklahoma": "ok", "oregon": "or",
    "pennsylvania": "pa", "rhode island": "ri", "south carolina": "sc", "south dakota": "sd",
    "tennessee": "tn", "texas": "tx", "utah": "ut", "vermont": "vt", "virginia": "va",
    "washington": "wa", "west virginia": "wv", "wisconsin": "wi", "wyoming": "wy",
    "district of columbia": "dc",
}  # fmt: skip
_CA_PROVINCES = {
    "alberta": "ab", "british columbia": "bc", "manitoba": "mb", "new brunswick": "nb",
    "newfoundland and labrador": "nl", "nova scotia": "ns", "ontario": "on",
    "prince edward island": "pe", "quebec": "qc", "québec": "qc", "saskatchewan": "sk",
    "northwest territories": "nt", "nunavut": "nu", "yukon": "yt",
}  # fmt: skip
_AU_STATES = {
    "new south wales": "nsw", "victoria": "vic", "queensland": "qld", "tasmania": "tas",
    "western australia": "wa", "south australia": "sa", "northern territory": "nt",
    "australian capital territory": "act",
}  # fmt: skip
_UK_NATIONS = ("england", "scotland", "wales", "northern ireland")


@cache
def _regions() -> dict[str, frozenset[str]]:
    """A region's name or postal code → the countries it may mean. A two-letter code is
    also a country's ISO code ("DE": Delaware or Germany), and a name may be a country's
    ("Georgia")."""
    found: dict[str, set[str]] = {}
    for country, table in (("US", _US_STATES), ("CA", _CA_PROVINCES), ("AU", _AU_STATES)):
        for name, code in table.items():
            found.setdefault(name, set()).add(country)
            found.setdefault(code, set()).add(country)
    for nation in _UK_NATIONS:
        found.setdefault(nation, set()).add("GB")
    codes = iso_codes()
    for key, countries in found.items():
        if len(key) == 2 and key.upper() in codes:
            countries.add(key.upper())
        named = country_code(key, codes=False)
        if named is not None:
            countries.add(named)
    return {key: frozenset(countries) for key, countries in found.items()}


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return re.sub(r"\s+", " ", text).strip(" .;:!-()[]")


@cache
def _cities() -> dict[str, str]:
    return {_normal(k): v for k, v in CITIES.items()}


def country_for_profile_location(text: str | None) -> str | None:
    """The country a free-text location names, or None when it names none we know."""
    if not text:
        return None
    whole = _normal(text)
    if not whole:
        return None
    parts = [p for p in (_normal(x) for x in re.split(r"[,/|·•]", whole)) if p]
    cities = _cities()
    city = next((cities[part] for part in [whole, *parts] if part in cities), None)
    # a state, province or nation after the place says where it is ("Perth, Scotland")
    regions = _regions()
    possible: frozenset[str] | None = None
    for part in parts[1:]:
        if part in regions:
            possible = regions[part] if possible is None else possible & regions[part]
    if possible is not None and city in possible:
        return city  # "Atlanta, Georgia", "Berlin, DE": the city says which one is meant
    for part in [*reversed(parts), whole]:
        country = country_code(part, codes=False)
        if country is not None:
            if possible is not None:
                return country if country in possible else None
            return country if city in (None, country) else None
    if possible is not None:
        if city in possible:
            return city
        return next(iter(possible)) if len(possible) == 1 else None
    return city
