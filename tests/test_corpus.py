"""Every calendar a new user is likely to export opens, and says what it holds.

The files in ``tests/corpus/`` are modelled on what each program really writes
(Google Calendar, Outlook and Exchange, Apple Calendar and iCloud, Nextcloud,
Fastmail, Thunderbird), folded and encoded as they are. Each one has a test
here stating what must come out of it: every occurrence in the planning
window with its start, end and zone, and which of them are interviews. The
broken files in ``tests/corpus/broken/`` each show one thing that goes wrong
in the wild; a 5 MB calendar is generated deterministically in the test.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from cal_followup import app
from cal_followup.cli import main
from cal_followup.config import Settings
from cal_followup.ics import Occurrence
from cal_followup.model import Interview

CORPUS = Path(__file__).resolve().parent / "corpus"
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=HELSINKI)
ME = ("sam.candidate@example.net", "sam.candidate@gmail.com")
SETTINGS = Settings(timezone="Europe/Helsinki", me=ME, name="Sam Candidate")


@dataclass(frozen=True)
class Seen:
    """One occurrence as the file states it: UID, recurrence id, start, end, zone, all-day."""

    uid: str
    rid: str | None
    start: str
    end: str
    zone: str
    all_day: bool = False


@dataclass(frozen=True)
class Expected:
    occurrences: list[Seen]
    #: UID -> (interviewer emails, cancelled)
    interviews: dict[str, tuple[set[str], bool]] = field(default_factory=dict)


def read(path: Path) -> tuple[list[Occurrence], list[Interview], app.Outcome]:
    outcome = app.Outcome()
    occurrences = app.read_occurrences(str(path), NOW, SETTINGS, outcome, every_event=True)
    interviews = app.find_interviews(occurrences, SETTINGS, outcome)
    return occurrences, interviews, outcome


def seen(occurrence: Occurrence) -> Seen:
    return Seen(
        occurrence.uid,
        occurrence.recurrence_id,
        occurrence.start.isoformat(),
        occurrence.end.isoformat(),
        occurrence.zone,
        occurrence.all_day,
    )


OUTLOOK_REQUEST_UID = (
    "040000008200E00074C5B7101A82E0080000000090B5C3A3F15ADB0100000000000000001000000"
    "0D3A1C1E5F0B7E94AAB1B5E4A7A3D7C11"
)
OUTLOOK_CANCEL_UID = (
    "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6DB0100000000000000001000000"
    "0F00DFACE0000000000000000CAFEBABE"
)
OUTLOOK_PST_UID = (
    "040000008200E00074C5B7101A82E00800000000D0C0FFEE1234DB0100000000000000001000000"
    "0AA55AA55AA55AA55AA55AA55AA55AA55"
)
OUTLOOK_CUSTOM_UID = (
    "040000008200E00074C5B7101A82E00800000000BEEFBEEF5678DB0100000000000000001000000"
    "0BB66BB66BB66BB66BB66BB66BB66BB66"
)
OUTLOOK_ALLDAY_UID = (
    "040000008200E00074C5B7101A82E00800000000FACEFEED9ABCDB0100000000000000001000000"
    "0CC77CC77CC77CC77CC77CC77CC77CC77"
)
GOOGLE_SERIES = "7h2k9d0s3l4m5n6b7v8c9x0z1q@google.com"
NC_SERIES = "c2a41e77-0d8b-4f5e-a6c3-98b7d1e2f3a4"

EXPECTED: dict[str, Expected] = {
    # UTC times become New York times through X-WR-TIMEZONE; the weekly series
    # loses 16 December to EXDATE and moves 9 December to the 10th; UNTIL is
    # 23:59:59 New York time on the 30th, so the 30th is the last one.
    "google_export.ics": Expected(
        [
            Seen(
                GOOGLE_SERIES,
                "20261202T140000Z",
                "2026-12-02T09:00:00-05:00",
                "2026-12-02T09:30:00-05:00",
                "America/New_York",
            ),
            Seen(
                "3q8v0n1m2k4j5h6g7f8d9s0a1p@google.com",
                None,
                "2026-12-08T10:00:00-05:00",
                "2026-12-08T11:00:00-05:00",
                "America/New_York",
            ),
            Seen(
                GOOGLE_SERIES,
                "20261209T140000Z",
                "2026-12-10T11:00:00-05:00",
                "2026-12-10T11:30:00-05:00",
                "America/New_York",
            ),
            Seen(
                GOOGLE_SERIES,
                "20261223T140000Z",
                "2026-12-23T09:00:00-05:00",
                "2026-12-23T09:30:00-05:00",
                "America/New_York",
            ),
            # All-day dates have no zone: they are the user's days.
            Seen(
                "0b1c2d3e4f5g6h7i8j9k0l1m2n@google.com",
                None,
                "2026-12-24T00:00:00+02:00",
                "2026-12-26T00:00:00+02:00",
                "Europe/Helsinki",
                all_day=True,
            ),
            Seen(
                GOOGLE_SERIES,
                "20261230T140000Z",
                "2026-12-30T09:00:00-05:00",
                "2026-12-30T09:30:00-05:00",
                "America/New_York",
            ),
        ],
        {
            "3q8v0n1m2k4j5h6g7f8d9s0a1p@google.com": (
                {"dana.whitfield@hooli.example", "ravi.shah@hooli.example"},
                False,
            )
        },
    ),
    # An invitation attachment: UTC and no calendar zone at all.
    "google_invite.ics": Expected(
        [
            Seen(
                "5u6i7o8p9a0s1d2f3g4h5j6k7l@google.com",
                None,
                "2026-12-15T18:00:00+00:00",
                "2026-12-15T18:45:00+00:00",
                "UTC",
            ),
        ],
        {"5u6i7o8p9a0s1d2f3g4h5j6k7l@google.com": ({"priya.raman@piedpiper.example"}, False)},
    ),
    # Windows zone name with Outlook's own VTIMEZONE (rules from 1601);
    # the room (CUTYPE=RESOURCE) is not an interviewer, nor is the user.
    "outlook_request.ics": Expected(
        [
            Seen(
                OUTLOOK_REQUEST_UID,
                None,
                "2026-12-09T14:00:00+01:00",
                "2026-12-09T15:00:00+01:00",
                "Europe/Berlin",
            ),
        ],
        {OUTLOOK_REQUEST_UID: ({"jonas.brandt@initrode.example"}, False)},
    ),
    # METHOD:CANCEL with STATUS:CANCELLED: still an interview, but cancelled.
    "outlook_cancel.ics": Expected(
        [
            Seen(
                OUTLOOK_CANCEL_UID,
                None,
                "2026-12-10T10:00:00+01:00",
                "2026-12-10T11:00:00+01:00",
                "Europe/Berlin",
            ),
        ],
        {OUTLOOK_CANCEL_UID: ({"katrin.vogel@initrode.example"}, True)},
    ),
    # "Pacific Standard Time" without any VTIMEZONE; "Customized Time Zone"
    # with US Eastern rules; an all-day event.
    "outlook_export.ics": Expected(
        [
            Seen(
                OUTLOOK_PST_UID,
                None,
                "2026-12-11T10:00:00-08:00",
                "2026-12-11T11:00:00-08:00",
                "America/Los_Angeles",
            ),
            Seen(
                OUTLOOK_CUSTOM_UID,
                None,
                "2026-12-14T15:00:00-05:00",
                "2026-12-14T16:00:00-05:00",
                "America/New_York",
            ),
            Seen(
                OUTLOOK_ALLDAY_UID,
                None,
                "2026-12-18T00:00:00+02:00",
                "2026-12-19T00:00:00+02:00",
                "Europe/Helsinki",
                all_day=True,
            ),
        ],
        {
            OUTLOOK_PST_UID: ({"lena.fischer@umbrella-labs.example"}, False),
            OUTLOOK_CUSTOM_UID: ({"marcus.lee@cyberdyne.example"}, False),
        },
    ),
    # Apple writes X-WR-TIMEZONE too, so its floating time is Helsinki time.
    "apple_export.ics": Expected(
        [
            Seen(
                "9C1F4A2E-7B3D-4E8F-A1B2-3C4D5E6F7A8B",
                None,
                "2026-12-11T14:00:00+02:00",
                "2026-12-11T15:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                "2D7E1B3C-5A4F-4C6D-8E9F-0A1B2C3D4E5F",
                None,
                "2026-12-14T09:30:00+02:00",
                "2026-12-14T10:15:00+02:00",
                "Europe/Helsinki",
            ),
        ],
        {
            "9C1F4A2E-7B3D-4E8F-A1B2-3C4D5E6F7A8B": (set(), False),
            "2D7E1B3C-5A4F-4C6D-8E9F-0A1B2C3D4E5F": ({"pepper.potts@stark.example"}, False),
        },
    ),
    # An iCloud CalDAV object with a floating time and no calendar zone: the user's zone.
    "icloud_vdir": Expected(
        [
            Seen(
                "2D11B0C4-8F3A-4B1E-9C7D-6E5F4A3B2C1D",
                None,
                "2026-12-16T10:30:00+02:00",
                "2026-12-16T11:30:00+02:00",
                "Europe/Helsinki",
            ),
        ],
        {"2D11B0C4-8F3A-4B1E-9C7D-6E5F4A3B2C1D": (set(), False)},
    ),
    # Nextcloud objects: VTIMEZONE after the event; a series of six Tuesdays
    # (COUNT=6 includes the excluded 22 December) with one moved to Wednesday;
    # a VTODO that is not an event.
    "nextcloud_vdir": Expected(
        [
            Seen(
                NC_SERIES,
                "20261201T150000Z",
                "2026-12-01T17:00:00+02:00",
                "2026-12-01T18:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                "7f0c2d1e-4b3a-4c5d-9e8f-1a2b3c4d5e6f",
                None,
                "2026-12-07T13:00:00+02:00",
                "2026-12-07T14:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                NC_SERIES,
                "20261208T150000Z",
                "2026-12-09T17:00:00+02:00",
                "2026-12-09T18:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                NC_SERIES,
                "20261215T150000Z",
                "2026-12-15T17:00:00+02:00",
                "2026-12-15T18:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                NC_SERIES,
                "20261229T150000Z",
                "2026-12-29T17:00:00+02:00",
                "2026-12-29T18:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                NC_SERIES,
                "20270105T150000Z",
                "2027-01-05T17:00:00+02:00",
                "2027-01-05T18:00:00+02:00",
                "Europe/Helsinki",
            ),
        ],
        {
            "7f0c2d1e-4b3a-4c5d-9e8f-1a2b3c4d5e6f": (
                {"aino.laine@nokia.example", "mikko.koski@nokia.example"},
                False,
            )
        },
    ),
    # Fastmail (Cyrus): DURATION instead of DTEND; a UTC time with no end at all.
    "fastmail_vdir": Expected(
        [
            Seen(
                "a8f1c3e5-5b7d-4f9a-b2c4-d6e8f0a1b3c5",
                None,
                "2026-12-03T11:30:00+00:00",
                "2026-12-03T12:15:00+00:00",
                "Europe/London",
            ),
            Seen(
                "d4c3b2a1-0f9e-4d8c-b7a6-5e4d3c2b1a09",
                None,
                "2026-12-04T16:00:00+00:00",
                "2026-12-04T16:00:00+00:00",
                "UTC",
            ),
        ],
        {"a8f1c3e5-5b7d-4f9a-b2c4-d6e8f0a1b3c5": ({"lucius.fox@wayne.example"}, False)},
    ),
    # Thunderbird: the interview word is only in CATEGORIES; an all-day event.
    "thunderbird_export.ics": Expected(
        [
            Seen(
                "2f9e8d7c-6b5a-4493-a281-7f6e5d4c3b2a",
                None,
                "2026-12-02T09:00:00+02:00",
                "2026-12-02T10:00:00+02:00",
                "Europe/Helsinki",
            ),
            Seen(
                "5c4b3a29-1807-4f6e-9d5c-4b3a29180706",
                None,
                "2026-12-05T00:00:00+02:00",
                "2026-12-06T00:00:00+02:00",
                "Europe/Helsinki",
                all_day=True,
            ),
        ],
        {"2f9e8d7c-6b5a-4493-a281-7f6e5d4c3b2a": ({"helen.thorn@soylent.example"}, False)},
    ),
    # Lines folded inside UTF-8 characters; an all-day Finnish interview.
    "folded_multibyte.ics": Expected(
        [
            Seen(
                "multibyte-fold-1@example.com",
                None,
                "2026-12-08T10:00:00+08:00",
                "2026-12-08T11:00:00+08:00",
                "Asia/Shanghai",
            ),
            Seen(
                "multibyte-fold-2@example.com",
                None,
                "2026-12-10T00:00:00+02:00",
                "2026-12-11T00:00:00+02:00",
                "Europe/Helsinki",
                all_day=True,
            ),
        ],
        {
            "multibyte-fold-1@example.com": ({"xiaoming.wang@xingchen.example"}, False),
            "multibyte-fold-2@example.com": ({"sade.ohman@aanevayla.example"}, False),
        },
    ),
}


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {
        p.name
        for p in CORPUS.iterdir()
        # applications/ has its own tests (tests/test_applications.py).
        if p.name not in ("broken", "applications") and not p.name.startswith(".")
    }
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_reads_as_stated(name: str) -> None:
    expected = EXPECTED[name]
    occurrences, interviews, outcome = read(CORPUS / name)
    assert outcome.problems == []
    assert outcome.warnings == []
    assert sorted(map(seen, occurrences), key=lambda s: (s.start, s.uid)) == expected.occurrences
    found = {i.uid: ({p.email for p in i.interviewers}, i.cancelled) for i in interviews}
    assert found == expected.interviews


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_line_numbers_point_at_the_event(name: str) -> None:
    occurrences, _, _ = read(CORPUS / name)
    for occurrence in occurrences:
        lines = Path(occurrence.source).read_bytes().split(b"\n")
        assert occurrence.line is not None
        assert lines[occurrence.line - 1].strip() == b"BEGIN:VEVENT"
        block = b"".join(lines[occurrence.line - 1 : occurrence.line + 60])
        unfolded = re.sub(rb"\r ", b"", block)
        assert b"UID:" + occurrence.uid.encode() in unfolded


def test_google_invite_keeps_meet_details_out_of_the_topics() -> None:
    _, interviews, _ = read(CORPUS / "google_export.ics")
    (interview,) = interviews
    assert interview.topics == ("incident reviews", "on-call tooling")
    assert interview.role == "Site Reliability Engineer"


def test_text_split_inside_utf8_characters_is_whole() -> None:
    occurrences, interviews, _ = read(CORPUS / "folded_multibyte.ics")
    by_uid = {o.uid: o for o in occurrences}
    summary = str(by_uid["multibyte-fold-1@example.com"].component["SUMMARY"])
    assert summary == (
        "面试：星辰科技 – 数据工程师（第二轮）技术面试，请提前十分钟到达前台登记，谢谢配合"
    )
    description = str(by_uid["multibyte-fold-2@example.com"].component["DESCRIPTION"])
    assert "Hämeentie 15, Helsinki." in description
    assert "\ufffd" not in description + summary
    finnish = next(i for i in interviews if i.uid == "multibyte-fold-2@example.com")
    assert (finnish.company, finnish.role, finnish.language) == (
        "Ääneväylä Oy",
        "Äänisuunnittelija",
        "fi",
    )
    # The file really does split characters: no line of it decodes on its own.
    raw_lines = (CORPUS / "folded_multibyte.ics").read_bytes().split(b"\r\n")
    undecodable = 0
    for line in raw_lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable >= 2


def test_cancel_without_status_still_cancels(tmp_path: Path) -> None:
    # RFC 5546: METHOD:CANCEL cancels the whole event even when a client
    # leaves STATUS out.
    text = (CORPUS / "outlook_cancel.ics").read_bytes()
    without = text.replace(b"STATUS:CANCELLED\r\n", b"")
    assert without != text
    path = tmp_path / "cancel.ics"
    path.write_bytes(without)
    _, interviews, _ = read(path)
    assert [i.cancelled for i in interviews] == [True]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


ARGS = [
    "--tz",
    "Europe/Helsinki",
    "--me",
    ME[0],
    "--me",
    ME[1],
    "--name",
    "Sam Candidate",
    "--now",
    "2026-11-25T12:00",
]


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The options above are the whole configuration: no config file is read.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_exports_one_reminder_set(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.ics"
    status, _, err = run(capsys, "export", str(CORPUS / name), "-o", str(target), *ARGS)
    assert status == 0, err
    # Only warnings about business days, nothing about reading the file.
    assert all(": warning: " in line and name not in line for line in err.splitlines()), err
    exported = icalendar.Calendar.from_ical(target.read_bytes())
    interviews = {str(e["X-CAL-FOLLOWUP-INTERVIEW"]) for e in exported.walk("VEVENT")}
    live = {uid for uid, (_, cancelled) in EXPECTED[name].interviews.items() if not cancelled}
    assert interviews == live


# --- Broken files -------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    #: Pieces of the one line naming what went wrong (file:line and the event).
    line: list[str]
    fatal: bool
    #: The UIDs whose reminders are still planned.
    planned: set[str]


GOOD = {"good-before@example.com", "good-after@example.com"}

BROKEN = {
    "bad_date.ics": Broken(
        ["bad_date.ics:16:", "'bad-date@example.com'", "Interview with Initech", "DTSTART"],
        True,
        GOOD,
    ),
    "missing_end.ics": Broken(
        ["missing_end.ics:13:", "'missing-end@example.com'", "no END:VEVENT"], True, GOOD
    ),
    "not_a_property.ics": Broken(
        [
            "not_a_property.ics:20:",
            "'lost-fold@example.com'",
            "not a property line",
            "migration from spreadsheets",
        ],
        False,
        GOOD | {"lost-fold@example.com"},
    ),
    "unknown_zone.ics": Broken(
        ["unknown_zone.ics:16:", "'unknown-zone@example.com'", "Mars/Olympus_Mons"],
        False,
        GOOD | {"unknown-zone@example.com"},
    ),
    "truncated.ics": Broken(
        ["truncated.ics:13:", "'cut-off@example.com'", "cut off"], True, {"good-before@example.com"}
    ),
    "latin1.ics": Broken(
        ["latin1.ics:", "'legacy-1@example.com'", "not UTF-8", "Windows-1252"],
        False,
        {"legacy-1@example.com", "good-after@example.com"},
    ),
}


def test_every_broken_file_has_an_expectation() -> None:
    assert {p.name for p in (CORPUS / "broken").iterdir()} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_says_what_in_one_line_and_reads_the_rest(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = BROKEN[name]
    status, out, err = run(capsys, "plan", str(CORPUS / "broken" / name), "--json", *ARGS)
    assert status == (1 if expected.fatal else 0), err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for piece in expected.line:
        assert piece in lines[0]
    assert ("warning:" in lines[0]) is not expected.fatal
    import json

    assert {r["interview_uid"] for r in json.loads(out)} == expected.planned


def test_latin1_text_is_read_as_windows_1252() -> None:
    _, interviews, _ = read(CORPUS / "broken" / "latin1.ics")
    legacy = next(i for i in interviews if i.uid == "legacy-1@example.com")
    assert [p.name for p in legacy.interviewers] == ["Anna Mäkelä"]
    assert "Acme – Data Engineer" in legacy.summary


def test_debug_shows_the_traceback_behind_an_event_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CORPUS / "broken" / "bad_date.ics")
    status, _, err = run(capsys, "plan", path, *ARGS)
    assert status == 1 and "Traceback" not in err
    status, _, err = run(capsys, "plan", path, "--debug", *ARGS)
    assert status == 1 and "Traceback (most recent call last)" in err


# --- A 5 MB calendar ----------------------------------------------------------


def big_calendar(seed: int = 2026, size: int = 5 * 1024 * 1024) -> tuple[bytes, dict[str, str]]:
    """A calendar of at least ``size`` bytes mixing every program's shapes.

    Returns the bytes and the interviews planted in it: UID -> start (ISO).
    """
    chooser = random.Random(seed)
    zones = ["Europe/Helsinki", "America/New_York", "W. Europe Standard Time", None, "UTC"]
    words = [
        "Standup",
        "Lunch",
        "Dentist",
        "Gym",
        "1:1",
        "Planning",
        "Review",
        "Mock interview",
        "Interview prep",
        "Team retro",
        "Yoga",
        "Book club",
    ]
    parts = [
        "BEGIN:VCALENDAR\r\nPRODID:-//tests//big//EN\r\nVERSION:2.0\r\nX-WR-CALNAME:Ten years\r\n"
    ]
    planted: dict[str, str] = {}
    written = len(parts[0])
    index = 0
    plant_at = {5_000, 11_000, 17_000}
    base = datetime(2017, 1, 2, 8, 0)
    while written < size or len(planted) < len(plant_at):
        index += 1
        if index in plant_at:
            day = datetime(2026, 12, 1 + len(planted) * 3, 10, 0)
            uid = f"planted-{index}@example.com"
            planted[uid] = day.replace(tzinfo=HELSINKI).isoformat()
            block = (
                f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
                f"DTSTART;TZID=Europe/Helsinki:{day:%Y%m%dT%H%M%S}\r\n"
                f"DTEND;TZID=Europe/Helsinki:{day + timedelta(hours=1):%Y%m%dT%H%M%S}\r\n"
                f"SUMMARY:Interview with Company{index} – Engineer\r\n"
                f"ORGANIZER;CN=Recruiter {index}:mailto:recruiter{index}@company{index}.example\r\n"
                "END:VEVENT\r\n"
            )
        else:
            start = base + timedelta(hours=chooser.randrange(0, 24 * 365 * 10))
            zone = chooser.choice(zones)
            if zone is None:
                end = start + timedelta(hours=1)
                stamp = f"DTSTART:{start:%Y%m%dT%H%M%S}\r\nDTEND:{end:%Y%m%dT%H%M%S}"
            elif zone == "UTC":
                stamp = f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDURATION:PT30M"
            else:
                stamp = (
                    f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}\r\n"
                    f"DTEND;TZID={zone}:{start + timedelta(minutes=45):%Y%m%dT%H%M%S}"
                )
            rule = "RRULE:FREQ=WEEKLY;COUNT=10\r\n" if index % 50 == 0 else ""
            notes = " ".join(chooser.choice(words) for _ in range(chooser.randrange(5, 40)))
            block = (
                f"BEGIN:VEVENT\r\nUID:noise-{index}@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
                f"{stamp}\r\n{rule}SUMMARY:{chooser.choice(words)} {index}\r\n"
                f"DESCRIPTION:{notes}\r\nEND:VEVENT\r\n"
            )
        parts.append(block)
        written += len(block.encode("utf-8"))
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode("utf-8"), planted


def test_five_megabyte_calendar_finds_the_planted_interviews(tmp_path: Path) -> None:
    data, planted = big_calendar()
    assert len(data) >= 5 * 1024 * 1024
    assert big_calendar()[0] == data  # deterministic
    path = tmp_path / "big.ics"
    path.write_bytes(data)
    occurrences, interviews, outcome = read(path)
    assert outcome.problems == [] and outcome.warnings == []
    assert {i.uid: i.start.isoformat() for i in interviews} == planted
    # Mock interviews and interview prep are in there many times, and excluded.
    assert any("Mock interview" in str(o.component.get("SUMMARY")) for o in occurrences)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "no calendar data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not an iCalendar file"),
        (b"Subject: Interview\n\nSee you on Monday!\n", "not an iCalendar file"),
    ],
)
def test_a_file_that_is_no_calendar_at_all_is_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, needle: str
) -> None:
    path = tmp_path / "invite.ics"
    path.write_bytes(data)
    status, out, err = run(capsys, "plan", str(path), *ARGS)
    assert status == 2
    assert err.count("\n") == 1 and str(path) in err and needle in err and "Traceback" not in err


def test_a_broken_event_long_past_is_only_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An export holds years of history: an event cut off in 2019 cannot matter
    # to a plan made in 2026, so it is named, but the run succeeds.
    data = (CORPUS / "broken" / "truncated.ics").read_bytes()
    old = tmp_path / "history.ics"
    old.write_bytes(data.replace(b"20261203T", b"20190603T"))
    status, _, err = run(capsys, "plan", str(old), *ARGS)
    assert status == 0, err
    (line,) = err.strip().splitlines()
    assert "warning:" in line and "'cut-off@example.com'" in line and "outside the planning" in line
