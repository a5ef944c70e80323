"""Dates as trackers export them, parsed without the process locale.

CSV exports carry the exporting user's local time without a zone; it is read
as UTC (the error is under a day, which is below what the rules look at).
Month names are matched in English and in the languages of MONTH_LOCALES
(Jira writes the exporting user's language: `12/abr/24`, `3/Mär/24`), from
CLDR's names, whatever `LC_TIME` says.

Numeric dates (`12/1/2026`) depend on the exporter's locale. `infer_numeric_order`
decides once per file: day-first when some value only makes sense that way,
month-first (US, the Azure DevOps default) otherwise, and an error when the
file has values that only make sense one way and others only the other way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache

from auditor.kernel.days import FIRST_DAY, LAST_DAY

# Locales whose Jira exports write month abbreviations other than English ones.
MONTH_LOCALES = ("en", "es", "de", "fr", "pt", "it", "nl", "pl", "sv", "da", "nb")


@cache
def _month_names() -> dict[str, int]:
    """Abbreviated and wide month names of MONTH_LOCALES (CLDR data via babel), normalised.

    A name two locales give to different months would be a guess: none does among
    these, and a conflict drops the name rather than pick one. Built on first use:
    reading the CLDR data takes ~0.1 s, which a command with no tracker export to
    parse (`auditor check` on a git-only configuration) should not pay.
    """
    from babel.dates import get_month_names

    found: dict[str, set[int]] = {}
    for locale in MONTH_LOCALES:
        for width in ("abbreviated", "wide"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, locale=locale)
                for number, name in names.items():
                    keys = {_month_key(name)}
                    if width == "abbreviated":  # `sept` is also written `sep`
                        keys.add(_month_key(name)[:3])
                    for key in keys:
                        found.setdefault(key, set()).add(number)
    return {key: next(iter(months)) for key, months in found.items() if len(months) == 1}


def _month_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold().rstrip(".")


_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?\s?[Mm]\.?)?)?"
_JIRA = re.compile(r"^(\d{1,2})[/ -]([^\W\d_]{3,10}\.?)[/ -](\d{2}|\d{4})" + _TIME + r"$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + r"$")


class DateFormatError(ValueError):
    """The value is not a date in any format accepted here."""


class DateRangeError(DateFormatError):
    """A well-formed timestamp outside the days the auditor computes with (year 1, 9999)."""


def _in_range(moment: datetime) -> datetime:
    if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:
        raise DateRangeError(
            f"{moment.isoformat()} is outside the supported years {FIRST_DAY.year}–{LAST_DAY.year}"
        )
    return moment


def _year(text: str) -> int:
    year = int(text)
    return (
        year + 2000 if len(text) == 2 and year < 70 else (year + 1900 if len(text) == 2 else year)
    )


def _clock(
    hour: str | None, minute: str | None, second: str | None, ampm: str | None
) -> tuple[int, int, int]:
    if hour is None:
        return 0, 0, 0
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise DateFormatError(f"hour {h} with {ampm}")
        pm = ampm[0] in "pP"
        h = (h % 12) + (12 if pm else 0)
    return h, m, s


def _build(year: int, month: int, day: int, clock: tuple[int, int, int]) -> datetime:
    try:
        return _in_range(datetime(year, month, day, *clock, tzinfo=UTC))
    except DateRangeError:
        raise
    except ValueError as exc:
        raise DateFormatError(str(exc)) from exc


def parse_iso(value: str) -> datetime:
    """ISO 8601 (`2024-03-12T09:41:00.000+0800`, `...Z`, `2024-03-12 09:41`), as aware UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DateFormatError(f"not an ISO 8601 date: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _utc(parsed)


def _utc(parsed: datetime) -> datetime:
    _in_range(parsed)  # before the conversion, which overflows at the calendar's edges
    try:
        return _in_range(parsed.astimezone(UTC))
    except OverflowError as exc:
        raise DateRangeError(f"{parsed.isoformat()} is outside the calendar in UTC") from exc


def parse_with_format(value: str, fmt: str) -> datetime:
    try:
        parsed = datetime.strptime(value.strip(), fmt)
    except ValueError as exc:
        raise DateFormatError(
            f"{value!r} does not match the configured date_format {fmt!r}"
        ) from exc
    return _utc(parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed)


def parse_jira(value: str, fmt: str | None = None) -> datetime:
    """Jira's `12/Mar/24 9:41 AM` (and `12/Mar/2024 09:41`, `12-Mar-2024`) or ISO 8601."""
    if fmt:
        return parse_with_format(value, fmt)
    text = value.strip()
    match = _JIRA.match(text)
    if match:
        day, month_name, year, hour, minute, second, ampm = match.groups()
        month = _month_names().get(_month_key(month_name))
        if month is None:
            raise DateFormatError(f"unknown month {month_name!r} in {value!r}")
        return _build(_year(year), month, int(day), _clock(hour, minute, second, ampm))
    numeric = _NUMERIC.match(text)
    if numeric and numeric.group(2) == ".":  # 12.03.2024 09:41: German-style, always day first
        return parse_numeric(text, day_first=True)
    try:
        return parse_iso(text)
    except DateRangeError:
        raise
    except DateFormatError:
        raise DateFormatError(
            f"unrecognised date {value!r} (expected e.g. '12/Mar/24 9:41 AM' or ISO 8601; "
            f"set date_format in [[tracker]] for other formats)"
        ) from None


def numeric_parts(value: str) -> tuple[int, int] | None:
    """The first two numbers of a `12/1/2026`-style date, or None for other shapes."""
    match = _NUMERIC.match(value.strip())
    return (int(match.group(1)), int(match.group(3))) if match else None


def parse_numeric(value: str, *, day_first: bool) -> datetime:
    match = _NUMERIC.match(value.strip())
    if not match:
        raise DateFormatError(f"not a numeric date: {value!r}")
    first, _sep, second, year, hour, minute, sec, ampm = match.groups()
    day, month = (int(first), int(second)) if day_first else (int(second), int(first))
    return _build(_year(year), month, day, _clock(hour, minute, sec, ampm))


class DateOrderError(DateFormatError):
    """Numeric dates of one file contradict each other; `where` is the second one's."""

    def __init__(self, message: str, where: object):
        super().__init__(message)
        self.where = where


def infer_numeric_order(values: Iterable[tuple[object, str, str]]) -> bool | None:
    """Day-first (True), month-first (False) or no numeric dates (None) for one file.

    `values` are (where, description, value) triples; raises `DateOrderError`
    at the value that contradicts an earlier one.
    """
    day_first_only: tuple[str, str] | None = None
    month_first_only: tuple[str, str] | None = None
    dotted = False
    seen = False
    for where, described, value in values:
        match = _NUMERIC.match(value.strip())
        if not match:
            continue
        seen = True
        first, sep, second = int(match.group(1)), match.group(2), int(match.group(3))
        dotted = dotted or sep == "."
        if first > 12 and second <= 12:
            if month_first_only:
                raise DateOrderError(
                    f"{value!r} can only be day-first, but {month_first_only[1]!r} "
                    f"({month_first_only[0]}) can only be month-first; "
                    f"set date_format in [[tracker]]",
                    where,
                )
            day_first_only = day_first_only or (described, value)
        if second > 12 and first <= 12:
            if day_first_only:
                raise DateOrderError(
                    f"{value!r} can only be month-first, but {day_first_only[1]!r} "
                    f"({day_first_only[0]}) can only be day-first; "
                    f"set date_format in [[tracker]]",
                    where,
                )
            month_first_only = month_first_only or (described, value)
    if not seen:
        return None
    return bool(day_first_only) or (dotted and not month_first_only)


def parse_plain_date(value: str) -> date:
    """A calendar date: `2025-03-01` (or an ISO timestamp, whose date is taken)."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise DateFormatError(f"not a date (YYYY-MM-DD): {value!r}") from exc
