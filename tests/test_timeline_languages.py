"""Stated timelines in Finnish and French (rule 2): labels, phrases, dates, spans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cal_followup.languages import get_language
from cal_followup.model import StatedTimeline
from cal_followup.timeline import parse_timeline
from tests.helpers import one_interview, vevent

INTERVIEW_DAY = date(2026, 12, 2)  # a Wednesday


def read(code: str, text: str, labelled: tuple[str, ...] = ()) -> StatedTimeline | None:
    return parse_timeline(labelled, text, [get_language(code)], INTERVIEW_DAY)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Päätös viikon sisällä", date(2026, 12, 9)),
        ("Vastaus tulee kahden viikon kuluessa.", date(2026, 12, 16)),
        ("kahden viikon sisällä", date(2026, 12, 16)),
        ("parin viikon päästä", date(2026, 12, 16)),
        ("kolmessa viikossa", date(2026, 12, 23)),
        ("10 päivän kuluessa", date(2026, 12, 12)),
        ("muutaman päivän sisällä", date(2026, 12, 5)),
        ("kuukauden kuluessa", date(2027, 1, 1)),
        ("Kerromme ensi viikolla", date(2026, 12, 13)),
        ("vielä tällä viikolla", date(2026, 12, 6)),
        ("Päätös 4.12.2026", date(2026, 12, 4)),
        ("18.12. mennessä", date(2026, 12, 18)),
        ("4.1.", date(2027, 1, 4)),
        ("4. joulukuuta", date(2026, 12, 4)),
        ("joulukuun 18. päivään mennessä", date(2026, 12, 18)),
        ("2026-12-20", date(2026, 12, 20)),
        ("perjantaihin mennessä", date(2026, 12, 4)),
        ("ensi maanantaina", date(2026, 12, 7)),
    ],
)
def test_finnish_phrases(text: str, deadline: date) -> None:
    found = read("fi", text)
    assert found is not None and found.deadline == deadline, found


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Réponse d'ici deux semaines", date(2026, 12, 16)),
        ("d’ici une semaine", date(2026, 12, 9)),
        ("dans trois semaines", date(2026, 12, 23)),
        ("sous quinze jours", date(2026, 12, 16)),
        ("d'ici 15 jours", date(2026, 12, 16)),
        ("dans une quinzaine de jours", date(2026, 12, 16)),
        ("dans une dizaine de jours", date(2026, 12, 12)),
        ("sous 10 jours", date(2026, 12, 12)),
        ("Nous reviendrons vers vous la semaine prochaine", date(2026, 12, 13)),
        ("cette semaine", date(2026, 12, 6)),
        ("avant le 4 décembre", date(2026, 12, 4)),
        ("le 18 décembre 2026", date(2026, 12, 18)),
        ("4 déc.", date(2026, 12, 4)),
        ("4/12/2026", date(2026, 12, 4)),
        ("d'ici vendredi", date(2026, 12, 4)),
        ("vendredi prochain", date(2026, 12, 4)),
        ("avant lundi", date(2026, 12, 7)),
    ],
)
def test_french_phrases(text: str, deadline: date) -> None:
    found = read("fr", text)
    assert found is not None and found.deadline == deadline, found


@pytest.mark.parametrize(
    ("code", "text", "days"),
    [("fi", "10 arkipäivän kuluessa", 10), ("fi", "viiden työpäivän sisällä", 5),
     ("fr", "sous 10 jours ouvrés", 10), ("fr", "d'ici cinq jours ouvrables", 5)],
)  # fmt: skip
def test_business_day_spans(code: str, text: str, days: int) -> None:
    found = read(code, text)
    assert found is not None and found.business_days == days and found.deadline is None


@pytest.mark.parametrize(
    ("code", "label_value", "deadline"),
    [("fi", "perjantaina", date(2026, 12, 4)), ("fi", "viimeistään maanantaina", date(2026, 12, 7)),
     ("fr", "vendredi", date(2026, 12, 4)), ("fr", "le lundi", date(2026, 12, 7))],
)  # fmt: skip
def test_a_bare_weekday_counts_only_as_a_labelled_value(
    code: str, label_value: str, deadline: date
) -> None:
    found = read(code, "", labelled=(label_value,))
    assert found is not None and found.deadline == deadline
    # In running notes a weekday alone says nothing about the decision.
    assert read(code, f"Haastattelu oli {label_value} ja meni hyvin") is None


@pytest.mark.parametrize(
    ("code", "text"),
    [("fi", "Haastattelu klo 14.30, kesti 45 minuuttia"), ("fi", "Toinen kierros joulukuussa"),
     ("fr", "Entretien à 14h30, très agréable"), ("fr", "Deuxième tour en décembre")],
)  # fmt: skip
def test_notes_without_a_timeline(code: str, text: str) -> None:
    assert read(code, text) is None


@pytest.mark.parametrize(
    ("summary", "description", "deadline"),
    [
        ("Haastattelu: Acme Oy", r"Päätös: 18.12. mennessä", date(2026, 12, 18)),
        ("Haastattelu: Acme Oy", r"Aikataulu: kahden viikon kuluessa", date(2026, 12, 15)),
        ("Haastattelu: Acme Oy", r"Muistiinpanot: kertovat viikon sisällä", date(2026, 12, 8)),
        ("Entretien avec Acme", r"Décision : avant le 4 décembre", date(2026, 12, 4)),
        ("Entretien avec Acme", r"Calendrier : d'ici deux semaines", date(2026, 12, 15)),
        ("Entrevue – Acme", r"Réponse la semaine prochaine", date(2026, 12, 13)),
    ],
)
def test_labelled_lines_and_notes_in_events(summary: str, description: str, deadline: date) -> None:
    # The event is on Tuesday 1 December 2026.
    interview = one_interview(vevent(summary=summary, extra=f"DESCRIPTION:{description}"))
    assert interview.timeline is not None and interview.timeline.deadline == deadline


FI_GENITIVES = {1: "yhden", 2: "kahden", 3: "kolmen", 4: "neljän", 5: "viiden"}
FR_NUMBERS = {1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq"}
FR_MONTHS = get_language("fr").dates["months"]
FI_MONTHS = get_language("fi").dates["months"]


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(0, 300))
def test_written_dates_resolve_in_both_languages(interview_day: date, ahead: int) -> None:
    due = interview_day + timedelta(days=ahead)
    written = {
        "fi": [f"Päätös {due.day}.{due.month}.{due.year}", f"{due.day}. {FI_MONTHS[due.month - 1]}"
               f" {due.year}"],
        "fr": [f"avant le {due.day} {FR_MONTHS[due.month - 1]} {due.year}",
               f"{due.day}/{due.month}/{due.year}"],
    }  # fmt: skip
    for code, texts in written.items():
        for text in texts:
            found = parse_timeline([], text, [get_language(code)], interview_day)
            assert found is not None and found.deadline == due, (code, text, found)


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(1, 5))
def test_spans_in_words_resolve_in_both_languages(interview_day: date, weeks: int) -> None:
    expected = interview_day + timedelta(days=7 * weeks)
    for code, text in (
        ("fi", f"{FI_GENITIVES[weeks]} viikon kuluessa"),
        ("fr", f"d'ici {FR_NUMBERS[weeks]} semaine{'s' * (weeks > 1)}"),
    ):
        found = parse_timeline([], text, [get_language(code)], interview_day)
        assert found is not None and found.deadline == expected, (code, text, found)


def test_a_date_just_before_the_interview_is_no_deadline() -> None:
    # "le 1er décembre" for a 2 December interview is old news, not December 2027.
    assert read("fr", "le 1er décembre") is None
