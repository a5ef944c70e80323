"""Time zones → countries, computed from the tz database shipped by the `tzdata` package.

Two small things:

- which country is an IANA zone name in (`zone_country("Asia/Shanghai") == "CN"`),
  from `zone.tab` (one country per line) and the link lines of `tzdata.zi`
  (so that aliases such as `Asia/Calcutta` resolve too);
- how git prints an offset (`format_offset`).

Which zones have an offset at a given hour is `auditor.resolve.locations.zones`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")


@cache
def zone_table() -> dict[str, str]:
    """Zone name → ISO country, from zone.tab (one country per line)."""
    table: dict[str, str] = {}
    for line in _tzdata_text("zone.tab").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table[fields[2]] = fields[0]
    return table


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
    """The country of an IANA zone name, following aliases; None for UTC/Etc or unknown zones."""
    if not zone:
        return None
    name = zone.strip()
    table = zone_table()
    links = _links()
    for _ in range(5):  # links may chain, a few hops at most
        if name in table:
            return table[name]
        if name not in links:
            return None
        name = links[name]
    return None


def format_offset(offset_minutes: int) -> str:
    """Minutes east of UTC as git prints them: 330 → '+0530', -420 → '-0700'."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"
