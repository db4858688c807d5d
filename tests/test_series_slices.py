"""Expanding a series a slice of the window at a time finds what one whole expansion does.

``ics.series`` reads a recurring event's occurrences in slices sized from how
often its rule repeats (recurring_ical_events' own ``after`` was quadratic).
Whatever the rule, the overrides and the zone, the occurrences in the window
must be the same ones, in the order of their start, as one expansion of the
whole window gives.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from cal_followup.ics import Window
from cal_followup.ics.events import as_aware, rid_text
from cal_followup.ics.series import _in_slices

HELSINKI = ZoneInfo("Europe/Helsinki")
WINDOW = Window(
    start=datetime(2026, 7, 1, tzinfo=HELSINKI), end=datetime(2027, 11, 30, tzinfo=HELSINKI)
)
RULES = st.sampled_from(
    [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=WEEKLY;COUNT=40",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=HOURLY;INTERVAL=7",
        "FREQ=HOURLY;COUNT=2000",
        "FREQ=YEARLY",
        "FREQ=DAILY;UNTIL=20270301T000000Z",
    ]
)


def _series(rule: str, start: datetime, moves: list[int], zone: str) -> icalendar.Calendar:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN",
        "BEGIN:VEVENT", "UID:s@x", "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}", "DURATION:PT45M", f"RRULE:{rule}",
        "SUMMARY:Series", "END:VEVENT",
    ]  # fmt: skip
    for n in moves:  # an override moving the n-th day's occurrence two hours later
        day = start + timedelta(days=n)
        lines += [
            "BEGIN:VEVENT", "UID:s@x", "DTSTAMP:20260101T000000Z",
            f"RECURRENCE-ID;TZID={zone}:{day:%Y%m%dT%H%M%S}",
            f"DTSTART;TZID={zone}:{day + timedelta(hours=2):%Y%m%dT%H%M%S}",
            "DURATION:PT45M", "SUMMARY:Moved", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    return icalendar.Calendar.from_ical("\r\n".join(lines) + "\r\n")


def _key(occurrence: icalendar.cal.Component) -> tuple[datetime, str]:
    start = as_aware(occurrence.start, HELSINKI)
    rid = occurrence.get("RECURRENCE-ID")
    return start, rid_text(rid.dt) if rid is not None else rid_text(start)


@settings(max_examples=40, deadline=None)
@given(
    rule=RULES,
    offset=st.integers(-400, 400),
    hour=st.integers(0, 23),
    moves=st.lists(st.integers(0, 60), max_size=3, unique=True),
    zone=st.sampled_from(["Europe/Helsinki", "America/New_York", "Asia/Kolkata"]),
    steps=st.floats(1, 20_000),
)
def test_slices_find_what_one_whole_expansion_finds(
    rule: str, offset: int, hour: int, moves: list[int], zone: str, steps: float
) -> None:
    # ``steps`` only sizes the slices: any estimate, right or wrong, must give the same.
    start = datetime(2026, 12, 1, hour) + timedelta(days=offset)
    series = _series(rule, start, moves, zone)
    whole = sorted(
        _key(o) for o in recurring_ical_events.of(series).between(WINDOW.start, WINDOW.end)
    )
    seen: set[str] = set()
    sliced = []
    for occurrence in _in_slices(series, WINDOW, steps, HELSINKI):
        key = _key(occurrence)
        if key[1] not in seen:  # the caller keeps the first of one across two slices
            seen.add(key[1])
            sliced.append(key)
    assert sorted(sliced) == whole
    starts = [start for start, _ in sliced]
    assert starts == sorted(starts)  # by start (occurrences at one time in any order)
