"""The mailbox part's pure pieces: folder roles, names, reply matching, URLs, messages."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cal_followup.config import load_settings
from cal_followup.errors import ConfigError
from cal_followup.mail.account import parse_imap_url
from cal_followup.mail.folders import (
    NEVER_READ,
    choose_drafts,
    decode_utf7,
    encode_utf7,
    parse_list,
    role_of,
)
from cal_followup.mail.message import build_draft, draft_hash, hash_of, message_id
from cal_followup.mail.replies import Headers, answering, applications, is_free_mail
from cal_followup.model import Draft, Interview, Person, Reminder, Stage, StopReason

LIST_ANSWER: list[object] = [
    b'(\\HasNoChildren) "/" INBOX',
    b'(\\HasChildren \\Noselect) "/" "[Gmail]"',
    b'(\\HasNoChildren \\Drafts) "/" "[Gmail]/Luonnokset"',
    b'(\\HasNoChildren \\Sent) "/" "[Gmail]/L&AOQ-hetetyt"',
    (b'(\\HasNoChildren \\Trash) "/" {17}', b"[Gmail]/Roskakori"),
    b"(\\HasNoChildren) NIL Archive",
    b'(\\HasNoChildren) "." "INBOX.Entw&APw-rfe"',
]


def test_list_answer_parsed_with_flags_literals_and_utf7() -> None:
    folders = {f.name: f for f in parse_list(LIST_ANSWER)}
    assert set(folders) == {
        "INBOX",
        "[Gmail]",
        "[Gmail]/Luonnokset",
        "[Gmail]/Lähetetyt",
        "[Gmail]/Roskakori",
        "Archive",
        "INBOX.Entwürfe",
    }
    assert folders["[Gmail]/Lähetetyt"].wire == "[Gmail]/L&AOQ-hetetyt"
    assert not folders["[Gmail]"].selectable
    assert folders["Archive"].delimiter is None
    assert role_of(folders["[Gmail]/Lähetetyt"]) == "sent"
    assert role_of(folders["[Gmail]/Roskakori"]) == "trash"
    assert role_of(folders["INBOX.Entwürfe"]) == "drafts"
    assert role_of(folders["INBOX"]) is None


def test_drafts_folder_flag_first_then_names_in_the_language() -> None:
    folders = parse_list(LIST_ANSWER)
    assert choose_drafts(folders, "en", None).name == "[Gmail]/Luonnokset"  # type: ignore[union-attr]
    unflagged = parse_list([b'(\\HasNoChildren) "." "INBOX.Brouillons"', b'() "." INBOX.Drafts'])
    assert choose_drafts(unflagged, "fr", None).name == "INBOX.Brouillons"  # type: ignore[union-attr]
    assert choose_drafts(unflagged, "en", None).name == "INBOX.Drafts"  # type: ignore[union-attr]
    assert choose_drafts(unflagged, "en", "INBOX.Brouillons").name == "INBOX.Brouillons"  # type: ignore[union-attr]
    assert choose_drafts(parse_list([b'() "/" INBOX']), "en", None) is None


@pytest.mark.parametrize(
    "name", ["Sent Items", "Éléments envoyés", "Lähetetyt", "Junk", "Spam", "Corbeille", "Drafts"]
)
def test_never_read_folders_by_name(name: str) -> None:
    (folder,) = parse_list([f'() "/" "{encode_utf7(name)}"'.encode()])
    assert role_of(folder) in NEVER_READ


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_modified_utf7_round_trip(name: str) -> None:
    wire = encode_utf7(name)
    assert wire.isascii()
    assert decode_utf7(wire) == name


def _interview(uid: str, start: datetime, email_address: str, **extra: object) -> Interview:
    return Interview(
        uid=uid,
        summary="Interview",
        start=start,
        end=start + timedelta(hours=1),
        zone="Europe/Helsinki",
        interviewers=(Person("Zoë", email_address),),
        **extra,  # type: ignore[arg-type]
    )


START = datetime(2026, 12, 1, 8, tzinfo=UTC)
ME = frozenset({"sam@example.net"})


def _headers(sender: str, when: datetime, reply_to: tuple[str, ...] = ()) -> Headers:
    return Headers("INBOX", sender, "", when, "<x@y>", reply_to)


def test_rounds_of_one_application_are_grouped() -> None:
    rounds = [
        _interview("a1", START, "zoe@acme.example", company="Acme", role="Engineer"),
        _interview(
            "a2", START + timedelta(days=7), "cto@acme.example", company="Acme", role="Engineer"
        ),
        _interview("b1", START, "x@gmail.com"),
    ]
    found = {a.key: a for a in applications(rounds, ME)}
    assert len(found) == 2
    acme = next(a for a in found.values() if "a1" in a.interview_uids)
    assert acme.interview_uids == ("a1", "a2") and acme.first_start == START
    assert acme.domains == frozenset({"acme.example"})
    lone = next(a for a in found.values() if "b1" in a.interview_uids)
    assert lone.domains == frozenset(), "a free-mail domain is nobody's company"


@pytest.mark.parametrize(
    ("sender", "offset", "expected"),
    [
        ("zoe@acme.example", 2, True),
        ("hr@acme.example", 2, True),
        ("hr@eu.acme.example", 2, True),
        ("zoe@acme.example", -30, False),  # before the first interview
        ("someone@other.example", 2, False),
        ("zoe@gmail.com", 2, False),
        ("no-reply@acme.example", 2, False),
        ("notifications+123@acme.example", 2, False),
        ("acme@greenhouse.io", 2, False),
        ("sam@example.net", 2, False),  # the user
    ],
)
def test_who_answers_an_application(sender: str, offset: int, expected: bool) -> None:
    (app,) = applications(
        [_interview("a1", START, "zoe@acme.example", company="Acme", role="Dev")], ME
    )
    when = START + timedelta(hours=offset)
    assert answering(_headers(sender, when), app, ME) is expected


def test_a_reply_to_our_draft_answers_even_from_another_address() -> None:
    (app,) = applications([_interview("a1", START, "zoe@gmail.com")], ME)
    later = START + timedelta(days=1)
    assert not answering(_headers("boss@corp.example", later), app, ME)
    ours = frozenset({"<abc@cal-followup.invalid>"})
    headers = _headers("boss@corp.example", later, ("<abc@cal-followup.invalid>",))
    assert answering(headers, app, ME, ours)


def test_free_mail_domains_include_subdomains() -> None:
    assert is_free_mail("gmail.com") and is_free_mail("eu.hotmail.com")
    assert not is_free_mail("acme.example")


@pytest.mark.parametrize(
    ("url", "secure", "port"),
    [("imaps://imap.example.com", True, 993), ("imap://mail.example.com:1143", False, 1143)],
)
def test_imap_urls(url: str, secure: bool, port: int) -> None:
    address = parse_imap_url(url)
    assert (address.secure, address.port) == (secure, port)


@pytest.mark.parametrize(
    "url", ["https://imap.example.com", "imaps://sam:secret@imap.example.com", "imaps://"]
)
def test_bad_imap_urls(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_imap_url(url)
    assert "secret" not in str(caught.value)


def test_loopback_hosts() -> None:
    assert parse_imap_url("imap://127.0.0.1").loopback
    assert parse_imap_url("imap://localhost:1143").loopback
    assert parse_imap_url("imap://[::1]").loopback
    assert not parse_imap_url("imap://mail.example.com").loopback


def test_config_refuses_imap_password_and_bad_url(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('imap_url = "imaps://imap.example.com"\nimap_password = "x"\n')
    with pytest.raises(ConfigError, match="do not belong"):
        load_settings(str(config), {}, default_zone="UTC")
    config.write_text('imap_url = "pop3://mail.example.com"\nme = ["a@b.example"]\n')
    with pytest.raises(ConfigError, match="imaps://"):
        load_settings(str(config), {}, default_zone="UTC")
    config.write_text('imap_url = "imaps://mail.example.com"\nme = ["a@b.example"]\n')
    settings = load_settings(str(config), {}, default_zone="UTC")
    assert settings.drafts and not settings.stop_on_reply
    assert settings.reply_folders == ("INBOX",)


def test_draft_message_round_trip() -> None:
    settings = load_settings(
        None, {"me": ["sam@example.net"], "name": "Sämi Ö"}, default_zone="UTC"
    )
    reminder = Reminder(
        uid="r1@cal-followup",
        interview_uid="i1",
        interview_recurrence_id=None,
        interview_summary="Entretien",
        stage=Stage.THANK_YOU,
        due=START,
        recipient=Person("Hélène Dupré", "helene@sge.example"),
        draft=Draft("Merci pour l'entretien – Développeur", "Bonjour Hélène,\n\nMerci.\n\nSämi"),
        language="fr",
        tone="formal",
    )
    raw = build_draft(reminder, settings, START).as_bytes()
    written, actual = hash_of(raw)
    assert written == actual == draft_hash(reminder)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == reminder.draft.subject
    assert parsed["Message-ID"] == message_id(reminder.uid)
    assert str(parsed["From"]) == "Sämi Ö <sam@example.net>"
    edited = raw.replace(b"Merci.", b"Merci beaucoup.")
    written, actual = hash_of(edited)
    assert written != actual


class _Action:
    def __init__(self, reminder: Reminder, kind: str = "create") -> None:
        self.reminder, self.kind, self.uid = reminder, kind, reminder.uid


def _reminder_due(due: datetime, stage: Stage = Stage.THANK_YOU) -> Reminder:
    return Reminder(
        uid=f"{stage.value}-{due.isoformat()}",
        interview_uid="i1",
        interview_recurrence_id=None,
        interview_summary="Interview",
        stage=stage,
        due=due,
        recipient=None,
        draft=Draft("s", "b"),
        language="en",
        tone="formal",
    )


@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    ahead_minutes=st.integers(min_value=-3000, max_value=5000),
    zone=st.sampled_from(["Europe/Helsinki", "America/St_Johns", "Pacific/Kiritimati", "UTC"]),
)
def test_drafts_are_placed_for_the_coming_day_and_never_further(
    now: datetime, ahead_minutes: int, zone: str
) -> None:
    from zoneinfo import ZoneInfo

    from cal_followup.mail.drafts import desired_drafts

    due = now + timedelta(minutes=ahead_minutes)
    chosen = desired_drafts([_Action(_reminder_due(due))], now, set(), ZoneInfo(zone))
    if timedelta(0) <= due - now <= timedelta(hours=24):
        assert chosen, "anything due within a day has its draft"
    if chosen:
        assert timedelta(0) <= due - now < timedelta(hours=49), "never more than the next day"


def test_answered_applications_get_no_check_in_or_closing_drafts() -> None:
    from zoneinfo import ZoneInfo

    from cal_followup.mail.drafts import desired_drafts

    soon = START + timedelta(hours=2)
    actions = [_Action(_reminder_due(soon, stage)) for stage in Stage]
    chosen = desired_drafts(actions, START, {"i1"}, ZoneInfo("UTC"))
    assert {r.stage for r in chosen.values()} == {Stage.THANK_YOU, Stage.AFTER_REJECTION}
    kept = desired_drafts([_Action(_reminder_due(soon), "kept-edited")], START, set(), UTC)
    assert kept == {}


@given(st.lists(st.one_of(st.binary(max_size=80), st.tuples(st.binary(), st.binary())), max_size=8))
def test_any_list_answer_is_read_without_error(lines: list[object]) -> None:
    for folder in parse_list(lines):
        assert isinstance(folder.name, str)
        role_of(folder)


@given(st.binary(max_size=400), st.none() | st.datetimes(timezones=st.just(UTC)))
def test_any_headers_are_read_without_error(raw: bytes, internal: datetime | None) -> None:
    from cal_followup.mail.replies import parse_headers

    headers = parse_headers("INBOX", raw, internal)
    assert headers.sender == headers.sender.lower()
    assert hash_of(raw)[0] is None or isinstance(hash_of(raw)[0], str)


def test_a_draft_to_an_international_domain_is_still_ours() -> None:
    settings = load_settings(None, {"me": ["sam@example.net"]}, default_zone="UTC")
    reminder = Reminder(
        uid="r2@cal-followup",
        interview_uid="i2",
        interview_recurrence_id=None,
        interview_summary="Haastattelu",
        stage=Stage.THANK_YOU,
        due=START,
        recipient=Person("Äijä", "aija@yhtiö.example"),
        draft=Draft("Kiitos", "Hei Äijä,\n\nkiitos.\n"),
        language="fi",
        tone="formal",
    )
    raw = build_draft(reminder, settings, START).as_bytes()
    assert b"xn--" in raw
    written, actual = hash_of(raw)
    assert written == actual == draft_hash(reminder)


class _RecordingConnection:
    """Stands in for imaplib on a server without UIDPLUS: records the commands sent."""

    def __init__(self, deleted: bytes) -> None:
        self.deleted = deleted
        self.sent: list[tuple[str, ...]] = []

    def uid(self, command: str, *args: str) -> tuple[str, list[bytes]]:
        self.sent.append((command, *args))
        return ("OK", [self.deleted]) if command == "SEARCH" else ("OK", [b""])

    def expunge(self) -> tuple[str, list[bytes]]:
        self.sent.append(("EXPUNGE",))
        return "OK", [b""]


@pytest.mark.parametrize(("deleted", "expected"), [(b"", True), (b"7", True), (b"7 9", False)])
def test_without_uidplus_expunge_only_when_nothing_else_is_marked_deleted(
    deleted: bytes, expected: bool
) -> None:
    from cal_followup.mail.drafts import DraftsFolder

    folder = DraftsFolder.__new__(DraftsFolder)
    folder.conn = _RecordingConnection(deleted)  # type: ignore[assignment]
    folder.uidplus = False
    assert folder.delete("7") is expected
    sent = [command[0] for command in folder.conn.sent]  # type: ignore[attr-defined]
    if expected:
        assert sent == ["SEARCH", "STORE", "EXPUNGE"]
    else:
        assert sent == ["SEARCH"], "nothing flagged, nothing expunged"


def test_a_round_one_interviewer_answers_the_application_of_round_two() -> None:
    """Grouped as the planner groups: a round of unknown role joins the application."""
    round_one = _interview("r1", START, "zoe@acme.example", company="Acme", role="Engineer")
    round_two = Interview(
        uid="r2",
        summary="Acme: final interview",
        start=START + timedelta(days=8),
        end=START + timedelta(days=8, hours=1),
        zone="Europe/Helsinki",
        interviewers=(Person("Virtanen, Matti", "matti@gmail.com"),),
        company="Acme",
        contact=Person("Greenhouse", "no-reply@greenhouse.io"),
    )
    (app,) = applications([round_two, round_one], ME)
    assert app.interview_uids == ("r1", "r2") and app.first_start == START
    assert app.addresses == frozenset({"zoe@acme.example", "matti@gmail.com"})
    assert app.domains == frozenset({"acme.example"})
    between = START + timedelta(days=3)  # after round 1, before round 2: it counts
    assert answering(_headers("zoe@acme.example", between), app, ME)
    assert answering(_headers("matti@gmail.com", between), app, ME)
    assert not answering(_headers("no-reply@greenhouse.io", between), app, ME)
    assert not answering(_headers("zoe@acme.example", START - timedelta(hours=1)), app, ME)


def test_the_contact_answers_and_a_stopped_application_is_not_looked_for() -> None:
    contact = Person("Watson, Emily", "emily.watson@recruiters.example")
    interview = _interview(
        "c1", START, "zoe@acme.example", company="Acme", role="Dev", contact=contact,
        contact_stated=True,
    )  # fmt: skip
    (app,) = applications([interview], ME)
    later = START + timedelta(days=1)
    assert answering(_headers("emily.watson@recruiters.example", later), app, ME)
    assert applications([replace(interview, stop_reason=StopReason.REPLIED)], ME) == []


def test_a_sender_the_automated_list_names_never_answers() -> None:
    """The list is data/automated_senders.toml, shared with the planner."""
    from cal_followup.applications import is_automated

    (app,) = applications([_interview("a1", START, "zoe@acme.example", company="Acme")], ME)
    later = START + timedelta(days=1)
    for sender in ("careers@myworkday.com", "noreply@acme.example", "scheduling@calendly.com"):
        assert is_automated(sender)
        assert not answering(_headers(sender, later), app, ME)


def test_imap_ca_cert_expands_the_home_folder(tmp_path, monkeypatch) -> None:
    import shutil

    from cal_followup.config import Settings
    from cal_followup.mail.account import _tls_context
    from tests.mailserver import TLS_CERT

    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copy(TLS_CERT, tmp_path / "ca.pem")
    context = _tls_context(Settings(imap_ca_cert="~/ca.pem").imap)
    assert context.get_ca_certs()
