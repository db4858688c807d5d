"""A job-search season through `sync`: a second round withdraws the first round's follow-ups.

Round 1 is synced; round 2 then appears in the calendar; the next sync
withdraws round 1's pending check-in and closing and creates exactly one pair
after round 2, plus round 2's thank-yous. Everything else (round 1's
thank-you, the interviews, the user's own events) stays byte for byte. Run
against real Radicale and Xandikos servers and against an .ics file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from tests.servers import Server, new_calendar
from tests.synchelpers import Runner, others_in, reminders_in
from tests.test_sync_caldav import Calendar

FIXTURE = Path(__file__).parent / "corpus" / "applications" / "google_two_rounds.ics"
ROUND_1 = "0a1b2c3d4e5f6g7h8i9j0k1l2m@google.com"
ROUND_2 = "9z8y7x6w5v4u3t2s1r0q9p8o7n@google.com"
BEFORE_ROUND_1 = "2026-11-27T09:00"
AFTER_ROUND_1 = "2026-12-01T09:00"
DENTIST = """BEGIN:VEVENT
DTSTART:20261204T070000Z
DTEND:20261204T080000Z
DTSTAMP:20261126T101500Z
UID:4r5t6y7u8i9o0p1a2s3d4f5g6h@google.com
CREATED:20261101T120000Z
DESCRIPTION:Bring the Kela card.
LAST-MODIFIED:20261101T120000Z
LOCATION:Hammaslääkäri Oy\\, Helsinki
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Dentist
TRANSP:OPAQUE
END:VEVENT
"""


def _split() -> tuple[str, dict[str, str]]:
    """The fixture's calendar header and its events' raw text, by UID."""
    text = FIXTURE.read_text(encoding="utf-8")
    header = text[: text.index("BEGIN:VEVENT")]
    events = {}
    for block in re.findall(r"BEGIN:VEVENT\n.*?END:VEVENT\n", text, re.S):
        uid = re.search(r"^UID:(.*)$", block, re.M)
        assert uid
        events[uid.group(1)] = block
    return header, events


def _object(*events: str) -> bytes:
    header, _ = _split()
    return (header + "".join(events) + "END:VCALENDAR\n").replace("\n", "\r\n").encode()


def _configure(run: Runner, user: str | None = None) -> None:
    run.config.write_text(
        'timezone = "Europe/Helsinki"\ncountry = "FI"\n'
        'me = ["sam.candidate@gmail.com"]\nname = "Sam Candidate"\n'
        + (f'user = "{user}"\n' if user else "")
    )


def _by_stage(reminders: dict[str, icalendar.cal.Component]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for component in reminders.values():
        key = (str(component["X-CAL-FOLLOWUP-INTERVIEW"]), str(component["X-CAL-FOLLOWUP-STAGE"]))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _check_second_round(
    first: dict[str, icalendar.cal.Component], second: dict[str, icalendar.cal.Component]
) -> None:
    assert _by_stage(first) == {
        (ROUND_1, "thank-you"): 1,
        (ROUND_1, "check-in"): 1,
        (ROUND_1, "closing"): 1,
        (ROUND_1, "keep-in-touch"): 1,
    }
    assert _by_stage(second) == {
        (ROUND_1, "thank-you"): 1,
        (ROUND_2, "thank-you"): 2,
        (ROUND_2, "check-in"): 1,
        (ROUND_2, "closing"): 1,
        (ROUND_2, "keep-in-touch"): 1,
    }
    round_2_end = icalendar.Calendar.from_ical(_object(_split()[1][ROUND_2])).walk("VEVENT")[0]
    end = round_2_end["DTEND"].dt
    for component in second.values():
        if str(component["X-CAL-FOLLOWUP-STAGE"]) in ("check-in", "closing", "keep-in-touch"):
            assert component["DTSTART"].dt > end
    thank_you = [uid for uid, c in first.items() if str(c["X-CAL-FOLLOWUP-STAGE"]) == "thank-you"]
    assert thank_you and all(uid in second for uid in thank_you)


@pytest.fixture
def season(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[Calendar, Runner, str]]:
    url = new_calendar(server)
    calendar = Calendar(server, url)
    _, events = _split()
    calendar.put(ROUND_1, _object(events[ROUND_1]))
    calendar.put("dentist", _object(DENTIST))
    run = Runner(tmp_path, monkeypatch, capsys, server.password)
    _configure(run, server.user)
    yield calendar, run, url


def test_caldav_season_second_round_replaces_the_first_rounds_follow_ups(
    season: tuple[Calendar, Runner, str],
) -> None:
    calendar, run, url = season
    status, out, err = run("sync", url, now=BEFORE_ROUND_1)
    assert (status, out.strip()) == (0, "4 created"), err
    after_first = calendar.objects()
    first = reminders_in(after_first)

    _, events = _split()
    calendar.put(ROUND_2, _object(events[ROUND_2]))
    before = calendar.objects()
    status, out, err = run("sync", url, now=AFTER_ROUND_1)
    assert (status, out.strip()) == (0, "5 created, 3 withdrawn"), err
    after = calendar.objects()
    second = reminders_in(after)
    _check_second_round(first, second)
    # Interviews and the user's events untouched; round 1's thank-you (history) too.
    assert others_in(after) == others_in(before)
    for href, data in before.items():
        if b"X-CAL-FOLLOWUP-STAGE:thank-you" in data:
            assert after[href] == data

    status, out, err = run("sync", url, now=AFTER_ROUND_1)
    assert (status, out, err) == (0, "", "")
    assert calendar.objects() == after


def test_caldav_season_keeps_a_first_round_check_in_the_user_edited(
    season: tuple[Calendar, Runner, str],
) -> None:
    calendar, run, url = season
    run("sync", url, now=BEFORE_ROUND_1)
    objects = calendar.objects()
    href, data = next((h, d) for h, d in objects.items() if b"X-CAL-FOLLOWUP-STAGE:check-in" in d)
    edited = data.replace(b"SUMMARY:", b"SUMMARY:Call Anna first - ")
    response = calendar.client.request(
        href, "PUT", edited.decode(), {"Content-Type": "text/calendar; charset=utf-8"}
    )
    assert int(response.status) in (201, 204), response.status
    _, events = _split()
    calendar.put(ROUND_2, _object(events[ROUND_2]))
    status, out, err = run("sync", url, now=AFTER_ROUND_1)
    assert (status, out.strip()) == (0, "5 created, 2 withdrawn"), err
    after = calendar.objects()
    # The user's version of round 1's check-in is theirs: kept, not overwritten.
    assert b"SUMMARY:Call Anna first - " in after[href]
    assert _by_stage(reminders_in(after))[(ROUND_2, "check-in")] == 1


def test_ics_file_season(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, events = _split()
    path = tmp_path / "calendar.ics"
    path.write_bytes(_object(events[ROUND_1], DENTIST))
    run = Runner(tmp_path, monkeypatch, capsys)
    _configure(run)
    status, out, err = run("sync", str(path), now=BEFORE_ROUND_1)
    assert (status, out.strip()) == (0, "4 created"), err
    first_data = path.read_bytes()
    first = reminders_in({"file": first_data})

    round_2 = events[ROUND_2].replace("\n", "\r\n").encode()
    with_round_2 = first_data.replace(b"END:VCALENDAR", round_2 + b"END:VCALENDAR")
    path.write_bytes(with_round_2)
    status, out, err = run("sync", str(path), now=AFTER_ROUND_1)
    assert (status, out.strip()) == (0, "5 created, 3 withdrawn"), err
    data = path.read_bytes()
    second = reminders_in({"file": data})
    _check_second_round(first, second)
    # Every block that is not a withdrawn reminder is still there byte for byte.
    withdrawn = [u for u in first if u not in second]
    for block in re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", with_round_2, re.S):
        if not any(uid.encode() in block for uid in withdrawn):
            assert block in data

    status, out, err = run("sync", str(path), now=AFTER_ROUND_1)
    assert (status, out, err) == (0, "", "")
    assert path.read_bytes() == data


def test_status_groups_rounds_under_their_application(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    _, events = _split()
    other = (
        events[ROUND_1]
        .replace(ROUND_1, "other-company@google.com")
        .replace("Acme Oy", "Globex")
        .replace("20261130T", "20261201T")
    )
    path = tmp_path / "calendar.ics"
    path.write_bytes(_object(events[ROUND_1], other, events[ROUND_2], DENTIST))
    run = Runner(tmp_path, monkeypatch, capsys)
    _configure(run)
    run("sync", str(path), now=BEFORE_ROUND_1)
    status, out, err = run("status", str(path), now=BEFORE_ROUND_1)
    assert status == 0, err
    lines = out.splitlines()
    assert lines.count("Acme Oy – Data Engineer") == 1
    assert lines.count("Globex – Data Engineer") == 1
    acme = lines.index("Acme Oy – Data Engineer")
    globex = lines.index("Globex – Data Engineer")
    # Both Acme rounds sit under the Acme heading, before Globex's (whose round is between).
    assert acme < globex
    assert (
        sum(
            "Interview with Acme Oy" in line or "Acme Oy: Data" in line
            for line in lines[acme:globex]
        )
        == 2
    )
    status, out, err = run("status", str(path), "--json", now=BEFORE_ROUND_1)
    rows = json.loads(out)["interviews"]
    assert {row["uid"]: row["application"] for row in rows} == {
        ROUND_1: "acme oy / data engineer",
        ROUND_2: "acme oy / data engineer",
        "other-company@google.com": "globex / data engineer",
    }


def test_stop_by_company_stops_the_whole_application(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, events = _split()
    path = tmp_path / "calendar.ics"
    path.write_bytes(_object(events[ROUND_1], events[ROUND_2], DENTIST))
    run = Runner(tmp_path, monkeypatch, capsys)
    _configure(run)
    run("sync", str(path), now=BEFORE_ROUND_1)
    # "Acme" matches both rounds, but they are one application: no UID needed.
    status, out, err = run(
        "stop", "Acme", "--reason", "replied", "--source", str(path), now=AFTER_ROUND_1
    )
    assert status == 0, err
    assert "3 withdrawn" in out  # check-in, closing and keep-in-touch
    stages = _by_stage(reminders_in({"file": path.read_bytes()}))
    assert (ROUND_2, "check-in") not in stages and (ROUND_2, "closing") not in stages
