"""Reminders land at the intended wall-clock time across daylight-saving changes.

Worked examples in four zones (Helsinki, New York, Sydney and Sao Paulo while
Brazil still had DST, when its clocks jumped at midnight) state each stage's
due time as the user's clock shows it; the exported calendar is read back by
icalendar and vobject, through the VTIMEZONE we wrote, and must give the same
instant. Property tests then run interviews at any time of day on any date in
zones with unusual rules (half-hour DST, negative DST, midnight changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cal_followup import app
from cal_followup.businessdays import business_calendar
from cal_followup.config import Settings
from cal_followup.model import Reminder

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Case:
    user_zone: str
    country: str
    now: str
    interview_zone: str
    start: str  # local to interview_zone; a bare date means an all-day interview
    end: str
    #: stage -> due as the user's clock shows it, with the UTC offset in force then
    due: dict[str, str]


CASES = {
    # Helsinki, autumn: clocks go back on Sunday 25 October 2026 (EEST +03 -> EET +02).
    "helsinki-autumn": Case(
        "Europe/Helsinki", "FI", "2026-10-20T12:00", "Europe/Helsinki",
        "2026-10-23T14:00", "2026-10-23T15:00",
        {"thank-you": "2026-10-23T16:00:00+03:00", "check-in": "2026-10-30T09:00:00+02:00",
         "closing": "2026-11-13T09:00:00+02:00"},
    ),
    # Helsinki, spring: clocks go forward on Sunday 28 March 2027, which is
    # Easter Sunday; Good Friday (26th) and Easter Monday (29th) are holidays.
    "helsinki-spring": Case(
        "Europe/Helsinki", "FI", "2027-03-20T12:00", "Europe/Helsinki",
        "2027-03-25T14:00", "2027-03-25T15:00",
        {"thank-you": "2027-03-25T16:00:00+02:00", "check-in": "2027-04-05T09:00:00+03:00",
         "closing": "2027-04-19T09:00:00+03:00"},
    ),
    # New York: an interview ending 17:30 on the Saturday before clocks go back
    # at 02:00 on 1 November 2026; the thank-you is due at 09:00 after the change.
    "new-york-autumn-night": Case(
        "America/New_York", "US", "2026-10-28T12:00", "America/New_York",
        "2026-10-31T16:30", "2026-10-31T17:30",
        {"thank-you": "2026-11-01T09:00:00-05:00"},
    ),
    # New York, spring: clocks go forward on Sunday 14 March 2027.
    "new-york-spring": Case(
        "America/New_York", "US", "2027-03-08T12:00", "America/New_York",
        "2027-03-12T10:00", "2027-03-12T11:00",
        {"thank-you": "2027-03-12T12:00:00-05:00", "check-in": "2027-03-19T09:00:00-04:00",
         "closing": "2027-04-02T09:00:00-04:00"},
    ),
    # Sydney, spring (October): clocks go forward on Sunday 4 October 2026;
    # Monday 5 October is Labour Day in New South Wales.
    "sydney-spring": Case(
        "Australia/Sydney", "AU-NSW", "2026-09-28T12:00", "Australia/Sydney",
        "2026-10-02T10:00", "2026-10-02T11:00",
        {"thank-you": "2026-10-02T12:00:00+10:00", "check-in": "2026-10-12T09:00:00+11:00",
         "closing": "2026-10-26T09:00:00+11:00"},
    ),
    # Sydney, autumn (April): clocks go back on Sunday 4 April 2027.
    "sydney-autumn": Case(
        "Australia/Sydney", "AU-NSW", "2027-03-30T12:00", "Australia/Sydney",
        "2027-04-01T10:00", "2027-04-01T11:00",
        {"thank-you": "2027-04-01T12:00:00+11:00", "check-in": "2027-04-08T09:00:00+10:00"},
    ),
    # Sao Paulo, 2018: clocks jumped from 00:00 to 01:00 on Sunday 4 November;
    # Friday 2 November (Finados) was a holiday.
    "sao-paulo-2018": Case(
        "America/Sao_Paulo", "BR", "2018-10-30T12:00", "America/Sao_Paulo",
        "2018-11-01T10:00", "2018-11-01T11:00",
        {"thank-you": "2018-11-01T12:00:00-03:00", "check-in": "2018-11-09T09:00:00-02:00"},
    ),
    # An all-day interview on the very day whose midnight did not exist.
    "sao-paulo-missing-midnight": Case(
        "America/Sao_Paulo", "BR", "2018-10-30T12:00", "America/Sao_Paulo",
        "2018-11-04", "2018-11-05",
        {"thank-you": "2018-11-05T09:00:00-02:00"},
    ),
    # Sao Paulo, 2019: clocks went back from 00:00 to 23:00 on 16/17 February.
    "sao-paulo-2019-end": Case(
        "America/Sao_Paulo", "BR", "2019-02-10T12:00", "America/Sao_Paulo",
        "2019-02-15T16:30", "2019-02-15T17:30",
        {"thank-you": "2019-02-16T09:00:00-02:00", "check-in": "2019-02-22T09:00:00-03:00"},
    ),
    # Morocco moves its clocks back an hour for Ramadan (14 January to 18
    # February 2029): a VTIMEZONE missing that short period (icalendar's own
    # maker drops it) put reminders an hour off in programs that read it.
    "casablanca-ramadan": Case(
        "Africa/Casablanca", "MA", "2029-01-10T12:00", "Africa/Casablanca",
        "2029-01-16T10:00", "2029-01-16T11:00",
        {"thank-you": "2029-01-16T12:00:00+00:00"},
    ),
    # A user in Helsinki, an interview in New York in the weeks when the US has
    # changed its clocks and Europe has not yet.
    "helsinki-user-new-york-interview": Case(
        "Europe/Helsinki", "US", "2027-03-10T12:00", "America/New_York",
        "2027-03-16T10:00", "2027-03-16T11:00",
        {"thank-you": "2027-03-16T18:00:00+02:00", "check-in": "2027-03-23T09:00:00+02:00",
         "closing": "2027-04-06T09:00:00+03:00"},
    ),
}  # fmt: skip


def ics_time(text: str, zone: str) -> str:
    if "T" not in text:
        return f"VALUE=DATE:{text.replace('-', '')}"
    return f"TZID={zone}:{text.replace('-', '').replace(':', '')}00"


def interview_file(folder: Path, case: Case) -> Path:
    path = folder / "interview.ics"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//dst//EN", "BEGIN:VEVENT",
        "UID:dst-interview@example.com", "DTSTAMP:20180101T000000Z",
        f"DTSTART;{ics_time(case.start, case.interview_zone)}",
        f"DTEND;{ics_time(case.end, case.interview_zone)}",
        "SUMMARY:Interview with Acme – Engineer",
        "ORGANIZER;CN=Anna Virtanen:mailto:anna@acme.example",
        "END:VEVENT", "END:VCALENDAR", "",
    ]  # fmt: skip
    path.write_text("\r\n".join(lines), encoding="utf-8")
    return path


def plan(path: Path, user_zone: str, country: str | None, now: datetime) -> app.Outcome:
    config = Settings(timezone=user_zone, country=country, me=("sam@example.net",), name="Sam")
    return app.plan(str(path), now, config)


def forget_vobject_zones() -> None:
    """vobject keeps the first VTIMEZONE it sees per TZID for the life of the process."""
    registry = getattr(vobject.icalendar, "__tzidMap")
    for tzid in [t for t in registry if t != "UTC"]:
        del registry[tzid]


def exported_starts(
    outcome: app.Outcome, user_zone: str, now: datetime, *, fresh: bool = True
) -> dict[str, datetime]:
    """UID -> DTSTART instant, as icalendar and vobject read the exported file (they must agree).

    ``fresh``: vobject reads the file as a new process would, with no zone
    definitions remembered from earlier files.
    """
    if fresh:
        forget_vobject_zones()
    config = Settings(timezone=user_zone)
    data = app.export_bytes(outcome, config, now)
    by_icalendar = {
        str(e["UID"]): e.decoded("DTSTART")
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }
    by_vobject = {
        e.uid.value: e.dtstart.value for e in vobject.readOne(data.decode("utf-8")).vevent_list
    }
    assert by_icalendar.keys() == by_vobject.keys()
    for uid, start in by_icalendar.items():
        assert start == by_vobject[uid], (uid, start, by_vobject[uid])
    events = data.decode().split("BEGIN:VEVENT")[1:]
    for line in "".join(events).splitlines():
        if line.startswith("DTSTART"):
            wanted = "DTSTART:" if user_zone == "UTC" else f"DTSTART;TZID={user_zone}:"
            assert line.startswith(wanted), line
    return by_icalendar


def due_by_stage(reminders: list[Reminder]) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for reminder in reminders:
        assert found.setdefault(reminder.stage.value, reminder.due) == reminder.due
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_worked_example(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    now = datetime.fromisoformat(case.now).replace(tzinfo=ZoneInfo(case.user_zone))
    outcome = plan(interview_file(tmp_path, case), case.user_zone, case.country, now)
    assert outcome.problems == []
    found = due_by_stage(outcome.reminders)
    for stage, expected in case.due.items():
        due = found[stage]
        assert due.isoformat() == expected, (stage, due.isoformat(), expected)
        assert getattr(due.tzinfo, "key", None) == case.user_zone
    starts = exported_starts(outcome, case.user_zone, now)
    for reminder in outcome.reminders:
        assert starts[reminder.uid] == reminder.due
        assert starts[reminder.uid].utcoffset() == reminder.due.utcoffset()


ZONES = [
    "Europe/Helsinki", "America/New_York", "Australia/Sydney", "America/Sao_Paulo",
    "Australia/Lord_Howe",  # half-hour DST
    "Europe/Dublin",  # "negative" DST in the tz database
    "America/St_Johns", "Asia/Tehran", "Pacific/Auckland", "America/Santiago",
    "Africa/Casablanca", "Asia/Kolkata", "UTC",
]  # fmt: skip


def wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall time skipped by a clock change."""
    aware = local.replace(tzinfo=zone)
    return wall(aware.astimezone(UTC).astimezone(zone)) == local


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    user_zone=st.sampled_from(ZONES),
    interview_zone=st.sampled_from(ZONES),
    day=st.dates(date(2005, 1, 1), date(2036, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    length=st.integers(15, 240),
)
def test_thank_you_lands_at_the_intended_wall_clock_time(
    tmp_path: Path, user_zone: str, interview_zone: str, day: date, minute: int, length: int
) -> None:
    event_zone = ZoneInfo(interview_zone)
    local_start = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    assume(exists(local_start, event_zone))
    start = local_start.replace(tzinfo=event_zone)
    end = (start.astimezone(UTC) + timedelta(minutes=length)).astimezone(event_zone)
    case = Case(user_zone, "FI", "", interview_zone, f"{wall(start):%Y-%m-%dT%H:%M}",
                f"{wall(end):%Y-%m-%dT%H:%M}", {})  # fmt: skip
    now = start - timedelta(days=1)
    outcome = plan(interview_file(tmp_path, case), user_zone, "FI", now)
    thank_you = due_by_stage(outcome.reminders)["thank-you"]
    zone = ZoneInfo(user_zone)
    # One hour after the end (elapsed time), then kept inside the user's day.
    base = wall((end.astimezone(UTC) + timedelta(hours=1)).astimezone(zone))
    if base.time() > time(18, 0):
        intended = datetime.combine(base.date() + timedelta(days=1), time(9, 0))
    elif base.time() < time(9, 0):
        intended = datetime.combine(base.date(), time(9, 0))
    else:
        intended = base
    assume(exists(intended, zone))
    assert getattr(thank_you.tzinfo, "key", None) == user_zone
    assert wall(thank_you.astimezone(zone)) == intended
    assert end <= thank_you <= end + timedelta(hours=24)
    starts = exported_starts(outcome, user_zone, now)
    for reminder in outcome.reminders:
        assert starts[reminder.uid] == reminder.due


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    user_zone=st.sampled_from(ZONES),
    day=st.dates(date(2005, 1, 1), date(2036, 12, 31)),
    hour=st.integers(8, 16),
)
def test_follow_ups_are_due_at_the_start_of_the_users_day(
    tmp_path: Path, user_zone: str, day: date, hour: int
) -> None:
    zone = ZoneInfo(user_zone)
    start = datetime.combine(day, time(hour)).replace(tzinfo=zone)
    assume(exists(wall(start), zone))
    case = Case(user_zone, "", "", user_zone, f"{wall(start):%Y-%m-%dT%H:%M}",
                f"{wall(start) + timedelta(hours=1):%Y-%m-%dT%H:%M}", {})  # fmt: skip
    now = start - timedelta(days=1)
    outcome = plan(interview_file(tmp_path, case), user_zone, None, now)
    found = due_by_stage(outcome.reminders)
    # The employer's country comes from the zone; its weekend may not be Sat-Sun.
    business = business_calendar(None, user_zone, warn=lambda message: None)
    for stage in ("check-in", "closing"):
        due = found[stage].astimezone(zone)
        assert due.time() == time(9, 0), (stage, due)
        assert business.is_business_day(due.date()), (stage, due)
    assert found["check-in"] > found["thank-you"]
    starts = exported_starts(outcome, user_zone, now)
    for reminder in outcome.reminders:
        assert starts[reminder.uid] == reminder.due


def test_a_later_export_is_read_right_by_a_process_that_saw_an_earlier_one(
    tmp_path: Path,
) -> None:
    """Radicale, like anything built on vobject, keeps the first VTIMEZONE per TZID.

    An export in November 2026 and another in May 2027 go to the same server:
    the summer reminder must still be read at summer time.
    """
    forget_vobject_zones()
    for now_text, start in (("2026-11-25T12:00", "2026-12-01T10:00"),
                            ("2027-05-20T12:00", "2027-06-01T10:00")):  # fmt: skip
        case = Case("Europe/Helsinki", "FI", now_text, "Europe/Helsinki", start,
                    start.replace("T10", "T11"), {})  # fmt: skip
        folder = tmp_path / now_text[:7]
        folder.mkdir()
        now = datetime.fromisoformat(now_text).replace(tzinfo=ZoneInfo(case.user_zone))
        outcome = plan(interview_file(folder, case), case.user_zone, case.country, now)
        starts = exported_starts(outcome, case.user_zone, now, fresh=False)
        assert outcome.reminders
        for reminder in outcome.reminders:
            assert starts[reminder.uid].utcoffset() == reminder.due.utcoffset()
            assert starts[reminder.uid] == reminder.due
