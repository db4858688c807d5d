"""A reminder's draft as a MIME message, and how to tell it is still as we wrote it.

Built with the stdlib ``email`` package under the SMTP policy, so non-ASCII
names and subjects become RFC 2047 encoded words and the text is UTF-8 in
quoted-printable: every mail program shows it right, and it survives any
IMAP server. The ``Message-ID`` is derived from the reminder's UID, so a
later run finds the draft again; ``X-Cal-Followup-Hash`` holds a hash of
what we wrote (recipient, subject, text), so a draft the user edited and
saved under the same Message-ID is recognised as theirs.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from cal_followup.config import Settings
from cal_followup.model import Person, Reminder

MESSAGE_ID_DOMAIN = "cal-followup.invalid"
HASH_HEADER = "X-Cal-Followup-Hash"


def message_id(reminder_uid: str) -> str:
    digest = hashlib.sha256(("draft\x1f" + reminder_uid).encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


def content_hash(to: str, subject: str, body: str) -> str:
    """Of what the user would change: the recipient, the subject and the text."""
    normal = "\n".join(line.rstrip() for line in body.replace("\r\n", "\n").split("\n")).strip()
    key = "\x1f".join([to.strip().lower(), " ".join(subject.split()), normal])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _address(person: Person | None, *, as_written: bool = False) -> Address | None:
    if person is None or not person.email or "@" not in person.email:
        return None
    local, _, domain = person.email.strip().rpartition("@")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        domain = domain.encode("idna").decode("ascii")
    # "Emily Watson <…>", not the CN "Watson, Emily" (a comma a mail program may misread).
    # The user's own name stays as configured.
    shown = (person.name or "").strip() if as_written else person.display_name or ""
    return Address(display_name=shown, username=local, domain=domain)


def build_draft(reminder: Reminder, settings: Settings, now: datetime) -> EmailMessage:
    """The draft of ``reminder`` from the user to its recipient."""
    message = EmailMessage(policy=email.policy.SMTP)
    me = settings.me[0] if settings.me else None
    sender = _address(Person(settings.name, me), as_written=True)
    if sender is not None:
        message["From"] = sender
    recipient = _address(reminder.recipient)
    if recipient is not None:
        message["To"] = recipient
    message["Subject"] = reminder.draft.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(reminder.uid)
    message[HASH_HEADER] = draft_hash(reminder)
    message.set_content(reminder.draft.body, charset="utf-8", cte="quoted-printable")
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = reminder.language
    return message


def draft_hash(reminder: Reminder) -> str:
    # The address as the To header spells it (an IDN domain in its ASCII form).
    recipient = _address(reminder.recipient)
    to = recipient.addr_spec if recipient is not None else ""
    return content_hash(to, reminder.draft.subject, reminder.draft.body)


def hash_of(raw: bytes) -> tuple[str | None, str | None]:
    """(the hash header, the hash of the content) of a message fetched back.

    Anything that cannot be read is not ours as written: (None, None).
    """
    try:
        return _hash_of(raw)
    except Exception:  # noqa: BLE001 - whatever a server or mail program stored
        return None, None


def _hash_of(raw: bytes) -> tuple[str | None, str | None]:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    written = parsed.get(HASH_HEADER)
    body_part = parsed.get_body(preferencelist=("plain",))
    if body_part is None:
        return (str(written) if written else None), None
    try:
        body = body_part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError):
        return (str(written) if written else None), None
    to_header = parsed.get("To")
    addresses: tuple[Any, ...] = tuple(getattr(to_header, "addresses", ()) or ())
    to = addresses[0].addr_spec if len(addresses) == 1 else str(to_header or "")
    subject = str(parsed.get("Subject", ""))
    return (str(written) if written else None), content_hash(to, subject, str(body))
