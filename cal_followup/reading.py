"""Calendar data -> event occurrences with real, zone-aware times.

Takes the bytes of an iCalendar object (a whole calendar file, one vdir item,
one CalDAV resource) and yields every event occurrence that overlaps the
planning window, each with an aware start and end. It copes with what real
calendar programs write: VTIMEZONE or bare IANA names, Outlook's Windows zone
names, Google's calendar-level X-WR-TIMEZONE, floating times (read in the
user's zone), all-day events, DURATION or no end, and recurring series with
RECURRENCE-ID overrides and EXDATE. A problem with one event becomes a
``Problem`` for that event; the others are still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from cal_followup.errors import SourceError

#: Values from invites are untrusted; nothing longer is worth reading.
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Problem:
    """Something wrong with one event (or the file), for one line on stderr."""

    where: str
    message: str
    fatal: bool = True  # False: a warning, the event was still read

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Occurrence:
    """One occurrence of an event, as the planner needs it."""

    component: icalendar.Event
    uid: str
    recurrence_id: str | None
    start: datetime
    end: datetime
    all_day: bool
    zone: str
    source: str
    href: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.uid}#{self.recurrence_id}" if self.recurrence_id else self.uid


@dataclass
class Window:
    """Occurrences that end after ``start`` and begin before ``end`` are read."""

    start: datetime
    end: datetime


def describe(component: icalendar.cal.Component) -> str:
    """'UID x (Summary)' for messages; never fails."""
    try:
        uid = str(component.get("UID", "")).strip()
        summary = str(component.get("SUMMARY", "")).strip()
    except Exception:  # noqa: BLE001 - a description must not fail
        return "event"
    summary = summary[:60]
    if uid and summary:
        return f"event {uid!r} ({summary})"
    if uid:
        return f"event {uid!r}"
    return f"event {summary!r}" if summary else "event without UID"


def _zone_name(value: datetime) -> str | None:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    zone = getattr(tz, "zone", None)  # pytz-style objects
    if zone:
        return str(zone)
    if value.utcoffset() == timedelta(0):
        return "UTC"
    return None


def _as_aware(value: date | datetime, user_zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=user_zone)
    return datetime.combine(value, time(0), user_zone)


def _rid_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo("UTC"))
            return value.strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def parse_calendar(data: bytes | str, where: str) -> icalendar.Calendar:
    """Parse a whole iCalendar object or raise SourceError naming ``where``."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise SourceError(f"{where}:{line}: not UTF-8 text ({error.reason})") from None
    else:
        text = data
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise SourceError(f"{where}: not an iCalendar file (no BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # noqa: BLE001 - icalendar raises ValueError and friends
        line = _error_line(text, error)
        raise SourceError(f"{where}{line}: cannot parse iCalendar data: {_first_line(error)}") from None
    if not calendars:
        raise SourceError(f"{where}: no calendar in the file")
    if len(calendars) == 1:
        return calendars[0]
    merged = icalendar.Calendar()
    for calendar in calendars:
        for component in calendar.subcomponents:
            merged.add_component(component)
    return merged


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _error_line(text: str, error: BaseException) -> str:
    match = re.search(r"line (\d+)", str(error))
    if match:
        return f":{match.group(1)}"
    return ""


def _calendar_zone(calendar: icalendar.Calendar) -> str | None:
    value = calendar.get("X-WR-TIMEZONE")
    return str(value).strip() if value else None


def _apply_wr_timezone(calendar: icalendar.Calendar) -> icalendar.Calendar:
    if not _calendar_zone(calendar):
        return calendar
    try:
        import x_wr_timezone

        return x_wr_timezone.to_standard(calendar)
    except Exception:  # noqa: BLE001 - an odd X-WR-TIMEZONE must not lose the calendar
        return calendar


def _event_times(
    event: icalendar.Event, user_zone: ZoneInfo, where: str
) -> tuple[datetime, datetime, bool, str, list[str]]:
    warnings: list[str] = []
    raw_start = event.get("DTSTART")
    if raw_start is None:
        raise ValueError("no DTSTART")
    start_value = event.start
    try:
        end_value = event.end
    except Exception:  # noqa: BLE001 - a broken DTEND/DURATION: assume no length
        warnings.append("unreadable DTEND or DURATION; taking the event as having no length")
        end_value = start_value
    all_day = not isinstance(start_value, datetime)
    tzid = None
    params = getattr(raw_start, "params", None)
    if params is not None:
        tzid = params.get("TZID")
    if isinstance(start_value, datetime) and start_value.tzinfo is None and tzid:
        warnings.append(f"unknown time zone {str(tzid)[:80]!r}; reading the time in {user_zone.key}")
    start = _as_aware(start_value, user_zone)
    end = _as_aware(end_value, user_zone)
    if end < start:
        warnings.append("the event ends before it starts; taking it as having no length")
        end = start
    zone = _zone_name(start) or user_zone.key
    return start, end, all_day, zone, warnings


def _is_recurring(event: icalendar.Event) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def iter_occurrences(
    calendar: icalendar.Calendar,
    window: Window,
    user_zone: ZoneInfo,
    where: str,
    href: str | None = None,
) -> Iterator[Occurrence | Problem]:
    """Occurrences of every VEVENT in ``calendar`` that overlap ``window``."""
    calendar = _apply_wr_timezone(calendar)
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    series: dict[str, list[icalendar.Event]] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        if _is_recurring(event) and uid:
            series.setdefault(uid, []).append(event)
            continue
        try:
            start, end, all_day, zone, warnings = _event_times(event, user_zone, where)
        except Exception as error:  # noqa: BLE001 - one event never stops the rest
            yield Problem(f"{where}: {describe(event)}", f"cannot read its time: {_first_line(error)}")
            continue
        if end < window.start or start > window.end:
            continue
        if not uid:
            warnings.append("no UID; using one derived from its content")
            uid = _derived_uid(event)
        for warning in warnings:
            yield Problem(f"{where}: {describe(event)}", warning, fatal=False)
        yield Occurrence(event, uid, None, start, end, all_day, zone, where, href)
    for uid, components in series.items():
        yield from _expand_series(uid, components, timezones, window, user_zone, where, href)


def _derived_uid(event: icalendar.Event) -> str:
    import hashlib

    digest = hashlib.sha256(event.to_ical()).hexdigest()[:24]
    return f"no-uid-{digest}"


def _expand_series(
    uid: str,
    components: list[icalendar.Event],
    timezones: list[icalendar.cal.Component],
    window: Window,
    user_zone: ZoneInfo,
    where: str,
    href: str | None,
) -> Iterator[Occurrence | Problem]:
    import recurring_ical_events

    mini = icalendar.Calendar()
    for timezone in timezones:
        mini.add_component(timezone)
    for component in components:
        mini.add_component(component)
    label = f"{where}: {describe(components[0])}"
    try:
        expanded = list(
            recurring_ical_events.of(mini).between(
                window.start.astimezone(user_zone), window.end.astimezone(user_zone)
            )
        )
    except Exception as error:  # noqa: BLE001 - one broken series never stops the rest
        yield Problem(label, f"cannot expand the recurring event: {_first_line(error)}")
        return
    seen: set[str] = set()
    for occurrence in expanded:
        try:
            start, end, all_day, zone, warnings = _event_times(occurrence, user_zone, where)
        except Exception as error:  # noqa: BLE001
            yield Problem(label, f"cannot read an occurrence's time: {_first_line(error)}")
            continue
        rid_value = occurrence.get("RECURRENCE-ID")
        rid = _rid_text(rid_value.dt) if rid_value is not None else _rid_text(start)
        if rid in seen:
            continue
        seen.add(rid)
        for warning in warnings:
            yield Problem(label, warning, fatal=False)
        yield Occurrence(occurrence, uid, rid, start, end, all_day, zone, where, href)


def local_zone_name() -> str:
    """The system's time zone as an IANA name, or UTC when it cannot be told."""
    import os

    name = os.environ.get("TZ", "").lstrip(":")
    if name and _valid_zone(name):
        return name
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            candidate = target.split(marker, 1)[1]
            if _valid_zone(candidate):
                return candidate
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidate = handle.read().strip()
            if _valid_zone(candidate):
                return candidate
    except OSError:
        pass
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True
