"""Keep-in-touch through `sync` and `status` against a real Radicale (rules, section 10).

One interview on Wednesday 2 December 2026 (Helsinki, country FI). Its
closing is due Wednesday 23 December; keep-in-touch 90 days after it,
Tuesday 23 March 2027 at 09:00. The tests follow it through a season: written
with the other stages, moved when the application is rejected, withdrawn
after an offer, left alone when the user moved it, kept long after
``ignore_after_days`` has dropped the interview's follow-ups, and created for
an interview first seen after that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.servers import Server, new_calendar
from tests.synchelpers import Runner, reminders_in
from tests.test_sync_caldav import Calendar

HELSINKI = ZoneInfo("Europe/Helsinki")
UID = "keep-in-touch-acme@example.com"
KEEP_DUE = datetime(2027, 3, 23, 9, 0, tzinfo=HELSINKI)


def _event(categories: str = "") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//EN",
        "BEGIN:VEVENT",
        f"UID:{UID}",
        "DTSTAMP:20261120T100000Z",
        "DTSTART;TZID=Europe/Helsinki:20261202T100000",
        "DTEND;TZID=Europe/Helsinki:20261202T110000",
        "SUMMARY:Interview with Acme Oy – Data Engineer",
        "DESCRIPTION:Contact: Hanna Koski <hanna.koski@acme.example>\\nTopics: data quality",
        "ORGANIZER;CN=Hanna Koski:mailto:hanna.koski@acme.example",
        "ATTENDEE;CN=Matti Virtanen;PARTSTAT=ACCEPTED:mailto:matti.virtanen@acme.example",
        "ATTENDEE;CN=Sam Candidate;PARTSTAT=ACCEPTED:mailto:sam.candidate@example.net",
    ]
    if categories:
        lines.append(f"CATEGORIES:{categories}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode()


@pytest.fixture
def setup(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[Calendar, Runner, str]]:
    url = new_calendar(radicale)
    calendar = Calendar(radicale, url)
    calendar.put(UID, _event())
    run = Runner(tmp_path, monkeypatch, capsys, radicale.password)
    if radicale.user:
        run.config.write_text(run.config.read_text() + f'user = "{radicale.user}"\n')
    yield calendar, run, url


def _by_stage(calendar: Calendar) -> dict[str, icalendar.cal.Component]:
    found = {}
    for component in reminders_in(calendar.objects()).values():
        stage = str(component["X-CAL-FOLLOWUP-STAGE"])
        assert stage not in found, f"two {stage} reminders"
        found[stage] = component
    return found


def _due(component: icalendar.cal.Component) -> datetime:
    value = component["DTSTART"].dt
    assert isinstance(value, datetime)
    return value


def test_keep_in_touch_is_written_moved_on_rejection_and_withdrawn_on_offer(
    setup: tuple[Calendar, Runner, str],
) -> None:
    calendar, run, url = setup
    status, out, err = run("sync", url, now="2026-11-25T12:00")
    # A thank-you to Matti (the interviewer), check-in, closing and keep-in-touch
    # to Hanna (the stated contact).
    assert (status, out.strip()) == (0, "4 created"), err
    stages = _by_stage(calendar)
    assert set(stages) == {"thank-you", "check-in", "closing", "keep-in-touch"}
    keep = stages["keep-in-touch"]
    assert _due(stages["closing"]) == datetime(2026, 12, 23, 9, 0, tzinfo=HELSINKI)
    assert _due(keep) == KEEP_DUE
    assert "Keep in touch with Hanna Koski at Acme Oy" in str(keep["SUMMARY"])
    description = str(keep["DESCRIPTION"])
    assert "mailto:hanna.koski@acme.example" in description and "LinkedIn" in description
    assert str(keep["RELATED-TO"]) == UID
    # A second run at the same time changes nothing and says nothing.
    assert run("sync", url, now="2026-11-25T12:00")[:2] == (0, "")

    # Rejected on Monday 14 December: one gracious reply the next morning, and
    # keep-in-touch 90 days after it (Tuesday 15 December + 90 = Monday 15 March).
    calendar.put(UID, _event("Rejected"))
    status, out, err = run("sync", url, now="2026-12-14T12:00")
    assert status == 0, err
    stages = _by_stage(calendar)
    assert "check-in" in stages  # already history (Wednesday 9 December)
    assert "closing" not in stages
    assert _due(stages["after-rejection"]) == datetime(2026, 12, 15, 9, 0, tzinfo=HELSINKI)
    moved = stages["keep-in-touch"]
    assert _due(moved) == datetime(2027, 3, 15, 9, 0, tzinfo=HELSINKI)
    assert str(moved["UID"]) == str(keep["UID"])  # the same reminder, moved
    # The next nights keep that time: the reply's time is remembered.
    assert run("sync", url, now="2026-12-14T23:00")[:2] == (0, "")
    assert run("sync", url, now="2026-12-16T12:00")[:2] == (0, "")
    assert _due(_by_stage(calendar)["keep-in-touch"]) == datetime(
        2027, 3, 15, 9, 0, tzinfo=HELSINKI
    )

    # The status command shows it, as pending, under its application.
    status, out, err = run("status", url, now="2026-12-16T12:00")
    assert status == 0, err
    [line] = [line for line in out.splitlines() if "keep-in-touch" in line]
    assert "2027-03-15 09:00" in line and "pending" in line

    # An offer after it: keep-in-touch is withdrawn (the past reply stays history).
    calendar.put(UID, _event("Offer"))
    status, out, err = run("sync", url, now="2027-01-10T12:00")
    assert (status, out.strip()) == (0, "1 withdrawn"), err
    stages = _by_stage(calendar)
    assert "keep-in-touch" not in stages and "after-rejection" in stages


def test_a_keep_in_touch_the_user_moved_outlives_ignore_after_days(
    setup: tuple[Calendar, Runner, str],
) -> None:
    calendar, run, url = setup
    assert run("sync", url, now="2026-11-25T12:00")[0] == 0
    keep = _by_stage(calendar)["keep-in-touch"]
    href = next(
        href for href, data in calendar.objects().items() if str(keep["UID"]).encode() in data
    )
    data = calendar.objects()[href]
    edited = data.replace(b"20270323T090000", b"20270401T140000")
    assert edited != data
    calendar.client.request(href, "PUT", edited.decode(), {"Content-Type": "text/calendar"})

    # 70 days after the interview, ignore_after_days (60) has dropped its
    # follow-ups, but not keep-in-touch: the user's time is left as it is.
    status, out, err = run("sync", url, now="2027-02-10T12:00")
    assert (status, out.strip()) == (0, ""), err
    assert calendar.objects()[href] == edited
    status, out, err = run("sync", url, "--dry-run", "--json", now="2027-02-10T12:00")
    assert status == 0 and '"kept-edited"' in out, err


def test_an_interview_first_seen_after_ignore_after_days_still_gets_keep_in_touch(
    setup: tuple[Calendar, Runner, str],
) -> None:
    calendar, run, url = setup
    status, out, err = run("sync", url, now="2027-02-10T12:00")
    assert (status, out.strip()) == (0, "1 created"), err
    stages = _by_stage(calendar)
    assert list(stages) == ["keep-in-touch"] and _due(stages["keep-in-touch"]) == KEEP_DUE


def test_turning_keep_in_touch_off_withdraws_it(setup: tuple[Calendar, Runner, str]) -> None:
    calendar, run, url = setup
    assert run("sync", url, now="2026-11-25T12:00")[:2] == (0, "4 created\n")
    run.config.write_text(run.config.read_text() + "keep_in_touch_days = 0\n")
    status, out, err = run("sync", url, now="2026-11-26T12:00")
    assert (status, out.strip()) == (0, "1 withdrawn"), err
    assert set(_by_stage(calendar)) == {"thank-you", "check-in", "closing"}
