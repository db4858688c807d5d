"""Stated timelines in English (rule 2); other languages are tested with their drafts."""

from __future__ import annotations

from datetime import date

import pytest

from cal_followup.languages import get_language
from cal_followup.timeline import parse_timeline

INTERVIEW_DAY = date(2026, 12, 2)  # a Wednesday


def read(text: str, labelled: tuple[str, ...] = ()) -> object:
    found = parse_timeline(labelled, text, [get_language("en")], INTERVIEW_DAY)
    return found


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("We will decide by December 18.", date(2026, 12, 18)),
        ("decision by Friday January 8", date(2027, 1, 8)),
        ("by the 4th of January", date(2027, 1, 4)),
        ("no later than 2026-12-20", date(2026, 12, 20)),
        ("Expect news by 12/15", date(2026, 12, 15)),
        ("they will get back within two weeks", date(2026, 12, 16)),
        ("in 10 days", date(2026, 12, 12)),
        ("within a week", date(2026, 12, 9)),
        ("We'll let you know next week", date(2026, 12, 13)),
        ("by the end of this week", date(2026, 12, 6)),
        ("decision by Friday", date(2026, 12, 4)),
        ("by Jan 15", date(2027, 1, 15)),  # a date soon after, across the new year
    ],
)
def test_phrases_resolve_to_deadlines(text: str, deadline: date) -> None:
    found = read(text)
    assert found is not None and found.deadline == deadline  # type: ignore[attr-defined]


def test_business_day_span_is_kept_in_business_days() -> None:
    found = read("They will decide within 5 business days")
    assert found is not None and found.business_days == 5 and found.deadline is None  # type: ignore[attr-defined]


def test_labelled_line_wins_over_notes() -> None:
    found = read("Maybe within two weeks", labelled=("by January 15",))
    assert found is not None and found.deadline == date(2027, 1, 15)  # type: ignore[attr-defined]


def test_no_timeline() -> None:
    assert read("Great chat about Kafka. Ask about the team size.") is None


def test_a_date_just_before_the_interview_is_not_a_deadline_next_year() -> None:
    assert read("Decision: by November 20") is None
