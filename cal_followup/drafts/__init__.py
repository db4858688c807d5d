"""Drafted emails: a template per language, stage and tone, filled from the interview.

Templates are data files, ``templates/<language>/<stage>.<tone>.txt``. The
first line is ``Subject: ...``, then a blank line, then the body. Fields in
braces (``{role}``, ``{company}``, ``{topic}``, ``{date}``, ``{name}``,
``{first_name}``, ``{sender}``, ``{deadline}``, ``{idea}``) are filled from the
interview; a missing value becomes the language's visible bracketed
placeholder. A line that starts with ``?field `` is kept only when that
field is known (the optional idea line, the stated deadline), so optional
sentences vanish instead of showing a placeholder.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from cal_followup.config import Settings
from cal_followup.languages import Language, get_language, load_languages
from cal_followup.model import Draft, Interview, Person, Stage

STAGE_FILES = ("thank-you", "late-thank-you", "check-in", "closing", "after-rejection")
#: Fields whose absence shows a placeholder, and the placeholder's key in the language file.
REQUIRED = {"name": "name", "first_name": "name", "role": "role", "company": "company",
            "topic": "topic", "date": "day", "sender": "sender"}
_CONDITIONAL = re.compile(r"^\?(\w+)\s(.*)$")


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


def format_date(day: date, language: Language) -> str:
    dates = language.dates
    weekdays = dates.get("weekdays") or get_language("en").dates["weekdays"]
    months = dates.get("months") or get_language("en").dates["months"]
    pattern = dates.get("long", "{weekday}, {month} {day}")
    return pattern.format(
        weekday=weekdays[day.weekday()],
        month=months[day.month - 1],
        day=day.day,
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


def _fields(interview: Interview, stage: Stage, recipient: Person | None,
            settings: Settings, language: Language) -> dict[str, str | None]:
    interview_day = interview.start.date()
    timeline = interview.timeline
    deadline = format_date(timeline.deadline, language) if timeline and timeline.deadline else None
    return {
        "name": recipient.name if recipient else None,
        "first_name": recipient.first_name if recipient else None,
        "role": interview.role,
        "company": interview.company,
        "topic": interview.topic_for(recipient),
        "date": format_date(interview_day, language),
        "sender": settings.name,
        "deadline": deadline if stage is Stage.CHECK_IN else None,
        "idea": interview.idea,
    }


class _Filler(string.Formatter):
    def __init__(self, values: dict[str, str | None], language: Language) -> None:
        self.values = values
        self.language = language
        self.missing: list[str] = []

    def get_value(self, key, args, kwargs):  # type: ignore[no-untyped-def, override]
        value = self.values.get(str(key))
        if value:
            return value
        if key not in self.missing:
            self.missing.append(str(key))
        return self.language.placeholder(REQUIRED.get(str(key), str(key)))


def _fill(text: str, filler: _Filler) -> str:
    lines = []
    for line in text.splitlines():
        conditional = _CONDITIONAL.match(line)
        if conditional:
            if not filler.values.get(conditional.group(1)):
                continue
            line = conditional.group(2)
        lines.append(filler.format(line))
    body = "\n".join(lines)
    # A dropped optional line must not leave a double gap.
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def render_draft(interview: Interview, stage: Stage, late: bool, recipient: Person | None,
                 settings: Settings) -> Draft:
    """The drafted email for one reminder."""
    language = draft_language(interview.language, settings)
    stage_file = "late-thank-you" if late and stage is Stage.THANK_YOU else stage.value
    template = load_template(language.code, stage_file, interview.tone)
    filler = _Filler(_fields(interview, stage, recipient, settings, language), language)
    subject = _fill(template.subject, filler).strip()
    body = _fill(template.body, filler)
    return Draft(subject=subject, body=body, missing=tuple(filler.missing))
