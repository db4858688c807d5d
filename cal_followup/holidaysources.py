"""Where holidays and weekends come from: workalendar and the ``holidays`` package.

``build_sources`` picks, for one country or region and one holiday source
setting (``both``, ``workalendar``, ``holidays``), which library classes to
use and what to tell the user about gaps (a region only one library knows).
``Sources`` then answers, one whole year at a time, which days are business
days: workalendar's own test wins where it has one (its weekends and weekend
working days), and the ``holidays`` package adds the holidays it knows.
``cal_followup.businessdays`` turns that into fast cached calendars.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from cal_followup.errors import ConfigError

__all__ = ["Sources", "build_sources"]

_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

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


class Sources:
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
        with warnings.catch_warnings():
            # workalendar warns on every lunar/Islamic calendar and on China's range;
            # we report what matters through `warn` instead.
            warnings.simplefilter("ignore")
            wk_working: Callable[[date], bool] | None = None
            found: set[date] = set()
            failure: Exception | None = None
            if self.workalendar is not None:
                try:
                    wk_holidays = self.workalendar.holidays_set(year)
                    wk_working = _working_test(self.workalendar, wk_holidays)
                    found.update(wk_holidays)
                except Exception as exc:  # CalendarError, KeyError, ... vary by class
                    if self.strict or self.holidays is None:
                        raise ConfigError(
                            f"workalendar cannot compute holidays for {self.name} in {year} "
                            f"({type(exc).__name__}: {exc}); use holiday source 'both' "
                            "or 'holidays'"
                        ) from exc
                    failure = exc
            hol_days = self._holidays_in(year)
            found.update(hol_days)
            business: list[int] = []
            for ordinal in range(first, last + 1):
                day = date.fromordinal(ordinal)
                if wk_working is not None:
                    # workalendar's own test, so its weekend and its weekend working
                    # days (China, Russia, Taiwan) win; `holidays` only adds holidays.
                    ok = day not in hol_days and wk_working(day)
                elif self.holidays is not None:
                    ok = self.holidays.is_working_day(day)
                else:
                    ok = day.weekday() < 5
                if ok:
                    business.append(ordinal)
        return business, found, failure

    def _holidays_in(self, year: int) -> set[date]:
        """The ``holidays`` package's holidays in ``year`` (asking for one day fills the year)."""
        if self.holidays is None:
            return set()
        _ = date(year, 1, 1) in self.holidays
        return {day for day in self.holidays if day.year == year}


def _working_test(calendar: Any, holidays_of_year: set[date]) -> Callable[[date], bool]:
    """workalendar's ``is_working_day`` for days of one year, without its per-day cost.

    The standard rule (not a weekend day, not a holiday) is answered from the
    year's holiday set; a class with its own rule (weekend working days in
    China, Russia, Taiwan) is asked day by day.
    """
    from workalendar.core import Calendar

    own = type(calendar)
    if (own.is_working_day, own.is_holiday) != (Calendar.is_working_day, Calendar.is_holiday):
        return cast(Callable[[date], bool], calendar.is_working_day)
    weekend = frozenset(calendar.get_weekend_days())
    return lambda day: day.weekday() not in weekend and day not in holidays_of_year


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


@dataclass
class _Choice:
    """What one country or region can use from each library, and the notes to give."""

    country: str
    subdivision: str | None
    code: str
    name: str
    hol_known_country: bool
    hol_subdivision: str | None
    hol_exact: bool
    wk_country_cls: Any | None
    wk_cls: Any | None
    notes: list[str] = field(default_factory=list)


def _choice(country: str, subdivision: str | None) -> _Choice:
    import holidays

    code = country if subdivision is None else f"{country}-{subdivision}"
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
    return _Choice(
        country,
        subdivision,
        code,
        _country_name(country),
        hol_known_country,
        hol_subdivision,
        hol_exact,
        wk_country_cls,
        wk_cls,
    )


def _only_workalendar(choice: _Choice) -> tuple[Any | None, tuple[str, str | None] | None]:
    if choice.wk_cls is None:
        raise ConfigError(
            f"workalendar has no calendar for {choice.code!r}; use holiday source "
            "'both' or 'holidays'"
        )
    return choice.wk_cls, None


def _only_holidays(choice: _Choice) -> tuple[Any | None, tuple[str, str | None] | None]:
    if not choice.hol_exact:
        raise ConfigError(
            f"the holidays package has no calendar for {choice.code!r}; use holiday source "
            "'both' or 'workalendar'"
        )
    return None, (choice.country, choice.hol_subdivision)


def _both(choice: _Choice) -> tuple[Any | None, tuple[str, str | None] | None]:
    code, name, notes = choice.code, choice.name, choice.notes
    use_wk: Any | None = None
    use_hol: tuple[str, str | None] | None = None
    if choice.wk_cls is not None:
        use_wk = choice.wk_cls
    elif choice.wk_country_cls is not None:
        # The region's own rules come from `holidays`; the national class adds
        # only nationwide days, which the region observes too.
        use_wk = choice.wk_country_cls
        notes.append(
            f"workalendar has no calendar for {code}; using its {name} calendar "
            f"together with the holidays package's {code} holidays"
        )
    else:
        notes.append(f"workalendar has no calendar for {code}; using the holidays package alone")
    if choice.hol_exact:
        use_hol = (choice.country, choice.hol_subdivision)
    elif choice.hol_known_country:
        use_hol = (choice.country, None)
        notes.append(
            f"the holidays package has no subdivision {code}; using its {name} "
            f"holidays together with workalendar's {code} calendar"
        )
    else:
        notes.append(f"the holidays package does not know {code}; using workalendar alone")
    return use_wk, use_hol


def build_sources(
    country: str, subdivision: str | None, source: str
) -> tuple[str, str, Sources, list[str]]:
    """(code, description, sources, notes for the user) for a country or region."""
    choice = _choice(country, subdivision)
    description = choice.name if subdivision is None else f"{choice.name} ({subdivision})"
    if source == "workalendar":
        use_wk, use_hol = _only_workalendar(choice)
    elif source == "holidays":
        use_wk, use_hol = _only_holidays(choice)
    else:
        use_wk, use_hol = _both(choice)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # China's class warns about its range on creation
        wk_instance = use_wk() if use_wk is not None else None
    hol_instance = _make_holidays(*use_hol) if use_hol is not None else None
    sources = Sources(description, wk_instance, hol_instance, strict=source == "workalendar")
    return choice.code, description, sources, choice.notes
