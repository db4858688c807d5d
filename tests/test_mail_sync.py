"""`sync` with a mailbox, against a real IMAP server (pymap): drafts and stop on reply.

The calendar is an .ics file updated in place (the calendar side is tested
against CalDAV servers elsewhere); the mailbox is a real pymap account.
"""

from __future__ import annotations

import email.policy
import email.utils
from email.headerregistry import Address
from pathlib import Path

import icalendar
import pytest

from cal_followup.cli import main
from cal_followup.mail.message import HASH_HEADER, message_id
from tests.mailserver import (
    IMAP_PASSWORD,
    IMAP_TOKEN,
    IMAP_USER,
    TLS_CERT,
    ImapServer,
    Mailbox,
    imap_server,
    starttls_imap_server,
    xoauth2_imap_server,
)

__all__ = ["imap_server", "starttls_imap_server", "xoauth2_imap_server"]

EVENTS = {
    "acme-1@example.com": (
        "20261201T100000",
        "20261201T110000",
        "Interview with Acme Oy – Data Engineer",
        "Company: Acme Oy\\nRole: Data Engineer",
        ("Zoë O'Brien", "zoe.obrien@acme.example"),
    ),
    "kiitos-1@example.com": (
        "20261201T120000",
        "20261201T130000",
        "Haastattelu: Kiitos Oy – Ohjelmistokehittäjä",
        "Company: Kiitos Oy\\nRole: Ohjelmistokehittäjä\\nLanguage: fi",
        ("Jyrki Mäkelä", "jyrki.makela@kiitos.example"),
    ),
    "sge-1@example.com": (
        "20261201T133000",
        "20261201T143000",
        "Entretien Société Générale Électrique – Développeur",
        "Company: Société Générale Électrique\\nRole: Développeur\\nLanguage: fr",
        ("Hélène Dupré", "helene.dupre@sge.example"),
    ),
}
NOW = "2026-12-01T15:00"  # the three thank-yous are due within a day
CHECK_IN_EVE = "2026-12-07T12:00"  # Acme's check-in (Dec 8, 09:00) is due within a day


def calendar_text(cancelled: set[str] | None = None) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN"]
    for uid, (start, end, summary, notes, (name, address)) in EVENTS.items():
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261120T101500Z",
            f"DTSTART;TZID=Europe/Helsinki:{start}",
            f"DTEND;TZID=Europe/Helsinki:{end}",
            f"SUMMARY:{summary}",
            f"DESCRIPTION:{notes}",
            f"ORGANIZER;CN={name}:mailto:{address}",
            f'ATTENDEE;CN="{name}";PARTSTAT=ACCEPTED:mailto:{address}',
            "ATTENDEE;CN=Sam Candidate;PARTSTAT=ACCEPTED:mailto:sam.candidate@example.net",
        ]
        if cancelled and uid in cancelled:
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


class Setup:
    def __init__(
        self,
        tmp_path: Path,
        server: ImapServer,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        extra: str = "",
    ) -> None:
        self.calendar = tmp_path / "calendar.ics"
        self.calendar.write_text(calendar_text(), encoding="utf-8")
        # Reminders go to their own file, so the tests can rewrite the interviews.
        self.target = tmp_path / "reminders.ics"
        self.target.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nEND:VCALENDAR\r\n"
        )
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            'timezone = "Europe/Helsinki"\ncountry = "FI"\n'
            'me = ["sam.candidate@example.net"]\nname = "Sam Candidate"\n'
            f'imap_url = "{server.url}"\nimap_user = "{IMAP_USER}"\n' + extra,
            encoding="utf-8",
        )
        self.capsys = capsys
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
        monkeypatch.setenv("CAL_FOLLOWUP_IMAP_PASSWORD", IMAP_PASSWORD)
        monkeypatch.delenv("CAL_FOLLOWUP_PASSWORD", raising=False)

    def run(self, *argv: str, now: str = NOW) -> tuple[int, str, str]:
        status = main([*argv, "--config", str(self.config), "--now", now])
        out, err = self.capsys.readouterr()
        return status, out, err

    def sync(self, *extra: str, now: str = NOW) -> tuple[int, str, str]:
        return self.run("sync", str(self.calendar), "--target", str(self.target), *extra, now=now)

    def reminders(self) -> dict[str, icalendar.cal.Component]:
        calendar = icalendar.Calendar.from_ical(self.target.read_bytes())
        return {
            str(c["UID"]): c
            for c in calendar.walk("VEVENT")
            if c.get("X-CAL-FOLLOWUP-STAGE") is not None
        }


@pytest.fixture
def mailbox(imap_server: ImapServer) -> Mailbox:
    box = Mailbox(imap_server)
    yield box  # type: ignore[misc]
    box.close()


def test_drafts_placed_once_with_correct_headers(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    status, out, err = setup.sync()
    assert status == 0, err
    assert out.count("draft placed") == 3, out
    assert "Drafts" in mailbox.folders()
    drafts = mailbox.messages("Drafts")
    assert len(drafts) == 3
    assert all(b"\\Draft" in flags for flags, _ in drafts.values())
    thank_yous = {
        uid: c for uid, c in setup.reminders().items() if c["X-CAL-FOLLOWUP-STAGE"] == "thank-you"
    }
    parsed = {str(m["Message-ID"]): m for m in mailbox.parsed("Drafts")}
    assert set(parsed) == {message_id(uid) for uid in thank_yous}
    by_address = {m["To"].addresses[0].addr_spec: m for m in parsed.values()}
    expected_names = {
        "zoe.obrien@acme.example": "Zoë O'Brien",
        "jyrki.makela@kiitos.example": "Jyrki Mäkelä",
        "helene.dupre@sge.example": "Hélène Dupré",
    }
    for address, name in expected_names.items():
        message = by_address[address]
        assert message["To"].addresses[0].display_name == name
        assert message["From"].addresses[0] == Address(
            "Sam Candidate", addr_spec="sam.candidate@example.net"
        )
        assert email.utils.parsedate_to_datetime(str(message["Date"])) is not None
        assert message[HASH_HEADER]
        body = message.get_body(("plain",)).get_content()
        assert "Sam" in body
    # Raw headers are 7-bit: non-ASCII names and subjects are RFC 2047 encoded words.
    for _, raw in drafts.values():
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii() and b"=?utf-8?" in head.lower()
    fi = by_address["jyrki.makela@kiitos.example"]
    fr = by_address["helene.dupre@sge.example"]
    assert "Ohjelmistokehittäjä" in str(fi["Subject"]) + fi.get_body(("plain",)).get_content()
    assert "Développeur" in str(fr["Subject"]) + fr.get_body(("plain",)).get_content()
    assert fi["Content-Language"] == "fi" and fr["Content-Language"] == "fr"

    status, out, err = setup.sync()
    assert (status, out, err) == (0, "", ""), "a second run is silent"
    assert mailbox.messages("Drafts") == drafts, "and appends nothing"


def test_existing_drafts_folder_found_by_usual_name(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    mailbox.create("Luonnokset")
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys, 'language = "fi"\n')
    assert setup.sync()[0] == 0
    assert "Drafts" not in mailbox.folders()
    assert len(mailbox.messages("Luonnokset")) == 3


def test_user_edited_draft_left_alone_and_withdrawn_untouched_draft_removed(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    assert setup.sync()[0] == 0
    by_id = {str(m["Message-ID"]): m for m in mailbox.parsed("Drafts")}
    uids = {
        str(email.message_from_bytes(raw, policy=email.policy.default)["To"]): uid
        for uid, (_, raw) in mailbox.messages("Drafts").items()
    }
    acme_uid = next(uid for to, uid in uids.items() if "acme" in to)
    kiitos_uid = next(uid for to, uid in uids.items() if "kiitos" in to)
    mailbox.replace_body("Drafts", acme_uid, "Hi Zoë, my own words.\n\nSam")
    # Both interviews are cancelled: their thank-yous are withdrawn.
    setup.calendar.write_text(
        calendar_text({"acme-1@example.com", "kiitos-1@example.com"}), encoding="utf-8"
    )
    status, out, err = setup.sync()
    assert status == 0, err
    assert "draft removed" in out and out.count("draft removed") == 1, out
    left = mailbox.parsed("Drafts")
    bodies = [m.get_body(("plain",)).get_content() for m in left]
    assert any("my own words" in b for b in bodies), "the edited draft stays"
    assert len(left) == 2
    assert kiitos_uid not in mailbox.messages("Drafts")
    assert len(by_id) == 3
    # And it stays the user's: restoring the interview changes nothing in Drafts.
    setup.calendar.write_text(calendar_text(), encoding="utf-8")
    before = mailbox.messages("Drafts")
    setup.sync()
    after = mailbox.messages("Drafts")
    assert any("my own words" in raw.decode("utf-8", "replace") for _, raw in after.values())
    assert set(before) <= set(after)


def test_sent_draft_is_not_placed_again(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    setup.sync()
    first = next(iter(mailbox.messages("Drafts")))
    mailbox.delete("Drafts", first)  # sent (or deleted) by the user
    status, out, _ = setup.sync()
    assert status == 0 and "draft placed" not in out
    assert len(mailbox.messages("Drafts")) == 2


def test_dry_run_shows_drafts_and_writes_nothing(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    mailbox.create("Drafts")
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    status, out, err = setup.sync("--dry-run")
    assert status == 0, err
    assert out.count("would place draft") == 3
    assert "dry run, mailbox: 3 drafts to place" in out
    assert mailbox.messages("Drafts") == {}


STOP = 'stop_on_reply = true\nreply_folders = ["INBOX", "Sent"]\n'


def _stages(setup: Setup, interview: str) -> set[str]:
    return {
        str(c["X-CAL-FOLLOWUP-STAGE"])
        for c in setup.reminders().values()
        if str(c["X-CAL-FOLLOWUP-INTERVIEW"]) == interview
    }


def test_reply_from_interviewer_stops_the_application(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys, STOP)
    assert setup.sync(now=CHECK_IN_EVE)[0] == 0
    assert {"check-in", "keep-in-touch"} <= _stages(setup, "acme-1@example.com")
    check_in_uid = next(
        uid
        for uid, c in setup.reminders().items()
        if str(c["X-CAL-FOLLOWUP-INTERVIEW"]) == "acme-1@example.com"
        and str(c["X-CAL-FOLLOWUP-STAGE"]) == "check-in"
    )
    ids = {str(m["Message-ID"]) for m in mailbox.parsed("Drafts")}
    assert message_id(check_in_uid) in ids
    inbox_before = mailbox.flags("INBOX")
    # Not answers: an unrelated sender, a free-mail address, an automated sender,
    # the interviewer's own message filed in Sent, and one before the interview.
    mailbox.deliver("INBOX", "Someone <someone@elsewhere.example>", "Mon, 07 Dec 2026 10:00 +0200")
    mailbox.deliver("INBOX", "Zoë <zoe.obrien@gmail.com>", "Mon, 07 Dec 2026 10:05 +0200")
    mailbox.deliver("INBOX", "Acme <no-reply@acme.example>", "Mon, 07 Dec 2026 10:10 +0200")
    mailbox.deliver("Sent", "Zoë <zoe.obrien@acme.example>", "Mon, 07 Dec 2026 10:20 +0200")
    mailbox.deliver("INBOX", "Zoë <zoe.obrien@acme.example>", "Mon, 30 Nov 2026 10:00 +0200")
    status, out, err = setup.sync("--dry-run", now="2026-12-07T12:30")
    assert status == 0, err
    assert "answered" not in out, out
    assert "holds sent" in err  # Sent in reply_folders is refused, with a warning
    status, out, err = setup.sync(now="2026-12-07T12:30")
    assert (status, out, err) == (0, "", "")
    assert "check-in" in _stages(setup, "acme-1@example.com")
    flags_before = mailbox.flags("INBOX")

    mailbox.deliver(
        "INBOX", "Zoë O'Brien <zoe.obrien@acme.example>", "Mon, 07 Dec 2026 12:40 +0200"
    )
    flags_before = mailbox.flags("INBOX")
    status, out, err = setup.sync(now="2026-12-07T13:00")
    assert status == 0, err
    assert "answered: " in out and "zoe.obrien@acme.example" in out, out
    assert "draft removed" in out
    stages = _stages(setup, "acme-1@example.com")
    assert "check-in" not in stages and "closing" not in stages
    assert "keep-in-touch" not in stages, "a reply stops keep-in-touch too"
    assert "check-in" in _stages(setup, "kiitos-1@example.com"), "other applications go on"
    ids = {str(m["Message-ID"]) for m in mailbox.parsed("Drafts")}
    assert message_id(check_in_uid) not in ids, "the check-in draft is removed"
    assert [m for m in mailbox.parsed("Drafts") if "acme" in str(m["To"])], "the thank-you stays"
    assert mailbox.flags("INBOX") == flags_before, "nothing marked read"
    assert set(inbox_before) <= set(mailbox.flags("INBOX"))
    for uid, flags in inbox_before.items():
        assert mailbox.flags("INBOX")[uid] == flags

    status, out, _ = setup.run(
        "status", str(setup.calendar), "--target", str(setup.target), now="2026-12-07T13:05"
    )
    assert status == 0
    assert "answered: Acme Oy – Data Engineer: message from zoe.obrien@acme.example" in out
    assert "2026-12-07 12:40" in out and "INBOX" in out


ROUND_TWO = "\r\n".join(
    [
        "BEGIN:VEVENT",
        "UID:acme-2@example.com",
        "DTSTAMP:20261202T101500Z",
        "DTSTART;TZID=Europe/Helsinki:20261209T100000",
        "DTEND;TZID=Europe/Helsinki:20261209T110000",
        "SUMMARY:Acme Oy: final interview",
        "DESCRIPTION:Company: Acme Oy",
        "ORGANIZER;CN=\"Virtanen, Matti\":mailto:matti.virtanen@gmail.com",
        "ATTENDEE;CN=\"Virtanen, Matti\";PARTSTAT=ACCEPTED:mailto:matti.virtanen@gmail.com",
        "ATTENDEE;CN=Sam Candidate;PARTSTAT=ACCEPTED:mailto:sam.candidate@example.net",
        "END:VEVENT",
        "",
    ]
)


def test_reply_from_a_round_one_interviewer_stops_the_round_two_follow_ups(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    """Rounds are one application: the round-1 interviewer's answer stops round 2's."""
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys, STOP)
    text = calendar_text().replace("END:VCALENDAR", ROUND_TWO + "END:VCALENDAR")
    setup.calendar.write_text(text, encoding="utf-8")
    assert setup.sync(now="2026-12-09T15:00")[0] == 0
    assert {"check-in", "closing", "keep-in-touch"} <= _stages(setup, "acme-2@example.com")
    assert not {"check-in", "closing"} & _stages(setup, "acme-1@example.com")
    # Round 2's interviewer writes from a free-mail address, so only round 1's
    # people make Acme's domain theirs: the answer comes from round 1.
    mailbox.deliver(
        "INBOX", "Zoë O'Brien <zoe.obrien@acme.example>", "Thu, 10 Dec 2026 09:00 +0200"
    )
    status, out, err = setup.sync(now="2026-12-10T10:00")
    assert status == 0, err
    assert out.count("answered:") == 1 and "zoe.obrien@acme.example" in out, out
    assert _stages(setup, "acme-2@example.com") == {"thank-you"}
    assert "check-in" in _stages(setup, "kiitos-1@example.com"), "other applications go on"


def test_company_domain_counts_but_not_a_free_mail_domain(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys, STOP)
    mailbox.deliver("INBOX", "HR <hr@sge.example>", "Wed, 02 Dec 2026 09:00 +0200")
    status, out, err = setup.sync(now="2026-12-02T10:00")
    assert status == 0, err
    assert "Société Générale Électrique" in out and "hr@sge.example" in out
    assert out.count("answered:") == 1


def test_wrong_password_is_one_line_and_the_calendar_is_done(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    monkeypatch.setenv("CAL_FOLLOWUP_IMAP_PASSWORD", "wrong-secret")
    status, out, err = setup.sync()
    assert status == 1
    assert err.strip().count("\n") == 0, err
    assert "refused the user name or password" in err and "wrong-secret" not in err + out
    assert "Traceback" not in err
    assert len(setup.reminders()) > 0, "the calendar part completed"
    assert "created" in out


def test_unreachable_server_is_one_line_and_the_calendar_is_done(
    tmp_path: Path, imap_server: ImapServer, monkeypatch, capsys
) -> None:
    from tests.servers import free_port

    dead = ImapServer(free_port(), imap_server.log)
    setup = Setup(tmp_path, dead, monkeypatch, capsys)
    status, out, err = setup.sync()
    assert status == 1
    assert err.strip().count("\n") == 0, err
    assert "connection refused" in err
    assert len(setup.reminders()) > 0
    status, out, _ = setup.run("status", str(setup.calendar), "--target", str(setup.target))
    assert "last mailbox run:" in out and "failed" in out


def test_starttls_with_own_ca_and_a_certificate_failure(
    tmp_path: Path, starttls_imap_server: ImapServer, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, starttls_imap_server, monkeypatch, capsys)
    status, out, err = setup.sync("--dry-run")
    assert status == 1
    assert err.strip() == (
        f"cal-followup: mailbox: {starttls_imap_server.url}: "
        "TLS certificate verification failed (see imap_ca_cert)"
    )
    assert "would create" in out, "the calendar part still ran"
    with setup.config.open("a") as config:
        config.write(f'imap_ca_cert = "{TLS_CERT}"\n')
    status, out, err = setup.sync()
    assert status == 0, err
    assert out.count("draft placed") == 3


def test_dry_run_names_the_answer_and_changes_nothing(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys, STOP)
    mailbox.deliver("INBOX", "Jyrki <jyrki.makela@kiitos.example>", "Wed, 02 Dec 2026 09:00 +0200")
    flags = mailbox.flags("INBOX")
    status, out, err = setup.sync("--dry-run", now="2026-12-02T10:00")
    assert status == 0, err
    assert "would mark answered: Kiitos Oy" in out and "jyrki.makela@kiitos.example" in out
    assert mailbox.flags("INBOX") == flags
    assert "Drafts" not in mailbox.folders()
    status, out, _ = setup.run(
        "status", str(setup.calendar), "--target", str(setup.target), now="2026-12-02T10:00"
    )
    assert "answered:" not in out


@pytest.mark.parametrize("token", [IMAP_TOKEN, "expired-imap-token"])
def test_imap_token_command_uses_xoauth2(
    tmp_path: Path, xoauth2_imap_server: ImapServer, monkeypatch, capsys, token: str
) -> None:
    import json
    import shlex
    import sys

    printer = tmp_path / "token.py"
    printer.write_text(f"print({token!r})\n")
    command = json.dumps(shlex.join([sys.executable, str(printer)]))
    setup = Setup(
        tmp_path, xoauth2_imap_server, monkeypatch, capsys, f"imap_token_command = {command}\n"
    )
    monkeypatch.delenv("CAL_FOLLOWUP_IMAP_PASSWORD")
    status, out, err = setup.sync("--debug")
    assert token not in out + err
    assert len(setup.reminders()) > 0, "the calendar part completed"
    if token == IMAP_TOKEN:
        assert status == 0, err
        assert out.count("draft placed") == 3
    else:
        assert status == 1
        assert err.strip() == (
            f"cal-followup: mailbox: {xoauth2_imap_server.url}: "
            "the IMAP server refused the access token"
        )


def test_a_run_without_the_mailbox_is_finished_by_the_next(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    assert setup.sync()[0] == 0
    setup.calendar.write_text(calendar_text({"kiitos-1@example.com"}), encoding="utf-8")
    monkeypatch.setenv("CAL_FOLLOWUP_IMAP_PASSWORD", "wrong")
    status, out, err = setup.sync()
    # Its thank-you, check-in, closing and keep-in-touch (a draft is placed for the first one).
    assert status == 1 and "4 withdrawn" in out, out + err
    assert len(mailbox.messages("Drafts")) == 3
    monkeypatch.setenv("CAL_FOLLOWUP_IMAP_PASSWORD", IMAP_PASSWORD)
    status, out, err = setup.sync()
    assert status == 0, err
    assert out.count("draft removed") == 1 and "withdrawn" not in out, out
    assert len(mailbox.messages("Drafts")) == 2
    assert setup.sync() == (0, "", "")


def test_status_json_shows_the_mailbox(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    import json

    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    setup.sync()
    status, out, _ = setup.run(
        "status", str(setup.calendar), "--target", str(setup.target), "--json"
    )
    assert status == 0
    box = json.loads(out)["mailbox"]
    assert box["account"] == imap_server.url and box["user"] == IMAP_USER
    assert box["drafts"] == {"placed": 3}
    assert box["last_result"].endswith("ok: 3 drafts placed")
    assert box["answered"] == []


def test_other_messages_in_drafts_survive_even_when_marked_deleted(
    tmp_path: Path, imap_server: ImapServer, mailbox: Mailbox, monkeypatch, capsys
) -> None:
    mailbox.create("Drafts")
    mailbox.deliver("Drafts", "Sam <sam.candidate@example.net>", "Tue, 01 Dec 2026 08:00 +0200")
    mailbox.deliver(
        "Drafts",
        "Sam <sam.candidate@example.net>",
        "Tue, 01 Dec 2026 08:05 +0200",
        flags=r"(\Deleted)",
    )
    theirs = mailbox.messages("Drafts")
    setup = Setup(tmp_path, imap_server, monkeypatch, capsys)
    status, out, err = setup.sync()
    assert status == 0 and out.count("draft placed") == 3, out + err
    setup.calendar.write_text(calendar_text(set(EVENTS)), encoding="utf-8")
    status, out, err = setup.sync()
    assert status == 0 and out.count("draft removed") == 3, out + err
    assert mailbox.messages("Drafts") == theirs, "the user's drafts, flags and all, untouched"
