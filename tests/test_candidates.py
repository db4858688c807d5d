"""The raw-text candidate filter never changes what a run finds.

``plan``, ``export`` and ``sync`` parse only the components that can be (or
change) an interview, or that could make reading report a problem. These
tests read the same calendars twice, once with the filter and once parsing
every event, and require the very same interviews, problems and warnings:
over every calendar in tests/corpus and samples/, and over generated
calendars mixing interviews in every language with other meetings, series,
overrides, odd zones and broken values.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cal_followup import app
from cal_followup.config import Settings
from cal_followup.errors import SourceError
from cal_followup.ics import interview_selector, parse_calendar
from cal_followup.ics.scan import has_marker, uids
from cal_followup.languages import load_languages
from tests.fuzzhelpers import broken_calendar, examples

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=HELSINKI)
SETTINGS = Settings(timezone="Europe/Helsinki", me=("sam@example.net",), name="Sam Candidate")


def findings(source: str, every_event: bool, config: Settings = SETTINGS) -> tuple[object, ...]:
    """What a run reports for ``source``: interviews, problems and warnings."""
    outcome = app.Outcome()
    try:
        occurrences = app.read_occurrences(source, NOW, config, outcome, every_event=every_event)
    except SourceError as error:
        return ("error", str(error))
    interviews = app.find_interviews(occurrences, config, outcome)
    problems = [(str(p), p.fatal) for p in outcome.problems]
    return (interviews, problems, outcome.warnings)


def assert_same(source: str, config: Settings = SETTINGS) -> None:
    # Expanding one series stops after SERIES_SECONDS of wall time: on a busy machine that
    # warning comes and goes between two readings, whatever is parsed. Not what is compared.
    # Fewer rule steps refuse a generated FREQ=MINUTELY series early; both readings the same.
    with (
        mock.patch("cal_followup.ics.series.SERIES_SECONDS", 3600.0),
        mock.patch("cal_followup.ics.series.MAX_RULE_STEPS", 5_000),
    ):
        assert findings(source, False, config) == findings(source, True, config)


def corpus_sources() -> list[Path]:
    found = [p for p in sorted(CORPUS.rglob("*.ics")) if not p.parent.name.endswith("_vdir")]
    found += sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name.endswith("_vdir"))
    found += sorted((ROOT / "samples").glob("*.ics"))
    return found


@pytest.mark.parametrize("path", corpus_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_corpus_calendar_finds_the_same_with_the_filter(path: Path) -> None:
    assert_same(str(path))


def test_the_corpus_interviews_are_found_at_all() -> None:
    # The comparison above means something only if interviews are in there.
    found = findings(str(CORPUS / "google_export.ics"), False)
    assert found[0], "no interview found in the Google export"


def test_the_filter_skips_other_meetings() -> None:
    text = (CORPUS / "google_export.ics").read_bytes()
    select = interview_selector((), 400)
    assert select is not None
    parsed = parse_calendar(text, "google_export.ics", select)
    assert parsed.skipped > 0


def test_include_patterns_turn_the_filter_off() -> None:
    assert interview_selector((r"chat with",), 400) is None
    config = Settings(
        timezone="Europe/Helsinki", me=("sam@example.net",), name="Sam", include=("Meeting",)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.ics"
        path.write_bytes(_calendar([_event("x1", "Meeting with Acme", _day(2), "")], ""))
        filtered = findings(str(path), False, config)
        assert filtered == findings(str(path), True, config)
        assert filtered[0], "the include pattern found nothing"


def test_scanner_uids_and_marker() -> None:
    text = _calendar(
        [_event("a@x", "Lunch", _day(1), ""), _event("b@x", "Interview", _day(2), "")], ""
    )
    assert uids(text) == ["a@x", "b@x"]
    assert not has_marker(text)
    assert has_marker(text.replace(b"SUMMARY:Lunch", b"X-CAL-FOLLOWUP-STAGE:thank-you"))
    utf16 = text.decode().replace("SUMMARY:Lunch", "x-cal-followup-stage:x").encode("utf-16")
    assert has_marker(utf16)


def test_a_shadowed_broken_override_is_reported_with_or_without_the_filter() -> None:
    # Found by the property below: two overrides of one RECURRENCE-ID, the second
    # with a DTSTART that cannot be read. The expansion keeps only the first, so a
    # full parse used to say nothing of the broken one; the filter, which skipped
    # the harmless first, reported it. Both must report it, on its DTSTART line.
    override = (
        "BEGIN:VEVENT\r\nUID:u1@x\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Standup\r\n"
        "{start}\r\nRECURRENCE-ID;TZID=Europe/Helsinki:20261202T000000\r\n"
    )
    good = override.format(start="DTSTART;TZID=Europe/Helsinki:20261125T000000")
    body = [
        4 * good,
        good + "END:VEVENT\r\n",
        override.format(start="DTSTART:2026") + "END:VEVENT\r\n",
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calendar.ics"
        path.write_bytes(_calendar(body, ""))
        assert_same(str(path))
        problems = findings(str(path), True)[1]
        assert isinstance(problems, list)
        broken = [text for text, fatal in problems if fatal and f"{path}:39:" in text]
        assert len(broken) == 1, problems
        assert "DTSTART" in broken[0] and "'2026'" in broken[0]
        assert len(problems) == 5  # and the four cut-off events, one line each


@pytest.mark.parametrize(
    ("offset", "extra"),
    [
        (-700, ""),
        (-700, "DTEND;TZID=Europe/Helsinki:20241231T110000"),
        (-700, "DTEND;TZID=Europe/Helsinki:20261201T110000"),  # ends inside the window
        (-700, "DTEND;TZID=Europe/Helsinki:20231231T110000"),  # ends before it starts
        (-700, "DTEND:2024"),
        (-700, "DURATION:PT1H"),
        (-700, "DURATION:P800D"),
        (-700, "RRULE:FREQ=YEARLY"),
        (-141, ""),
        (-136, ""),
        (-130, ""),
        (360, ""),
        (368, ""),
        (900, ""),
        (900, "DTEND;TZID=Europe/Helsinki:20200101T000000"),
    ],
)
def test_interviews_of_another_season_give_the_same_findings(offset: int, extra: str) -> None:
    """A one-off interview far from the window is not parsed, unless it could report a problem."""
    body = [
        _event("far@x", "Interview with Acme", _day(offset), extra),
        _event("near@x", "Interview with Beta", _day(3), ""),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calendar.ics"
        path.write_bytes(_calendar(body, ""))
        assert_same(str(path))
        found = findings(str(path), False)[0]
        assert isinstance(found, list) and "near@x" in {i.uid for i in found}


def test_a_sound_interview_long_ago_is_not_parsed() -> None:
    window = app.planning_window(NOW, SETTINGS)
    select = interview_selector((), window.days, (window.start.date(), window.end.date()))
    assert select is not None
    old = _event("old@x", "Interview with Acme", _day(-700), "")
    parsed = parse_calendar(_calendar([old], ""), "c.ics", select)
    assert parsed.skipped == 1
    broken = _event("old@x", "Interview with Acme", _day(-700), "DTEND:2024")
    parsed = parse_calendar(_calendar([broken], ""), "c.ics", select)
    assert parsed.skipped == 0


# --- Generated calendars ----------------------------------------------------


def _day(offset: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, 25, hour) + timedelta(days=offset)


def _all_interview_words() -> list[str]:
    return sorted({w for lang in load_languages().values() for w in lang.interview_words})


SUMMARIES = st.one_of(
    st.sampled_from(
        [
            "Standup",
            "Lunch with Ana",
            "Dentist",
            "Interview with Acme – Data Engineer",
            "Mock interview",
            "Inter\\,view with Beta",
            "INTERVIEW Gamma",
            "Cancelled: Interview with Acme",
            "Planning\\nInterview",
        ]
    ),
    st.sampled_from(_all_interview_words()).map(lambda w: f"{w} Acme – Analyst"),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20).map(
        lambda s: s.replace("\r", "").replace("\n", "")
    ),
)
STARTS = st.sampled_from(
    [
        "DTSTART;TZID=Europe/Helsinki:{t}",
        "DTSTART;TZID=America/New_York:{t}",
        "DTSTART:{t}Z",
        "DTSTART:{t}",
        "DTSTART;VALUE=DATE:{d}",
        "DTSTART;TZID=Nowhere/Zone:{t}",
        "DTSTART;TZID=W. Europe Standard Time:{t}",
        "DTSTART:2026",
        "DTSTART:{d}T996000",
    ]
)
ENDS = st.sampled_from(
    [
        "",
        "DTEND;TZID=Europe/Helsinki:{e}",
        "DTEND:{e}Z",
        "DURATION:PT45M",
        "DURATION:P1D",
        "DURATION:PX",
        "DTEND;TZID=Europe/Helsinki:{b}",
        "DTEND:garbage",
    ]
)
RULES = st.sampled_from(
    [
        "",
        "",
        "RRULE:FREQ=WEEKLY;COUNT=5",
        "RRULE:FREQ=DAILY",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE",
        "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
        "RRULE:FREQ=MINUTELY",
        "RRULE:FREQ=HOURLY;COUNT=3",
        "RRULE:FREQ=SOMETIMES",
        "RRULE:FREQ=WEEKLY;UNTIL=20270101T000000Z",
        "RRULE:FREQ=YEARLY;UNTIL=20300101",
    ]
)
EXTRAS = st.lists(
    st.sampled_from(
        [
            "ORGANIZER;CN=Rita Recruiter:mailto:rita@acme.example",
            "ATTENDEE;CN=Sam;PARTSTAT=ACCEPTED:mailto:sam@example.net",
            'ATTENDEE;CN="Lee, Pat":mailto:lee@acme.example',
            'ATTENDEE;CN="a:b:mailto:x@y.example',
            "CATEGORIES:Interview",
            "CATEGORIES:Work,Haastattelu",
            "CATEGORIES:Work",
            "GEO:a",
            "SEQUENCE:x",
            "SEQUENCE:2",
            'X-FOO;Y="z"q:v',
            "STATUS:CANCELLED",
            "EXDATE;TZID=Europe/Helsinki:20261202T100000",
            "EXDATE:zz",
            "LAST-MODIFIED:20261101T000000Z",
            "X-CAL-FOLLOWUP-STAGE:thank-you",
            "DESCRIPTION:Company: Acme\\nRole: Analyst",
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM",
            "BEGIN:VALARM\r\nTRIGGER:zz\r\nEND:VALARM",
            "this is not a property",
            "SUMMARY;VALUE=DATE-TIME:soon",
            "X-SCORE;VALUE=INTEGER:high",
            "CATEGORIES;VALUE=DURATION:x",
            "X-NOTE;LANGUAGE=en:fine",
            "CREATED:",
        ]
    ),
    max_size=3,
)
UIDS = st.sampled_from(["u1@x", "u2@x", "u3@x", "u4@x", "", "x" * 1200, "bad\\nuid"])


@st.composite
def events(draw: st.DrawFn) -> str:
    # Mostly near the window's edges, sometimes seasons away (far one-offs go unparsed).
    offset = draw(st.one_of(st.integers(-150, 150), st.integers(-1000, 1000)))
    start = _day(offset, draw(st.integers(0, 23)))
    start_line = draw(STARTS)
    end_line = draw(ENDS)
    values = {
        "t": f"{start:%Y%m%dT%H%M%S}",
        "d": f"{start:%Y%m%d}",
        "e": f"{start + timedelta(hours=1):%Y%m%dT%H%M%S}",
        "b": f"{start - timedelta(hours=1):%Y%m%dT%H%M%S}",
    }
    lines = [start_line.format(**values)]
    if end_line:
        lines.append(end_line.format(**values))
    rule = draw(RULES)
    if rule:
        lines.append(rule)
    if draw(st.integers(0, 5)) == 0:
        lines.append(
            f"RECURRENCE-ID;TZID=Europe/Helsinki:{start + timedelta(days=7):%Y%m%dT%H%M%S}"
        )
    lines.extend(draw(EXTRAS))
    uid = draw(UIDS)
    text = _event(uid, draw(SUMMARIES), None, "\r\n".join(lines))
    if draw(st.integers(0, 15)) == 0:
        text = text.replace("END:VEVENT\r\n", "")  # cut off
    return text


def _event(uid: str, summary: str, start: datetime | None, extra: str) -> str:
    lines = ["BEGIN:VEVENT"]
    if uid:
        lines.append(f"UID:{uid}")
    lines.append("DTSTAMP:20261101T000000Z")
    if start is not None:
        lines.append(f"DTSTART;TZID=Europe/Helsinki:{start:%Y%m%dT%H%M%S}")
    lines.append(f"SUMMARY:{summary}")
    if extra:
        lines.append(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines) + "\r\n"


HELSINKI_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Helsinki\r\nBEGIN:STANDARD\r\nDTSTART:19701025T040000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\n"
    "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
HEADERS = st.sampled_from(
    ["", "", "X-WR-TIMEZONE:America/New_York\r\n", "X-WR-TIMEZONE:Mars/Olympus\r\n",
     "METHOD:CANCEL\r\n", HELSINKI_ZONE]
)  # fmt: skip


def _calendar(body: list[str], header: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//candidates//EN\r\n"
        + header
        + "".join(body)
        + "END:VCALENDAR\r\n"
    ).encode()


@st.composite
def sources(draw: st.DrawFn) -> list[bytes]:
    """One to three calendars (three make a vdir, where UIDs may repeat across files)."""
    count = draw(st.integers(1, 3))
    return [
        _calendar(draw(st.lists(events(), min_size=1, max_size=8)), draw(HEADERS))
        for _ in range(count)
    ]


def test_generated_calendars_find_the_same_with_the_filter(request: pytest.FixtureRequest) -> None:
    # A short run by default (each example is read twice); --fuzz-long runs many more.
    @settings(
        max_examples=examples(request, 50),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sources())
    def run(calendars: list[bytes]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            if len(calendars) == 1:
                source = Path(folder) / "calendar.ics"
                source.write_bytes(calendars[0])
            else:
                source = Path(folder) / "vdir"
                source.mkdir()
                for index, data in enumerate(calendars):
                    (source / f"{index}.ics").write_bytes(data)
            assert_same(str(source))

    run()


def test_mutated_corpus_calendars_find_the_same_with_the_filter(
    request: pytest.FixtureRequest,
) -> None:
    # The fuzzers' mutations of every corpus calendar: broken in every way seen in the wild.
    @settings(
        max_examples=examples(request, 25),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=broken_calendar())
    def run(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "mutated.ics"
            source.write_bytes(data)
            assert_same(str(source))

    run()


def test_a_series_with_a_property_written_twice_is_read_and_reported(tmp_path: Path) -> None:
    # A Google export with SEQUENCE repeated in a weekly call that is no interview:
    # icalendar makes a list of it, expansion fails, and both readings must say so.
    source = tmp_path / "repeated.ics"
    source.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:call@x\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Accountability call\r\n"
        b"DTSTART:20261101T090000Z\r\nDTEND:20261101T093000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        b"SEQUENCE:1\r\nSEQUENCE:2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert_same(str(source))
    _, problems, _ = findings(str(source), False)
    assert problems and all("call@x" in text for text, _ in problems)
