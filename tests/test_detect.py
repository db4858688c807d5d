"""Rule 1 (what counts as an interview) and rule 2 (what is read from it)."""

from __future__ import annotations

import pytest

from cal_followup.model import Person, StopReason
from tests.helpers import calendar, interviews, one_interview, settings, vevent


@pytest.mark.parametrize(
    "summary",
    [
        "Interview with Acme",
        "Työhaastattelu: Acme",
        "Haastattelu Acme Oy",
        "Entretien avec Acme",
        "Entrevue – Acme",
        "Vorstellungsgespräch bei Acme",
        "Entrevista con Acme",
        "Intervista con Acme",
        "Acme 面试",
        "acme INTERVIEW round 2",
    ],
)
def test_interview_words_in_every_supported_language(summary: str) -> None:
    assert len(interviews(calendar(vevent(summary=summary)))) == 1


def test_interview_word_in_categories_counts() -> None:
    assert interviews(calendar(vevent(summary="Acme call", extra="CATEGORIES:Job,Interview")))


@pytest.mark.parametrize(
    "summary",
    [
        "Dentist",
        "Interviewer training? no: Team lunch",
        "Mock interview with Jussi",
        "Interview prep",
        "Interview practice with coach",
        "Entretien blanc",
        "Harjoitushaastattelu",
    ],
)
def test_not_interviews(summary: str) -> None:
    if summary.startswith("Interviewer training"):
        # "Interviewer" is not the word "interview".
        summary = "Interviewer training"
    assert interviews(calendar(vevent(summary=summary))) == []


def test_include_and_exclude_patterns_from_config() -> None:
    text = calendar(
        vevent(uid="a", summary="Tech screen: Acme"), vevent(uid="b", summary="Interview: podcast")
    )
    found = interviews(text, settings(include=(r"tech screen",), exclude=(r"podcast",)))
    assert [i.uid for i in found] == ["a"]


def test_own_reminders_and_own_events_are_not_interviews() -> None:
    mine = vevent(uid="a", extra="ORGANIZER:mailto:ME@example.net")
    marked = vevent(
        uid="b",
        summary="Send thank-you note after interview",
        extra="X-CAL-FOLLOWUP-STAGE:thank-you",
    )
    assert interviews(calendar(mine, marked)) == []


def test_cancelled_interview_is_read_as_cancelled() -> None:
    interview = one_interview(vevent(extra="STATUS:CANCELLED"))
    assert interview.cancelled


def test_interviewers_are_people_other_than_me() -> None:
    event = vevent(
        extra="""
ORGANIZER;CN=Laura Recruiter:mailto:laura@globex.example
ATTENDEE;CN=Matti K;CUTYPE=INDIVIDUAL:mailto:matti@globex.example
ATTENDEE;CN=Priya N:mailto:priya@globex.example
ATTENDEE;CN=Me:mailto:me@example.net
ATTENDEE;CN=Room 1;CUTYPE=ROOM:mailto:room@globex.example
ATTENDEE;CN=Everyone;CUTYPE=GROUP:mailto:all@globex.example
ATTENDEE;CN=Bridge;CUTYPE=RESOURCE:mailto:bridge@globex.example
"""
    )
    interview = one_interview(event)
    assert interview.interviewers == (
        Person("Matti K", "matti@globex.example"),
        Person("Priya N", "priya@globex.example"),
    )
    assert interview.contact == Person("Laura Recruiter", "laura@globex.example")


def test_organizer_is_the_interviewer_when_no_attendees() -> None:
    interview = one_interview(vevent(extra="ORGANIZER;CN=Peter:mailto:peter@initech.example"))
    assert interview.interviewers == (Person("Peter", "peter@initech.example"),)
    assert interview.contact == interview.interviewers[0]


def test_labelled_lines_win_over_summary() -> None:
    event = vevent(
        summary="Interview with Foo – Bar",
        extra=r"""
DESCRIPTION:Company: Acme Oy\nRole: Data Engineer\nContact: Laura <laura@acme.ex
 ample>\nTopics: Kafka pipelines; data quality\nIdea: a dashboard
""",
    )
    interview = one_interview(event)
    assert interview.company == "Acme Oy"
    assert interview.role == "Data Engineer"
    assert interview.contact == Person("Laura", "laura@acme.example")
    assert interview.topics == ("Kafka pipelines", "data quality")
    assert interview.idea == "a dashboard"


@pytest.mark.parametrize(
    ("summary", "company", "role"),
    [
        ("Interview with Acme – Data Engineer", "Acme", "Data Engineer"),
        ("Acme: Data Engineer interview", "Acme", "Data Engineer"),
        ("Interview for Data Engineer at Acme", "Acme", "Data Engineer"),
        (
            "Globex: Senior Backend Developer interview (panel)",
            "Globex",
            "Senior Backend Developer",
        ),
        ("Initech - Product Manager interview", "Initech", "Product Manager"),
        ("Interview at Acme-Corp", "Acme-Corp", None),
    ],
)
def test_company_and_role_from_summary(summary: str, company: str, role: str | None) -> None:
    interview = one_interview(vevent(summary=summary))
    assert (interview.company, interview.role) == (company, role)


def test_company_from_organizer_domain_when_nothing_else() -> None:
    event = vevent(summary="Interview", extra="ORGANIZER:mailto:talent@careers.hooli.co.uk")
    assert one_interview(event).company == "Hooli"


def test_free_mail_domain_is_not_a_company() -> None:
    event = vevent(summary="Interview", extra="ORGANIZER:mailto:someone@gmail.com")
    assert one_interview(event).company is None


def test_finnish_and_french_labels() -> None:
    fi = one_interview(
        vevent(summary="Haastattelu", extra=r"DESCRIPTION:Yritys: Acme Oy\nTehtävä: Kehittäjä")
    )
    fr = one_interview(
        vevent(summary="Entretien", extra=r"DESCRIPTION:Entreprise : Acme SA\nPoste : Développeur")
    )
    assert (fi.company, fi.role) == ("Acme Oy", "Kehittäjä")
    assert (fr.company, fr.role) == ("Acme SA", "Développeur")


def test_topics_attributed_to_panel_members() -> None:
    event = vevent(
        extra=r"""
DESCRIPTION:Topics: Matti – test automation; Priya - API design
ATTENDEE;CN=Matti Korhonen:mailto:matti@globex.example
ATTENDEE;CN=Priya Nair:mailto:priya@globex.example
"""
    )
    interview = one_interview(event)
    matti, priya = interview.interviewers
    assert interview.topic_for(matti) == "test automation"
    assert interview.topic_for(priya) == "API design"


def test_topics_under_a_bare_label_as_bullets() -> None:
    interview = one_interview(
        vevent(extra=r"DESCRIPTION:Notes:\n- system design\n- on-call\n\nOther text")
    )
    assert interview.topics == ("system design", "on-call")


def test_stated_timeline_is_read() -> None:
    interview = one_interview(vevent(extra=r"DESCRIPTION:Decision: by December 18"))
    assert interview.timeline is not None
    assert str(interview.timeline.deadline) == "2026-12-18"


@pytest.mark.parametrize(
    ("category", "reason"),
    [
        ("Replied", StopReason.REPLIED),
        ("offer", StopReason.OFFER),
        ("REJECTED", StopReason.REJECTED),
        ("withdrawn", StopReason.WITHDRAWN),
    ],
)
def test_stop_categories(category: str, reason: StopReason) -> None:
    interview = one_interview(vevent(extra=f"CATEGORIES:Interview,{category}"))
    assert interview.stop_reason is reason


def test_language_and_tone_override_lines() -> None:
    interview = one_interview(vevent(extra=r"DESCRIPTION:Tone: casual\nLanguage: en"))
    assert (interview.tone, interview.language) == ("casual", "en")


def test_untrusted_values_are_one_line_and_bounded() -> None:
    long_name = "A" * 5000
    event = vevent(
        summary="Interview with Acme",
        extra=f"DESCRIPTION:Company: {long_name}\\nRole: x\\nBEGIN:VEVENT",
    )
    interview = one_interview(event)
    assert interview.company is not None and len(interview.company) <= 80
    assert "\n" not in interview.summary


@pytest.mark.parametrize("tag", ["fr-FR", "fr_CA", "FR"])
def test_language_line_accepts_locale_tags(tag: str) -> None:
    interview = one_interview(vevent(extra=f"DESCRIPTION:Language: {tag}"))
    assert interview.language == "fr"


# -- the longest interview word chooses the language ------------------------------------------


@pytest.mark.parametrize("default", ["en", "fi", "fr", "de", "sv"])
@pytest.mark.parametrize(
    ("summary", "code", "company"),
    [
        ("Interview bei Nordwind – Data Engineer", "de", "Nordwind"),
        ("Interview mit Nordwind", "de", "Nordwind"),
        ("Vorstellungsgespräch bei Nordwind – Data Engineer", "de", "Nordwind"),
        ("Telefonintervju med Fjällvind", "sv", "Fjällvind"),
        ("Anställningsintervju: Fjällvind – Data Engineer", "sv", "Fjällvind"),
        ("Työhaastattelu: Acme Oy – Data Engineer", "fi", "Acme Oy"),
        ("Entretien d'embauche chez Lumière", "fr", None),
    ],
)
def test_the_longest_interview_word_chooses_the_language(
    default: str, summary: str, code: str, company: str | None
) -> None:
    # "Interview bei" is longer than English "interview": a German event, whatever the default.
    found = one_interview(vevent(summary=summary), settings(language=default))
    assert found.language == code
    if company is not None:
        assert found.company == company


@pytest.mark.parametrize("default", ["en", "fi", "fr", "de", "sv"])
def test_interview_with_stays_english_under_any_default(default: str) -> None:
    found = one_interview(vevent(summary="Interview with Acme"), settings(language=default))
    assert found.language in ("en", default) and found.language != "de"
    assert found.company == "Acme"


def test_a_name_two_panelists_share_credits_neither() -> None:
    from cal_followup.detect import _attribute_topics
    from cal_followup.model import Person

    anna, chen = Person("Anna Lee", "anna@acme.example"), Person("Lee Chen", "lee@acme.example")
    plain, attributed = _attribute_topics(["Lee – pipelines", "Anna – hiring"], [anna, chen])
    assert attributed == [(anna.key, "hiring")]
    assert plain == ["Lee – pipelines", "hiring"]
