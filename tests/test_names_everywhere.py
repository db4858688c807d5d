"""A person's name is parsed once and shown the same way everywhere.

Topic attribution and ``Contact:`` lines (detect), reminder titles (policy),
the reminder's To line (ical) and the draft's To header (mail) all read a CN
like ``Watson, Emily`` as Emily Watson; a contact known only by an address
(a scheduler's SENT-BY) is greeted neutrally, never by the address.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cal_followup.applications import group_applications
from cal_followup.businessdays import business_calendar
from cal_followup.config import Settings
from cal_followup.drafts import render_draft
from cal_followup.drafts.names import greeting
from cal_followup.ical import description_text
from cal_followup.languages import get_language
from cal_followup.mail.message import build_draft
from cal_followup.model import Person, Reminder, Stage
from cal_followup.policy import plan_interview, reminder_title
from tests.helpers import one_interview, settings, vevent
from tests.regen_golden import interview_for, settings_for


@pytest.mark.parametrize(
    ("cn", "address", "first", "shown"),
    [
        ("Watson, Emily", "emily.watson@acme.example", "Emily", "Emily Watson"),
        ("Dr. Emily Watson", None, "Emily", "Emily Watson"),
        ("VIRTANEN ANNA", "anna.virtanen@acme.example", "Anna", "Anna Virtanen"),
        ("Greenhouse Scheduling", "no-reply@greenhouse.io", None, "Greenhouse Scheduling"),
        (None, "hr@acme.example", None, None),
        ("hr@acme.example", "hr@acme.example", None, None),
    ],
)
def test_person_first_and_display_name(
    cn: str | None, address: str | None, first: str | None, shown: str | None
) -> None:
    person = Person(cn, address)
    assert (person.first_name, person.display_name) == (first, shown)


PANEL = r"""
DESCRIPTION:Topics: Emily – system design; Anna - API design; Nair: on-call\nContact: Emily Watson
ATTENDEE;CN="Watson, Emily":mailto:emily.watson@globex.example
ATTENDEE;CN=VIRTANEN ANNA:mailto:anna.virtanen@globex.example
ATTENDEE;CN=Dr. Priya Nair:mailto:pnair@globex.example
"""


def test_topics_and_contact_lines_name_people_as_people_write_them() -> None:
    interview = one_interview(vevent(extra=PANEL))
    emily, anna, priya = interview.interviewers
    assert interview.topic_for(emily) == "system design"
    assert interview.topic_for(anna) == "API design"
    assert interview.topic_for(priya) == "on-call"
    assert interview.contact == emily, "Contact: Emily Watson is the attendee Watson, Emily"


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Send thank-you note to Emily Watson"),
        ("fi", "Lähetä kiitosviesti: Emily Watson"),
        ("fr", "Envoyer un mot de remerciement à Emily Watson"),
    ],
)
def test_reminder_titles_show_the_parsed_name(language: str, title: str) -> None:
    interview = interview_for("en", "formal")
    config = replace(settings_for("en"), language=language)
    person = Person("Watson, Emily", "emily.watson@acme.example")
    assert reminder_title(Stage.THANK_YOU, False, person, interview, config) == title


def _thank_you(recipient: Person) -> tuple[Reminder, Settings]:
    interview = replace(interview_for("en", "formal"), interviewers=(recipient,))
    config = settings_for("en")
    business = business_calendar("FI")
    reminders = plan_interview(
        interview, interview.start, config, business, stages=frozenset({Stage.THANK_YOU})
    )
    return reminders[0], config


def test_mail_and_reminder_to_lines_show_the_parsed_name() -> None:
    reminder, config = _thank_you(Person("Watson, Emily", "emily.watson@acme.example"))
    message = build_draft(reminder, config, datetime(2026, 12, 1, tzinfo=UTC))
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    (to,) = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Emily Watson", "emily.watson@acme.example")
    description = description_text(reminder)
    assert "Emily Watson <emily.watson@acme.example>" in description
    assert "Watson, Emily" not in description
    assert reminder.to_json()["to_name"] == "Emily Watson"  # plan --json


WORKDAY = r"""
ORGANIZER;CN=Workday;SENT-BY="mailto:hr.team@globex.example":mailto:globex@myworkday.com
ATTENDEE;CN="Watson, Emily":mailto:emily.watson@globex.example
"""


@pytest.mark.parametrize("language", ["en", "fi", "fr"])
@pytest.mark.parametrize("tone", ["formal", "casual"])
def test_a_contact_known_only_by_address_gets_the_neutral_greeting(
    language: str, tone: str
) -> None:
    interview = one_interview(vevent(extra=WORKDAY), settings(language=language))
    (application,) = group_applications([interview])
    contact = application.contact
    assert contact == Person(None, "hr.team@globex.example")
    config = replace(settings_for(language), language=language)
    interview = replace(interview, language=language, tone=tone, contact=contact)
    body = render_draft(interview, Stage.CHECK_IN, False, contact, config).body
    neutral = greeting(None, get_language(language), tone)
    assert neutral and body.startswith(neutral), body[:80]
    assert "hr.team" not in body and "Workday" not in body
