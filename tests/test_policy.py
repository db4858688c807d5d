"""Rules 3 to 5: when each stage is due, for whom, and what stops it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cal_followup.businessdays import business_calendar
from cal_followup.model import Interview, Person, Stage, StatedTimeline, StopReason
from cal_followup.policy import plan_interview, plan_stages, reminder_uid, thank_you_due
from tests.helpers import settings

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ANNA = Person("Anna Virtanen", "anna@acme.example")
BEN = Person("Ben Ode", "ben@acme.example")


def interview(start: datetime, minutes: int = 60, **values: object) -> Interview:
    base: dict[str, object] = {
        "uid": "iv@example.com",
        "summary": "Interview",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "zone": str(start.tzinfo),
        "interviewers": (ANNA,),
        "contact": ANNA,
        "company": "Acme",
        "role": "Engineer",
    }
    base.update(values)
    return Interview(**base)  # type: ignore[arg-type]


def dues(planned: list, stage: Stage) -> list[datetime]:  # type: ignore[type-arg]
    return [p.due for p in planned if p.stage is stage]


def test_worked_example_1_germany_over_christmas() -> None:
    config = settings(timezone="Europe/Berlin", country="DE")
    item = interview(datetime(2026, 12, 23, 14, 0, tzinfo=BERLIN))
    planned = plan_stages(
        item, datetime(2026, 12, 1, tzinfo=BERLIN), config, business_calendar("DE")
    )
    assert dues(planned, Stage.THANK_YOU) == [datetime(2026, 12, 23, 16, 0, tzinfo=BERLIN)]
    assert dues(planned, Stage.CHECK_IN) == [datetime(2026, 12, 31, 9, 0, tzinfo=BERLIN)]
    assert dues(planned, Stage.CLOSING) == [datetime(2027, 1, 15, 9, 0, tzinfo=BERLIN)]


def test_worked_example_2_late_end_moves_thank_you_to_next_morning_even_saturday() -> None:
    config = settings(timezone="Europe/Berlin")
    friday_end = datetime(2026, 12, 4, 17, 30, tzinfo=BERLIN)
    assert thank_you_due(friday_end, config) == datetime(2026, 12, 5, 9, 0, tzinfo=BERLIN)


def test_worked_example_3_stated_decision_date_us() -> None:
    config = settings(timezone="America/New_York", country="US")
    item = interview(
        datetime(2026, 12, 28, 10, 0, tzinfo=NEW_YORK),
        timeline=StatedTimeline("by Friday January 8", deadline=datetime(2027, 1, 8).date()),
    )
    planned = plan_stages(
        item, datetime(2026, 12, 1, tzinfo=NEW_YORK), config, business_calendar("US")
    )
    assert dues(planned, Stage.CHECK_IN) == [datetime(2027, 1, 11, 9, 0, tzinfo=NEW_YORK)]
    calendar = business_calendar("US")
    assert dues(planned, Stage.CLOSING) == [
        datetime.combine(
            calendar.add_business_days(datetime(2027, 1, 11).date(), 10),
            datetime.min.time().replace(hour=9),
            NEW_YORK,
        )
    ]


def test_deadline_is_end_of_day_in_employer_zone() -> None:
    # The employer is in New York; the user in Helsinki. The end of January 8 in
    # New York is the morning of January 9 in Helsinki, so Monday the 11th is first.
    config = settings(timezone="Europe/Helsinki", country="US")
    item = interview(
        datetime(2026, 12, 28, 10, 0, tzinfo=NEW_YORK),
        zone="America/New_York",
        timeline=StatedTimeline("by January 8", deadline=datetime(2027, 1, 8).date()),
    )
    planned = plan_stages(
        item, datetime(2026, 12, 1, tzinfo=NEW_YORK), config, business_calendar("US")
    )
    assert dues(planned, Stage.CHECK_IN) == [
        datetime(2027, 1, 11, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    ]


@pytest.mark.parametrize(
    ("end", "due"),
    [
        ((14, 0), (15, 0)),  # an hour after
        ((17, 0), (18, 0)),  # exactly the end of the day is still today
        ((17, 30), None),  # after the end of the day: next morning
        ((6, 30), (9, 0)),  # before the start of the day: that day's start
    ],
)
def test_thank_you_timing(end: tuple[int, int], due: tuple[int, int] | None) -> None:
    config = settings()
    zone = config.zone
    interview_end = datetime(2026, 12, 2, *end, tzinfo=zone)
    expected = (
        datetime(2026, 12, 2, *due, tzinfo=zone)
        if due
        else datetime(2026, 12, 3, 9, 0, tzinfo=zone)
    )
    assert thank_you_due(interview_end, config) == expected


def test_panel_gets_one_thank_you_per_interviewer_and_one_check_in() -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 12, 2, 10, 0, tzinfo=config.zone), interviewers=(ANNA, BEN))
    reminders = plan_interview(
        item, datetime(2026, 12, 1, tzinfo=config.zone), config, business_calendar("FI")
    )
    thank_yous = [r for r in reminders if r.stage is Stage.THANK_YOU]
    assert [r.recipient for r in thank_yous] == [ANNA, BEN]
    assert len({r.uid for r in reminders}) == len(reminders)
    assert [r.stage for r in reminders].count(Stage.CHECK_IN) == 1


def test_late_thank_you_within_seven_days() -> None:
    config = settings(country="FI")
    zone = config.zone
    item = interview(datetime(2026, 12, 1, 10, 0, tzinfo=zone))
    now = datetime(2026, 12, 3, 12, 0, tzinfo=zone)
    planned = plan_stages(item, now, config, business_calendar("FI"))
    thank_you = [p for p in planned if p.stage is Stage.THANK_YOU]
    assert len(thank_you) == 1 and thank_you[0].late
    assert thank_you[0].due == datetime(2026, 12, 4, 9, 0, tzinfo=zone)


def test_thank_you_overdue_a_week_or_more_is_dropped() -> None:
    config = settings(country="FI")
    zone = config.zone
    item = interview(datetime(2026, 11, 2, 10, 0, tzinfo=zone))  # thank-you due 12:00
    now = datetime(2026, 11, 9, 12, 0, tzinfo=zone)
    planned = plan_stages(item, now, config, business_calendar("FI"))
    assert not [p for p in planned if p.stage is Stage.THANK_YOU]
    assert all(p.due >= now for p in planned)


def test_overdue_check_in_goes_to_next_business_morning_and_closing_keeps_spacing() -> None:
    config = settings(country="FI")
    zone = config.zone
    business = business_calendar("FI")
    item = interview(datetime(2026, 10, 1, 10, 0, tzinfo=zone))
    now = datetime(2026, 11, 6, 12, 0, tzinfo=zone)  # a Friday, after both were due
    planned = plan_stages(item, now, config, business)
    check_in, closing = dues(planned, Stage.CHECK_IN), dues(planned, Stage.CLOSING)
    assert check_in == [datetime(2026, 11, 9, 9, 0, tzinfo=zone)]
    assert closing == [
        datetime.combine(
            business.add_business_days(check_in[0].date(), 10),
            datetime.min.time().replace(hour=9),
            zone,
        )
    ]


def test_interviews_older_than_sixty_days_are_ignored() -> None:
    """Its follow-ups are gone; only keep-in-touch, whose window outlives it, is left."""
    config = settings(country="FI")
    item = interview(datetime(2026, 9, 1, 10, 0, tzinfo=config.zone))
    now = datetime(2026, 11, 1, 12, 0, tzinfo=config.zone)
    planned = plan_stages(item, now, config, business_calendar("FI"))
    # Check-in Tuesday 8 September, closing ten business days later: Tuesday 22
    # September; 90 days after that is Monday 21 December, a business day in Finland.
    assert [(p.stage, p.due) for p in planned] == [
        (Stage.KEEP_IN_TOUCH, datetime(2026, 12, 21, 9, 0, tzinfo=config.zone))
    ]
    off = settings(country="FI", keep_in_touch_days=0)
    assert plan_stages(item, now, off, business_calendar("FI")) == []


def test_cancelled_interview_plans_nothing() -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 12, 2, 10, 0, tzinfo=config.zone), cancelled=True)
    assert (
        plan_stages(
            item, datetime(2026, 12, 1, tzinfo=config.zone), config, business_calendar("FI")
        )
        == []
    )


@pytest.mark.parametrize("reason", [StopReason.REPLIED, StopReason.OFFER, StopReason.WITHDRAWN])
def test_stop_reasons_stop_follow_ups(reason: StopReason) -> None:
    config = settings(country="FI")
    item = interview(datetime(2026, 12, 2, 10, 0, tzinfo=config.zone), stop_reason=reason)
    stages = {
        p.stage
        for p in plan_stages(
            item, datetime(2026, 12, 1, tzinfo=config.zone), config, business_calendar("FI")
        )
    }
    assert not stages & {Stage.CHECK_IN, Stage.CLOSING, Stage.AFTER_REJECTION}


def test_rejection_replaces_follow_ups_with_one_gracious_reply() -> None:
    config = settings(country="FI")
    zone = config.zone
    item = interview(datetime(2026, 12, 2, 10, 0, tzinfo=zone), stop_reason=StopReason.REJECTED)
    now = datetime(2026, 12, 7, 12, 0, tzinfo=zone)
    planned = plan_stages(item, now, config, business_calendar("FI"))
    assert [p.stage for p in planned] == [Stage.AFTER_REJECTION, Stage.KEEP_IN_TOUCH]
    assert planned[0].recipient == ANNA and planned[0].due >= now
    assert planned[1].recipient == ANNA
    assert planned[1].due == planned[0].due + timedelta(days=90)  # a Monday, not a holiday


@pytest.mark.parametrize(
    ("cap", "expected"), [(0, set()), (1, {Stage.CHECK_IN}), (2, {Stage.CHECK_IN, Stage.CLOSING})]
)
def test_follow_up_cap_can_be_lowered(cap: int, expected: set[Stage]) -> None:
    config = settings(country="FI", max_follow_ups=cap)
    item = interview(datetime(2026, 12, 2, 10, 0, tzinfo=config.zone))
    stages = {
        p.stage
        for p in plan_stages(
            item, datetime(2026, 12, 1, tzinfo=config.zone), config, business_calendar("FI")
        )
    }
    # Keep-in-touch is not a follow-up: it comes after the last one allowed.
    assert stages - {Stage.THANK_YOU} == expected | {Stage.KEEP_IN_TOUCH}


def test_uids_are_deterministic_and_distinct() -> None:
    first = reminder_uid("iv", None, Stage.THANK_YOU, "anna@acme.example")
    assert first == reminder_uid("iv", None, Stage.THANK_YOU, "ANNA@acme.example")
    others = {
        reminder_uid("iv", None, Stage.THANK_YOU, "ben@acme.example"),
        reminder_uid("iv", None, Stage.CHECK_IN, "anna@acme.example"),
        reminder_uid("iv", "20261202T080000Z", Stage.THANK_YOU, "anna@acme.example"),
        reminder_uid("iv2", None, Stage.THANK_YOU, "anna@acme.example"),
    }
    assert first not in others and len(others) == 4


def test_no_interviewer_still_gets_a_thank_you_with_placeholder() -> None:
    config = settings(country="FI")
    item = interview(
        datetime(2026, 12, 2, 10, 0, tzinfo=config.zone), interviewers=(), contact=None
    )
    reminders = plan_interview(
        item, datetime(2026, 12, 1, tzinfo=config.zone), config, business_calendar("FI")
    )
    thank_you = [r for r in reminders if r.stage is Stage.THANK_YOU]
    assert len(thank_you) == 1 and thank_you[0].recipient is None
    assert "[name]" in thank_you[0].draft.body
