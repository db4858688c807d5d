"""Event occurrence -> Interview, or the reason it is not one (rules 1 and 2).

Decides whether an event is the user's job interview (an interview word in
SUMMARY or CATEGORIES in any known language, or the user's own include
pattern; no exclude pattern; not organised by the user; not one of our own
reminders) and reads what the drafts need from its properties and the
labelled lines of its notes. All the words come from the language files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import icalendar

from cal_followup.applications import (
    is_automated,
    is_free_mail,
    is_person,
    without_cancelled_prefix,
)
from cal_followup.caps import MAX_ATTENDEES_READ
from cal_followup.config import Settings
from cal_followup.ics import MAX_TEXT, Occurrence
from cal_followup.languages import FIELDS, Language, load_languages
from cal_followup.model import Interview, Person, StopReason
from cal_followup.names import parse_name
from cal_followup.timeline import parse_timeline

MARKER_PREFIX = "X-CAL-FOLLOWUP-"
#: Longest value kept from any untrusted text field.
MAX_VALUE = 200

_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "ltd", "plc"}


@dataclass(frozen=True)
class Verdict:
    """Why an occurrence is or is not an interview (for --debug and status)."""

    interview: Interview | None
    reason: str


def is_marked(component: icalendar.cal.Component) -> bool:
    """True for events cal-followup wrote itself."""
    return any(str(name).upper().startswith(MARKER_PREFIX) for name in component)


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
_BARE_DOMAIN = re.compile(
    rf"(?i)(?<![\w@-])(?:[\w-]+{_DOT})+{_TLDS}(?![\w-])(?:[/?#:]\S*)?"
)
#: HTML in free text: a tag, or the start of one cut off ("<a href=", "<script").
_HTML = re.compile(r"(?i)<\s*/?\s*[a-z!][^>]*>?|\bhref\s*=\s*\S*")
#: Dotted technology names that are not links, though they look like domains.
_NOT_LINKS = frozenset({"asp.net", "vb.net", "ado.net"})


def _strip_links(text: str) -> str:
    text = _HTML.sub(" ", text)
    text = _LINKISH.sub(" ", text)
    return _BARE_DOMAIN.sub(
        lambda m: m.group(0) if m.group(0).lower() in _NOT_LINKS else " ", text
    )


def _clean(value: object, limit: int = MAX_VALUE, *, links: bool = False) -> str:
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
    clean_name = _clean(name) if name else None
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


def _categories(component: icalendar.cal.Component) -> list[str]:
    try:
        return [_clean(c) for c in getattr(component, "categories", [])]
    except Exception:  # noqa: BLE001 - broken CATEGORIES are just absent
        return []


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    # Scripts without spaces between words (面试) match anywhere; others on word edges.
    if re.search(r"[\u3000-\u9fff]", word):
        return re.compile(re.escape(word))
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)


def _matched_language(text: str, languages: Iterable[Language]) -> Language | None:
    """The language of the longest interview word in ``text``; ties go to the earlier one.

    The longest match is the most specific: "Interview bei Acme" holds the English
    "interview" too, but the German "interview bei" says more, and a compound
    ("vorstellungsgespräch") names its language outright.
    """
    best: Language | None = None
    best_length = 0
    for language in languages:
        for word in language.interview_words:
            if len(word) > best_length and _word_pattern(word).search(text):
                best, best_length = language, len(word)
    return best


def _excluded(text: str, languages: Iterable[Language], settings: Settings) -> str | None:
    for language in languages:
        for word in language.exclude_words:
            if _word_pattern(word).search(text):
                return word
    for pattern in settings.exclude:
        if re.search(pattern, text, re.IGNORECASE):
            return pattern
    return None


@cache
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    # Compiled once per set of labels: re's own cache is too small for every language's patterns.
    alternation = "|".join(re.escape(label) for label in labels)
    return re.compile(rf"^\s*[-*•]?\s*({alternation})\s*:\s*(.*)$", re.IGNORECASE)


@cache
def _interview_words() -> str:
    """Every language's interview words as one alternation, longest first."""
    words = sorted(
        {w for lang in load_languages().values() for w in lang.interview_words},
        key=len,
        reverse=True,
    )
    return "|".join(re.escape(w) for w in words)


@cache
def _summary_pattern(template: str) -> re.Pattern[str]:
    return re.compile(template.replace("{word}", _interview_words()), re.IGNORECASE)


@cache
def _summary_shape(template: str) -> re.Pattern[str]:
    # The template with any text where an interview word goes: it matches whatever the
    # full pattern matches, and compiles in a fraction of the time (the full pattern
    # holds every language's words), so the full one is compiled only when needed.
    return re.compile(template.replace("{word}", ".+?"), re.IGNORECASE)


def _summary_match(template: str, summary: str) -> re.Match[str] | None:
    if not _summary_shape(template).match(summary):
        return None
    return _summary_pattern(template).match(summary)


def _labelled_lines(description: str, languages: Iterable[Language]) -> dict[str, list[str]]:
    """``{field: [values]}`` from lines like ``Company: Acme`` in any language.

    A label with nothing after the colon takes the bullet lines below it.
    """
    label_to_field: dict[str, str] = {}
    for language in languages:
        for name, labels in language.labels.items():
            for label in labels:
                label_to_field.setdefault(label, name)
    if not label_to_field:
        return {}
    line_pattern = _label_pattern(tuple(sorted(label_to_field, key=len, reverse=True)))
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in description.splitlines():
        match = line_pattern.match(line)
        if match:
            name = label_to_field[match.group(1).lower()]
            value = match.group(2).strip()
            current = name if not value else None
            if value:
                found.setdefault(name, []).append(value)
            continue
        bullet = re.match(r"^\s*[-*•]\s+(.+)$", line)
        if current and bullet:
            found.setdefault(current, []).append(bullet.group(1).strip())
        elif line.strip():
            current = None
    return found


def _split_topics(values: list[str]) -> list[str]:
    topics: list[str] = []
    for value in values:
        for part in re.split(r"\s*[;,]\s*|\s+/\s+", value):
            part = _clean(part, 120).strip(" .")
            if part:
                topics.append(part)
    return topics


def _attribute_topics(
    topics: list[str], people: Iterable[Person]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Split "Matti – test automation" into (matti's key, topic)."""
    names: dict[str, str] = {}
    shared: set[str] = set()
    for person in people:
        # "Watson, Emily" is named "Emily", "Emily Watson" or "Watson" in the notes.
        parsed = parse_name(person.name, person.email)
        family = parsed.family if parsed else None
        for alias in {a.lower() for a in (person.name, person.first_name,
                                          person.display_name, family) if a}:  # fmt: skip
            if names.get(alias, person.key) != person.key:
                shared.add(alias)  # "Lee" for Anna Lee and Lee Chen names neither
            names[alias] = person.key
    for alias in shared:
        del names[alias]
    plain: list[str] = []
    attributed: list[tuple[str, str]] = []
    for topic in topics:
        match = re.match(r"^(.+?)\s*(?:[-–—:]|\s-\s)\s*(.+)$", topic)
        if match and match.group(1).lower() in names:
            person_topic = match.group(2).strip()
            attributed.append((names[match.group(1).lower()], person_topic))
            plain.append(person_topic)
        else:
            plain.append(topic)
    return plain, attributed


def _parse_contact(text: str, people: Iterable[Person], *, own_notes: bool = False) -> Person:
    """The person a ``Contact:`` line names.

    In an invite (``own_notes`` false) the notes are a stranger's text, so only
    an address of the organiser, an attendee, or their own company (never a
    mail provider's) is ever taken from them; in an event the user made, with
    nobody invited, the notes are the user's own.
    """
    people = list(people)
    text = _clean(text, links=True)
    email_match = re.search(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+\.[A-Za-z]{2,}", text)
    email = _email(email_match.group(0)) if email_match else None
    name: str | None = text
    if email_match:
        name = (text[: email_match.start()] + text[email_match.end() :]).strip(" <>(),;-–")
    name = _clean(name or "") or None
    known = {person.email.lower() for person in people if person.email}
    # A recruiter a scheduling system names in its text is often not invited;
    # an address at an invited person's own company is as safe as theirs.
    domains = {
        address.rsplit("@", 1)[1]
        for address in known
        if _company_from_domain(address) and not is_automated(address)
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


def _company_from_domain(email: str | None, own: frozenset[str] = frozenset()) -> str | None:
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


def _from_summary(summary: str, language_order: list[Language]) -> tuple[str | None, str | None]:
    # "(panel)", "[video]", "- round 2" style decorations say nothing about company or role.
    summary = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*", " ", summary).strip()
    word_alternation = _interview_words()
    for language in language_order:
        for template in language.summary_patterns:
            match = _summary_match(template, summary)
            if match:
                groups = match.groupdict()
                company = _clean(groups.get("company") or "", 80) or None
                role = _clean(groups.get("role") or "", 80) or None
                if company and re.fullmatch(word_alternation, company, re.IGNORECASE):
                    company = None
                return company, role
    return None, None


def _stop_reason(categories: list[str], languages: Iterable[Language]) -> StopReason | None:
    lowered = {c.lower() for c in categories}
    for language in languages:
        for reason, words in language.stop_words.items():
            if lowered & set(words):
                return StopReason(reason)
    return None


def _language_code(values: list[str], languages: dict[str, Language]) -> str | None:
    """The draft language a ``Language:`` line names, by code, name or alias."""
    for value in values:
        wanted = value.strip().lower()
        # Locale tags name the language first: fr-FR, fi_FI.
        primary = wanted.replace("_", "-").split("-", 1)[0]
        for code, language in languages.items():
            names = (code, language.name.lower(), *language.aliases)
            if primary == code and language.drafts:
                return code
            if wanted in names and language.drafts:
                return code
    return None


def _tone(values: list[str], languages: Iterable[Language]) -> str | None:
    for value in values:
        wanted = value.strip().lower()
        for language in languages:
            for tone, words in language.tones.items():
                if wanted == tone or wanted in words:
                    return tone
    return None


def examine(occurrence: Occurrence, settings: Settings) -> Verdict:
    """Decide whether ``occurrence`` is an interview and read it if so."""
    component = occurrence.component
    if is_marked(component):
        return Verdict(None, "a cal-followup reminder")
    languages = load_languages()
    ordered = sorted(
        languages.values(), key=lambda lang: (lang.code != settings.language, lang.code)
    )
    summary = _clean(component.get("SUMMARY", ""), 300)
    categories = _categories(component)
    searchable = " | ".join([summary, *categories])
    # A word several languages share ("interview") counts for one we can draft in.
    matched = _matched_language(searchable, sorted(ordered, key=lambda lang: not lang.drafts))
    included = any(re.search(p, searchable, re.IGNORECASE) for p in settings.include)
    if matched is None and not included:
        return Verdict(None, "no interview word")
    excluded = _excluded(searchable, ordered, settings)
    if excluded:
        return Verdict(None, f"excluded by {excluded!r}")
    organizer_prop = component.get("ORGANIZER")
    organizer = _person(organizer_prop) if organizer_prop is not None else None
    me = settings.me_lower
    if organizer and organizer.email and organizer.email.lower() in me:
        return Verdict(None, "organised by you")
    organizer = _human_organizer(organizer_prop, organizer)
    if organizer and organizer.email and organizer.email.lower() in me:
        # A scheduler that sent on the user's behalf: the user is never a recipient.
        organizer = None

    interviewers: list[Person] = []
    # An invite with thousands of attendees costs no more than a large panel.
    for prop in _as_list(component.get("ATTENDEE"))[:MAX_ATTENDEES_READ]:
        params = getattr(prop, "params", {}) or {}
        cutype = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
        if cutype not in ("INDIVIDUAL", ""):
            continue
        if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
            continue
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        person = _person(prop)
        if person.email and person.email.lower() in me:
            continue
        if person.email and "resource.calendar" in person.email.lower():
            continue
        if is_automated(person.email):
            continue
        if not person.email and not person.name:
            continue
        if person.key and any(p.key == person.key for p in interviewers):
            continue
        interviewers.append(person)
    if not interviewers and organizer and (organizer.email or organizer.name):
        interviewers.append(organizer)

    description = str(component.get("DESCRIPTION", ""))[:MAX_TEXT]
    lines = _labelled_lines(description, ordered)
    override = _language_code(lines.get("language", []), languages)
    if override:
        language_code = override
    elif matched is not None and matched.drafts:
        language_code = matched.code
    else:
        language_code = settings.language
    language_first = [
        languages[language_code],
        *[lang for lang in ordered if lang.code != language_code],
    ]

    company = _clean(lines["company"][0], 80) if lines.get("company") else None
    role = _clean(lines["role"][0], 80) if lines.get("role") else None
    if not company or not role:
        summary_company, summary_role = _from_summary(
            without_cancelled_prefix(summary), language_first
        )
        company = company or summary_company
        role = role or summary_role
    if not company:
        own = frozenset(address.rsplit("@", 1)[-1] for address in me if "@" in address)
        candidates: list[Person | None] = [organizer, *interviewers]
        for candidate in candidates:
            company = _company_from_domain(candidate.email if candidate else None, own)
            if company:
                break

    stated: Person | None = None
    if lines.get("contact"):
        stated = _parse_contact(
            lines["contact"][0],
            [*interviewers, *([organizer] if organizer else [])],
            own_notes=organizer_prop is None and component.get("ATTENDEE") is None,
        )
        stated = stated if is_person(stated) else None
    if stated is not None:
        contact: Person | None = stated
    elif organizer and (organizer.email or organizer.name):
        contact = organizer
    elif interviewers:
        contact = interviewers[0]
    else:
        contact = None

    topics, person_topics = _attribute_topics(_split_topics(lines.get("topics", [])), interviewers)
    idea = _clean(lines["idea"][0], 300) if lines.get("idea") else None
    interview_day = occurrence.start.astimezone(occurrence.start.tzinfo).date()
    timeline = parse_timeline(lines.get("timeline", []), description, language_first, interview_day)
    tone = _tone(lines.get("tone", []), language_first) or settings.tone
    status = str(component.get("STATUS", "")).strip().upper()
    try:
        sequence = int(str(component.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0

    interview = Interview(
        uid=occurrence.uid,
        recurrence_id=occurrence.recurrence_id,
        summary=summary,
        start=occurrence.start,
        end=occurrence.end,
        zone=occurrence.zone,
        all_day=occurrence.all_day,
        interviewers=tuple(interviewers),
        contact=contact,
        company=company,
        role=role,
        topics=tuple(topics),
        person_topics=tuple(person_topics),
        idea=idea,
        timeline=timeline,
        language=language_code,
        tone=tone,
        cancelled=status == "CANCELLED",
        stop_reason=_stop_reason(categories, ordered),
        source=occurrence.source,
        sequence=sequence,
        organizer=organizer,
        contact_stated=stated is not None,
        application_key=_clean(lines["application"][0], 120) if lines.get("application") else None,
    )
    return Verdict(interview, "interview" + (" (cancelled)" if interview.cancelled else ""))


__all__ = ["FIELDS", "MARKER_PREFIX", "Verdict", "examine", "is_marked"]
