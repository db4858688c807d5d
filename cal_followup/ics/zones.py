"""Time zones as calendars write them, made into real ones; zone bombs refused.

Calendars name zones in many ways: a VTIMEZONE, a bare IANA name, Outlook's
Windows names, Google's calendar-level X-WR-TIMEZONE, or an Outlook
"Customized Time Zone" whose rules match some real zone. This module turns
them into IANA names (the employer's country, and so its business days, is
read from them) and refuses, before icalendar sees it, a VTIMEZONE whose
rules would cost without bound to evaluate.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from cal_followup.ics.scan import Block, one_line, split_line

#: Real zones change their offset twice a year; a rule changing it more often
#: than monthly is not a zone, and expanding it costs without bound.
MAX_ZONE_CHANGES_PER_YEAR = 12
#: Offset changes a zone may define from its first DTSTART to 2100, all rules together.
MAX_ZONE_CHANGES = 20_000

_ZONE_FREQ_PER_YEAR = {"YEARLY": 1, "MONTHLY": 12}


def zone_changes_per_year(freq: str, parts: dict[str, str]) -> float:
    """How often a year a zone rule changes the offset, BYxxx expansion counted.

    A BYDAY entry with an ordinal ("-1SU") is one day a month (or a year); a
    plain weekday ("SU") is every such weekday, about five a month.
    """

    def values(name: str) -> list[str]:
        return [v for v in parts.get(name, "").split(",") if v.strip()]

    months = len(values("BYMONTH")) or (12 if freq == "YEARLY" else 1)
    per_period = 1.0
    if values("BYYEARDAY"):
        per_period = len(values("BYYEARDAY"))
    elif values("BYMONTHDAY"):
        per_period = len(values("BYMONTHDAY")) * months
    elif values("BYWEEKNO"):
        per_period = 7.0 * len(values("BYWEEKNO"))
    elif values("BYDAY"):
        in_month = bool(values("BYMONTH")) or freq == "MONTHLY"
        per_period = sum(
            (months if in_month else 1) if re.search(r"\d", day) else 5 * months
            for day in values("BYDAY")
        )
    elif freq == "YEARLY" and values("BYMONTH"):
        per_period = months
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        per_period *= len(values(name)) or 1
    return per_period * (12 if freq == "MONTHLY" else 1)


def zone_trouble(block: Block) -> str | None:
    """Why a VTIMEZONE would cost without bound to read, or None when it is sane.

    dateutil walks a zone's rules from their DTSTART on every lookup, so a
    rule repeating every minute (or a thousand RDATEs) makes one event's
    time cost gigabytes; such a zone is refused before icalendar sees it.
    """
    changes = 0.0
    per_years = 0.0
    start_year = 2100
    for text in block.lines:
        name, value = split_line(text)
        if name == "DTSTART":
            digits = re.match(r"\s*(\d{4})", value)
            if digits:
                start_year = min(start_year, int(digits.group(1)))
        elif name == "RDATE":
            changes += value.count(",") + 1
        elif name == "RRULE":
            parts = dict(part.split("=", 1) for part in value.upper().split(";") if "=" in part)
            freq = parts.get("FREQ", "").strip()
            if freq not in _ZONE_FREQ_PER_YEAR:
                return (
                    f"its rules change the offset {freq.lower() or 'without a FREQ'}, "
                    "more often than any real time zone"
                )
            per_year = zone_changes_per_year(freq, parts)
            if per_year > MAX_ZONE_CHANGES_PER_YEAR:
                return f"its rules change the offset about {per_year:,.0f} times a year"
            per_years += per_year
    changes += per_years * max(2100 - start_year, 1)
    if changes > MAX_ZONE_CHANGES:
        return f"it defines about {changes:,.0f} offset changes"
    return None


def check_zones(blocks: list[Block]) -> None:
    """Mark every VTIMEZONE that would cost without bound as troubled."""
    for zone in blocks:
        if zone.name == "VTIMEZONE" and zone.trouble is None:
            zone.trouble = zone_trouble(zone)
            zone.trouble_line = zone.first


@lru_cache(maxsize=512)
def valid_zone(name: str) -> bool:
    if not name or len(name) > 100:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


@lru_cache(maxsize=512)
def iana(name: str) -> str | None:
    """An IANA zone name for ``name``, which may be a Windows zone name; else None."""
    name = name.strip()
    if valid_zone(name):
        return name
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    mapped = WINDOWS_TO_OLSON.get(name)
    return mapped if mapped and valid_zone(mapped) else None


def zone_name(value: datetime) -> str | None:
    """The IANA name of an aware time's zone, however the calendar wrote it."""
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if key and iana(str(key)):
        return iana(str(key))
    try:
        from icalendar.timezone import tzid_from_dt

        tzid = tzid_from_dt(value)
    except Exception:  # noqa: BLE001 - a custom zone without a name
        tzid = None
    if tzid and iana(str(tzid)):
        return iana(str(tzid))
    return _equivalent_zone(tz, value.year, str(tzid or ""))


_EQUIVALENT: dict[tuple[str, int], str | None] = {}
#: Where most interviews happen: tried first, so that New York wins over Havana.
_LIKELY_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def _equivalent_zone(tz: Any, year: int, tzid: str) -> str | None:
    """The IANA zone whose clock matches a custom VTIMEZONE's all year, if any.

    Outlook writes "Customized Time Zone" with its own rules; the instants
    are right either way, but the employer's country (business days) is read
    from the zone's name. Windows' own choice of zone for each region is tried
    first, so the match is the zone people there actually use.
    """
    cache_key = (tzid or repr(tz), year)
    if cache_key in _EQUIVALENT:
        return _EQUIVALENT[cache_key]
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    found: str | None = None
    try:
        samples = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=7 * n) for n in range(53)]
        clock = [moment.astimezone(tz).utcoffset() for moment in samples]
        if all(offset == timedelta(0) for offset in clock):
            found = "UTC"
        else:
            for candidate in dict.fromkeys([*_LIKELY_ZONES, *WINDOWS_TO_OLSON.values()]):
                if not valid_zone(candidate):
                    continue
                zone = ZoneInfo(candidate)
                if all(
                    m.astimezone(zone).utcoffset() == o for m, o in zip(samples, clock, strict=True)
                ):
                    found = candidate
                    break
    except (ValueError, OverflowError, TypeError, AttributeError):
        found = None
    if len(_EQUIVALENT) < 256:
        _EQUIVALENT[cache_key] = found
    return found


def calendar_zone(calendar: icalendar.Calendar) -> str | None:
    """The calendar-level X-WR-TIMEZONE, as written."""
    value = calendar.get("X-WR-TIMEZONE")
    return str(value).strip() if value else None


def to_standard(
    calendar: icalendar.Calendar, unknown: Callable[[str], None]
) -> tuple[icalendar.Calendar, bool]:
    """Google's X-WR-TIMEZONE made into real zones, component for component.

    Returns the calendar (a new one when converted; its subcomponents stay in
    the same order, one for one) and whether anything was converted. An
    unknown zone name is passed to ``unknown`` and the calendar kept as it is.
    """
    name = calendar_zone(calendar)
    if not name:
        return calendar, False
    import x_wr_timezone

    zone = iana(name)
    if zone is None:
        unknown(f"X-WR-TIMEZONE {one_line(name, 80)!r} is not a known time zone; ignored")
        return calendar, False
    if zone != name:
        calendar["X-WR-TIMEZONE"] = zone
    try:
        converted = x_wr_timezone.to_standard(calendar)
        if len(converted.subcomponents) == len(calendar.subcomponents):
            return converted, True
    except Exception:  # noqa: BLE001 - convert what can be converted, event by event
        pass
    converted = icalendar.Calendar()
    for key, value in calendar.property_items(recursive=False):
        if key not in ("BEGIN", "END"):
            converted.add(key, value, encode=False)
    for component in calendar.subcomponents:
        mini = icalendar.Calendar()
        mini.add("X-WR-TIMEZONE", zone)
        mini.add_component(component)
        try:
            new = x_wr_timezone.to_standard(mini).subcomponents[0]
        except Exception:  # noqa: BLE001 - keep it as written
            new = component
        converted.add_component(new)
    return converted, True


def local_zone_name() -> str:
    """The system's time zone as an IANA name, or UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name and valid_zone(name):
        return name
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            candidate = target.split(marker, 1)[1]
            if valid_zone(candidate):
                return candidate
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidate = handle.read().strip()
            if valid_zone(candidate):
                return candidate
    except OSError:
        pass
    return "UTC"
