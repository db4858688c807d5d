"""Who an interview event names, and the untrusted text they are read from.

An invite is a stranger's text: every value is cleaned (one line, no control
characters, no links) before it can reach a draft. From the ORGANIZER and
ATTENDEE properties this reads the organiser (or the person a scheduler sent
on behalf of), the interviewers, the contact a ``Contact:`` line names, and
the company their addresses imply. Split from ``detect`` so that module keeps
to deciding what an interview is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import icalendar

from cal_followup.applications import is_automated, is_free_mail, is_person
from cal_followup.caps import MAX_ATTENDEES_READ
from cal_followup.model import Person

#: Longest value kept from any untrusted text field.
MAX_VALUE = 200

_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "ltd", "plc"}

#: Control characters, and the bidi controls that can reorder text on a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
#: Links and addresses in free text: a stranger's text must not become one in a draft.
_LINKISH = re.compile(
    r"(?i)\b(?:javascript|data|file|tel|sms|mailto|callto|sip):\S*"
    r"|\b[a-z][a-z0-9+.-]*://\S*"
    r"|(?<![\w/])//\S+"
    r"|\bwww\.\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)+/\S*"
)
#: An address as mail programs take it: RFC 5322 atext (but no %), a real host name.
_ADDRESS = re.compile(
    r"[\w.!#$&'*+/=?^`{|}~-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[\w-]+)"
)


#: Dots as they look in other scripts: "evil．com" reads as a link to people and to mail apps.
_DOT = r"[.\uff0e\u3002\uff61\u2024\ufe52]"
#: Top-level domains a bare "name.tld" is taken as a link for: the common generic
#: ones and every two-letter country code ("t.co", "bit.ly").
_TLDS = (
    r"(?:com|net|org|info|biz|edu|gov|app|dev|xyz|top|site|online|click|link|live|shop|"
    r"store|club|page|website|space|tech|cloud|icu|buzz|win|vip|work|lol|(?!js|ts)[a-z]{2})"
)
_BARE_DOMAIN = re.compile(rf"(?i)(?<![\w@-])(?:[\w-]+{_DOT})+{_TLDS}(?![\w-])(?:[/?#:]\S*)?")
#: HTML in free text: a tag, or the start of one cut off ("<a href=", "<script").
_HTML = re.compile(r"(?i)<\s*/?\s*[a-z!][^>]*>?|\bhref\s*=\s*\S*")
#: Dotted technology names that are not links, though they look like domains.
_NOT_LINKS = frozenset({"asp.net", "vb.net", "ado.net"})


def _strip_links(text: str) -> str:
    text = _HTML.sub(" ", text)
    text = _LINKISH.sub(" ", text)
    return _BARE_DOMAIN.sub(lambda m: m.group(0) if m.group(0).lower() in _NOT_LINKS else " ", text)


def clean(value: object, limit: int = MAX_VALUE, *, links: bool = False) -> str:
    """Untrusted text: one line, no control characters, no links, cut to a sane length.

    ``links=True`` keeps links and addresses, for text an address is read from.
    Bare domains ("evil.com", "bit.ly/x", "evil．com" with a full-width dot) and
    HTML fragments count as links: mail programs and people follow them too.
    """
    text = _CONTROL.sub(" ", str(value)[: limit * 4 + 1000])
    if not links:
        text = _strip_links(text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _email(value: object) -> str | None:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().strip("<>")
    if len(text) <= 254 and _ADDRESS.fullmatch(text):
        return text
    return None


def _person(prop: object) -> Person:
    params = getattr(prop, "params", {}) or {}
    name = params.get("CN")
    email = _email(prop)
    clean_name = clean(name) if name else None
    if clean_name and email and clean_name.lower() == email.lower():
        clean_name = None
    return Person(clean_name or None, email)


def _human_organizer(prop: object, organizer: Person | None) -> Person | None:
    """The organiser if a person; for a scheduler's address, the person it was sent by."""
    if organizer is None or is_person(organizer):
        return organizer
    params = getattr(prop, "params", {}) or {}
    sent_by = _email(params.get("SENT-BY"))
    if sent_by and not is_automated(sent_by):
        return Person(None, sent_by)
    return None


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_contact(text: str, people: Iterable[Person], *, own_notes: bool = False) -> Person:
    """The person a ``Contact:`` line names.

    In an invite (``own_notes`` false) the notes are a stranger's text, so only
    an address of the organiser, an attendee, or their own company (never a
    mail provider's) is ever taken from them; in an event the user made, with
    nobody invited, the notes are the user's own.
    """
    people = list(people)
    text = clean(text, links=True)
    email_match = re.search(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+\.[A-Za-z]{2,}", text)
    email = _email(email_match.group(0)) if email_match else None
    name: str | None = text
    if email_match:
        name = (text[: email_match.start()] + text[email_match.end() :]).strip(" <>(),;-–")
    name = clean(name or "") or None
    known = {person.email.lower() for person in people if person.email}
    # A recruiter a scheduling system names in its text is often not invited;
    # an address at an invited person's own company is as safe as theirs.
    domains = {
        address.rsplit("@", 1)[1]
        for address in known
        if company_from_domain(address) and not is_automated(address)
    }
    if (
        email
        and email.lower() not in known
        and email.lower().rsplit("@", 1)[1] not in domains
        and not own_notes
    ):
        email = None
    for person in people:
        if email and person.email and person.email.lower() == email.lower():
            return Person(name or person.name, email)
        if name and not email and person.name and person.name.lower() == name.lower():
            return person
        if name and not email and person.first_name and person.first_name.lower() == name.lower():
            return person
        if name and not email and (person.display_name or "").lower() == name.lower():
            return person
    return Person(name, email)


def company_from_domain(email: str | None, own: frozenset[str] = frozenset()) -> str | None:
    """The company in an address's domain; never a mail provider's, a scheduler's or ``own``."""
    if not email or "@" not in email or is_automated(email):
        return None
    domain = email.rsplit("@", 1)[1].lower()
    if is_free_mail(domain) or domain in own or any(domain.endswith("." + d) for d in own):
        return None
    labels = [label for label in domain.split(".") if label]
    if len(labels) < 2:
        return None
    core = labels[:-1]
    if len(core) >= 2 and core[-1] in _SECOND_LEVEL:
        core = core[:-1]
    name = core[-1]
    return name[:1].upper() + name[1:]


def organizer_of(
    component: icalendar.cal.Component, me: frozenset[str] | set[str]
) -> tuple[Person | None, str | None]:
    """The human organiser (None if the user or a bare scheduler), or why it is not an interview."""
    prop = component.get("ORGANIZER")
    organizer = _person(prop) if prop is not None else None
    if organizer and organizer.email and organizer.email.lower() in me:
        return None, "organised by you"
    organizer = _human_organizer(prop, organizer)
    if organizer and organizer.email and organizer.email.lower() in me:
        # A scheduler that sent on the user's behalf: the user is never a recipient.
        return None, None
    return organizer, None


def _is_interviewer(prop: object, person: Person, me: frozenset[str] | set[str]) -> bool:
    """An attendee who is a person taking part, not the user, a room or a robot."""
    params = getattr(prop, "params", {}) or {}
    if str(params.get("CUTYPE", "INDIVIDUAL")).upper() not in ("INDIVIDUAL", ""):
        return False
    if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
        return False
    if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
        return False
    email = person.email.lower() if person.email else None
    if email and (email in me or "resource.calendar" in email):
        return False
    if is_automated(person.email):
        return False
    return bool(person.email or person.name)


def interviewers_of(
    component: icalendar.cal.Component,
    organizer: Person | None,
    me: frozenset[str] | set[str],
) -> list[Person]:
    """The people the user meets: the attendees, else the organiser."""
    interviewers: list[Person] = []
    # An invite with thousands of attendees costs no more than a large panel.
    for prop in _as_list(component.get("ATTENDEE"))[:MAX_ATTENDEES_READ]:
        person = _person(prop)
        if not _is_interviewer(prop, person, me):
            continue
        if person.key and any(p.key == person.key for p in interviewers):
            continue
        interviewers.append(person)
    if not interviewers and organizer and (organizer.email or organizer.name):
        interviewers.append(organizer)
    return interviewers


def company_from_people(
    people: Iterable[Person | None], me: frozenset[str] | set[str]
) -> str | None:
    """The company the first of ``people`` with a company address works for."""
    own = frozenset(address.rsplit("@", 1)[-1] for address in me if "@" in address)
    for person in people:
        company = company_from_domain(person.email if person else None, own)
        if company:
            return company
    return None


def stated_contact(
    component: icalendar.cal.Component,
    lines: list[str],
    interviewers: list[Person],
    organizer: Person | None,
) -> Person | None:
    """The person the first ``Contact:`` line names, if it names a person."""
    if not lines:
        return None
    stated = _parse_contact(
        lines[0],
        [*interviewers, *([organizer] if organizer else [])],
        own_notes=component.get("ORGANIZER") is None and component.get("ATTENDEE") is None,
    )
    return stated if is_person(stated) else None


def contact_of(
    stated: Person | None, organizer: Person | None, interviewers: list[Person]
) -> Person | None:
    """Whom the drafts address: the stated contact, the organiser, the first interviewer."""
    if stated is not None:
        return stated
    if organizer and (organizer.email or organizer.name):
        return organizer
    return interviewers[0] if interviewers else None
