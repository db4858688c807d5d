"""Applications and rounds (rules, section 9), read from realistic calendar exports.

The fixtures in tests/corpus/applications/ are written the way Google,
Outlook, Apple and the applicant-tracking systems (Greenhouse, Lever,
Workday) write their invitations and exports.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cal_followup import app
from cal_followup.applications import group_applications, is_automated, is_person, role_of
from cal_followup.cli import main
from cal_followup.model import Person, Reminder, Stage
from tests.helpers import calendar, interviews, settings, vevent

CORPUS = Path(__file__).parent / "corpus" / "applications"
HELSINKI = ZoneInfo("Europe/Helsinki")
BEFORE = datetime(2026, 11, 27, 9, 0, tzinfo=HELSINKI)
ME = ("sam.candidate@gmail.com",)


def _plan(name: str, now: datetime = BEFORE) -> app.Outcome:
    outcome = app.plan(str(CORPUS / name), now, settings(country="FI", me=ME))
    assert not outcome.problems, outcome.problems
    return outcome


def _stages(reminders: list[Reminder], stage: Stage) -> list[Reminder]:
    return [r for r in reminders if r.stage is stage]


def _to(reminders: list[Reminder]) -> list[str | None]:
    return sorted(r.recipient.email or "" if r.recipient else "" for r in reminders)


def _visible(reminder: Reminder) -> str:
    """What the user sees and sends: not the UIDs, which may name the scheduler's domain."""
    fields = ("to", "to_name", "subject", "body", "summary", "mailto")
    return json.dumps([reminder.to_json()[f] for f in fields], ensure_ascii=False).lower()


def _end_of_last_round(outcome: app.Outcome) -> datetime:
    return max(i.end for i in outcome.interviews if not i.cancelled)


def test_two_rounds_one_check_in_and_closing_after_the_second() -> None:
    outcome = _plan("google_two_rounds.ics")
    reminders = outcome.reminders
    check_ins, closings = _stages(reminders, Stage.CHECK_IN), _stages(reminders, Stage.CLOSING)
    assert len(check_ins) == 1 and len(closings) == 1
    round_2 = "9z8y7x6w5v4u3t2s1r0q9p8o7n@google.com"
    assert check_ins[0].interview_uid == round_2
    assert check_ins[0].due > _end_of_last_round(outcome)
    # Round 1's "within two weeks" (Dec 14) ends after round 2 (Dec 10): it still holds.
    assert check_ins[0].due == datetime(2026, 12, 15, 9, 0, tzinfo=HELSINKI)
    assert closings[0].due > check_ins[0].due
    # The organiser is the main contact; thank-yous per round and per interviewer.
    assert _to(check_ins) == ["anna.virtanen@acme.example"]
    assert _to(_stages(reminders, Stage.THANK_YOU)) == [
        "anna.virtanen@acme.example",
        "liisa.nieminen@acme.example",
        "mikko.korhonen@acme.example",
    ]
    assert {r.application for r in reminders} == {"acme oy / data engineer"}


def test_three_rounds_and_a_final_round_without_a_role() -> None:
    outcome = _plan("outlook_three_rounds.ics")
    reminders = outcome.reminders
    check_ins = _stages(reminders, Stage.CHECK_IN)
    assert len(check_ins) == 1 and len(_stages(reminders, Stage.CLOSING)) == 1
    # "Globex: final interview" names the round, not a role: it joins the only open application.
    assert {r.application for r in reminders} == {"globex / senior backend developer"}
    final = next(i for i in outcome.interviews if "final" in i.summary)
    assert check_ins[0].interview_uid == final.uid
    # The Recruiter: line of round 1 makes Laura the contact; her "by 18.12." outlives round 3.
    assert _to(check_ins) == ["laura.makinen@globex.example"]
    assert check_ins[0].due == datetime(2026, 12, 21, 9, 0, tzinfo=HELSINKI)
    assert len(_stages(reminders, Stage.THANK_YOU)) == 4
    assert "Senior Backend Developer" in check_ins[0].draft.body + check_ins[0].draft.subject


def test_round_rescheduled_before_an_earlier_one() -> None:
    outcome = _plan("apple_rescheduled.ics")
    reminders = outcome.reminders
    check_ins = _stages(reminders, Stage.CHECK_IN)
    assert len(check_ins) == 1 and len(_stages(reminders, Stage.CLOSING)) == 1
    # The second round was moved to Dec 3, before the Dec 8 round: Dec 8 is the last round.
    assert check_ins[0].interview_uid == "7F3A2C1B-9D8E-4F6A-B5C4-D3E2F1A0B9C8"
    assert check_ins[0].due == datetime(2026, 12, 17, 9, 0, tzinfo=HELSINKI)
    assert _to(check_ins) == ["peter.gibbons@initech.example"]


def test_cancelled_last_round_leaves_the_previous_round_as_the_latest() -> None:
    outcome = _plan("outlook_cancelled_round.ics")
    reminders = outcome.reminders
    assert [r.stage for r in reminders] == [
        Stage.THANK_YOU,
        Stage.CHECK_IN,
        Stage.CLOSING,
        Stage.KEEP_IN_TOUCH,
    ]
    first_round = next(i for i in outcome.interviews if not i.cancelled)
    assert all(r.interview_uid == first_round.uid for r in reminders)
    # Outlook's "Canceled: " before the title does not hide which application it was.
    (application,) = group_applications(outcome.interviews)
    assert len(application.interviews) == 2 and application.rounds == (first_round,)
    # The Contact: line names Katrin; the thank-you goes to the interviewer.
    assert _to(_stages(reminders, Stage.CHECK_IN)) == ["katrin.vogel@umbrella-labs.example"]
    assert _to(_stages(reminders, Stage.THANK_YOU)) == ["jonas.weber@umbrella-labs.example"]


def test_two_day_onsite_series_is_one_round() -> None:
    outcome = _plan("google_onsite_series.ics")
    assert len(outcome.interviews) == 2  # the RRULE's two days
    reminders = outcome.reminders
    thanks = _stages(reminders, Stage.THANK_YOU)
    assert _to(thanks) == ["eeva.lindqvist@nokkela.example", "ville.heikkinen@nokkela.example"]
    last_day_end = datetime(2026, 12, 3, 16, 0, tzinfo=HELSINKI)
    assert all(r.due >= last_day_end for r in thanks)
    assert len(_stages(reminders, Stage.CHECK_IN)) == 1
    assert len(_stages(reminders, Stage.CLOSING)) == 1
    assert len({r.uid for r in reminders}) == len(reminders)


def test_scheduler_organiser_with_a_contact_line() -> None:
    outcome = _plan("greenhouse_contact.ics")
    (interview,) = outcome.interviews
    assert interview.company == "Northwind"
    for reminder in outcome.reminders:
        text = _visible(reminder)
        assert "greenhouse" not in text and "no-reply" not in text
    # Maria is not invited, but her address is at the interviewer's company: it is kept.
    assert _to(_stages(outcome.reminders, Stage.CHECK_IN)) == ["maria.lopez@northwind.example"]
    assert _to(_stages(outcome.reminders, Stage.THANK_YOU)) == ["daniel.osei@northwind.example"]


def test_scheduler_organiser_without_a_contact_line() -> None:
    outcome = _plan("lever_no_contact.ics")
    (interview,) = outcome.interviews
    assert interview.organizer is None
    # The note-taking bot is no interviewer; the first interviewer gets the check-in.
    assert [p.email for p in interview.interviewers] == ["ahmed.karimi@contoso.example"]
    assert _to(_stages(outcome.reminders, Stage.CHECK_IN)) == ["ahmed.karimi@contoso.example"]
    for reminder in outcome.reminders:
        text = _visible(reminder)
        assert "lever" not in text and "fireflies" not in text


def test_workday_organiser_sent_by_a_person_and_no_company_from_its_domain() -> None:
    outcome = _plan("workday_sent_by.ics")
    (interview,) = outcome.interviews
    assert interview.company == "Fabrikam"
    assert [p.email for p in interview.interviewers] == ["olli.rantanen@fabrikam.example"]
    assert _to(_stages(outcome.reminders, Stage.CHECK_IN)) == ["hanna.koski@fabrikam.example"]
    for reminder in outcome.reminders:
        assert "workday" not in _visible(reminder)


def test_a_scheduler_sending_for_the_user_never_makes_the_user_a_recipient() -> None:
    text = (CORPUS / "workday_sent_by.ics").read_text()
    text = text.replace('"mailto:hanna.koski@fabrikam.examp\n le"', f'"mailto:{ME[0]}"')
    assert "SENT-BY=\"mailto:sam.candidate" in text
    found = interviews(text, settings(me=ME))
    (interview,) = found
    assert interview.organizer is None
    assert interview.contact is None or interview.contact.email != ME[0]
    reminders = _plan_text(text)
    assert reminders and ME[0] not in _to(reminders)


def test_application_key_groups_rounds_with_different_role_wording() -> None:
    outcome = _plan("application_key.ics")
    reminders = outcome.reminders
    assert {r.application for r in reminders} == {"hooli-4471"}
    assert len(_stages(reminders, Stage.CHECK_IN)) == 1
    check_in = _stages(reminders, Stage.CHECK_IN)[0]
    assert check_in.interview_uid == "8d9f0g1h2j3k4l5z6x7c8v9b0n@google.com"
    # The Contact: line of round 1 still names the main contact after round 2.
    assert check_in.recipient == Person("Gavin Belson", None)


def test_without_a_key_different_roles_are_different_applications() -> None:
    text = (CORPUS / "application_key.ics").read_text().replace("pplication: ", "pplied: ")
    found = interviews(text, settings(me=ME))
    assert len(group_applications(found)) == 2


def _event(uid: str, day: int, summary: str, extra: str = "") -> str:
    return vevent(
        uid=uid,
        summary=summary,
        start=f"DTSTART;TZID=Europe/Helsinki:202612{day:02d}T100000",
        end=f"DTEND;TZID=Europe/Helsinki:202612{day:02d}T110000",
        extra="ORGANIZER;CN=Anna Virtanen:mailto:anna@acme.example\n" + extra,
    )


def _plan_text(text: str, now: datetime = BEFORE, me: tuple[str, ...] = ME) -> list[Reminder]:
    from cal_followup.applications import plan_applications
    from cal_followup.businessdays import business_calendar

    config = settings(country="FI", me=me)
    problems: list[object] = []
    found = interviews(text, config)
    reminders = plan_applications(
        found,
        now,
        config,
        lambda i: business_calendar("FI", i.zone),
        problems,  # type: ignore[arg-type]
    )
    assert not problems
    return reminders


def test_rejected_in_any_round_stops_the_application_with_one_reply() -> None:
    text = calendar(
        _event("r1@x", 1, "Interview with Acme – Data Engineer", "CATEGORIES:Rejected"),
        _event("r2@x", 8, "Interview with Acme – Data Engineer"),
    )
    reminders = _plan_text(text)
    assert [r.stage for r in reminders] == [Stage.AFTER_REJECTION, Stage.KEEP_IN_TOUCH]
    assert reminders[0].interview_uid == "r2@x"


def test_unknown_role_with_two_open_applications_stays_apart() -> None:
    text = calendar(
        _event("a@x", 1, "Interview with Acme – Data Engineer"),
        _event("b@x", 2, "Interview with Acme – Data Analyst"),
        _event("c@x", 9, "Interview with Acme"),
    )
    reminders = _plan_text(text)
    # Nobody can tell which application the third round belongs to: three check-ins.
    assert len(_stages(reminders, Stage.CHECK_IN)) == 3
    joined = calendar(
        _event("a@x", 1, "Interview with Acme – Data Engineer"),
        _event("c@x", 9, "Interview with ACME"),
    )
    assert len(_stages(_plan_text(joined), Stage.CHECK_IN)) == 1


def test_company_and_role_are_normalised() -> None:
    text = calendar(
        _event("a@x", 1, "Interview with Acme Oy – Data Engineer"),
        _event("b@x", 9, "Interview with ACME OY. – data  engineer"),
    )
    (application,) = group_applications(interviews(text, settings(me=ME)))
    assert application.key == "acme oy / data engineer"
    assert [i.uid for i in application.rounds] == ["a@x", "b@x"]


def test_roles_that_only_name_the_round() -> None:
    found = interviews(
        calendar(
            _event("a@x", 1, "Globex: final interview"),
            _event("b@x", 2, "Globex – 2nd round interview"),
            _event("c@x", 3, "Globex: Data Engineer interview"),
        ),
        settings(me=ME),
    )
    assert [role_of(i) for i in found] == [None, None, "Data Engineer"]


@pytest.mark.parametrize(
    "address",
    [
        "no-reply@greenhouse.io",
        "scheduling@us.greenhouse-mail.io",
        "jane@hire.lever.co",
        "acme@wd5.myworkday.com",
        "notifications@calendly.com",
        "no_reply@acme.example",
        "No.Reply@acme.example",
        "donotreply@acme.example",
        "do-not-reply@acme.example",
        "recruiting-noreply@acme.example",
        "noreply+abc123@acme.example",
        "calendar@acme.example",
        "bounces+1234@mail.acme.example",
        "mailer-daemon@acme.example",
        "candidates@eu.ashbyhq.com",
        "noreply@successfactors.eu",
        "fred@fireflies.ai",
        "c_1a2b3c4d5e@group.calendar.google.com",
    ],
)
def test_automated_senders(address: str) -> None:
    assert is_automated(address)
    assert not is_person(Person("Greenhouse Scheduling", address))


@pytest.mark.parametrize(
    "address",
    [
        "anna.virtanen@acme.example",
        "jane@notgreenhouse.io",
        "greenhouse.io@acme.example",
        "noel.reyes@acme.example",
        "recruiting@acme.example",
        "calendaria@acme.example",
        None,
    ],
)
def test_people_are_not_automated(address: str | None) -> None:
    assert not is_automated(address)


def test_scheduler_is_never_the_company_nor_the_user_own_domain() -> None:
    text = calendar(
        vevent(
            summary="Interview",
            extra=(
                "ORGANIZER;CN=Scheduling:mailto:scheduling@myworkday.com\n"
                "ATTENDEE;CN=Sam:mailto:sam@samconsulting.example\n"
                "ATTENDEE;CN=Olli Rantanen:mailto:olli@fabrikam.example"
            ),
        )
    )
    (interview,) = interviews(text, settings(me=("sam@samconsulting.example",)))
    assert interview.company == "Fabrikam"
    only_me = calendar(
        vevent(
            summary="Interview",
            extra=(
                "ORGANIZER;CN=Greenhouse Scheduling:mailto:no-reply@greenhouse.io\n"
                "ATTENDEE;CN=Sam:mailto:sam@samconsulting.example"
            ),
        )
    )
    (interview,) = interviews(only_me, settings(me=("sam@samconsulting.example",)))
    assert interview.company is None
    assert interview.interviewers == () and interview.organizer is None
    reminders = _plan_text(only_me, me=("sam@samconsulting.example",))
    # Nobody at all: the recipient stays a visible placeholder.
    assert all(r.recipient is None for r in reminders)
    assert reminders and all("greenhouse" not in _visible(r) for r in reminders)


def test_plan_json_has_the_application(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "plan",
            str(CORPUS / "google_two_rounds.ics"),
            "--json",
            "--now",
            "2026-11-27T09:00",
            "--tz",
            "Europe/Helsinki",
            "--country",
            "FI",
        ]
    )
    assert status == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["application"] for row in rows} == {"acme oy / data engineer"}
    assert sum(row["stage"] == "check-in" for row in rows) == 1


def test_every_fixture_plans_at_most_one_check_in_and_closing_per_application() -> None:
    for path in sorted(CORPUS.glob("*.ics")):
        outcome = _plan(path.name)
        for stage in (Stage.CHECK_IN, Stage.CLOSING):
            keys = [r.application for r in _stages(outcome.reminders, stage)]
            assert len(keys) == len(set(keys)), (path.name, stage)
            for reminder in _stages(outcome.reminders, stage):
                rounds = [
                    i
                    for i in outcome.interviews
                    if not i.cancelled
                    and any(
                        r.application == reminder.application and r.interview_uid == i.uid
                        for r in outcome.reminders
                    )
                ]
                assert reminder.due > max(i.end for i in rounds) + timedelta(hours=1)


def test_company_from_the_organisers_domain_joins_the_named_company() -> None:
    text = calendar(
        _event("a@x", 1, "Interview with Acme Oy – Data Engineer"),
        # Only the organiser's address (anna@acme.example) says which company this is.
        _event("b@x", 9, "Technical interview"),
    )
    found = interviews(text, settings(me=ME))
    assert [i.company for i in found] == ["Acme Oy", "Acme"]
    (application,) = group_applications(found)
    assert [i.uid for i in application.rounds] == ["a@x", "b@x"]
    assert len(_stages(_plan_text(text), Stage.CHECK_IN)) == 1


@pytest.mark.parametrize(
    ("attendee", "contact", "kept"),
    [
        ("daniel@northwind.example", "maria@northwind.example", True),
        ("daniel@northwind.example", "maria@elsewhere.example", False),
        # A mail provider is no company: a stranger's gmail address is never taken.
        ("daniel.osei@gmail.com", "someone.else@gmail.com", False),
        ("daniel@northwind.example", "no-reply@northwind.example", False),
    ],
)
def test_contact_address_in_an_invite(attendee: str, contact: str, kept: bool) -> None:
    text = calendar(
        vevent(
            summary="Interview with Northwind – Backend Engineer",
            extra=(
                "ORGANIZER;CN=Greenhouse Scheduling:mailto:no-reply@greenhouse.io\n"
                f"ATTENDEE;CN=Daniel Osei:mailto:{attendee}\n"
                f"DESCRIPTION:Contact: Maria Lopez <{contact}>"
            ),
        )
    )
    (interview,) = interviews(text, settings(me=ME))
    assert interview.contact is not None
    assert (interview.contact.email == contact) is kept


def test_two_applications_never_share_a_key() -> None:
    # Two interviews titled only "Interview", with no company anywhere: two
    # applications, and each keeps a key of its own, whatever the order.
    text = calendar(
        *(
            vevent(uid=uid, summary="Interview",
                   start=f"DTSTART;TZID=Europe/Helsinki:202612{day:02d}T100000",
                   end=f"DTEND;TZID=Europe/Helsinki:202612{day:02d}T110000")
            for uid, day in (("a@x", 1), ("b@x", 21))
        )
    )  # fmt: skip
    found = interviews(text, settings(me=ME))
    applications = group_applications(found)
    assert len(applications) == 2 and len({a.key for a in applications}) == 2
    assert {a.key for a in group_applications(found[::-1])} == {a.key for a in applications}


def test_an_earlier_rounds_relative_timeline_times_the_check_in_but_is_not_quoted() -> None:
    text = calendar(
        _event("t1@x", 1, "Interview with Acme – Data Engineer",
               "DESCRIPTION:Decision: within four weeks\n"),
        _event("t2@x", 8, "Interview with Acme – Data Engineer"),
    )  # fmt: skip
    (check_in,) = _stages(_plan_text(text), Stage.CHECK_IN)
    # Four weeks from 1 December (29 December) ends after round 2: it still counts.
    assert check_in.due.date() > datetime(2026, 12, 29).date()
    assert "four weeks" not in check_in.draft.body


@pytest.mark.parametrize("domain", ["yahoo.fr", "hotmail.fr", "t-online.de", "gmx.com"])
def test_a_public_mail_provider_never_names_the_company(domain: str) -> None:
    from cal_followup.detectpeople import company_from_domain

    assert company_from_domain(f"recruiter@{domain}") is None
    assert company_from_domain("recruiter@acme.example") == "Acme"
