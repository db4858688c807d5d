"""One invitation cannot flood the calendar: caps on interviewers, rounds and reminders per run."""

from __future__ import annotations

import json
from pathlib import Path

from cal_followup import caps
from tests.test_hostile_cli import run

NOW = ("--now", "2026-12-01T08:00", "--tz", "Europe/Berlin", "--me", "sam@example.org")


def invite(uid: str, attendees: int, rule: str = "") -> str:
    people = "".join(
        f"ATTENDEE;CN=Person {n}:mailto:p{n}@{uid}.example\r\n" for n in range(attendees)
    )
    repeat = f"RRULE:{rule}\r\n" if rule else ""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20261125T100000\r\nDURATION:PT1H\r\n"
        f"{repeat}SUMMARY:Interview with {uid.capitalize()} for Analyst\r\n"
        f"ORGANIZER;CN=Recruiter:mailto:hr@{uid}.example\r\n"
        f"ATTENDEE;CN=Sam:mailto:sam@example.org\r\n{people}END:VEVENT\r\n"
    )


def calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + "".join(events)
    ).encode() + b"END:VCALENDAR\r\n"


def plan(tmp_path: Path, data: bytes) -> tuple[list[dict[str, object]], str]:
    path = tmp_path / "c.ics"
    path.write_bytes(data)
    result = run(tmp_path, "plan", str(path), "--json", *NOW)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout), result.stderr


def test_a_thousand_attendees_make_at_most_a_panel(tmp_path: Path) -> None:
    reminders, err = plan(tmp_path, calendar(invite("acme", 1000)))
    recipients = {r["to"] for r in reminders if r["stage"] == "thank-you"}
    assert 0 < len(recipients) <= caps.MAX_INTERVIEWERS
    assert "interviewers or more" in err and "'acme'" in err


def test_an_hourly_interview_counts_a_few_rounds(tmp_path: Path) -> None:
    reminders, err = plan(tmp_path, calendar(invite("globex", 3, "FREQ=HOURLY")))
    rounds = {r["recurrence_id"] for r in reminders}
    assert 0 < len(rounds) <= caps.MAX_SERIES_ROUNDS
    assert "only the first" in err and "'globex'" in err


def test_a_run_that_would_flood_writes_nothing(tmp_path: Path) -> None:
    # Each application stays under its own cap; together they pass the run's.
    events = [invite(f"corp{n}", 12, "FREQ=HOURLY") for n in range(25)]
    path = tmp_path / "c.ics"
    path.write_bytes(calendar(*events))
    before = path.read_bytes()
    result = run(tmp_path, "sync", str(path), *NOW)
    assert result.returncode != 0
    assert "nothing was written" in result.stderr
    assert path.read_bytes() == before


def test_the_application_cap_keeps_the_earliest() -> None:
    from dataclasses import dataclass
    from datetime import UTC, datetime, timedelta, timezone

    @dataclass
    class Due:
        due: datetime

    # Moments in different offsets (read back from a server in UTC, planned locally)
    # are ordered as moments, not as text.
    helsinki = timezone(timedelta(hours=2))
    many = [Due(datetime(2026, 12, d, 9, tzinfo=helsinki)) for d in range(31, 0, -1)]
    many += [Due(datetime(2026, 12, d, 8, tzinfo=UTC)) for d in range(31, 0, -1)]
    kept, warning = caps.cap_application(many, "application Acme")
    assert len(kept) == caps.MAX_REMINDERS_PER_APPLICATION and warning
    assert [k.due for k in kept] == sorted(d.due for d in many)[: len(kept)]
    assert kept[0].due == datetime(2026, 12, 1, 9, tzinfo=helsinki)
    assert caps.cap_application(many[:3], "x") == (many[:3], None)


def test_many_invitations_for_one_application_are_capped(tmp_path: Path) -> None:
    # Separate events (not one series) for the same company and role: each a round
    # of one application; together they would give more reminders than any real one.
    events = [
        invite("initech", 12).replace("UID:initech", f"UID:initech-{n}")
        for n in range(5)
    ]
    reminders, err = plan(tmp_path, calendar(*events))
    assert {r["application"] for r in reminders} == {reminders[0]["application"]}
    assert 0 < len(reminders) <= caps.MAX_REMINDERS_PER_APPLICATION < 5 * 12
    assert "reminders for one application" in err
