"""Stop on reply: did an application's people write to the user since the first interview?

Pure matching first: ``applications`` groups interviews exactly as the
planner does (``cal_followup.applications``), so an answer stops the very
check-in and closing the plan holds for that application; ``answering``
decides whether one message's headers answer one of them: the sender is one of its
people (an interviewer or the contact), or writes from its company's domain
when that domain is not a public mail provider, or the message replies to a
draft we placed for it; never the user, never an automated sender, never
before the application's first interview. ``scan`` then reads only headers
with ``BODY.PEEK`` from folders opened read-only (``EXAMINE``), so nothing in
the mailbox is marked read, moved or deleted.
"""

from __future__ import annotations

import calendar
import email
import email.policy
import imaplib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses, parsedate_to_datetime

from cal_followup.applications import group_applications, is_automated, is_free_mail
from cal_followup.mail.folders import Folder, quote
from cal_followup.model import Application, Interview, Person

#: At most this many of the newest messages per folder are looked at in a run.
MAX_MESSAGES = 5000
FETCH_CHUNK = 200
HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (FROM DATE MESSAGE-ID IN-REPLY-TO)]"


@dataclass(frozen=True)
class MailApplication:
    """What stop-on-reply needs of one ``Application`` (``key`` is the application's)."""

    key: str
    label: str
    interview_uids: tuple[str, ...]
    first_start: datetime
    addresses: frozenset[str]
    domains: frozenset[str]


@dataclass(frozen=True)
class Headers:
    folder: str
    sender: str  # lower-case address
    sender_name: str
    date: datetime | None
    message_id: str | None
    in_reply_to: tuple[str, ...]


def _within(domain: str, parents: Iterable[str]) -> bool:
    return any(domain == p or domain.endswith("." + p) for p in parents)


def mail_application(application: Application, me: frozenset[str]) -> MailApplication:
    """What stop-on-reply needs of ``application``: its interviews, first start and people.

    Its people are every interviewer of every round (a series' days included)
    and the application's contact, never the user or an automated sender; its
    company's domains are theirs when not a public mail provider or the user's.
    """
    people: list[Person | None] = [application.contact]
    for interview in application.interviews:
        if not interview.cancelled:
            people.extend([*interview.interviewers, interview.contact])
    addresses = {p.email.strip().lower() for p in people if p and p.email and "@" in p.email} - me
    addresses = {a for a in addresses if not is_automated(a)}
    my_domains = {m.rpartition("@")[2] for m in me}
    domains = {
        a.rpartition("@")[2]
        for a in addresses
        if not is_free_mail(a.rpartition("@")[2]) and a.rpartition("@")[2] not in my_domains
    }
    # Messages count from the first interview that took place (or is planned), not a cancelled one.
    first = application.rounds[0] if application.rounds else application.interviews[0]
    return MailApplication(
        key=application.key,
        label=application.heading,
        interview_uids=tuple(dict.fromkeys(i.uid for i in application.interviews)),
        first_start=first.start,
        addresses=frozenset(addresses),
        domains=frozenset(domains),
    )


def applications(interviews: Iterable[Interview], me: frozenset[str]) -> list[MailApplication]:
    """The applications the planner sees (``group_applications``) that nobody stopped yet."""
    return [
        mail_application(application, me)
        for application in group_applications(interviews)
        if application.stop_reason is None
    ]


def answering(
    headers: Headers,
    application: MailApplication,
    me: frozenset[str],
    our_message_ids: frozenset[str] = frozenset(),
) -> bool:
    """Whether this message is an answer from the application's people."""
    sender = headers.sender
    if not sender or sender in me or is_automated(sender):
        return False
    if headers.date is None or headers.date < application.first_start:
        return False
    domain = sender.rpartition("@")[2]
    if sender in application.addresses:
        return True
    if domain and not is_free_mail(domain) and _within(domain, application.domains):
        return True
    return bool(our_message_ids & set(headers.in_reply_to))


def parse_headers(folder: str, raw: bytes, internal: datetime | None) -> Headers:
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    pairs = getaddresses([str(v) for v in parsed.get_all("From", [])])
    name, address = pairs[0] if pairs else ("", "")
    date: datetime | None = None
    try:
        value = parsed.get("Date")
        date = parsedate_to_datetime(str(value)) if value else None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        date = None
    # The server's arrival time is the truth when the sender's clock is absent or odd.
    if internal is not None and (date is None or abs((date - internal).days) > 2):
        date = internal
    reply_to = tuple(re.findall(r"<[^<>\s]+>", str(parsed.get("In-Reply-To", ""))))
    message_id = str(parsed.get("Message-ID", "")).strip() or None
    return Headers(folder, address.strip().lower(), name, date, message_id, reply_to)


def _internal_date(meta: bytes) -> datetime | None:
    match = re.search(rb'INTERNALDATE "[^"]+"', meta)
    if not match:
        return None
    parsed = imaplib.Internaldate2tuple(match.group(0))
    if parsed is None:
        return None

    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def read_headers(conn: object, folder: Folder, since: datetime) -> list[Headers]:
    """Headers of the messages in ``folder`` that arrived on or after ``since``'s day.

    The folder is opened with EXAMINE (read-only) and only ``BODY.PEEK`` is
    fetched, so no flag changes, not even \\Seen.
    """
    assert isinstance(conn, imaplib.IMAP4)
    status, _ = conn.select(quote(folder.wire), readonly=True)
    if status != "OK":
        return []
    # SINCE compares dates in the server's zone: a day earlier misses nothing.
    day = imaplib.Time2Internaldate((since - timedelta(days=1)).timestamp())
    day = day.strip('"').split(" ")[0]
    status, data = conn.uid("SEARCH", "SINCE", day)
    if status != "OK" or not data or not data[0]:
        return []
    uids = [u for u in bytes(data[0]).split() if u.isdigit()][-MAX_MESSAGES:]
    found: list[Headers] = []
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = b",".join(uids[start : start + FETCH_CHUNK]).decode("ascii")
        status, rows = conn.uid("FETCH", chunk, f"(INTERNALDATE {HEADER_FIELDS})")
        if status != "OK":
            continue
        for row in rows:
            if isinstance(row, tuple) and len(row) >= 2:
                meta, raw = bytes(row[0]), bytes(row[1])
                found.append(parse_headers(folder.name, raw, _internal_date(meta)))
    return found
