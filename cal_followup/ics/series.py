"""Recurring series -> their occurrences in the planning window, with bounded cost.

A series is a master (RRULE, RDATE) and its RECURRENCE-ID overrides, all
sharing a UID. Rules that would take millions of steps to reach the window
are refused before expansion, a series is fast-forwarded to the window, and
expanding one series stops after ``SERIES_SECONDS`` or ``MAX_OCCURRENCES``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import monotonic
from typing import cast
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from cal_followup.ics.candidates import MAX_OCCURRENCES
from cal_followup.ics.events import (
    Event,
    Occurrence,
    Problem,
    Reporter,
    Window,
    as_aware,
    event_times,
    event_warnings,
    rid_text,
)
from cal_followup.recurrence import fast_forward, rule_steps

#: Steps a recurrence rule may take from its DTSTART to the end of the window.
MAX_RULE_STEPS = 100_000
#: Seconds one recurring series may spend being expanded.
SERIES_SECONDS = 2.0
#: About how many occurrences one slice of the window is sized to hold.
SLICE_OCCURRENCES = 250


@dataclass
class _Series:
    """One series being expanded: who to blame, and what was already said."""

    uid: str
    first: Event
    report: Reporter
    href: str | None
    seen: set[str] = field(default_factory=set)
    warned: set[str] = field(default_factory=set)


def _rule_steps(event: icalendar.cal.Component, until: datetime, user_zone: ZoneInfo) -> float:
    """Roughly how many instances expanding the event's RRULEs up to ``until`` generates."""
    rules = event.get("RRULE")
    if rules is None:
        return 0
    start = as_aware(cast(icalendar.Event, event).start, user_zone)
    return rule_steps(rules if isinstance(rules, list) else [rules], start, until)


def _sized(
    events: list[Event], window: Window, user_zone: ZoneInfo, report: Reporter
) -> tuple[Problem | None, float]:
    """Fast-forward each master to the window: (a Problem if a rule is too costly, the
    most steps any rule takes to the end of the window)."""
    most = 0.0
    for event in events:
        try:
            if "RECURRENCE-ID" not in event.component:
                event.component = fast_forward(event.component, window.start)
            steps = _rule_steps(event.component, window.end, user_zone)
        except Exception as error:  # noqa: BLE001 - a rule we cannot even size
            return report.failed(event, "cannot read its repeat rule", error, "RRULE"), most
        if steps > MAX_RULE_STEPS:
            problem = report.for_event(
                event,
                f"cannot read the recurring event: its rule repeats about {steps:,.0f} times "
                "before the end of the planning window, more than a calendar event plausibly does",
                prop="RRULE",
            )
            return problem, most
        most = max(most, steps)
    return None, most


def _in_slices(
    series: icalendar.Calendar, window: Window, steps: float, user_zone: ZoneInfo
) -> Iterator[icalendar.cal.Component]:
    """The series' occurrences that overlap the window, by start, a slice of it at a time.

    Slices are sized to hold about ``SLICE_OCCURRENCES`` each, so reading stops soon
    after ``MAX_OCCURRENCES`` without building them all. (recurring_ical_events'
    own ``after`` narrows its step to fifteen minutes once it finds an occurrence
    and re-reads the rule from its start at every step: a daily series over a
    year took seconds.) An occurrence across two slices comes twice; the caller
    keeps the first.
    """
    query = recurring_ical_events.of(series)
    span = (window.end - window.start) * min(1.0, SLICE_OCCURRENCES / max(steps, 1.0))
    span = max(span, timedelta(hours=1))
    start = window.start
    while start < window.end:
        end = min(start + span, window.end)
        found = query.between(start, end)
        found.sort(key=lambda occurrence: _start_of(occurrence, user_zone, start))
        yield from found
        start = end


def _start_of(
    occurrence: icalendar.cal.Component, user_zone: ZoneInfo, default: datetime
) -> datetime:
    try:
        return as_aware(cast(icalendar.Event, occurrence).start, user_zone)
    except Exception:  # noqa: BLE001 - an unreadable start is reported when it is read
        return default


def _readable(
    events: list[Event], user_zone: ZoneInfo, report: Reporter
) -> Generator[Problem, None, list[Event]]:
    """The members whose own times can be read; a Problem for each of the others.

    Checked one by one, before expanding: an override that another override
    of the same RECURRENCE-ID shadows is never looked at by the expansion,
    yet it is broken all the same, and the user must hear of it with its line.
    """
    readable: list[Event] = []
    for event in events:
        try:
            event_times(event.component, user_zone)
        except Exception as error:  # noqa: BLE001 - this member alone is lost
            yield report.failed(event, "cannot read its time", error, "DTSTART")
            continue
        rid = event.component.get("RECURRENCE-ID")
        try:
            if rid is not None and not isinstance(rid.dt, date):
                raise ValueError(f"not a date or time: {rid.to_ical()!r}")
        except Exception as error:  # noqa: BLE001
            yield report.failed(event, "cannot read its RECURRENCE-ID", error, "RECURRENCE-ID")
            continue
        readable.append(event)
    return readable


def expand_series(
    uid: str,
    events: list[Event],
    timezones: list[icalendar.cal.Component],
    window: Window,
    user_zone: ZoneInfo,
    report: Reporter,
    href: str | None,
) -> Iterator[Occurrence | Problem]:
    """The occurrences of one series in ``window``, and what went wrong with it."""
    events = [Event(e.component, e.block) for e in events]  # fast-forwarding replaces them
    events = yield from _readable(events, user_zone, report)
    if not events:
        return
    refused, steps = _sized(events, window, user_zone, report)
    if refused is not None:
        yield refused
        return
    mini = icalendar.Calendar()
    for timezone in timezones:
        mini.add_component(timezone)
    for event in events:
        mini.add_component(event.component)
    state = _Series(uid, events[0], report, href)
    deadline = monotonic() + SERIES_SECONDS
    try:
        for occurrence in _in_slices(mini, window, steps, user_zone):
            if monotonic() > deadline:
                yield report.for_event(
                    state.first,
                    f"expanding the recurring event took over {SERIES_SECONDS:g} seconds; "
                    "only the occurrences found by then were read",
                    fatal=False,
                    prop="RRULE",
                )
                break
            found, stop = _one(state, occurrence, window, user_zone)
            yield from found
            if stop:
                break
    except Exception as error:  # noqa: BLE001 - one broken series never stops the rest
        yield report.failed(state.first, "cannot expand the recurring event", error, "RRULE")
        return
    if state.seen:
        for event in events:
            yield from event_warnings(event, uid, [], report)


def _one(
    state: _Series, occurrence: icalendar.cal.Component, window: Window, user_zone: ZoneInfo
) -> tuple[list[Occurrence | Problem], bool]:
    """What one expanded occurrence gives, and whether expanding should stop."""
    report = state.report
    try:
        start, end, all_day, zone, warnings = event_times(occurrence, user_zone)
    except Exception as error:  # noqa: BLE001
        return [
            report.failed(state.first, "cannot read an occurrence's time", error, "DTSTART")
        ], False
    if start > window.end:
        return [], True
    rid_value = occurrence.get("RECURRENCE-ID")
    rid = rid_text(rid_value.dt) if rid_value is not None else rid_text(start)
    if rid in state.seen:
        return [], False
    if len(state.seen) >= MAX_OCCURRENCES:
        problem = report.for_event(
            state.first,
            f"more than {MAX_OCCURRENCES} occurrences in the "
            "planning window; only the first ones were read",
            fatal=False,
        )
        return [problem], True
    state.seen.add(rid)
    found: list[Occurrence | Problem] = []
    for warning in warnings:
        if warning not in state.warned:
            state.warned.add(warning)
            found.append(report.for_event(state.first, warning, fatal=False))
    found.append(
        Occurrence(
            cast(icalendar.Event, occurrence),
            state.uid,
            rid,
            start,
            end,
            all_day,
            zone,
            report.where,
            state.href,
            line=state.first.line,
        )
    )
    return found, False
