"""An interview invite is text written by a stranger.

SUMMARY, DESCRIPTION, LOCATION, CN and ORGANIZER come from someone else. Line
breaks, colons, semicolons or ``BEGIN:`` in them never create properties or
components in what we write; the ``mailto:`` link is encoded; nothing from the
invite becomes a link or an address in a draft unless it is the organiser's or
an attendee's email; very long values are cut; and nothing reaches the
terminal that could move the cursor or reorder the text.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cal_followup import app
from cal_followup.cli import main
from cal_followup.config import Settings
from cal_followup.ical import description_text
from cal_followup.model import Reminder

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=HELSINKI)
SETTINGS = Settings(timezone="Europe/Helsinki", me=("sam@example.net",), name="Sam Candidate")

#: What we ourselves put into a reminder; anything else came from somewhere it should not.
OUR_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "DUE",
    "STATUS",
    "TRANSP",
    "SUMMARY",
    "DESCRIPTION",
    "CLASS",
    "RELATED-TO",
    "SEQUENCE",
    "LAST-MODIFIED",
    "CREATED",
}  # fmt: skip  (and our own X-CAL-FOLLOWUP-* markers)
LINK = re.compile(r"(?i)\b(?:https?|ftp|file|javascript|data|mailto|tel|sms):|\bwww\.|//")
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TERMINAL_TRICKS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape(text: str) -> str:
    """iCalendar TEXT escaping, as a calendar program writes a value."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def invite(
    summary: str = "Interview with Acme – Data Engineer",
    description: str = "",
    location: str = "",
    organizer: str = "ORGANIZER;CN=Anna Virtanen:mailto:anna.virtanen@acme.example",
    attendees: tuple[str, ...] = (),
    uid: str = "hostile-1@example.com",
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//stranger//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261120T100000Z",
        "DTSTART;TZID=Europe/Helsinki:20261201T100000",
        "DTEND;TZID=Europe/Helsinki:20261201T110000",
        f"SUMMARY:{escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if organizer:
        lines.append(organizer)
    lines.extend(attendees)
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines).encode("utf-8")


def plan(tmp_path: Path, data: bytes) -> tuple[list[Reminder], bytes, app.Outcome]:
    path = tmp_path / "invite.ics"
    path.write_bytes(data)
    outcome = app.plan(str(path), NOW, SETTINGS)
    return outcome.reminders, app.export_bytes(outcome, SETTINGS, NOW), outcome


def allowed_addresses(data: bytes) -> set[str]:
    """The organiser's and attendees' addresses, as the invite's properties give them."""
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    found = set()
    for name in ("ORGANIZER", "ATTENDEE"):
        values = event.get(name)
        for value in values if isinstance(values, list) else [values] if values else []:
            found.add(str(value).lower().removeprefix("mailto:"))
    return found


def assert_only_our_structure(exported: bytes, reminders: list[Reminder]) -> None:
    calendar = icalendar.Calendar.from_ical(exported)
    events = calendar.walk("VEVENT")
    assert len(events) == len(reminders)
    assert {str(e["UID"]) for e in events} == {r.uid for r in reminders}
    for event in events:
        foreign = {k for k in event if not k.startswith("X-CAL-FOLLOWUP-")} - OUR_PROPERTIES
        assert not foreign, foreign
        assert [c.name for c in event.subcomponents] in ([], ["VALARM"])
    names = {c.name for c in calendar.walk()}
    assert names <= {"VCALENDAR", "VEVENT", "VALARM", "VTIMEZONE", "STANDARD", "DAYLIGHT"}
    for raw_line in exported.split(b"\r\n"):
        if raw_line.startswith(b"BEGIN:") or raw_line.startswith(b"END:"):
            assert raw_line.split(b":", 1)[1] in (
                b"VCALENDAR", b"VEVENT", b"VALARM", b"VTIMEZONE", b"STANDARD", b"DAYLIGHT"
            )  # fmt: skip


def assert_no_foreign_links_or_addresses(reminders: list[Reminder], allowed: set[str]) -> None:
    for reminder in reminders:
        for text in (reminder.draft.subject, reminder.draft.body, reminder.summary):
            assert not LINK.search(text), text
            for address in ADDRESS.findall(text):
                assert address.lower() in allowed, address
        recipient = reminder.recipient
        if recipient is not None and recipient.email:
            assert recipient.email.lower() in allowed
        description = description_text(reminder)
        for address in ADDRESS.findall(description.split("\n", 1)[1]):
            assert address.lower() in allowed, address


INJECTIONS = [
    "Interview\nEND:VEVENT\nBEGIN:VEVENT\nUID:injected\nSUMMARY:owned",
    "Interview\r\nX-INJECTED:1\r\nATTENDEE:mailto:spy@evil.example",
    "Interview: Acme; role=Engineer, BEGIN:VALARM",
    "Interview\nBEGIN:VCALENDAR\nMETHOD:CANCEL",
]


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_line_breaks_and_begin_in_text_never_make_structure(tmp_path: Path, hostile: str) -> None:
    data = invite(
        summary=hostile + " – Engineer",
        description=f"Company: {hostile}\nRole: {hostile}\nTopics: {hostile}\nIdea: {hostile}",
        location=hostile,
    )
    reminders, exported, outcome = plan(tmp_path, data)
    assert reminders and not outcome.problems
    assert_only_our_structure(exported, reminders)
    assert b"INJECTED" not in exported.upper().replace(b"\r\n ", b"").split(b"DESCRIPTION")[0]


def test_names_with_newlines_in_parameters_stay_values(tmp_path: Path) -> None:
    # RFC 6868 lets a parameter carry a line break as ^n; a quoted CN may hold ':' and ';'.
    data = invite(
        organizer='ORGANIZER;CN="Eve^nEND:VEVENT^nBEGIN:VTODO; x:y":mailto:eve@acme.example',
        attendees=(
            'ATTENDEE;CN="Mallory^nX-INJECTED:1":mailto:mallory@acme.example',
            "ATTENDEE;CN=\"Bob ^'quoted^' ; role\":mailto:bob@acme.example",
        ),
    )
    reminders, exported, _ = plan(tmp_path, data)
    assert {r.recipient.email for r in reminders if r.recipient} >= {
        "mallory@acme.example",
        "bob@acme.example",
    }
    assert_only_our_structure(exported, reminders)
    for reminder in reminders:
        assert "\n" not in reminder.summary
        assert reminder.recipient is not None
        assert "\n" not in (reminder.recipient.name or "")


def test_mailto_link_is_encoded(tmp_path: Path) -> None:
    data = invite(
        summary="Interview with A&B ?=# Co – R&D Engineer",
        description="Topics: 50% growth & cc=spy@evil.example\nIdea: a?b=c&d#e",
        organizer="ORGANIZER;CN=Anna & Co?:mailto:anna.virtanen@acme.example",
    )
    reminders, _, _ = plan(tmp_path, data)
    assert reminders
    for reminder in reminders:
        link = urlsplit(reminder.mailto)
        assert link.scheme == "mailto"
        assert unquote(link.path) == (reminder.recipient.email if reminder.recipient else "")
        query = parse_qs(link.query, keep_blank_values=True, strict_parsing=True)
        assert set(query) == {"subject", "body"}
        assert query["subject"] == [reminder.draft.subject]
        assert query["body"] == [reminder.draft.body.replace("\n", "\r\n")]
        assert not re.search(r"[\s<>\"]", reminder.mailto)


@pytest.mark.parametrize(
    "attendee",
    [
        "ATTENDEE;CN=Victim:mailto:victim@acme.example?bcc=spy@evil.example",
        "ATTENDEE;CN=Victim:mailto:victim@acme.example?subject=hi",
        "ATTENDEE;CN=Victim:mailto:victim@acme.example%0D%0ABcc:spy@evil.example",
        "ATTENDEE;CN=Victim:mailto:victim@acme.example>,<spy@evil.example",
        "ATTENDEE;CN=Victim:mailto:victim@acme.example/../x",
    ],
)
def test_an_address_that_is_not_one_is_not_used(tmp_path: Path, attendee: str) -> None:
    reminders, _, _ = plan(tmp_path, invite(organizer="", attendees=(attendee,)))
    assert reminders
    for reminder in reminders:
        assert reminder.recipient is None or reminder.recipient.email is None
        assert "spy" not in reminder.mailto and "victim" not in reminder.mailto


def test_links_and_addresses_in_the_invite_never_reach_the_draft(tmp_path: Path) -> None:
    data = invite(
        summary="Interview with evil.example/login – Engineer at https://evil.example",
        description=(
            "Company: Acme www.evil.example\n"
            "Role: Engineer, see http://evil.example/apply\n"
            "Topics: confirm at https://evil.example/verify; mail cv@evil.example; "
            "javascript:alert(1)\n"
            "Idea: file:///etc/passwd and //evil.example/x\n"
            "Contact: Mallory <mallory@evil.example>\n"
        ),
        location="https://evil.example/room",
        organizer="ORGANIZER;CN=https://evil.example/anna:mailto:anna.virtanen@acme.example",
        attendees=(
            "ATTENDEE;CN=spy@evil.example:mailto:priya@acme.example",
            "ATTENDEE;CN=Sam:mailto:sam@example.net",
        ),
    )
    reminders, _, _ = plan(tmp_path, data)
    assert {r.stage.value for r in reminders} >= {"thank-you", "check-in"}
    assert_no_foreign_links_or_addresses(reminders, allowed_addresses(data))
    # The contact line names someone who is neither organiser nor attendee:
    # the check-in keeps the name but not the address.
    check_in = next(r for r in reminders if r.stage.value == "check-in")
    assert check_in.recipient is not None and check_in.recipient.email is None
    assert "mallory@evil.example" not in check_in.mailto


def test_contact_line_naming_an_attendee_keeps_the_address(tmp_path: Path) -> None:
    data = invite(description="Recruiter: Anna Virtanen <anna.virtanen@acme.example>")
    reminders, _, _ = plan(tmp_path, data)
    check_in = next(r for r in reminders if r.stage.value == "check-in")
    assert check_in.recipient is not None
    assert check_in.recipient.email == "anna.virtanen@acme.example"


def test_very_long_values_are_cut(tmp_path: Path) -> None:
    long_name = "Anna " + "Virtanen-" * 3_000
    data = invite(
        summary="Interview with " + "Acme" * 50_000 + " – " + "Engineer " * 20_000,
        description=(
            "Company: " + "Acme " * 100_000 + "\nTopics: " + "kafka " * 100_000 + "\n"
            "Idea: " + "dashboard " * 100_000 + "\n" + "filler\n" * 200_000
        ),
        location="Room " * 100_000,
        organizer=f"ORGANIZER;CN={long_name}:mailto:anna.virtanen@acme.example",
        uid="u" * 50_000,
    )
    assert len(data) > 3_000_000
    reminders, exported, _ = plan(tmp_path, data)
    assert reminders
    for reminder in reminders:
        assert len(reminder.summary) <= 300
        assert len(reminder.draft.subject) <= 300
        assert len(reminder.draft.body) <= 4_000
        assert len(reminder.interview_uid) <= 1_000
    assert len(exported) < 20_000 * len(reminders)


def test_terminal_output_has_no_control_or_bidi_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    trick = "\x1b[2J\x1b]0;pwned\x07\u202eenignE\u202c\x9b31m\u2066x\u2069"
    good = invite(
        summary=f"Interview with Acme{trick} – Engineer{trick}",
        organizer=f"ORGANIZER;CN=Anna{escape(trick)}:mailto:anna.virtanen@acme.example",
    )
    broken = good.replace(b"DTSTART;TZID=Europe/Helsinki:20261201T100000", b"DTSTART:2026")
    for number, data in enumerate((good, broken)):
        path = tmp_path / f"{number}.ics"
        path.write_bytes(data)
        main(["plan", str(path), "--tz", "Europe/Helsinki", "--now", "2026-11-25T12:00"])
        out, err = capsys.readouterr()
        assert not TERMINAL_TRICKS.search(out + err), repr(out + err)
        assert ("cannot read" in err) is (number == 1)


def test_location_is_never_written(tmp_path: Path) -> None:
    data = invite(location="Secret room 42; door code 1234")
    reminders, exported, _ = plan(tmp_path, data)
    assert reminders
    assert b"door code" not in exported and b"Secret room" not in exported


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    summary=st.text(min_size=0, max_size=300),
    description=st.text(min_size=0, max_size=600),
    name=st.text(min_size=0, max_size=80),
)
def test_any_text_in_any_field_stays_inside_its_value(
    tmp_path: Path, summary: str, description: str, name: str
) -> None:
    data = invite(
        summary="Interview " + summary,
        description=description,
        location=summary,
        organizer='ORGANIZER;CN="'
        + name.replace('"', "'").replace("\n", " ").replace("\r", " ")
        + '":mailto:anna.virtanen@acme.example',
    )
    reminders, exported, outcome = plan(tmp_path, data)
    assert_only_our_structure(exported, reminders)
    assert_no_foreign_links_or_addresses(reminders, {"anna.virtanen@acme.example"})


def test_contact_in_the_users_own_event_keeps_its_address(tmp_path: Path) -> None:
    # No organiser and no attendees: nobody invited the user, so the notes are
    # the user's own and the address they typed is used.
    data = invite(organizer="", description="Contact: Laura <laura@acme.example>")
    reminders, _, _ = plan(tmp_path, data)
    check_in = next(r for r in reminders if r.stage.value == "check-in")
    assert check_in.recipient is not None
    assert check_in.recipient.email == "laura@acme.example"


@pytest.mark.parametrize(
    "uid", ["abc\\ndef", "abc\\nEND:VEVENT\\nBEGIN:VTODO", "a\x0bb", "x\u202ey"]
)
def test_a_uid_with_line_breaks_never_reaches_our_markers(tmp_path: Path, uid: str) -> None:
    # Found by the fuzzer: a UID holding an escaped line break went into our
    # X-CAL-FOLLOWUP-INTERVIEW marker, which icalendar writes unescaped.
    reminders, exported, outcome = plan(tmp_path, invite(uid=uid))
    assert reminders and not outcome.problems
    assert_only_our_structure(exported, reminders)
    assert all(re.fullmatch(r"uid-[0-9a-f]{32}", r.interview_uid) for r in reminders)
    assert any("a UID with control characters" in w for w in outcome.warnings)
