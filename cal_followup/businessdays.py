"""Business-day arithmetic for the employer's country or region: "five business days
after the interview" must skip weekends and public holidays where the employer is.
Holidays come from workalendar (good rules, unmaintained since 2023) merged with the
``holidays`` package (maintained, sometimes has days workalendar lacks), weekends from
whichever library knows the country; with no country at all we count Monday to Friday.
Both libraries are imported only when a country calendar is first asked for, and each
calendar precomputes a sorted table of business-day ordinals so that a query is a bisect.
Which library answers for which country lives in ``holidaysources``; inferring the
country from a time zone in ``zonecountry``.
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date
from typing import Literal

from cal_followup.errors import ConfigError
from cal_followup.holidaysources import Sources, build_sources
from cal_followup.zonecountry import country_for_zone

HolidaySource = Literal["both", "workalendar", "holidays"]
Warn = Callable[[str], None]

__all__ = [
    "BusinessCalendar",
    "HolidaySource",
    "business_calendar",
    "clear_cache",
    "country_for_zone",
    "parse_country",
]

_log = logging.getLogger(__name__)

_SOURCES: tuple[str, ...] = ("both", "workalendar", "holidays")

# ISO 3166-2 subdivision codes are one to three letters or digits ("CA", "BY", "57").
_CODE_RE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z0-9]{1,3}))?$")

# Common non-ISO spellings people put in config files.
_COUNTRY_ALIASES = {"UK": "GB"}

# Calendars are tables of whole years; build a little around the asked year so that
# "n days after 20 December" does not immediately extend again.
_MARGIN_YEARS = 1


def parse_country(code: str) -> tuple[str, str | None]:
    """Split "us-ca" into ("US", "CA"); "UK" becomes "GB"; ConfigError if malformed."""
    match = _CODE_RE.match(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ConfigError(
            f"invalid country code {code!r}: expected an ISO code such as 'FI', 'US-CA' or 'GB-SCT'"
        )
    country = match.group(1).upper()
    country = _COUNTRY_ALIASES.get(country, country)
    subdivision = match.group(2)
    return country, subdivision.upper() if subdivision else None


# --- the calendar -----------------------------------------------------------------------


class BusinessCalendar:
    """Business days of one country or region; get one from business_calendar()."""

    code: str
    description: str

    def __init__(self, code: str, description: str, sources: Sources, warn: Warn | None):
        self.code = code
        self.description = description
        self._sources = sources
        self._warn = warn
        self._lock = threading.Lock()
        # (first year, last year, sorted business-day ordinals of those whole years),
        # replaced as a unit so readers never need the lock.
        self._table: tuple[int, int, list[int]] = (0, -1, [])
        self._holidays: dict[int, set[date]] = {}
        self._wk_failure_reported = False

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.code or '-'} {self.description!r}>"

    def _emit(self, message: str) -> None:
        (self._warn or _log.warning)(message)

    def _cover(self, first_year: int, last_year: int) -> tuple[int, int, list[int]]:
        """The table, extended if needed so it covers first_year..last_year."""
        table = self._table
        if table[0] <= first_year and last_year <= table[1]:
            return table
        if first_year < 1 or last_year > 9999:
            raise OverflowError("date value out of range")
        with self._lock:
            lo, hi, ordinals = self._table
            if lo <= first_year and last_year <= hi:
                return self._table
            if hi < lo:  # empty: an empty range placed where the caller asks
                lo, hi = first_year, first_year - 1
            failed: list[int] = []
            before: list[list[int]] = []
            year = lo - 1
            while year >= max(1, first_year - _MARGIN_YEARS):
                part = self._build_year(year, failed, needed=year >= first_year)
                if part is None:
                    break
                before.append(part)
                lo, year = year, year - 1
            after: list[list[int]] = []
            year = hi + 1
            while year <= min(9999, last_year + _MARGIN_YEARS):
                part = self._build_year(year, failed, needed=year <= last_year)
                if part is None:
                    break
                after.append(part)
                hi, year = year, year + 1
            merged = [o for part in reversed(before) for o in part]
            merged += ordinals
            merged += [o for part in after for o in part]
            self._table = table = (lo, hi, merged)
        if failed and not self._wk_failure_reported:
            self._wk_failure_reported = True
            years = f"{failed[0]}" if len(failed) == 1 else f"{min(failed)}-{max(failed)}"
            self._emit(
                f"workalendar cannot compute holidays for {self.description} in {years}; "
                "using the holidays package alone for such years"
            )
        return table

    def _build_year(self, year: int, failed: list[int], needed: bool) -> list[int] | None:
        """Business-day ordinals of `year`; None if only a margin year and not computable."""
        try:
            business, found, failure = self._sources.year(year)
        except ConfigError:
            # Strict workalendar source: a year past its range is an error only when a
            # query really reaches it (China 2023 works although 2024 does not).
            if needed:
                raise
            return None
        self._holidays[year] = found
        if failure is not None:
            failed.append(year)
        return business

    def is_business_day(self, day: date) -> bool:
        lo, hi, ordinals = self._table
        if not lo <= day.year <= hi:
            lo, hi, ordinals = self._cover(day.year, day.year)
        ordinal = day.toordinal()
        i = bisect_left(ordinals, ordinal)
        return i < len(ordinals) and ordinals[i] == ordinal

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day strictly after `day` (`day` itself need not be one).

        Like workalendar's add_working_days: n == 0 gives `day` back and a negative n
        counts back to the n-th business day strictly before `day`.
        """
        ordinal = day.toordinal()
        lo, hi, ordinals = self._table
        if not lo <= day.year <= hi:  # the common case skips the call
            lo, hi, ordinals = self._cover(day.year, day.year)
        if n > 0:
            i = bisect_right(ordinals, ordinal) + n - 1
            while i >= len(ordinals):
                # A year has at least ~100 business days; grow by what n suggests.
                lo, hi, ordinals = self._cover(lo, hi + 1 + (i - len(ordinals)) // 100)
                i = bisect_right(ordinals, ordinal) + n - 1
            return date.fromordinal(ordinals[i])
        if n < 0:
            i = bisect_left(ordinals, ordinal) + n
            while i < 0:
                lo, hi, ordinals = self._cover(lo - 1 + i // 100, hi)
                i = bisect_left(ordinals, ordinal) + n
            return date.fromordinal(ordinals[i])
        return date.fromordinal(ordinal)

    def next_business_day(self, day: date, *, inclusive: bool = True) -> date:
        """The first business day on or after `day` (strictly after if not inclusive)."""
        ordinal = day.toordinal()
        lo, hi, ordinals = self._table
        if not lo <= day.year <= hi:  # the common case skips the call
            lo, hi, ordinals = self._cover(day.year, day.year)
        search = bisect_left if inclusive else bisect_right
        i = search(ordinals, ordinal)
        while i >= len(ordinals):
            lo, hi, ordinals = self._cover(lo, hi + 1)
            i = search(ordinals, ordinal)
        return date.fromordinal(ordinals[i])

    def holidays_between(self, start: date, end: date) -> list[date]:
        """Public holidays (any weekday, weekends included) from start to end inclusive."""
        if end < start:
            return []
        self._cover(start.year, end.year)
        found: list[date] = []
        for year in range(start.year, end.year + 1):
            found.extend(d for d in self._holidays[year] if start <= d <= end)
        return sorted(found)


# --- building calendars -----------------------------------------------------------------

_cache: dict[tuple[str, str], BusinessCalendar] = {}
_cache_lock = threading.Lock()
_warned_plain: set[str] = set()


def clear_cache() -> None:
    """Forget built calendars and issued warnings (tests; long-running config reloads)."""
    with _cache_lock:
        _cache.clear()
        _warned_plain.clear()


def business_calendar(
    country: str | None,
    zone: str | None = None,
    *,
    source: HolidaySource = "both",
    warn: Warn | None = None,
) -> BusinessCalendar:
    """The calendar for `country` ("FI", "US-CA"), else for the country of `zone`.

    Without either, Monday to Friday with a warning. Calendars are shared per
    (country, source); each warning is issued once per process, through `warn` if
    given, else logged.
    """
    if source not in _SOURCES:
        raise ConfigError(
            f"invalid holiday source {source!r}: expected 'both', 'workalendar' or 'holidays'"
        )
    if country is not None and country.strip():
        parsed = parse_country(country)
    else:
        inferred = country_for_zone(zone)
        if inferred is None:
            return _plain_calendar(zone, warn)
        parsed = (inferred, None)

    code = parsed[0] if parsed[1] is None else f"{parsed[0]}-{parsed[1]}"
    with _cache_lock:
        calendar = _cache.get((code, source))
        notes: list[str] = []
        if calendar is None:
            _, description, sources, notes = build_sources(parsed[0], parsed[1], source)
            calendar = BusinessCalendar(code, description, sources, None)
            _cache[(code, source)] = calendar
        if warn is not None:
            # Later lazy warnings (a year workalendar cannot do) go to the latest caller.
            calendar._warn = warn
    for note in notes:
        calendar._emit(note)
    return calendar


def _plain_calendar(zone: str | None, warn: Warn | None) -> BusinessCalendar:
    """Monday to Friday, with a warning (once per process) saying why."""
    if zone:
        message = (
            f"no country set and none can be inferred from time zone {zone}; "
            "counting Monday to Friday only"
        )
    else:
        message = (
            "no country set and no time zone to infer one from; counting Monday to Friday only"
        )
    with _cache_lock:
        first_time = message not in _warned_plain
        _warned_plain.add(message)
        plain = _cache.get(("", ""))
        if plain is None:
            plain = BusinessCalendar(
                "", "Monday to Friday", Sources("Monday to Friday", None, None, False), None
            )
            _cache[("", "")] = plain
    if first_time:
        (warn or _log.warning)(message)
    return plain
