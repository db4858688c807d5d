"""A date set off by commas is closed by one when the sentence goes on.

German and English write the interview day as an apposition to the weekday
("am Freitag, dem 18. Dezember", "on Friday, December 18"): opened by a comma,
so closed by one when a word follows ("..., über die Stelle", "..., about the
role"), and never before punctuation, a dash or the end of a sentence (no ",.",
", –", ",,"). The rule is checked over every template, tone and wording variant
of each such language, every kind of notes (everything known, nothing known, a
stated date, a vague timeline) and any interview and send day. Which languages
write that apposition is read from their data (a ``long`` pattern that puts a
comma after the weekday), not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cal_followup import stages
from cal_followup.drafts import _CLOSE as CLOSE_MARK
from cal_followup.drafts import (
    TONES,
    close_dates,
    draft_language,
    fill_template,
    format_date,
    interview_fields,
    load_template,
    plain_value,
    render_draft,
)
from cal_followup.languages import Language, draft_languages, get_language
from cal_followup.model import Interview, Stage, StatedTimeline
from tests.regen_golden import ZONE, bare_interview, golden_drafts, interview_for, settings_for

#: The styles a draft may write a date in (``format_date`` falls back to ``long``).
STYLES = ("long", "long_year", "day_long", "day_long_year", "deadline", "deadline_year")
#: Languages whose long date sets the date off from the weekday with a comma.
APPOSITION = tuple(
    code
    for code in draft_languages()
    if str(get_language(code).dates.get("long", "")).startswith("{weekday}, ")
)
#: Every (stage, late) pair that has a template, from the stage table.
STAGE_CASES = tuple(
    (row.stage, late) for row in stages.STAGES for late in (False, True)[: len(row.templates)]
)
NOTES = ("full", "bare", "vague", "stated")
#: A comma where the punctuation that follows makes it wrong.
BAD_COMMA = re.compile(r",\s*[.,;:!?–—)]")


def test_german_and_english_are_checked() -> None:
    # The languages are found from their data; these two must be among them.
    assert {"de", "en"} <= set(APPOSITION)


def _dates(days: tuple[date, ...], language: Language) -> re.Pattern[str]:
    """Every way ``days`` can be written with their weekday, longest first."""
    weekdays = language.dates.get("weekdays") or get_language("en").dates["weekdays"]
    written = {
        format_date(day, language, style)
        for day in days
        for style in STYLES
        if weekdays[day.weekday()] in format_date(day, language, style)
    }
    return re.compile("|".join(re.escape(w) for w in sorted(written, key=len, reverse=True)))


def unclosed_dates(text: str, days: tuple[date, ...], language: Language) -> list[str]:
    """Each weekday-date in ``text`` that a word follows without a closing comma."""
    found = []
    for match in _dates(days, language).finditer(text):
        rest = text[match.end() :]
        if re.match(r"[ \t]+(?:[^\W_]|\[)", rest):
            found.append(text[max(0, match.start() - 30) : match.end() + 20])
    return found


def _interview(code: str, tone: str, notes: str, day: date) -> Interview:
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)
    base = interview_for(code, tone) if notes != "bare" else bare_interview(code, tone)
    interview = replace(base, start=start, end=start + timedelta(hours=1))
    if notes == "vague":
        vague = StatedTimeline("next week", day + timedelta(days=9), kind="next_week")
        return replace(interview, timeline=vague)
    if notes == "stated":
        deadline = day + timedelta(days=17)
        stated = StatedTimeline(f"{deadline.day}.{deadline.month}.", deadline=deadline)
        return replace(interview, timeline=stated)
    return interview


def drafts(
    code: str, tone: str, notes: str, day: date, send_day: date
) -> Iterator[tuple[str, str, tuple[date, ...]]]:
    """Every wording of every stage for one interview: (what, text, dates it may show)."""
    config = settings_for(code)
    language = draft_language(code, config)
    interview = _interview(code, tone, notes, day)
    recipient = interview.interviewers[0] if interview.interviewers else None
    days = (day,) + ((interview.timeline.deadline,) if interview.timeline else ())
    days = tuple(d for d in days if d is not None)
    for stage, late in STAGE_CASES:
        name = stages.template_name(stage, late)
        template = load_template(code, name, tone)
        values = interview_fields(interview, stage, recipient, config, language, send_day)
        wordings = max(line.count(" || ") for line in template.body.splitlines()) + 1
        for rank in range(wordings):
            draft = fill_template(template, values, language, (rank, 0))
            what = f"{code}/{name}.{tone} {notes} wording {rank}, sent {send_day}"
            yield what, f"Subject: {draft.subject}\n\n{draft.body}", days


def assert_closed(what: str, text: str, days: tuple[date, ...], code: str) -> None:
    language = get_language(code)
    assert not unclosed_dates(text, days, language), (what, unclosed_dates(text, days, language))
    assert not BAD_COMMA.search(text), (what, text)
    assert CLOSE_MARK not in text, what


@pytest.mark.parametrize("code", APPOSITION)
@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("notes", NOTES)
def test_every_wording_closes_the_interview_day(code: str, tone: str, notes: str) -> None:
    day = date(2026, 12, 18)
    # Sent the same day ("heute"), the next ("gestern"), later that year, and the next year.
    for later in (0, 1, 10, 30):
        for what, text, days in drafts(code, tone, notes, day, day + timedelta(days=later)):
            assert_closed(what, text, days, code)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.sampled_from(APPOSITION),
    tone=st.sampled_from(TONES),
    notes=st.sampled_from(NOTES),
    day=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    later=st.integers(0, 500),
)
def test_any_day_is_closed_in_any_wording(
    code: str, tone: str, notes: str, day: date, later: int
) -> None:
    for what, text, days in drafts(code, tone, notes, day, day + timedelta(days=later)):
        assert_closed(what, text, days, code)


def test_the_german_goldens_close_every_date() -> None:
    golden = golden_drafts()
    language = get_language("de")
    days = (date(2026, 12, 18), date(2027, 1, 4))
    for relative, text in golden.items():
        if relative.startswith("de/"):
            assert not unclosed_dates(text, days, language), relative
    check_in = golden["de/check-in.formal.txt"]
    assert "Bei unserem Gespräch am Freitag, dem 18. Dezember, hatten Sie erwähnt" in check_in
    # A date without a weekday is no apposition: "bis zum 4. Januar" takes no comma.
    assert "bis zum 4. Januar fallen sollte." in check_in
    assert "bis zum 4. Januar über die Stelle" in golden["de/check-in.casual.txt"]
    # At the end of a sentence the date ends with its full stop alone.
    closing = golden["de/closing.casual.txt"]
    assert "am Freitag, dem 18. Dezember, gesprochen haben." in closing


def test_german_relative_days_need_no_comma() -> None:
    interview = interview_for("de", "formal")
    person = interview.interviewers[0]
    config = settings_for("de")
    day = interview.start.date()
    today = render_draft(interview, Stage.THANK_YOU, False, person, config, day)
    assert "das wir heute geführt haben" in today.body


DAY = "am Freitag, dem 18. Dezember"


@pytest.mark.parametrize(
    ("after", "closed"),
    [
        (" über die Stelle", ", über die Stelle"),
        (" [Firma]", ", [Firma]"),
        (" „Data Engineer“", ", „Data Engineer“"),
        (" 2027", ", 2027"),
        (".", "."),
        ("", ""),
        (", und", ", und"),
        (" – danke", " – danke"),
        (")", ")"),
    ],
)
def test_the_closing_mark_becomes_a_comma_only_before_a_word(after: str, closed: str) -> None:
    assert close_dates(DAY + CLOSE_MARK + after, get_language("de")) == DAY + closed


def test_notes_cannot_smuggle_in_the_closing_mark() -> None:
    assert plain_value(f"Kafka{CLOSE_MARK} Streams") == "Kafka Streams"
