"""Properties of the plan that hold for every interview time, zone and country."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cal_followup.businessdays import business_calendar
from cal_followup.model import Interview, Person, Stage
from cal_followup.policy import plan_interview
from tests.helpers import settings

COUNTRIES = [
    "FI",
    "DE",
    "DE-BY",
    "US",
    "US-CA",
    "CA-ON",
    "GB",
    "GB-SCT",
    "FR",
    "SE",
    "JP",
    "AU",
    "IL",
    "CN",
    "MY",
    "SG",
    "BR",
    "IN",
]
ZONES = [
    "Europe/Helsinki",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Auckland",
    "Asia/Jerusalem",
]

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 6, 30))
people = st.lists(
    st.tuples(
        st.sampled_from(["Anna", "Ben", "Chen", "Dana"]),
        st.sampled_from(["a.example", "b.example"]),
    ),
    min_size=0,
    max_size=4,
    unique=True,
)


def build(start: datetime, minutes: int, zone: str, names: list[tuple[str, str]]) -> Interview:
    interviewers = tuple(Person(n, f"{n.lower()}@{d}") for n, d in names)
    aware = start.replace(tzinfo=ZoneInfo(zone))
    return Interview(
        uid="iv@example.com",
        summary="Interview",
        start=aware,
        end=aware + timedelta(minutes=minutes),
        zone=zone,
        interviewers=interviewers,
        contact=interviewers[0] if interviewers else None,
    )


@hsettings(max_examples=150, deadline=None)
@given(
    start=moments,
    minutes=st.integers(15, 300),
    interview_zone=st.sampled_from(ZONES),
    user_zone=st.sampled_from(ZONES),
    country=st.sampled_from(COUNTRIES),
    now_offset=st.integers(-20 * 24 * 60, 70 * 24 * 60),
    names=people,
)
def test_plan_properties(
    start: datetime,
    minutes: int,
    interview_zone: str,
    user_zone: str,
    country: str,
    now_offset: int,
    names: list[tuple[str, str]],
) -> None:
    config = settings(timezone=user_zone, country=country)
    business = business_calendar(country)
    item = build(start, minutes, interview_zone, names)
    now = item.end + timedelta(minutes=now_offset)
    reminders = plan_interview(item, now, config, business)
    zone = ZoneInfo(user_zone)
    for reminder in reminders:
        # Never due in the past.
        assert reminder.due >= now
        if reminder.stage in (Stage.CHECK_IN, Stage.CLOSING):
            local = reminder.due.astimezone(zone)
            assert business.is_business_day(local.date())
            assert local.time() == config.day_start
        if reminder.stage is Stage.THANK_YOU and not reminder.late:
            assert item.end <= reminder.due <= item.end + timedelta(hours=24)
    # Stable across runs, distinct across stages and recipients.
    again = plan_interview(item, now, config, business)
    assert [r.uid for r in again] == [r.uid for r in reminders]
    assert len({r.uid for r in reminders}) == len(reminders)
    # At most two follow-ups after the thank-you notes.
    assert sum(r.stage in (Stage.CHECK_IN, Stage.CLOSING) for r in reminders) <= 2
    # The closing comes after the check-in, with the configured business days between.
    by_stage = {r.stage: r.due for r in reminders}
    if Stage.CHECK_IN in by_stage and Stage.CLOSING in by_stage:
        check_in_day = by_stage[Stage.CHECK_IN].astimezone(zone).date()
        assert by_stage[Stage.CLOSING].astimezone(zone).date() == business.add_business_days(
            check_in_day, config.closing_days
        )


@hsettings(max_examples=60, deadline=None)
@given(start=moments, zone=st.sampled_from(ZONES), country=st.sampled_from(COUNTRIES))
def test_future_interview_has_every_stage(start: datetime, zone: str, country: str) -> None:
    config = settings(timezone=zone, country=country)
    item = build(start, 60, zone, [("Anna", "a.example")])
    now = item.start - timedelta(days=1)
    stages = [r.stage for r in plan_interview(item, now, config, business_calendar(country))]
    assert stages == [Stage.THANK_YOU, Stage.CHECK_IN, Stage.CLOSING, Stage.KEEP_IN_TOUCH]
