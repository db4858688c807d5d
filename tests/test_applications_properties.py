"""Property: for any rounds of one application, one check-in and one closing, after the last."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cal_followup.applications import plan_applications
from cal_followup.businessdays import business_calendar
from cal_followup.model import Interview, Person, Stage, StatedTimeline
from tests.helpers import settings

ZONES = ["Europe/Helsinki", "Europe/Paris", "America/New_York", "Asia/Tokyo"]
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=ZoneInfo("UTC"))

_round = st.tuples(
    st.integers(min_value=0, max_value=60 * 24 * 40),  # minutes after NOW
    st.integers(min_value=15, max_value=8 * 60),  # length in minutes
    st.booleans(),  # cancelled
    st.booleans(),  # role known
    st.one_of(st.none(), st.integers(min_value=0, max_value=30)),  # stated deadline, days
    st.sampled_from(["", "Acme Oy", "ACME OY", "acme  oy."]),  # company as written
)


def _interview(n: int, spec: tuple[int, int, bool, bool, int | None, str], zone: str) -> Interview:
    offset, length, cancelled, role_known, deadline, company = spec
    start = (NOW + timedelta(minutes=offset)).astimezone(ZoneInfo(zone))
    timeline = None
    if deadline is not None:
        timeline = StatedTimeline("by then", deadline=start.date() + timedelta(days=deadline))
    return Interview(
        uid=f"round-{n}@example.com",
        summary=f"Interview {n}",
        start=start,
        end=start + timedelta(minutes=length),
        zone=zone,
        interviewers=(Person(f"Person {n}", f"p{n}@acme.example"),),
        contact=Person("Anna", "anna@acme.example"),
        organizer=Person("Anna", "anna@acme.example"),
        company=company or "Acme Oy",
        role="Data Engineer" if role_known or n == 0 else None,
        timeline=timeline,
        cancelled=cancelled,
        application_key="ACME-1" if not company else None,
    )


@hsettings(max_examples=60, deadline=None)
@given(rounds=st.lists(_round, min_size=1, max_size=5), zone=st.sampled_from(ZONES))
def test_one_check_in_and_one_closing_after_the_last_round(
    rounds: list[tuple[int, int, bool, bool, int | None, str]], zone: str
) -> None:
    # A keyed round carries the company too, so every round is one application.
    interviews = [_interview(n, spec, zone) for n, spec in enumerate(rounds)]
    keyed = any(i.application_key for i in interviews)
    if keyed:
        interviews = [i if i.application_key else _with_key(i) for i in interviews]
    config = settings(country="FI")
    problems: list[object] = []
    reminders = plan_applications(
        interviews,
        NOW,
        config,
        lambda i: business_calendar("FI", i.zone),
        problems,  # type: ignore[arg-type]
    )
    assert not problems
    live = [i for i in interviews if not i.cancelled]
    check_ins = [r for r in reminders if r.stage is Stage.CHECK_IN]
    closings = [r for r in reminders if r.stage is Stage.CLOSING]
    assert len(check_ins) <= 1 and len(closings) <= 1
    if not live:
        assert reminders == []
        return
    last_end = max(i.end for i in live)
    assert len(check_ins) == 1 and len(closings) == 1
    assert check_ins[0].due > last_end and closings[0].due > check_ins[0].due
    # Thank-yous: one per live round's interviewer, never for a cancelled round.
    thanked = sorted(r.interview_uid for r in reminders if r.stage is Stage.THANK_YOU)
    assert thanked == sorted(i.uid for i in live)


def _with_key(interview: Interview) -> Interview:
    from dataclasses import replace

    return replace(interview, application_key="ACME-1")
