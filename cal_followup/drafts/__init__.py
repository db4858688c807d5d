"""Drafted emails: a template per language, stage and tone, filled from the interview.

Templates are data files, ``templates/<language>/<stage>.<tone>.txt``. The
first line is ``Subject: ...``, then a blank line, then the body. Fields in
braces (``{role}``, ``{company}``, ``{topic}``, ``{date}``, ``{name}``,
``{first_name}``, ``{sender}``, ``{deadline}``, ``{idea}``) are filled from the
interview; a missing value becomes the language's visible bracketed
placeholder. ``{field:form}`` passes the value through one of the language's
``[forms]`` (French ``{role:de}`` gives "d'Analyste" or "de Data Engineer",
Finnish ``{role:compound}tehtävä`` "Data Engineer -tehtävä"), so inserted
names keep their own spelling and the sentence stays grammatical.

A line that starts with ``?field `` is kept only when that field is known,
one that starts with ``!field `` only when it is not: optional sentences (the
idea the user noted, the stated deadline) and their alternatives vanish
instead of showing a placeholder. A blank line separates paragraphs. An idea
so long that the draft would break the length limits of rule 6 is left out.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from cal_followup.config import Settings
from cal_followup.languages import Language, get_language, load_languages
from cal_followup.model import Draft, Interview, Person, Stage

STAGE_FILES = ("thank-you", "late-thank-you", "check-in", "closing", "after-rejection")
TONES = ("formal", "casual")
#: Every field a template may use.
FIELDS = ("name", "first_name", "role", "company", "topic", "date", "sender", "deadline", "idea")
#: Fields whose absence shows a placeholder, and the placeholder's key in the language file.
REQUIRED = {
    "name": "name",
    "first_name": "first_name",
    "role": "role",
    "company": "company",
    "topic": "topic",
    "date": "day",
    "sender": "sender",
}
_CONDITIONAL = re.compile(r"^([?!])(\w+)\s(.*)$")
#: Letters that start a vowel sound for the ``vowel`` variant of a form, unless the
#: form lists its own ``vowels``. No "h": English titles ("Head of Data") keep it sounded.
_VOWELS = "aeiouyàâäéèêëîïôöûüœæ"


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


@cache
def load_template(language: str, stage: str, tone: str) -> Template:
    """The template text, falling back to formal when a casual one is missing."""
    folder = resources.files(__name__).joinpath("templates", language)
    for candidate in (f"{stage}.{tone}.txt", f"{stage}.formal.txt"):
        path = folder.joinpath(candidate)
        if path.is_file():
            return parse_template(path.read_text(encoding="utf-8"), f"{language}/{candidate}")
    raise FileNotFoundError(f"no template {language}/{stage}.{tone}.txt")


def parse_template(text: str, name: str) -> Template:
    first, _, rest = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise ValueError(f"template {name}: the first line must be 'Subject: ...'")
    return Template(first.split(":", 1)[1].strip(), rest.strip("\n") + "\n")


def format_date(day: date, language: Language, style: str = "long") -> str:
    """``day`` as the language writes it: "Friday, December 18", "perjantaina 18.12.".

    ``style`` names a pattern in the language's ``[dates]`` table (``long``,
    ``deadline``); a missing one falls back to ``long``, then to English.
    """
    dates = language.dates
    english = get_language("en").dates
    weekdays = dates.get("weekdays") or english["weekdays"]
    months = dates.get("months") or english["months"]
    pattern = dates.get(style) or dates.get("long") or english["long"]
    day_name = dict(dates.get("day_names", {})).get(str(day.day), str(day.day))
    return str(pattern).format(
        weekday=weekdays[day.weekday()],
        month=months[day.month - 1],
        day=day_name,
        month_number=day.month,
        year=day.year,
    )


def draft_language(code: str, settings: Settings) -> Language:
    """The language to draft in: the one asked for if it has templates, else the default."""
    languages = load_languages()
    for candidate in (code, settings.language, "en"):
        language = languages.get(candidate)
        if language is not None and language.drafts:
            return language
    raise LookupError("no language with draft templates")


def plain_value(value: str | None) -> str | None:
    """A value from the user's notes, made safe to drop into a sentence.

    Square brackets and braces become parentheses, so that only our own
    placeholders look like placeholders; trailing punctuation goes, because the
    template ends the sentence itself.
    """
    if not value:
        return None
    text = value.translate(str.maketrans("[]{}", "()()"))
    text = " ".join(text.split()).rstrip(" .,;:!?…")
    return text or None


def _person_keys(person: Person) -> set[str]:
    return {
        k for k in (person.key, (person.name or "").lower(), (person.first_name or "").lower()) if k
    }


def choose_topic(interview: Interview, recipient: Person | None, language: Language) -> str | None:
    """The topic to mention to ``recipient``.

    The one the notes attribute to this person; else one nobody else on the
    panel owns; else any. A topic the etiquette check would object to (salary,
    a phone call) is never chosen: the draft asks for one instead.
    """
    from cal_followup.lint import content_findings

    own: list[str] = []
    if recipient is not None:
        wanted = _person_keys(recipient)
        own = [topic for who, topic in interview.person_topics if who in wanted]
    owned = {topic for _, topic in interview.person_topics}
    unowned = [t for t in interview.topics if t not in owned]
    others = [t for t in interview.topics if t in owned]
    for topic in [*own, *unowned, *others]:
        text = plain_value(topic)
        if text and not content_findings(text, language):
            return text
    return None


def interview_fields(
    interview: Interview,
    stage: Stage,
    recipient: Person | None,
    settings: Settings,
    language: Language,
) -> dict[str, str | None]:
    """The values a template is filled with; ``None`` where the interview does not say."""
    from cal_followup.lint import content_findings

    timeline = interview.timeline
    deadline = None
    if stage is Stage.CHECK_IN and timeline is not None and timeline.deadline is not None:
        deadline = format_date(timeline.deadline, language, "deadline")
    idea = plain_value(interview.idea)
    if idea and content_findings(idea, language):
        idea = None
    return {
        "name": plain_value(recipient.name if recipient else None),
        "first_name": plain_value(recipient.first_name if recipient else None),
        "role": plain_value(interview.role),
        "company": plain_value(interview.company),
        "topic": choose_topic(interview, recipient, language),
        "date": format_date(interview.start.date(), language),
        "sender": plain_value(settings.name),
        "deadline": deadline,
        "idea": idea,
    }


class _Filler(string.Formatter):
    def __init__(self, values: Mapping[str, str | None], language: Language) -> None:
        self.values = values
        self.language = language
        self.missing: list[str] = []

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        name = str(key)
        value = self.values.get(name)
        if value:
            return value
        if name not in self.missing:
            self.missing.append(name)
        return placeholder(self.language, name)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if not format_spec:
            return str(value)
        return apply_form(str(value), format_spec, self.language)


def placeholder(language: Language, field_name: str) -> str:
    """The visible placeholder for a missing field, in ``language``."""
    key = REQUIRED.get(field_name, field_name)
    if key == "first_name" and "first_name" not in language.placeholders:
        key = "name"
    return language.placeholder(key)


def apply_form(text: str, form_name: str, language: Language) -> str:
    """``text`` joined to a word as the language's ``[forms.<name>]`` table says.

    A form has up to three variants, tried in this order: ``spaced`` when the
    text has a space in it, ``vowel`` when it starts with a vowel sound, and
    ``other``; ``{}`` in the variant stands for the text.
    """
    form = language.forms.get(form_name)
    if form is None:
        raise ValueError(f"language {language.code} has no form {form_name!r}")
    vowels = form.get("vowels", _VOWELS)
    if " " in text.strip() and "spaced" in form:
        variant = form["spaced"]
    elif text[:1].lower() in vowels and "vowel" in form:
        variant = form["vowel"]
    else:
        variant = form.get("other", "{}")
    return variant.replace("{}", text)


def _fill(text: str, filler: _Filler) -> str:
    lines = []
    for line in text.splitlines():
        conditional = _CONDITIONAL.match(line)
        if conditional:
            mark, name, rest = conditional.groups()
            if bool(filler.values.get(name)) != (mark == "?"):
                continue
            line = rest
        lines.append(filler.format(line))
    body = "\n".join(lines)
    # A dropped optional line must not leave a double gap.
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def fill_template(
    template: Template, values: Mapping[str, str | None], language: Language
) -> Draft:
    """``template`` with ``values`` filled in; missing ones become placeholders."""
    filler = _Filler(values, language)
    subject = _fill(template.subject, filler).strip()
    body = _fill(template.body, filler)
    return Draft(subject=subject, body=body, missing=tuple(filler.missing))


def stage_file(stage: Stage, late: bool) -> str:
    """The template name for a stage: a late thank-you has its own wording."""
    return "late-thank-you" if late and stage is Stage.THANK_YOU else stage.value


def render_draft(
    interview: Interview, stage: Stage, late: bool, recipient: Person | None, settings: Settings
) -> Draft:
    """The drafted email for one reminder."""
    language = draft_language(interview.language, settings)
    template = load_template(language.code, stage_file(stage, late), interview.tone)
    values = interview_fields(interview, stage, recipient, settings, language)
    draft = fill_template(template, values, language)
    if values.get("idea") and _too_long(draft, language):
        # A long idea from the notes would break the length limit of rule 6: the
        # note goes without it (the idea stays in the interview's notes).
        draft = fill_template(template, {**values, "idea": None}, language)
    return draft


def _too_long(draft: Draft, language: Language) -> bool:
    from cal_followup.lint import LENGTH_CODES, check_text

    checked = check_text(f"Subject: {draft.subject}\n\n{draft.body}", language.code)
    return any(finding.code in LENGTH_CODES for finding in checked.findings)
