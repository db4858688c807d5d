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
    without_cancelled_prefix,
)
from cal_followup.config import Settings
from cal_followup.detectpeople import (
    clean,
    company_from_people,
    contact_of,
    interviewers_of,
    organizer_of,
    stated_contact,
)
from cal_followup.ics import MAX_TEXT, Occurrence
from cal_followup.languages import FIELDS, Language, load_languages
from cal_followup.model import Interview, Person, StopReason
from cal_followup.names import parse_name
from cal_followup.timeline import parse_timeline

MARKER_PREFIX = "X-CAL-FOLLOWUP-"


@dataclass(frozen=True)
class Verdict:
    """Why an occurrence is or is not an interview (for --debug and status)."""

    interview: Interview | None
    reason: str


def is_marked(component: icalendar.cal.Component) -> bool:
    """True for events cal-followup wrote itself."""
    return any(str(name).upper().startswith(MARKER_PREFIX) for name in component)


def _categories(component: icalendar.cal.Component) -> list[str]:
    try:
        return [clean(c) for c in getattr(component, "categories", [])]
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
    if ":" not in description:
        return {}  # every labelled line has a colon: no need to build the pattern
    label_to_field: dict[str, str] = {}
    for language in languages:
        for name, labels in language.labels.items():
            for label in labels:
                label_to_field.setdefault(label, name)
    if not label_to_field:
        return {}
    # Longest first, then alphabetical: the same labels in any language order are one pattern.
    line_pattern = _label_pattern(tuple(sorted(label_to_field, key=lambda x: (-len(x), x))))
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
            part = clean(part, 120).strip(" .")
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


def _from_summary(summary: str, language_order: list[Language]) -> tuple[str | None, str | None]:
    # "(panel)", "[video]", "- round 2" style decorations say nothing about company or role.
    summary = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*", " ", summary).strip()
    word_alternation = _interview_words()
    for language in language_order:
        for template in language.summary_patterns:
            match = _summary_match(template, summary)
            if match:
                groups = match.groupdict()
                company = clean(groups.get("company") or "", 80) or None
                role = clean(groups.get("role") or "", 80) or None
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


@dataclass(frozen=True)
class _Recognised:
    """What the first look at an event found, for reading the rest of it."""

    summary: str
    categories: list[str]
    #: The language whose interview word matched, if any.
    matched: Language | None
    #: Every known language, the user's own first.
    ordered: list[Language]
    organizer: Person | None


def _recognise(occurrence: Occurrence, settings: Settings) -> _Recognised | str:
    """The first look: what an interview is read from, or why the event is not one."""
    component = occurrence.component
    if is_marked(component):
        return "a cal-followup reminder"
    ordered = sorted(
        load_languages().values(),
        key=lambda lang: (lang.code != settings.language, lang.code),
    )
    summary = clean(component.get("SUMMARY", ""), 300)
    categories = _categories(component)
    searchable = " | ".join([summary, *categories])
    # A word several languages share ("interview") counts for one we can draft in.
    matched = _matched_language(searchable, sorted(ordered, key=lambda lang: not lang.drafts))
    included = any(re.search(p, searchable, re.IGNORECASE) for p in settings.include)
    if matched is None and not included:
        return "no interview word"
    excluded = _excluded(searchable, ordered, settings)
    if excluded:
        return f"excluded by {excluded!r}"
    organizer, not_interview = organizer_of(component, settings.me_lower)
    if not_interview:
        return not_interview
    return _Recognised(summary, categories, matched, ordered, organizer)


def _languages_first(
    lines: dict[str, list[str]], seen: _Recognised, settings: Settings
) -> list[Language]:
    """The languages in the order drafts try them: the event's draft language first.

    A ``Language:`` line wins, then the language of the interview word (if it
    can be drafted in), then the user's own.
    """
    languages = load_languages()
    override = _language_code(lines.get("language", []), languages)
    if override:
        code = override
    elif seen.matched is not None and seen.matched.drafts:
        code = seen.matched.code
    else:
        code = settings.language
    return [languages[code], *[lang for lang in seen.ordered if lang.code != code]]


def _company_and_role(
    lines: dict[str, list[str]],
    summary: str,
    language_first: list[Language],
    people: list[Person | None],
    me: frozenset[str],
) -> tuple[str | None, str | None]:
    """Company and role from the labelled lines, else the summary, else the addresses."""
    company = clean(lines["company"][0], 80) if lines.get("company") else None
    role = clean(lines["role"][0], 80) if lines.get("role") else None
    if not company or not role:
        summary_company, summary_role = _from_summary(
            without_cancelled_prefix(summary), language_first
        )
        company = company or summary_company
        role = role or summary_role
    return company or company_from_people(people, me), role


def _first(lines: dict[str, list[str]], label: str, limit: int) -> str | None:
    """The first line labelled ``label``, cleaned, if any."""
    return clean(lines[label][0], limit) if lines.get(label) else None


def _sequence(component: icalendar.cal.Component) -> int:
    try:
        return int(str(component.get("SEQUENCE", 0)))
    except ValueError:
        return 0


def _read(occurrence: Occurrence, seen: _Recognised, settings: Settings) -> Interview:
    """Everything the drafts need from an event already recognised as an interview."""
    component = occurrence.component
    me = settings.me_lower
    organizer = seen.organizer
    interviewers = interviewers_of(component, organizer, me)
    description = str(component.get("DESCRIPTION", ""))[:MAX_TEXT]
    lines = _labelled_lines(description, seen.ordered)
    language_first = _languages_first(lines, seen, settings)
    company, role = _company_and_role(
        lines, seen.summary, language_first, [organizer, *interviewers], me
    )
    stated = stated_contact(component, lines.get("contact", []), interviewers, organizer)
    topics, person_topics = _attribute_topics(_split_topics(lines.get("topics", [])), interviewers)
    interview_day = occurrence.start.astimezone(occurrence.start.tzinfo).date()
    return Interview(
        uid=occurrence.uid,
        recurrence_id=occurrence.recurrence_id,
        summary=seen.summary,
        start=occurrence.start,
        end=occurrence.end,
        zone=occurrence.zone,
        all_day=occurrence.all_day,
        interviewers=tuple(interviewers),
        contact=contact_of(stated, organizer, interviewers),
        company=company,
        role=role,
        topics=tuple(topics),
        person_topics=tuple(person_topics),
        idea=_first(lines, "idea", 300),
        timeline=parse_timeline(
            lines.get("timeline", []), description, language_first, interview_day
        ),
        language=language_first[0].code,
        tone=_tone(lines.get("tone", []), language_first) or settings.tone,
        cancelled=str(component.get("STATUS", "")).strip().upper() == "CANCELLED",
        stop_reason=_stop_reason(seen.categories, seen.ordered),
        source=occurrence.source,
        sequence=_sequence(component),
        organizer=organizer,
        contact_stated=stated is not None,
        application_key=_first(lines, "application", 120),
    )


def examine(occurrence: Occurrence, settings: Settings) -> Verdict:
    """Decide whether ``occurrence`` is an interview and read it if so."""
    seen = _recognise(occurrence, settings)
    if isinstance(seen, str):
        return Verdict(None, seen)
    interview = _read(occurrence, seen, settings)
    return Verdict(interview, "interview" + (" (cancelled)" if interview.cancelled else ""))


__all__ = ["FIELDS", "MARKER_PREFIX", "Verdict", "examine", "is_marked"]
