"""What reading a calendar yields (Occurrence, Problem) and how one event's times are read.

The values passed between the reading stages: the planning ``Window``, an
``Event`` (a parsed VEVENT with the block of text it came from), the
``Occurrence`` the planner gets and the ``Problem`` the user sees, plus the
rules for one event's start, end, zone and UID, shared by single events and
recurring series.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import icalendar

from cal_followup.ics.candidates import MAX_UID
from cal_followup.ics.parse import first_line
from cal_followup.ics.scan import CONTROL, Block, label, one_line
from cal_followup.ics.zones import zone_name

#: Values from invites are untrusted; nothing longer is worth reading.
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Problem:
    """Something wrong with one event (or the file), for one line on stderr."""

    where: str
    message: str
    fatal: bool = True  # False: a warning, the event was still read
    #: The traceback behind it, shown with --debug only.
    trace: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        # One line whatever went into it: nothing from a file may break it up.
        return one_line(f"{self.where}: {self.message}", 2_000)


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
    #: Line of the event's BEGIN:VEVENT in ``source``, when known.
    line: int | None = None

    @property
    def key(self) -> str:
        return f"{self.uid}#{self.recurrence_id}" if self.recurrence_id else self.uid

    @property
    def where(self) -> str:
        """``source:line`` for messages."""
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Window:
    """Occurrences that end after ``start`` and begin before ``end`` are read."""

    start: datetime
    end: datetime
    #: How long after an interview its reminders can be due (``stages.reach``): a
    #: store that reads reminders with the interviews looks this far past ``end``.
    reach: timedelta = timedelta(days=400)

    @property
    def days(self) -> float:
        """Its length in days (which bounds how often a simple series repeats in it)."""
        return (self.end - self.start).total_seconds() / 86400


@dataclass
class Event:
    """One VEVENT as parsed, with the block of text it came from (if known)."""

    component: icalendar.cal.Component
    block: Block | None

    @property
    def line(self) -> int | None:
        return self.block.first if self.block else None


def describe(component: icalendar.cal.Component) -> str:
    """'event 'x' (Summary)' for messages; one line whatever the event holds; never fails."""
    try:
        uid = one_line(component.get("UID", ""), 120)
        summary = one_line(component.get("SUMMARY", ""))
    except Exception:  # noqa: BLE001 - a description must not fail
        return "event"
    return label(uid, summary)


def as_aware(value: date | datetime, user_zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=user_zone)
    return datetime.combine(value, time(0), user_zone)


def rid_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            return value.strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def event_times(
    event: icalendar.cal.Component, user_zone: ZoneInfo
) -> tuple[datetime, datetime, bool, str, list[str]]:
    """Start, end, all-day, zone name and warnings of one event or occurrence."""
    warnings: list[str] = []
    raw_start = event.get("DTSTART")
    if raw_start is None:
        raise ValueError("no DTSTART")
    start_value = cast(icalendar.Event, event).start
    if not isinstance(start_value, date):
        raise ValueError(f"DTSTART is not a date or time: {one_line(start_value, 40)!r}")
    try:
        end_value = cast(icalendar.Event, event).end
        if not isinstance(end_value, date):
            raise ValueError("not a date")
    except Exception:  # noqa: BLE001 - a broken DTEND/DURATION: assume no length
        warnings.append("unreadable DTEND or DURATION; taking the event as having no length")
        end_value = start_value
    all_day = not isinstance(start_value, datetime)
    tzid = None
    params = getattr(raw_start, "params", None)
    if params is not None:
        tzid = params.get("TZID")
    if isinstance(start_value, datetime) and start_value.tzinfo is None and tzid:
        warnings.append(
            f"unknown time zone {one_line(tzid, 80)!r}; reading the time in {user_zone.key}"
        )
    start = as_aware(start_value, user_zone)
    end = as_aware(end_value, user_zone)
    if end < start:
        warnings.append("the event ends before it starts; taking it as having no length")
        end = start
    zone = zone_name(start) or user_zone.key
    return start, end, all_day, zone, warnings


class Reporter:
    """Turns what went wrong into Problems that name ``file:line`` and the event."""

    def __init__(self, where: str) -> None:
        self.where = where

    def at(self, line: int | None, who: str) -> str:
        return f"{self.where}:{line}: {who}" if line else f"{self.where}: {who}"

    def for_event(
        self,
        event: Event,
        message: str,
        *,
        fatal: bool = True,
        prop: str | None = None,
        trace: str | None = None,
    ) -> Problem:
        line = None
        if event.block is not None:
            names = [prop] if prop else _properties_about(message)
            line = next((n for n in map(event.block.line_of, names) if n), None) or event.line
        return Problem(self.at(line, describe(event.component)), message, fatal, trace)

    def failed(self, event: Event, what: str, error: BaseException, prop: str) -> Problem:
        """``what`` went wrong with ``event`` because of ``error`` (being handled now)."""
        message = f"{what}: {first_line(error)}"
        return self.for_event(event, message, prop=prop, trace=traceback.format_exc())


def _properties_about(message: str) -> list[str]:
    """The properties whose line a warning from ``event_times`` or ``uid_of`` is about."""
    for prefix, names in (
        ("unknown time zone", ["DTSTART"]),
        ("unreadable DTEND", ["DTEND", "DURATION"]),
        ("the event ends before", ["DTEND", "DURATION"]),
        ("a UID with", ["UID"]),
    ):
        if message.startswith(prefix):
            return names
    return []


def uid_of(event: icalendar.cal.Component) -> str:
    """The event's UID; a digest for a monstrous one, a content hash for none."""
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return _derived_uid(event)
    if len(uid) > MAX_UID or CONTROL.search(uid):
        # Too long to carry around, or holding line breaks and other controls
        # that no writer can put back unescaped in our marker properties.
        return "uid-" + hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]
    return uid


def _derived_uid(event: icalendar.cal.Component) -> str:
    try:
        content = event.to_ical()
    except Exception:  # noqa: BLE001 - fall back to what can be said of it
        content = describe(event).encode("utf-8", "replace")
    return f"no-uid-{hashlib.sha256(content).hexdigest()[:24]}"


def event_warnings(
    event: Event, uid: str, warnings: list[str], report: Reporter
) -> Iterator[Problem]:
    """Warnings for an event that is read: what was dropped, repaired or guessed."""
    raw_uid = str(event.component.get("UID", "")).strip()
    if not raw_uid:
        warnings = [*warnings, "no UID; using one derived from its content"]
    elif uid != raw_uid:
        what = "control characters" if CONTROL.search(raw_uid) else f"{len(raw_uid)} characters"
        warnings = [*warnings, f"a UID with {what}; using a digest of it"]
    for warning in warnings:
        yield report.for_event(event, warning, fatal=False)
    for name, message in getattr(event.component, "errors", []) or []:
        if name in ("DTSTART", "DTEND", "DURATION"):
            continue  # already said, in the words above
        prefix = f"{name} " if name else ""
        yield report.for_event(
            event,
            f"{prefix}cannot be read ({one_line(message, 120)}); ignored",
            fatal=False,
            prop=name,
        )
    if event.block is None:
        return
    for number, note in sorted(event.block.notes):
        yield Problem(report.at(number, describe(event.component)), note, fatal=False)
