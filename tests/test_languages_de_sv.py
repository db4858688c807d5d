"""German and Swedish, added as data only: detection, notes, timelines, drafts.

Also the rule that makes adding a language "add files": every language that
says ``drafts = true`` has every stage and tone, and every template renders with
full notes and with none.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cal_followup.businessdays import business_calendar
from cal_followup.config import Settings
from cal_followup.drafts import (
    REQUIRED,
    STAGE_FILES,
    TONES,
    fill_template,
    format_date,
    load_template,
    placeholder,
    render_draft,
)
from cal_followup.drafts import _greeting as open_greeting
from cal_followup.drafts.names import greeting, parse_name
from cal_followup.ical import description_text
from cal_followup.languages import draft_languages, get_language
from cal_followup.lint import check_text
from cal_followup.model import Interview, Person, Stage, StatedTimeline, StopReason
from cal_followup.policy import plan_interview, plan_stages, reminder_title
from cal_followup.timeline import parse_timeline
from tests import helpers
from tests.regen_golden import PEOPLE, golden_drafts, interview_for

ZONE = ZoneInfo("Europe/Helsinki")
INTERVIEW_DAY = date(2026, 12, 2)  # a Wednesday
TEMPLATES = resources.files("cal_followup.drafts").joinpath("templates")
GOLDEN = golden_drafts()
FULL = {
    "name": "Emily Watson",
    "first_name": "Emily",
    "role": "Data Engineer",
    "company": "Acme",
    "topic": "data quality",
    "date": "Friday",
    "sender": "Sam Carter",
    "deadline": "January 4",
    "idea": "a small dashboard",
    "greeting": "Hello Emily,",
    "day": "on Friday",
    "day_of": "of Friday",
    "timeline": "by January 4",
}


# -- adding a language is adding files -------------------------------------------------------


def test_german_and_swedish_draft() -> None:
    assert {"de", "sv"} <= set(draft_languages())


@pytest.mark.parametrize("code", draft_languages())
def test_every_drafting_language_has_every_stage_and_tone(code: str) -> None:
    missing = [
        f"{code}/{stage}.{tone}.txt"
        for stage in STAGE_FILES
        for tone in TONES
        if not TEMPLATES.joinpath(code, f"{stage}.{tone}.txt").is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("code", draft_languages())
@pytest.mark.parametrize("stage", STAGE_FILES)
@pytest.mark.parametrize("tone", TONES)
def test_every_template_renders_with_full_and_with_no_notes(
    code: str, stage: str, tone: str
) -> None:
    language = get_language(code)
    template = load_template(code, stage, tone)
    values = {**FULL, "greeting": greeting(parse_name("Emily Watson"), language, tone)}
    full = fill_template(template, values, language)
    assert full.missing == ()
    full_text = f"Subject: {full.subject}\n\n{full.body}"
    assert not re.search(r"[{}\[\]]", full_text), full_text
    assert check_text(full_text, code).findings == ()

    # With nobody to write to, the greeting names the person left open (as render_draft does).
    nobody = open_greeting(None, None, language, tone)
    empty = fill_template(template, {"date": "Friday", "greeting": nobody}, language)
    empty_text = f"Subject: {empty.subject}\n\n{empty.body}"
    assert "{" not in empty_text and "}" not in empty_text
    shown = set(re.findall(r"\[[^\]]*\]", empty_text))
    assert shown == {placeholder(language, name) for name in empty.missing}
    assert {f.code for f in check_text(empty_text, code).findings} == {"P001"}
    # No optional line left a gap or an orphan.
    assert "\n\n\n" not in empty.body and not re.search(r"[?!]\w+ ", empty.body)


def _field_uses(code: str, field: str) -> list[str]:
    """Each use of ``{field}`` in the language's templates, with the 20 characters before."""
    uses = []
    for stage in STAGE_FILES:
        for tone in TONES:
            text = TEMPLATES.joinpath(code, f"{stage}.{tone}.txt").read_text(encoding="utf-8")
            uses += [m.group(1) for m in re.finditer(r"(.{0,20})\{" + field + r"\}", text)]
    return uses


@pytest.mark.parametrize(
    ("code", "field", "before"),
    [
        # German cannot decline a typed role or company (gender unknown): they stand
        # after "als", "bei" or a dash, where a noun keeps its dictionary form.
        ("de", "role", r"(?:Stelle als |– )$"),
        ("de", "company", r"(?:bei |an |– )$"),
        ("de", "topic", r"zum Thema $"),
        ("sv", "role", r"(?:[Tt]jänsten som |– )$"),
        ("sv", "company", r"(?:på |och )$"),
        ("sv", "topic", r"om $"),
    ],
)
def test_typed_values_stand_where_no_ending_is_needed(code: str, field: str, before: str) -> None:
    uses = _field_uses(code, field)
    assert uses
    assert all(re.search(before, use) for use in uses), uses


@pytest.mark.parametrize(
    ("code", "tone", "greeting", "sign_off"),
    [
        ("de", "formal", "Guten Tag Katrin Hoffmann,", "Mit freundlichen Grüßen"),
        ("de", "casual", "Hallo Katrin,", "Viele Grüße"),
        ("sv", "formal", "Hej Karin,", "Vänliga hälsningar"),
        ("sv", "casual", "Hej Karin,", "Hälsningar"),
    ],
)
def test_greetings_and_sign_offs(code: str, tone: str, greeting: str, sign_off: str) -> None:
    for stage in STAGE_FILES:
        lines = GOLDEN[f"{code}/{stage}.{tone}.txt"].splitlines()
        assert lines[2] == greeting
        assert lines[-2] == sign_off and lines[-1] == PEOPLE[code][0]
        if code == "de":
            # After "Guten Tag X," German goes on in lower case.
            assert lines[4][0].islower(), lines[4]


def test_german_formal_says_sie_and_casual_du() -> None:
    for stage in STAGE_FILES:
        formal = GOLDEN[f"de/{stage}.formal.txt"]
        casual = GOLDEN[f"de/{stage}.casual.txt"]
        assert not re.search(r"\b(?:du|dich|dir|dein\w*)\b", formal), stage
        assert re.search(r"\b(?:Sie|Ihnen|Ihr\w*)\b", formal), stage
        assert not re.search(r"\b(?:Sie|Ihnen|Ihr\w*)\b", casual), stage
        # Never "Sehr geehrte/r": that needs a gender nobody told us.
        assert "geehrte" not in formal


@pytest.mark.parametrize("code", ["de", "sv"])
def test_goldens_are_personal_and_pass_the_check(code: str) -> None:
    sender, person, company, role, topic, idea = PEOPLE[code]
    assert person.first_name is not None
    for relative, text in GOLDEN.items():
        if not relative.startswith(f"{code}/"):
            continue
        codes = {f.code for f in check_text(text, code).findings}
        if "/bare." in relative:
            assert codes == {"P001"}, relative
            continue
        assert codes == set(), relative
        if "/panel" in relative:  # written to the other panelists (tests/test_drafts.py)
            continue
        for wanted in (sender, person.first_name, company, role, topic):
            assert wanted in text, (relative, wanted)
    assert idea in GOLDEN[f"{code}/thank-you.formal.txt"]


@pytest.mark.parametrize(
    ("code", "written", "in_draft", "deadline"),
    [
        # After "am" the date is a dative apposition, closed by a comma mid-sentence.
        ("de", "Freitag, 18. Dezember", "am Freitag, dem 18. Dezember, hatten", "4. Januar"),
        ("sv", "fredagen den 18 december", "fredagen den 18 december", "den 4 januari"),
    ],
)
def test_dates_as_each_language_writes_them(
    code: str, written: str, in_draft: str, deadline: str
) -> None:
    language = get_language(code)
    assert format_date(date(2026, 12, 18), language) == written
    assert format_date(date(2027, 1, 4), language, "deadline") == deadline
    check_in = GOLDEN[f"{code}/check-in.formal.txt"]
    assert in_draft in check_in and deadline in check_in


@pytest.mark.parametrize(
    ("code", "title"),
    [("de", "Dankesnachricht an Katrin Hoffmann schicken"),
     ("sv", "Skicka ett tack till Karin Berg")],
)  # fmt: skip
def test_reminder_titles(code: str, title: str) -> None:
    item = interview_for(code, "formal")
    config = helpers.settings(language=code)
    assert reminder_title(Stage.THANK_YOU, False, item.contact, item, config) == title


# -- detection: interview words, exclusions, stop words, summaries, labels -----------------


@pytest.mark.parametrize(
    ("summary", "code", "company", "role"),
    [
        ("Vorstellungsgespräch bei Acme – Data Engineer", "de", "Acme", "Data Engineer"),
        ("Bewerbungsgespräch mit der Nordwind GmbH: Entwicklerin", "de", "Nordwind GmbH",
         "Entwicklerin"),
        ("Vorstellungsgespräch als Data Engineer bei Acme", "de", "Acme", "Data Engineer"),
        ("Bewerbungsgespräch für die Stelle als Projektleiter bei Acme", "de", "Acme",
         "Projektleiter"),
        ("Telefoninterview: Acme – Data Engineer", "de", "Acme", "Data Engineer"),
        ("Interview bei Acme", "de", "Acme", None),
        ("Acme – Vorstellungsgespräch", "de", "Acme", None),
        ("Intervju med Acme – Data Engineer", "sv", "Acme", "Data Engineer"),
        ("Anställningsintervju hos Fjällvind: systemutvecklare", "sv", "Fjällvind",
         "systemutvecklare"),
        ("Intervju för tjänsten som Data Engineer på Acme", "sv", "Acme", "Data Engineer"),
        ("Jobbintervju: Acme – projektledare", "sv", "Acme", "projektledare"),
        ("Telefonintervju med Acme", "sv", "Acme", None),
        ("Acme – intervju", "sv", "Acme", None),
    ],
)  # fmt: skip
def test_interviews_detected_with_company_and_role(
    summary: str, code: str, company: str, role: str | None
) -> None:
    # The default language is another one: the summary's words decide.
    config = helpers.settings(language="fi")
    found = helpers.one_interview(helpers.vevent(summary=summary), config)
    assert (found.language, found.company, found.role) == (code, company, role)


@pytest.mark.parametrize(
    ("category", "code"),
    [("Vorstellungsgespräch", "de"), ("Telefoninterview", "de"), ("Intervju", "sv"),
     ("Anställningsintervju", "sv")],
)  # fmt: skip
def test_interview_word_in_categories(category: str, code: str) -> None:
    event = helpers.vevent(summary="Termin Acme", extra=f"CATEGORIES:{category}")
    assert helpers.one_interview(event, helpers.settings(language="fr")).language == code


@pytest.mark.parametrize(
    "summary",
    ["Probeinterview mit Lisa", "Interviewvorbereitung für Acme",
     "Vorbereitung auf das Vorstellungsgespräch", "Bewerbungsgespräche führen (Praktikanten)",
     "Övningsintervju med Sara", "Intervjuförberedelser inför Acme",
     "Intervjua kandidater till teamet"],
)  # fmt: skip
def test_practice_and_preparation_are_not_interviews(summary: str) -> None:
    calendar = helpers.calendar(helpers.vevent(summary=summary))
    assert helpers.interviews(calendar, helpers.settings(language="de")) == []


@pytest.mark.parametrize("default", ["en", "fi", "fr", "sv"])
def test_english_interview_is_never_drafted_in_german(default: str) -> None:
    # "Interview" is a German word too; alone it stays with English (or the default).
    found = helpers.one_interview(
        helpers.vevent(summary="Interview with Acme – Data Engineer"),
        helpers.settings(language=default),
    )
    assert found.language in ("en", default) and found.language != "de"
    assert (found.company, found.role) == ("Acme", "Data Engineer")


def test_a_bare_interview_is_german_with_a_language_line() -> None:
    event = helpers.vevent(
        summary="Interview: Acme – Data Engineer", extra=r"DESCRIPTION:Sprache: Deutsch"
    )
    found = helpers.one_interview(event, helpers.settings(language="en"))
    assert (found.language, found.company, found.role) == ("de", "Acme", "Data Engineer")


@pytest.mark.parametrize(
    ("category", "reason"),
    [("Beantwortet", StopReason.REPLIED), ("Zusage", StopReason.OFFER),
     ("Angebot", StopReason.OFFER), ("Absage", StopReason.REJECTED),
     ("Zurückgezogen", StopReason.WITHDRAWN), ("Besvarad", StopReason.REPLIED),
     ("Erbjudande", StopReason.OFFER), ("Avslag", StopReason.REJECTED),
     ("Återkallad", StopReason.WITHDRAWN)],
)  # fmt: skip
def test_stop_words(category: str, reason: StopReason) -> None:
    event = helpers.vevent(summary="Intervju med Acme", extra=f"CATEGORIES:{category}")
    assert helpers.one_interview(event).stop_reason is reason


GERMAN_NOTES = "\n".join(
    [
        r"DESCRIPTION:Firma: Nordwind Logistik\nStelle: Data Engineer",
        r" \nAnsprechpartnerin: Katrin Hoffmann <katrin@nordwind.example>",
        r" \nThemen: Datenqualität\; Kafka\nEntscheidung: bis Freitag",
        r" \nIdee: ein kleines Dashboard\nTon: locker",
        "ORGANIZER;CN=Katrin Hoffmann:mailto:katrin@nordwind.example",
    ]
)
SWEDISH_NOTES = "\n".join(
    [
        r"DESCRIPTION:Företag: Fjällvind\nTjänst: Data Engineer",
        r" \nRekryterare: Karin Berg <karin@fjallvind.example>",
        r" \nÄmnen: datakvalitet\; Kafka\nBesked: inom två veckor",
        r" \nIdé: en enkel översikt\nTon: formell",
        "ORGANIZER;CN=Karin Berg:mailto:karin@fjallvind.example",
    ]
)


@pytest.mark.parametrize(
    ("summary", "notes", "expected"),
    [
        ("Termin", GERMAN_NOTES,
         ("Nordwind Logistik", "Data Engineer", "Katrin Hoffmann", ("Datenqualität", "Kafka"),
          date(2026, 12, 4), "ein kleines Dashboard", "casual")),
        ("Möte", SWEDISH_NOTES,
         ("Fjällvind", "Data Engineer", "Karin Berg", ("datakvalitet", "Kafka"),
          date(2026, 12, 15), "en enkel översikt", "formal")),
    ],
)  # fmt: skip
def test_labelled_notes(summary: str, notes: str, expected: tuple[object, ...]) -> None:
    # The event is on Tuesday 1 December 2026; the labels alone make it readable, and
    # CATEGORIES says it is an interview.
    word = "Vorstellungsgespräch" if "Firma" in notes else "Intervju"
    event = helpers.vevent(summary=summary, extra=f"CATEGORIES:{word}\n{notes}")
    found = helpers.one_interview(event, helpers.settings(language="en"))
    assert found.timeline is not None and found.contact is not None
    got = (found.company, found.role, found.contact.name, found.topics,
           found.timeline.deadline, found.idea, found.tone)  # fmt: skip
    assert got == expected


@pytest.mark.parametrize(
    ("line", "code"),
    [("Sprache: Deutsch", "de"), ("Language: German", "de"), ("Kieli: saksa", "de"),
     ("Språk: svenska", "sv"), ("Language: sv-FI", "sv"), ("Kieli: ruotsi", "sv")],
)  # fmt: skip
def test_language_lines(line: str, code: str) -> None:
    event = helpers.vevent(summary="Interview with Acme", extra=f"DESCRIPTION:{line}")
    assert helpers.one_interview(event).language == code


# -- timelines ------------------------------------------------------------------------------


def read(code: str, text: str, labelled: tuple[str, ...] = ()) -> StatedTimeline | None:
    return parse_timeline(labelled, text, [get_language(code)], INTERVIEW_DAY)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Rückmeldung bis Freitag", date(2026, 12, 4)),
        ("bis spätestens Montag", date(2026, 12, 7)),
        ("bis zum kommenden Dienstag", date(2026, 12, 8)),
        ("Sie melden sich am Freitag", date(2026, 12, 4)),
        ("bis zum 4. Dezember", date(2026, 12, 4)),
        ("Entscheidung am 18.12.", date(2026, 12, 18)),
        ("bis 4.1.2027", date(2027, 1, 4)),
        ("bis 15. Jan.", date(2027, 1, 15)),
        ("2026-12-20", date(2026, 12, 20)),
        ("innerhalb von zwei Wochen", date(2026, 12, 16)),
        ("binnen einer Woche", date(2026, 12, 9)),
        ("in 10 Tagen", date(2026, 12, 12)),
        ("in vierzehn Tagen", date(2026, 12, 16)),
        ("innerhalb der nächsten drei Wochen", date(2026, 12, 23)),
        ("in zwei bis drei Wochen", date(2026, 12, 23)),
        ("innerhalb eines Monats", date(2027, 1, 1)),
        ("in ein paar Tagen", date(2026, 12, 5)),
        ("Wir melden uns nächste Woche.", date(2026, 12, 13)),
        ("in der kommenden Woche", date(2026, 12, 13)),
        ("bis Freitag nächster Woche", date(2026, 12, 13)),
        ("noch diese Woche", date(2026, 12, 6)),
        ("bis Ende der Woche", date(2026, 12, 6)),
        ("Entscheidung Anfang Januar", date(2027, 1, 10)),
        ("bis Mitte Dezember", date(2026, 12, 20)),
        ("Ende Januar", date(2027, 1, 28)),
    ],
)
def test_german_phrases(text: str, deadline: date) -> None:
    found = read("de", text)
    assert found is not None and found.deadline == deadline, found


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Besked senast fredag", date(2026, 12, 4)),
        ("senast på måndag", date(2026, 12, 7)),
        ("till fredag", date(2026, 12, 4)),
        ("nästa tisdag", date(2026, 12, 8)),
        ("De hör av sig på fredag", date(2026, 12, 4)),
        ("till den 4 december", date(2026, 12, 4)),
        ("senast 18 dec", date(2026, 12, 18)),
        ("beslut den 4:e januari 2027", date(2027, 1, 4)),
        ("svar 4/1", date(2027, 1, 4)),
        ("2026-12-20", date(2026, 12, 20)),
        ("inom två veckor", date(2026, 12, 16)),
        ("om 10 dagar", date(2026, 12, 12)),
        ("inom en vecka", date(2026, 12, 9)),
        ("om ett par veckor", date(2026, 12, 16)),
        ("inom loppet av tre veckor", date(2026, 12, 23)),
        ("om två till tre veckor", date(2026, 12, 23)),
        ("inom en månad", date(2027, 1, 1)),
        ("inom de närmaste dagarna", date(2026, 12, 5)),
        ("Vi återkommer nästa vecka.", date(2026, 12, 13)),
        ("fredag nästa vecka", date(2026, 12, 13)),
        ("besked i veckan", date(2026, 12, 6)),
        ("före helgen", date(2026, 12, 6)),
        ("besked i början av januari", date(2027, 1, 10)),
        ("i mitten av december", date(2026, 12, 20)),
        ("senast i slutet av januari", date(2027, 1, 28)),
    ],
)
def test_swedish_phrases(text: str, deadline: date) -> None:
    found = read("sv", text)
    assert found is not None and found.deadline == deadline, found


@pytest.mark.parametrize(
    ("code", "text", "days"),
    [("de", "innerhalb von 5 Werktagen", 5), ("de", "binnen zehn Arbeitstagen", 10),
     ("sv", "inom 5 arbetsdagar", 5), ("sv", "om tio vardagar", 10)],
)  # fmt: skip
def test_business_day_spans(code: str, text: str, days: int) -> None:
    found = read(code, text)
    assert found is not None and found.business_days == days and found.deadline is None


@pytest.mark.parametrize(
    ("code", "text"),
    [("de", "Gespräch um 14.30 Uhr, dauerte 45 Minuten"), ("de", "Zweite Runde im Dezember"),
     ("de", "Das Gespräch war am Freitag sehr angenehm"), ("de", "so weit alles gut"),
     ("sv", "Intervjun kl. 14.30, tog 45 minuter"), ("sv", "hemmajobb två dagar i veckan"),
     ("sv", "Andra omgången i december")],
)  # fmt: skip
def test_notes_without_a_timeline(code: str, text: str) -> None:
    assert read(code, text) is None


@pytest.mark.parametrize(
    ("code", "value", "deadline"),
    [("de", "Freitag", date(2026, 12, 4)), ("de", "bis Montag", date(2026, 12, 7)),
     ("sv", "fredag", date(2026, 12, 4)), ("sv", "senast måndag", date(2026, 12, 7))],
)  # fmt: skip
def test_a_labelled_weekday(code: str, value: str, deadline: date) -> None:
    found = read(code, "", labelled=(value,))
    assert found is not None and found.deadline == deadline


DE_MONTHS = get_language("de").dates["months"]
SV_MONTHS = get_language("sv").dates["months"]
DE_WEEKDAYS = get_language("de").dates["weekdays"]
SV_WEEKDAYS = get_language("sv").dates["weekdays"]
DE_WEEKS = {1: "einer Woche", 2: "zwei Wochen", 3: "drei Wochen", 4: "vier Wochen"}
SV_WEEKS = {1: "en vecka", 2: "två veckor", 3: "tre veckor", 4: "fyra veckor"}


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(0, 190))
def test_written_dates_resolve(interview_day: date, ahead: int) -> None:
    due = interview_day + timedelta(days=ahead)
    written = {
        "de": [f"bis zum {due.day}. {DE_MONTHS[due.month - 1]}", f"bis {due.day}.{due.month}.",
               f"Entscheidung am {due.day}.{due.month}.{due.year}"],
        "sv": [f"till den {due.day} {SV_MONTHS[due.month - 1]}", f"senast {due.day}/{due.month}",
               f"beslut {due.isoformat()}"],
    }  # fmt: skip
    for code, texts in written.items():
        for text in texts:
            found = parse_timeline([], text, [get_language(code)], interview_day)
            assert found is not None and found.deadline == due, (code, text, found)


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(0, 6), st.integers(1, 4))
def test_weekdays_and_spans_resolve(interview_day: date, weekday: int, weeks: int) -> None:
    ahead = (weekday - interview_day.weekday() - 1) % 7 + 1
    next_one = interview_day + timedelta(days=ahead)
    in_weeks = interview_day + timedelta(days=7 * weeks)
    cases = [
        ("de", f"bis {DE_WEEKDAYS[weekday]}", next_one),
        ("sv", f"senast {SV_WEEKDAYS[weekday]}", next_one),
        ("de", f"innerhalb von {DE_WEEKS[weeks]}", in_weeks),
        ("sv", f"inom {SV_WEEKS[weeks]}", in_weeks),
    ]
    for code, text, expected in cases:
        found = parse_timeline([], text, [get_language(code)], interview_day)
        assert found is not None and found.deadline == expected, (code, text, found)


@pytest.mark.parametrize(
    ("code", "country", "zone", "notes", "check_in"),
    [
        # Tuesday 6 October 2026: five business days, then the check-in the day after.
        (
            "de",
            "DE",
            "Europe/Berlin",
            "Entscheidung: innerhalb von 5 Werktagen",
            date(2026, 10, 14),
        ),
        ("sv", "SE", "Europe/Stockholm", "Besked: inom 5 arbetsdagar", date(2026, 10, 14)),
        # "bis Freitag" is Friday 9 October: the check-in waits for the next business day.
        ("de", "DE", "Europe/Berlin", "Rückmeldung bis Freitag", date(2026, 10, 12)),
        ("sv", "SE", "Europe/Stockholm", "Besked senast fredag", date(2026, 10, 12)),
        # Over Christmas: 23 December + 5 Werktage skips the German holidays.
        ("de", "DE", "Europe/Berlin", "Entscheidung: innerhalb von 5 Werktagen", None),
    ],
)
def test_stated_timelines_set_the_check_in(
    code: str, country: str, zone: str, notes: str, check_in: date | None
) -> None:
    tz = ZoneInfo(zone)
    start = datetime(2026, 10, 6, 10, 0, tzinfo=tz)
    if check_in is None:
        start = datetime(2026, 12, 23, 10, 0, tzinfo=tz)
    word = {"de": "Vorstellungsgespräch bei Acme", "sv": "Intervju med Acme"}[code]
    event = helpers.vevent(
        summary=word,
        start=f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
        end=f"DTEND;TZID={zone}:{start + timedelta(hours=1):%Y%m%dT%H%M%S}",
        extra=f"DESCRIPTION:{notes}\nORGANIZER;CN=Anna Berg:mailto:anna@acme.example",
    )
    config = helpers.settings(timezone=zone, country=country, language=code)
    found = helpers.one_interview(event, config)
    calendar = business_calendar(country)
    planned = plan_stages(found, start - timedelta(days=30), config, calendar)
    due = [p.due.date() for p in planned if p.stage is Stage.CHECK_IN]
    if check_in is None:
        # Christmas and New Year are no business days in Germany: six weekdays after
        # 23 December would be 31 December.
        check_in = calendar.add_business_days(start.date(), 6)
        assert check_in > date(2026, 12, 31)
    assert due == [check_in]


# -- drafts for any notes --------------------------------------------------------------------

ROLES = ["Data Engineer", "Softwareentwicklerin", "systemutvecklare", "UX-Designer",
         "Head of Data", "Projektledare inom IT"]  # fmt: skip
COMPANIES = ["Acme", "Nordwind Logistik GmbH", "Fjällvind AB", "Oy Esimerkki Ab"]
TOPICS = ["Datenqualität", "Kafka-Streams im Betrieb", "datakvalitet i realtid",
          "migrering till molnet", "API-Design"]  # fmt: skip
NAMES = ["Katrin Hoffmann", "Karin Berg", "Lena", "Åsa Öberg"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Interview, Stage, bool, Person | None, Settings]:
    code = draw(st.sampled_from(["de", "sv"]))
    stage, late = draw(
        st.sampled_from(
            [(Stage.THANK_YOU, False), (Stage.THANK_YOU, True), (Stage.CHECK_IN, False),
             (Stage.CLOSING, False), (Stage.AFTER_REJECTION, False)]
        )
    )  # fmt: skip
    name = draw(st.none() | st.sampled_from(NAMES))
    recipient = Person(name, "someone@example.com") if name else None
    deadline = draw(st.none() | st.dates(date(2026, 12, 1), date(2027, 12, 31)))
    start = datetime.combine(draw(st.dates(date(2026, 1, 1), date(2028, 12, 31))), time(10), ZONE)
    interview = Interview(
        uid="prop@example.com",
        summary="Intervju",
        start=start,
        end=start + timedelta(hours=1),
        zone="Europe/Helsinki",
        interviewers=(recipient,) if recipient else (),
        contact=recipient,
        company=draw(st.none() | st.sampled_from(COMPANIES)),
        role=draw(st.none() | st.sampled_from(ROLES)),
        topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=2))),
        idea=draw(st.none() | st.text("abcdefgh äöü", min_size=1, max_size=300).filter(str.strip)),
        timeline=StatedTimeline("x", deadline=deadline) if deadline else None,
        language=code,
        tone=draw(st.sampled_from(TONES)),
    )
    sender = draw(st.none() | st.sampled_from(NAMES))
    return interview, stage, late, recipient, helpers.settings(name=sender)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_german_or_swedish_draft_passes_the_check(
    case: tuple[Interview, Stage, bool, Person | None, Settings],
) -> None:
    interview, stage, late, recipient, config = case
    draft = render_draft(interview, stage, late, recipient, config)
    language = get_language(interview.language)
    text = f"Subject: {draft.subject}\n\n{draft.body}"
    findings = check_text(text, interview.language).findings
    assert {f.code for f in findings} <= {"P001"}, findings
    assert len(re.findall(r"\[[^\]]*\]", text)) == len([f for f in findings if f.code == "P001"])
    for field in draft.missing:
        assert field in REQUIRED and placeholder(language, field) in text
    # Only known fields and their placeholders: no braces, no other language's brackets.
    assert not re.search(r"[{}]", text)
    assert set(re.findall(r"\[[^\]]*\]", text)) <= {placeholder(language, f) for f in draft.missing}
    if interview.role:
        assert interview.role in text
    if recipient is not None and recipient.first_name:
        assert recipient.first_name in draft.body.splitlines()[0]


def test_template_fields_are_the_known_ones() -> None:
    known = set(FULL)
    for code in ("de", "sv"):
        for stage in STAGE_FILES:
            for tone in TONES:
                text = TEMPLATES.joinpath(code, f"{stage}.{tone}.txt").read_text(encoding="utf-8")
                used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
                assert used <= known, (code, stage, tone, used - known)


@pytest.mark.parametrize(
    ("code", "words"),
    [("de", ("Entwurf im E-Mail-Programm öffnen: mailto:", "An: Katrin Hoffmann <", "Betreff: ")),
     ("sv", ("Öppna utkastet i ditt e-postprogram: mailto:", "Till: Karin Berg <", "Ämne: "))],
)  # fmt: skip
def test_reminder_descriptions_speak_the_drafts_language(code: str, words: tuple[str, ...]) -> None:
    item = interview_for(code, "formal")
    config = helpers.settings(language=code)
    now = item.start - timedelta(days=1)
    reminders = plan_interview(item, now, config, business_calendar("FI"))
    assert reminders
    for reminder in reminders:
        lines = description_text(reminder).splitlines()
        assert lines[0].startswith(words[0])
        assert lines[2].startswith(words[1]) and lines[3] == f"{words[2]}{reminder.draft.subject}"
