"""Business-day arithmetic for the employer's country or region: "five business days
after the interview" must skip weekends and public holidays where the employer is.
Holidays come from workalendar (good rules, unmaintained since 2023) merged with the
``holidays`` package (maintained, sometimes has days workalendar lacks), weekends from
whichever library knows the country; with no country at all we count Monday to Friday.
Both libraries are imported only when a country calendar is first asked for, and each
calendar precomputes a sorted table of business-day ordinals so that a query is a bisect.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal

from cal_followup.errors import ConfigError

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

# Codes workalendar's registry does not list although it has a fitting class
# ("module:Class"), or lists under another code (plain registry code). Scotland's
# class is a sparse base for Scottish cities, but "both" fills it from `holidays`.
_WORKALENDAR_EXTRA: dict[str, str] = {
    "GB-ENG": "workalendar.europe:UnitedKingdom",
    "GB-WLS": "workalendar.europe:UnitedKingdom",
    "GB-SCT": "workalendar.europe:Scotland",
    "GB-NIR": "workalendar.europe:UnitedKingdomNorthernIreland",
    "FR-57": "workalendar.europe:FranceAlsaceMoselle",
    "FR-67": "workalendar.europe:FranceAlsaceMoselle",
    "FR-68": "workalendar.europe:FranceAlsaceMoselle",
    "FR-6AE": "workalendar.europe:FranceAlsaceMoselle",
    # ISO says Navarra is ES-NC; workalendar registered it as ES-NA.
    "ES-NC": "ES-NA",
}

# Same idea for `holidays`: it treats Bas-Rhin and Haut-Rhin together as "6AE".
_HOLIDAYS_EXTRA: dict[str, str] = {
    "FR-67": "6AE",
    "FR-68": "6AE",
    "ES-NA": "NC",
}

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


# --- time zone -> country ---------------------------------------------------------------

_zone_data: tuple[dict[str, str], dict[str, str]] | None = None


def _read_tz_file(name: str) -> str | None:
    try:
        from importlib.resources import files

        return files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError):
        pass
    try:
        return Path("/usr/share/zoneinfo", name).read_text(encoding="utf-8")
    except OSError:
        return None


def _load_zone_data() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased zone -> country, lower-cased alias -> country) from zone.tab/tzdata.zi."""
    global _zone_data
    if _zone_data is not None:
        return _zone_data
    zones: dict[str, tuple[str, str]] = {}
    for line in (_read_tz_file("zone.tab") or "").splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            zones[fields[2].lower()] = (fields[2], fields[0])
    # tzdata.zi's "L target alias" lines are the links, already flattened to a real
    # zone. Several countries' zones can share one target since tzdata merged
    # identical zones (Iceland -> Africa/Abidjan), so an alias counts only when every
    # zone.tab entry sharing its target agrees on the country.
    target_of: dict[str, str] = {}
    for line in (_read_tz_file("tzdata.zi") or "").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            target_of[parts[2].lower()] = parts[1].lower()
    countries_of_target: dict[str, set[str]] = {}
    for lowered, (_, country) in zones.items():
        target = target_of.get(lowered, lowered)
        countries_of_target.setdefault(target, set()).add(country)
    aliases: dict[str, str] = {}
    for alias, target in target_of.items():
        if alias in zones:
            continue
        countries = countries_of_target.get(target, set())
        if len(countries) == 1:
            aliases[alias] = next(iter(countries))
    _zone_data = ({k: v[1] for k, v in zones.items()}, aliases)
    return _zone_data


def country_for_zone(zone: str | None) -> str | None:
    """ISO country of an IANA zone ("Europe/Helsinki" -> "FI"), or None if not one country."""
    if not zone or not isinstance(zone, str):
        return None
    zones, aliases = _load_zone_data()
    key = zone.strip().lower()
    return zones.get(key) or aliases.get(key)


# --- the calendar -----------------------------------------------------------------------


class _Sources:
    """Decides, one whole year at a time, which days are business days."""

    def __init__(self, name: str, workalendar: Any | None, holidays: Any | None, strict: bool):
        self.name = name
        self.workalendar = workalendar
        self.holidays = holidays
        # source="workalendar": a year workalendar cannot do is an error, not a fallback.
        self.strict = strict

    def year(self, year: int) -> tuple[list[int], set[date], Exception | None]:
        """(business-day ordinals, holiday dates, workalendar's error for this year)."""
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        hol = self.holidays
        with warnings.catch_warnings():
            # workalendar warns on every lunar/Islamic calendar and on China's range;
            # we report what matters through `warn` instead.
            warnings.simplefilter("ignore")
            wk_working: Callable[[date], bool] | None = None
            found: set[date] = set()
            failure: Exception | None = None
            if self.workalendar is not None:
                try:
                    found.update(self.workalendar.holidays_set(year))
                    wk_working = self.workalendar.is_working_day
                except Exception as exc:  # CalendarError, KeyError, ... vary by class
                    if self.strict or hol is None:
                        raise ConfigError(
                            f"workalendar cannot compute holidays for {self.name} in {year} "
                            f"({type(exc).__name__}: {exc}); use holiday source 'both' "
                            "or 'holidays'"
                        ) from exc
                    failure = exc
            business: list[int] = []
            for ordinal in range(first, last + 1):
                day = date.fromordinal(ordinal)
                in_hol = hol is not None and day in hol
                if in_hol:
                    found.add(day)
                if wk_working is not None:
                    # workalendar's own test, so its weekend and its weekend working
                    # days (China, Russia, Taiwan) win; `holidays` only adds holidays.
                    ok = not in_hol and wk_working(day)
                elif hol is not None:
                    ok = hol.is_working_day(day)
                else:
                    ok = day.weekday() < 5
                if ok:
                    business.append(ordinal)
        return business, found, failure


class BusinessCalendar:
    """Business days of one country or region; get one from business_calendar()."""

    code: str
    description: str

    def __init__(self, code: str, description: str, sources: _Sources, warn: Warn | None):
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

_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_cache: dict[tuple[str, str], BusinessCalendar] = {}
_cache_lock = threading.Lock()
_warned_plain: set[str] = set()


def clear_cache() -> None:
    """Forget built calendars and issued warnings (tests; long-running config reloads)."""
    with _cache_lock:
        _cache.clear()
        _warned_plain.clear()


def _country_name(country: str) -> str:
    try:
        from holidays.registry import COUNTRIES

        for entry in COUNTRIES.values():
            if entry[1] == country:
                # Class names are the English names in CamelCase ("UnitedStates").
                name = _CAMEL_RE.sub(" ", entry[0])
                for small in ("And", "Of", "The", "Da"):
                    name = name.replace(f" {small} ", f" {small.lower()} ")
                return name
    except (ImportError, AttributeError, IndexError, TypeError):
        pass  # internal table of `holidays`; fall back below if it ever changes shape
    try:
        registry = _workalendar_registry()
        cls = registry.get(country)
        if cls is not None and getattr(cls, "name", None):
            return str(cls.name)
    except ImportError:
        pass
    return country


def _workalendar_registry() -> Any:
    from workalendar.registry import registry

    return registry


def _workalendar_class(code: str) -> Any | None:
    registry = _workalendar_registry()
    cls = registry.get(code)
    if cls is None and code in _WORKALENDAR_EXTRA:
        target = _WORKALENDAR_EXTRA[code]
        if ":" in target:
            import importlib

            module, _, attr = target.partition(":")
            cls = getattr(importlib.import_module(module), attr, None)
        else:
            cls = registry.get(target)
    return cls


def _holidays_subdivision(country: str, subdivision: str) -> str | None:
    """The subdivision code `holidays` uses for ours, or None if it has none."""
    import holidays

    supported = holidays.list_supported_countries().get(country) or []
    mapped = _HOLIDAYS_EXTRA.get(f"{country}-{subdivision}", subdivision)
    for candidate in supported:
        if candidate.upper() == mapped:
            return str(candidate)
    try:
        cls = type(holidays.country_holidays(country))
    except NotImplementedError:
        return None
    for alias, target in (getattr(cls, "subdivisions_aliases", None) or {}).items():
        if alias.upper() == mapped:
            return str(target)
    return None


def _make_holidays(country: str, subdivision: str | None) -> Any:
    import holidays

    cls = type(holidays.country_holidays(country, subdiv=subdivision))
    categories = getattr(cls, "supported_categories", ("public",))
    return holidays.country_holidays(
        country,
        subdiv=subdivision,
        categories=("public",) if "public" in categories else None,
    )


def _build(
    country: str, subdivision: str | None, source: str
) -> tuple[BusinessCalendar, list[str]]:
    import holidays

    code = country if subdivision is None else f"{country}-{subdivision}"
    name = _country_name(country)
    description = name if subdivision is None else f"{name} ({subdivision})"
    notes: list[str] = []

    hol_known_country = country in holidays.list_supported_countries()
    hol_subdivision: str | None = None
    hol_exact = hol_known_country
    if hol_known_country and subdivision is not None:
        hol_subdivision = _holidays_subdivision(country, subdivision)
        hol_exact = hol_subdivision is not None

    wk_country_cls = _workalendar_class(country)
    wk_cls = wk_country_cls if subdivision is None else _workalendar_class(code)

    if wk_country_cls is None and not hol_known_country:
        raise ConfigError(f"unknown country code {code!r}")
    if not hol_exact and wk_cls is None:
        raise ConfigError(f"unknown country code {code!r}")

    use_wk: Any | None = None
    use_hol: Any | None = None
    if source == "workalendar":
        if wk_cls is None:
            raise ConfigError(
                f"workalendar has no calendar for {code!r}; use holiday source 'both' or 'holidays'"
            )
        use_wk = wk_cls
    elif source == "holidays":
        if not hol_exact:
            raise ConfigError(
                f"the holidays package has no calendar for {code!r}; use holiday source "
                "'both' or 'workalendar'"
            )
        use_hol = (country, hol_subdivision)
    else:
        if wk_cls is not None:
            use_wk = wk_cls
        elif wk_country_cls is not None:
            # The region's own rules come from `holidays`; the national class adds
            # only nationwide days, which the region observes too.
            use_wk = wk_country_cls
            notes.append(
                f"workalendar has no calendar for {code}; using its {name} calendar "
                f"together with the holidays package's {code} holidays"
            )
        else:
            notes.append(
                f"workalendar has no calendar for {code}; using the holidays package alone"
            )
        if hol_exact:
            use_hol = (country, hol_subdivision)
        elif hol_known_country:
            use_hol = (country, None)
            notes.append(
                f"the holidays package has no subdivision {code}; using its {name} "
                f"holidays together with workalendar's {code} calendar"
            )
        else:
            notes.append(f"the holidays package does not know {code}; using workalendar alone")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # China's class warns about its range on creation
        wk_instance = use_wk() if use_wk is not None else None
    hol_instance = _make_holidays(*use_hol) if use_hol is not None else None
    sources = _Sources(description, wk_instance, hol_instance, strict=source == "workalendar")
    return BusinessCalendar(code, description, sources, None), notes


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
            if zone:
                message = (
                    f"no country set and none can be inferred from time zone {zone}; "
                    "counting Monday to Friday only"
                )
            else:
                message = (
                    "no country set and no time zone to infer one from; "
                    "counting Monday to Friday only"
                )
            with _cache_lock:
                first_time = message not in _warned_plain
                _warned_plain.add(message)
                plain = _cache.get(("", ""))
                if plain is None:
                    plain = BusinessCalendar(
                        "",
                        "Monday to Friday",
                        _Sources("Monday to Friday", None, None, False),
                        None,
                    )
                    _cache[("", "")] = plain
            if first_time:
                (warn or _log.warning)(message)
            return plain
        parsed = (inferred, None)

    code = parsed[0] if parsed[1] is None else f"{parsed[0]}-{parsed[1]}"
    with _cache_lock:
        calendar = _cache.get((code, source))
        notes: list[str] = []
        if calendar is None:
            calendar, notes = _build(parsed[0], parsed[1], source)
            _cache[(code, source)] = calendar
        if warn is not None:
            # Later lazy warnings (a year workalendar cannot do) go to the latest caller.
            calendar._warn = warn
    for note in notes:
        calendar._emit(note)
    return calendar
