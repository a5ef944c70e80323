"""Time zones → countries, computed from the tz database shipped by the `tzdata` package.

Two small things:

- which countries keep an IANA zone's clock (`zone_table()`): every country
  `zone.tab` or `zone1970.tab` gives it, so a shared or disputed zone lists them
  all (Europe/Simferopol: RU and UA);
- which country an IANA zone name is named for (`zone_country("Asia/Shanghai") == "CN"`),
  from `zone.tab` and the link lines of `tzdata.zi` (so that aliases such as
  `Asia/Calcutta` resolve too);
- how git prints an offset (`format_offset`).

Which zones have an offset at a given hour is `auditor.resolve.locations.zones`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")


def _tab_rows(name: str) -> list[tuple[list[str], str]]:
    """(countries, zone) per line of a zone table; zone1970.tab lists several per line."""
    rows = []
    for line in _tzdata_text(name).splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            rows.append((fields[0].split(","), fields[2]))
    return rows


@cache
def zone_table() -> dict[str, tuple[str, ...]]:
    """Zone name (as zone.tab names it) → every country zone.tab or zone1970.tab gives it.

    zone.tab gives each zone one country, and so takes a side where a zone is
    disputed (Europe/Simferopol: UA); zone1970.tab lists every country whose clocks
    have agreed with the zone since 1970 (RU,UA). The zone's zone.tab country comes
    first, the others follow sorted.
    """
    own = {zone: countries[0] for countries, zone in _tab_rows("zone.tab")}
    shared: dict[str, set[str]] = {}
    for countries, zone in _tab_rows("zone1970.tab"):
        shared.setdefault(zone, set()).update(countries)
    return {
        zone: (country, *sorted(shared.get(zone, set()) - {country}))
        for zone, country in own.items()
    }


@cache
def _links() -> dict[str, str]:
    """Alias → target zone, from the `L target alias` lines of tzdata.zi."""
    links: dict[str, str] = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3:
                links[parts[2]] = parts[1]
    return links


def zone_country(zone: str | None) -> str | None:
    """The country an IANA zone name is named for (zone.tab's), following aliases; None for
    UTC/Etc or unknown zones. Which countries keep its clock is `zone_table()`."""
    if not zone:
        return None
    name = zone.strip()
    table = zone_table()
    links = _links()
    for _ in range(5):  # links may chain, a few hops at most
        if name in table:
            return table[name][0]
        if name not in links:
            return None
        name = links[name]
    return None


def format_offset(offset_minutes: int) -> str:
    """Minutes east of UTC as git prints them: 330 → '+0530', -420 → '-0700'."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"
