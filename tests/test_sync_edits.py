"""A user's edit to a reminder is never overwritten; a server's rewrite is no edit.

Against real Radicale and Xandikos: each kind of edit (a property, the alarm,
an added sub-component) survives a later move of its interview, and a sync
right after a sync finds every reminder as it wrote it, whatever the server
did to the stored text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cal_followup.ical import fingerprint, is_unmodified
from tests.servers import Proxy
from tests.synchelpers import SAMPLE, Runner, moved, split_by_uid
from tests.test_sync_caldav import ACME, Calendar, setup  # noqa: F401 - the fixture

Edit = Callable[[icalendar.cal.Component], None]


def _trigger(event: icalendar.cal.Component) -> None:
    alarm = next(iter(event.walk("VALARM")))
    del alarm["TRIGGER"]
    alarm.add("TRIGGER", icalendar.vDuration.from_ical("-PT30M"))


def _categories(event: icalendar.cal.Component) -> None:
    event.add("CATEGORIES", ["Job hunt", "Follow-up"])


def _location(event: icalendar.cal.Component) -> None:
    event.add("LOCATION", "Home office")


def _second_alarm(event: icalendar.cal.Component) -> None:
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", "Send it now")
    alarm.add("TRIGGER", icalendar.vDuration.from_ical("-P1D"))
    event.add_component(alarm)


EDITS: dict[str, Edit] = {
    "alarm-trigger": _trigger,
    "categories": _categories,
    "location": _location,
    "added-valarm": _second_alarm,
}


def _acme_reminders(calendar: Calendar) -> dict[str, bytes]:
    return {
        href: data
        for href, data in calendar.objects().items()
        if b"X-CAL-FOLLOWUP-" in data and ACME.encode() in data.replace(b"\r\n ", b"")
    }


def _edit(calendar: Calendar, href: str, data: bytes, change: Edit) -> None:
    parsed = icalendar.Calendar.from_ical(data)
    event = next(c for c in parsed.walk() if c.name in ("VEVENT", "VTODO"))
    change(event)
    response = calendar.client.request(
        href, "PUT", parsed.to_ical().decode(), {"Content-Type": "text/calendar; charset=utf-8"}
    )
    assert int(response.status) in (200, 201, 204), response.status


def _actions(run: Runner) -> dict[str, str]:
    status, out, err = run("sync", run.url, "--dry-run", "--json")  # type: ignore[attr-defined]
    assert status == 0, err
    return {item["uid"]: item["action"] for item in json.loads(out)}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_each_kind_of_edit_survives_a_move_of_its_interview(
    setup: tuple[Calendar, Runner, Proxy],  # noqa: F811
    kind: str,
) -> None:
    calendar, run, proxy = setup
    status, _, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    ours = _acme_reminders(calendar)
    assert len(ours) == 4  # thank-you, check-in, closing, keep-in-touch
    edited_href = sorted(ours)[1]
    _edit(calendar, edited_href, ours[edited_href], EDITS[kind])
    kept = calendar.objects()[edited_href]
    # Seen as an edit at once, before anything moves.
    assert "kept-edited" in _actions(run).values()
    acme = split_by_uid(SAMPLE)[ACME]
    later = moved(
        moved(acme, "20261201T100000", "20261209T100000"), "20261201T110000", "20261209T110000"
    )
    calendar.put(ACME, later)
    proxy.reset()
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == "3 moved"
    assert calendar.objects()[edited_href] == kept
    # And it stays so on the next runs.
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert (status, out) == (0, "")
    assert calendar.objects()[edited_href] == kept


def test_server_rewrites_are_no_edits(setup: tuple[Calendar, Runner, Proxy]) -> None:  # noqa: F811
    calendar, run, proxy = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    actions = _actions(run)
    assert actions and set(actions.values()) <= {"unchanged", "history"}, actions
    for data in calendar.objects().values():
        for component in icalendar.Calendar.from_ical(data).walk():
            if component.get("X-CAL-FOLLOWUP-STAGE"):
                assert is_unmodified(component), data.decode()
    proxy.reset()
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert (status, out, err) == (0, "", "")
    assert proxy.counts["PUT"] == 0


def _reminder() -> icalendar.cal.Component:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    event = icalendar.Event()
    event.add("UID", "r1@cal-followup")
    event.add("DTSTAMP", datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("UTC")))
    event.add("DTSTART", datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki")))
    event.add("SUMMARY", "Send the thank-you")
    event.add("X-CAL-FOLLOWUP-STAGE", "thank-you")
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", timedelta(0), parameters={"RELATED": "START"})
    event.add_component(alarm)
    return event


REWRITES = {
    "trigger-pt0s": (b"TRIGGER;RELATED=START:P0D", b"TRIGGER:PT0S"),
    "utc-form": (b"DTSTART;TZID=Europe/Helsinki:20261201T090000", b"DTSTART:20261201T070000Z"),
    "stamp-and-sequence": (b"DTSTAMP:20261125T100000Z", b"DTSTAMP:20270101T000000Z\r\nSEQUENCE:3"),
    "server-x-property": (b"END:VEVENT", b"X-RADICALE-NAME:r1.ics\r\nEND:VEVENT"),
    "parameter-case": (b"TRIGGER;RELATED=START", b"TRIGGER;related=start"),
}


@pytest.mark.parametrize("rewrite", sorted(REWRITES))
def test_fingerprint_ignores_what_servers_rewrite(rewrite: str) -> None:
    event = _reminder()
    data = event.to_ical()
    old, new = REWRITES[rewrite]
    assert old in data, data
    changed = icalendar.Event.from_ical(data.replace(old, new))
    assert fingerprint(changed) == fingerprint(event)


def test_fingerprint_sees_reordered_and_refolded_text_as_the_same() -> None:
    event = _reminder()
    event.add("DESCRIPTION", "A long text " * 20)
    lines = event.to_ical().replace(b"\r\n ", b"").split(b"\r\n")
    body = [line for line in lines if line and not line.startswith((b"BEGIN:VEVENT", b"END:VE"))]
    # Properties of the event in reverse order, unfolded: the same meaning.
    alarm_start = body.index(b"BEGIN:VALARM")
    alarm_end = body.index(b"END:VALARM")
    alarm = body[alarm_start : alarm_end + 1]
    others = body[:alarm_start] + body[alarm_end + 1 :]
    text = b"\r\n".join([b"BEGIN:VEVENT", *reversed(others), *alarm, b"END:VEVENT", b""])
    assert fingerprint(icalendar.Event.from_ical(text)) == fingerprint(event)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.add("CATEGORIES", "Mine"),
        lambda e: e.add("LOCATION", "Cafe"),
        lambda e: e.add("COMMENT", "note"),
        lambda e: next(iter(e.walk("VALARM"))).add("DESCRIPTION", "x"),
        lambda e: e.add_component(icalendar.Alarm()),
    ],
)
def test_fingerprint_sees_every_user_change(change: Edit) -> None:
    event = _reminder()
    before = fingerprint(event)
    change(event)
    assert fingerprint(event) != before


def test_reminders_written_by_version_1_keep_their_own_check() -> None:
    from cal_followup.ical import MARKER_HASH, MARKER_VERSION, content_hash

    event = _reminder()
    event.add(MARKER_VERSION, "1")
    event.add(MARKER_HASH, content_hash(event))
    stored = icalendar.Event.from_ical(event.to_ical())
    assert is_unmodified(stored)
    stored["SUMMARY"] = icalendar.vText("My words")
    assert not is_unmodified(stored)
    # The same content under version 2 has the same fingerprint: nothing to rewrite.
    newer = _reminder()
    assert fingerprint(newer) == fingerprint(icalendar.Event.from_ical(event.to_ical()))


_ZONES = ["Europe/Helsinki", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.none()
    ),
    zone=st.sampled_from(_ZONES),
    text=st.text(min_size=1, max_size=40).filter(lambda t: t.strip() == t and "\r" not in t),
)
@settings(max_examples=60, deadline=None)
def test_fingerprint_same_instant_any_form_and_any_text_change_counts(
    moment: datetime, zone: str, text: str
) -> None:
    local = moment.replace(microsecond=0, tzinfo=ZoneInfo(zone))
    event = _reminder()
    event["DTSTART"] = icalendar.vDDDTypes(local)
    as_utc = _reminder()
    as_utc["DTSTART"] = icalendar.vDDDTypes(local.astimezone(ZoneInfo("UTC")))
    assert fingerprint(event) == fingerprint(as_utc)
    reparsed = icalendar.Event.from_ical(event.to_ical())
    assert fingerprint(reparsed) == fingerprint(event)
    event.add("LOCATION", text)
    assert fingerprint(event) != fingerprint(as_utc)
