"""Parsed calendar -> event occurrences with real, zone-aware times, and problems.

Yields every event occurrence that overlaps the planning window, each with an
aware start and end, from what real calendar programs write: floating times
(read in the user's zone), all-day events, DURATION or no end, recurring
series with RECURRENCE-ID overrides and EXDATE (see ``series``). What went
wrong becomes a ``Problem`` naming ``file:line`` and the event; one broken
event never stops the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import cast
from zoneinfo import ZoneInfo

import icalendar

from cal_followup.ics.candidates import ZONE_MARGIN_DAYS, raw_day
from cal_followup.ics.events import (
    Event,
    Occurrence,
    Problem,
    Reporter,
    Window,
    event_times,
    event_warnings,
    uid_of,
)
from cal_followup.ics.parse import ParsedCalendar
from cal_followup.ics.scan import Block, Scan
from cal_followup.ics.series import expand_series
from cal_followup.ics.zones import to_standard


def _is_recurring(event: icalendar.cal.Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _window_allows(block: Block, window: Window) -> bool:
    """False only when the raw DTSTART shows the block is far outside the window."""
    if block.recurring or block.name != "VEVENT":
        return True
    day = raw_day(block.dtstart)
    if day is None:
        return True
    margin = timedelta(days=ZONE_MARGIN_DAYS)
    return window.start.date() - margin <= day <= window.end.date() + margin


def _pending_problems(scan: Scan | None, window: Window, report: Reporter) -> Iterator[Problem]:
    if scan is None:
        return
    for number, message in sorted(scan.notes):
        yield Problem(f"{report.where}:{number}", message, fatal=False)
    for block in scan.blocks:
        if block.trouble is None:
            continue
        relevant = _window_allows(block, window)
        if block.name == "VEVENT":
            fatal = relevant
            message = f"cannot read the event: {block.trouble}"
            if not relevant:
                message += " (it is outside the planning window)"
        else:
            fatal = False
            message = f"{block.trouble}; ignored"
        yield Problem(
            report.at(block.trouble_line or block.first, block.label()), message, fatal, block.trace
        )
    if scan.unterminated is not None:
        yield Problem(
            f"{report.where}:{scan.unterminated}",
            "the file ends without END:VCALENDAR: it may be cut off, "
            "and events after this line are missing",
        )


def _standard(calendar: ParsedCalendar | icalendar.Calendar) -> ParsedCalendar:
    if isinstance(calendar, ParsedCalendar):
        if calendar.standard:
            return calendar
        parsed = calendar
    else:
        parsed = ParsedCalendar(calendar, [None] * len(calendar.subcomponents))
    converted, _ = to_standard(parsed.calendar, lambda _note: None)
    return ParsedCalendar(converted, parsed.blocks, parsed.scan, True, parsed.skipped)


def iter_occurrences(
    calendar: ParsedCalendar | icalendar.Calendar,
    window: Window,
    user_zone: ZoneInfo,
    where: str,
    href: str | None = None,
) -> Iterator[Occurrence | Problem]:
    """Occurrences of every VEVENT in ``calendar`` that overlap ``window``.

    Problems met while parsing (``parse_calendar``) come first; then a Problem
    for each event that cannot be read, and warnings for events read anyway.
    """
    report = Reporter(where)
    parsed = _standard(calendar)
    yield from _pending_problems(parsed.scan, window, report)
    cancelled_by_method = str(parsed.calendar.get("METHOD", "")).strip().upper() == "CANCEL"
    timezones = [c for c in parsed.calendar.subcomponents if c.name == "VTIMEZONE"]
    series: dict[str, list[Event]] = {}
    for event in _events(parsed):
        if cancelled_by_method and "STATUS" not in event.component:
            # RFC 5546: a CANCEL for a whole event cancels it, STATUS or not.
            event.component.add("STATUS", "CANCELLED")
        uid = uid_of(event.component)
        if _is_recurring(event.component):
            series.setdefault(uid, []).append(event)
            continue
        yield from _single(event, uid, window, user_zone, report, href)
    for uid, events in series.items():
        yield from expand_series(uid, events, timezones, window, user_zone, report, href)


def _events(parsed: ParsedCalendar) -> Iterator[Event]:
    """Every VEVENT with its block, nested ones (which have none of their own) too."""
    for component, block in zip(parsed.calendar.subcomponents, parsed.blocks, strict=True):
        for found in component.walk("VEVENT"):
            yield Event(found, block if found is component else None)


def _single(
    event: Event,
    uid: str,
    window: Window,
    user_zone: ZoneInfo,
    report: Reporter,
    href: str | None,
) -> Iterator[Occurrence | Problem]:
    try:
        start, end, all_day, zone, warnings = event_times(event.component, user_zone)
    except Exception as error:  # noqa: BLE001 - one event never stops the rest
        yield report.failed(event, "cannot read its time", error, "DTSTART")
        return
    if end < window.start or start > window.end:
        return
    yield from event_warnings(event, uid, warnings, report)
    component = cast(icalendar.Event, event.component)
    yield Occurrence(
        component, uid, None, start, end, all_day, zone, report.where, href, line=event.line
    )
