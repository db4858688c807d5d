"""Reading events as real calendars write them: zones, all-day, recurrences."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cal_followup.errors import SourceError
from cal_followup.ics import Window, parse_calendar
from tests.helpers import calendar, occurrences, settings, vevent

UTC = ZoneInfo("UTC")
HELSINKI = ZoneInfo("Europe/Helsinki")


def only(text: str, **config: object):  # type: ignore[no-untyped-def]
    found = occurrences(text, settings(**config))
    assert len(found) == 1, found
    return found[0]


def test_tzid_with_vtimezone() -> None:
    header = """BEGIN:VTIMEZONE
TZID:Custom Helsinki
BEGIN:STANDARD
DTSTART:19701025T040000
TZOFFSETFROM:+0300
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0300
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE"""
    event = vevent(
        start="DTSTART;TZID=Custom Helsinki:20261201T100000",
        end="DTEND;TZID=Custom Helsinki:20261201T110000",
    )
    found = only(calendar(event, header=header))
    assert found.start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_utc_times() -> None:
    found = only(calendar(vevent(start="DTSTART:20261201T080000Z", end="DTEND:20261201T090000Z")))
    assert found.start == datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI)


def test_floating_time_is_read_in_the_users_zone() -> None:
    found = only(
        calendar(vevent(start="DTSTART:20261201T100000", end="DTEND:20261201T110000")),
        timezone="America/New_York",
    )
    assert found.start == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def test_all_day_event() -> None:
    found = only(
        calendar(vevent(start="DTSTART;VALUE=DATE:20261201", end="DTEND;VALUE=DATE:20261202"))
    )
    assert found.all_day
    assert found.start == datetime(2026, 12, 1, 0, 0, tzinfo=HELSINKI)
    assert found.end == datetime(2026, 12, 2, 0, 0, tzinfo=HELSINKI)


def test_google_x_wr_timezone() -> None:
    # Google writes UTC and names the calendar's zone once at the top.
    text = calendar(
        vevent(start="DTSTART:20261201T150000Z", end="DTEND:20261201T160000Z"),
        header="X-WR-TIMEZONE:America/Los_Angeles",
    )
    found = only(text)
    assert found.zone == "America/Los_Angeles"
    assert found.start == datetime(2026, 12, 1, 7, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_outlook_windows_zone_name_without_vtimezone() -> None:
    text = calendar(
        vevent(
            start="DTSTART;TZID=W. Europe Standard Time:20261201T100000",
            end="DTEND;TZID=W. Europe Standard Time:20261201T110000",
        )
    )
    found = only(text)
    assert found.start == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert found.zone == "Europe/Berlin"


def test_duration_instead_of_end() -> None:
    found = only(calendar(vevent(end="DURATION:PT45M")))
    assert (found.end - found.start).total_seconds() == 45 * 60


def test_recurring_series_with_override_and_exdate() -> None:
    master = vevent(
        uid="series",
        start="DTSTART;TZID=Europe/Helsinki:20261201T100000",
        end="DTEND;TZID=Europe/Helsinki:20261201T110000",
        extra="RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Helsinki:20261208T100000",
    )
    moved = vevent(
        uid="series",
        start="DTSTART;TZID=Europe/Helsinki:20261216T140000",
        end="DTEND;TZID=Europe/Helsinki:20261216T150000",
        extra="RECURRENCE-ID;TZID=Europe/Helsinki:20261215T100000",
    )
    found = sorted(occurrences(calendar(master, moved)), key=lambda o: o.start)
    assert [o.start.astimezone(HELSINKI).strftime("%m-%d %H") for o in found] == [
        "12-01 10",
        "12-16 14",
        "12-22 10",
    ]
    assert len({o.key for o in found}) == 3


def test_occurrences_outside_the_window_are_not_read() -> None:
    window = Window(datetime(2026, 12, 10, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC))
    master = vevent(uid="s", extra="RRULE:FREQ=WEEKLY;COUNT=10")
    found = occurrences(calendar(master), window=window)
    assert [o.start.date().isoformat() for o in found] == ["2026-12-15"]


def test_unknown_zone_is_read_in_users_zone_with_a_warning() -> None:
    from cal_followup.ics import Problem, iter_occurrences

    text = calendar(
        vevent(
            start="DTSTART;TZID=Mars/Olympus:20261201T100000",
            end="DTEND;TZID=Mars/Olympus:20261201T110000",
        )
    )
    found = list(
        iter_occurrences(
            parse_calendar(text.encode(), "t.ics"),
            Window(datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)),
            HELSINKI,
            "t.ics",
        )
    )
    problems = [p for p in found if isinstance(p, Problem)]
    assert problems and not problems[0].fatal and "Mars/Olympus" in problems[0].message


def test_not_a_calendar() -> None:
    with pytest.raises(SourceError, match="not an iCalendar file"):
        parse_calendar(b"hello", "x.ics")
