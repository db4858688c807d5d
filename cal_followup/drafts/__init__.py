"""Drafted emails: a template per language, stage and tone, filled from the interview.

Templates are data files, ``templates/<language>/<stage>.<tone>.txt``. The
first line is ``Subject: ...``, then a blank line, then the body. Template
syntax (everything below works in every template; the older parts first):

- ``{field}`` is filled from the interview; a missing value becomes the
  language's visible bracketed placeholder. Fields: ``name`` (the recipient's
  name written as a name, "Emily Watson"), ``first_name``, ``role``,
  ``company``, ``topic``, ``date`` (the interview day, "Friday, December 18"),
  ``sender``, ``deadline`` (a decision date the notes stated as a date),
  ``idea``; and, newer: ``greeting`` (the whole greeting line, built by
  ``names.greeting`` from the language's ``[greetings]``: a neutral greeting
  when the recipient has no name, ``open_<tone>`` when there is no recipient),
  ``day`` ("today", "yesterday" or "on Friday,
  December 18": ``[dates].relative`` and ``on_day``, the date written with
  ``day_long`` where the language has one, else ``long``), ``day_of`` (the same
  after a noun, French "d'hier", "du vendredi 18 décembre": ``relative_of``
  and ``of_day``) and ``timeline`` (the stated timeline as the notes put it,
  "next week", "within two weeks", first letter in lower case unless
  ``[dates].keep_case`` or ``capitalised_names`` say otherwise; an explicit
  date is written with ``[dates].by_date``).
- ``{close}`` in a ``[dates]`` pattern ends an apposition ("am Freitag, dem
  18. Dezember, über ..."): it becomes ``[dates].close`` (a comma unless the
  language says otherwise) when a word follows the date in the filled line,
  and nothing before punctuation or at the end of a sentence.
- ``{field:form}`` passes the value through the language's ``[forms.<form>]``
  (see ``apply_form``), so inserted names keep their spelling and the sentence
  stays grammatical.
- A line that starts with ``?field `` is kept only when that field is known,
  one that starts with ``!field `` only when it is not. A ``topic`` counts as
  known with its placeholder when the notes name none (rule 2), as unknown
  when all their topics belong to other interviewers (a general sentence).
- ``A || B || C`` on one line: alternative wordings of that line. Each
  recipient gets one, chosen by a stable hash of their address (and, on a
  panel, so that two panelists of one interview never share a variant while
  there are enough): panelists comparing notes see different emails.
- A blank line separates paragraphs. An idea so long that the draft would
  break the length limits of rule 6 is left out.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from cal_followup import stages
from cal_followup.config import Settings
from cal_followup.drafts import grammar
from cal_followup.drafts.names import Name, greeting, parse_name
from cal_followup.languages import Language, get_language, load_languages
from cal_followup.lint import LENGTH_CODES, check_text, content_findings
from cal_followup.model import Draft, Interview, Person, Stage, StatedTimeline

#: Every template name, from the stage table (a late thank-you has its own wording).
STAGE_FILES = stages.TEMPLATES
TONES = ("formal", "casual")
#: Every field a template may use.
FIELDS = ("name", "first_name", "role", "company", "topic", "date", "sender", "deadline", "idea",
          "greeting", "day", "day_of", "timeline")  # fmt: skip
#: Fields whose absence shows a placeholder, and the placeholder's key in the language file.
REQUIRED = {
    "name": "name",
    "first_name": "first_name",
    "role": "role",
    "company": "company",
    "topic": "topic",
    "date": "day",
    "sender": "sender",
    "greeting": "name",
    "day": "day",
    "day_of": "day",
}
#: Separates alternative wordings of one template line.
VARIANT_SEPARATOR = " || "
_CONDITIONAL = re.compile(r"^([?!])(\w+)\s(.*)$")
#: Letters that start a vowel sound for the ``vowel`` variant of a form, unless the
#: form lists its own ``vowels``. No "h": English titles ("Head of Data") keep it sounded.
_VOWELS = "aeiouyàâäéèêëîïôöûüœæ"
#: Stands for a date pattern's ``{close}`` until the line is filled: only then is it
#: known whether a word follows (a character of Unicode's private use area, which
#: ``plain_value`` removes from the user's notes).
_CLOSE = "\ue000"
#: A ``{close}`` that a word, a number, a placeholder or an opening quote follows.
_CLOSED = re.compile(_CLOSE + r"(?=\s*(?:[^\W_]|[\[(„“\"«‚‘']))")


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


def format_date(day: date, language: Language, style: str = "long", close: str = "") -> str:
    """``day`` as the language writes it: "Friday, December 18", "perjantaina 18.12.".

    ``style`` names a pattern in the language's ``[dates]`` table (``long``,
    ``deadline``, ``day_long``); a missing one falls back to ``long``, then to
    English. The pattern's ``{close}`` becomes ``close`` (nothing by default:
    the drafts pass a mark that ``close_dates`` resolves once the line is filled).
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
        close=close,
    )


def close_dates(text: str, language: Language) -> str:
    """``text`` with each date's closing mark written as ``[dates].close`` where a word
    follows ("am Freitag, dem 18. Dezember, über"), and dropped before punctuation,
    a dash or the end of the line ("am Freitag, dem 18. Dezember.")."""
    if _CLOSE not in text:
        return text
    mark = str(language.dates.get("close", ","))
    return _CLOSED.sub(mark, text).replace(_CLOSE, "")


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
    text = value.translate(str.maketrans("[]{}", "()()", _CLOSE))
    text = " ".join(text.split()).rstrip(" .,;:!?…")
    return text or None


def choose_topic(interview: Interview, recipient: Person | None, language: Language) -> str | None:
    """The topic to mention to ``recipient``, or ``None`` for a general phrasing.

    The one the notes attribute to this person; else, for someone who was in
    the room, one nobody else on the panel owns. Never a topic another
    interviewer discussed, and never one the etiquette check would object to
    (salary, a phone call).
    """
    own: list[str] = []
    in_room = recipient is None
    if recipient is not None:
        wanted = recipient.aliases
        own = [topic for who, topic in interview.person_topics if who in wanted]
        in_room = any(p.aliases & wanted for p in interview.interviewers)
    owned = {topic for _, topic in interview.person_topics}
    unowned = [t for t in interview.topics if t not in owned] if in_room else []
    for topic in [*own, *unowned]:
        text = plain_value(topic)
        if text and not content_findings(text, language):
            return text
    return None


def _relative_day(
    day: date, send_day: date | None, language: Language, table: str, pattern: str
) -> str:
    if send_day is not None:
        words = dict(language.dates.get(table, {}))
        word = words.get(str((send_day - day).days))
        if word:
            return str(word)
    # "am Freitag, dem 18. Dezember": the phrase may write the date its own way.
    style = "day_long" if "day_long" in language.dates else "long"
    written = format_date(day, language, year_style(day, send_day, style, language), _CLOSE)
    return str(language.dates.get(pattern, "{date}")).format(date=written)


def year_style(day: date, send_day: date | None, style: str, language: Language) -> str:
    """``style``, or its ``<style>_year`` pattern when the draft is sent in another year."""
    if send_day is not None and send_day.year != day.year and f"{style}_year" in language.dates:
        return f"{style}_year"
    return style


def stated_date(timeline: StatedTimeline) -> bool:
    """Whether the notes gave a day: "by December 4" did, "Ende Januar" (a date
    the timeline reader places at the month's end) did not and keeps its words."""
    return (
        timeline.kind == "date"
        and timeline.deadline is not None
        and any(c.isdigit() for c in timeline.text)
    )


def timeline_text(
    timeline: StatedTimeline | None, language: Language, send_day: date | None = None
) -> str | None:
    """The stated timeline as the draft says it: the notes' own words, or a stated date.

    Only a date the notes gave is written as a date ("by Monday, January 4");
    "next week" or "within two weeks" stay as they were written.
    """
    if timeline is None or timeline.kind == "carried":
        # An earlier round's "next week" no longer means next week: not quoted.
        return None
    if stated_date(timeline):
        assert timeline.deadline is not None
        style = year_style(timeline.deadline, send_day, "deadline", language)
        written = format_date(timeline.deadline, language, style, _CLOSE)
        return str(language.dates.get("by_date", "{date}")).format(date=written)
    text = plain_value(timeline.text)
    if not text:
        return None
    first = text.split()[0].lower().strip(",.")
    proper = bool(language.dates.get("capitalised_names")) and (
        first in language.weekdays or first in language.months
    )
    # German writes nouns with a capital ("Ende Januar"): ``keep_case`` keeps the notes' case,
    # except for a first word in ``lower_words`` ("Nächste Woche" -> "nächste Woche").
    if proper or language.dates.get("keep_case"):
        lower_words = {str(w).lower() for w in language.dates.get("lower_words", ())}
        if first in lower_words:
            return text[:1].lower() + text[1:]
        return text
    return grammar.lower_first(text)


def interview_fields(
    interview: Interview,
    stage: Stage,
    recipient: Person | None,
    settings: Settings,
    language: Language,
    send_day: date | None = None,
) -> dict[str, str | None]:
    """The values a template is filled with; ``None`` where the interview does not say."""
    timeline = interview.timeline if stage is Stage.CHECK_IN else None
    deadline = None
    if timeline is not None and timeline.deadline is not None and stated_date(timeline):
        style = year_style(timeline.deadline, send_day, "deadline", language)
        deadline = format_date(timeline.deadline, language, style, _CLOSE)
    idea = plain_value(interview.idea)
    if idea and content_findings(idea, language):
        idea = None
    name: Name | None = parse_name(recipient.name, recipient.email) if recipient else None
    day = interview.start.date()
    return {
        "name": plain_value(name.full if name else None),
        "first_name": plain_value(name.given if name else None),
        "greeting": _greeting(recipient, name, language, interview.tone),
        "role": plain_value(interview.role),
        "company": plain_value(interview.company),
        "topic": choose_topic(interview, recipient, language) or _no_topic(interview, language),
        "date": format_date(day, language, year_style(day, send_day, "long", language), _CLOSE),
        "day": _relative_day(day, send_day, language, "relative", "on_day"),
        "day_of": _relative_day(day, send_day, language, "relative_of", "of_day"),
        "sender": plain_value(settings.name),
        "deadline": deadline,
        "timeline": timeline_text(timeline, language, send_day),
        "idea": idea,
    }


class _Missing(str):
    """A placeholder standing for a missing value (forms may word it differently)."""

    #: The field whose placeholder this text shows, when not the field it fills.
    field = ""


def _missing(text: str, field: str = "") -> _Missing:
    value = _Missing(text)
    value.field = field
    return value


def _no_topic(interview: Interview, language: Language) -> str | None:
    """No topic for this recipient: a general sentence (``None``) when the notes have
    topics that belong to others, a placeholder asking for one when they have none."""
    for topic in interview.topics:
        text = plain_value(topic)
        if text and not content_findings(text, language):
            return None
    return _missing(placeholder(language, "topic"))


def _greeting(
    recipient: Person | None, name: Name | None, language: Language, tone: str
) -> str | None:
    """The greeting line; with nobody to write to, one with the name left open (rule 2)."""
    if recipient is not None:
        return greeting(name, language, tone)
    # [greetings].open_<tone>: the greeting with the name left for the user to type.
    for pattern in language.greetings.get(f"open_{tone}", ()):
        for field in ("first_name", "name"):
            if "{" + field + "}" in pattern:
                text = pattern.replace("{" + field + "}", placeholder(language, field))
                return _missing(text, field)
    return None


class _Filler(string.Formatter):
    def __init__(self, values: Mapping[str, str | None], language: Language) -> None:
        self.values = values
        self.language = language
        self.missing: list[str] = []

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        name = str(key)
        value = self.values.get(name)
        if value and not isinstance(value, _Missing):
            return value
        if value:
            shown = getattr(value, "field", "") or name
            if shown not in self.missing:
                self.missing.append(shown)
            return value
        if name not in self.missing:
            self.missing.append(name)
        return _missing(placeholder(self.language, name))

    def format_field(self, value: Any, format_spec: str) -> Any:
        if not format_spec:
            return str(value)
        return apply_form(str(value), format_spec, self.language, isinstance(value, _Missing))


def placeholder(language: Language, field_name: str) -> str:
    """The visible placeholder for a missing field, in ``language``."""
    key = REQUIRED.get(field_name, field_name)
    if key == "first_name" and "first_name" not in language.placeholders:
        key = "name"
    return language.placeholder(key)


def apply_form(text: str, form_name: str, language: Language, missing: bool = False) -> str:
    """``text`` joined to a word as the language's ``[forms.<name>]`` table says.

    A form has variants, the first that applies is used; ``{}`` in it stands
    for the text:

    - ``missing``: the text is a placeholder (a wording that fits whatever the
      user types in, e.g. a quoted title);
    - ``native``: the text is the language's own common noun phrase
      (``grammar.is_common_noun``); ``{}`` is it in lower case and
      ``{genitive}``, ``{elative}``... its last word inflected (Finnish
      "ohjelmistokehittäjän tehtävästä");
    - ``article`` / ``unknown``: a French noun given its article ("la
      tarification dynamique"), or none could be chosen; a phrase that needs no
      article falls through to the variants below;
    - ``spaced`` when the text has a space, ``vowel`` when it starts with a
      vowel sound (``vowels``, and the mute h of ``[grammar].h_muet``),
      ``other``.

    ``lower = "native"`` writes a common-noun text in lower case in the
    ``spaced``/``vowel``/``other`` variants too (French "d'analyste").
    """
    form = language.forms.get(form_name)
    if form is None:
        raise ValueError(f"language {language.code} has no form {form_name!r}")
    if missing and "missing" in form:
        return form["missing"].replace("{}", text)
    common = not missing and grammar.is_common_noun(text, language)
    if common and "native" in form:
        native = _native(text, form["native"])
        if native is not None:
            return native
    if not missing and ("article" in form or "unknown" in form):
        found = grammar.with_article(text, language)
        if found is None and "unknown" in form:
            return form["unknown"].replace("{}", text)
        if found is not None and found[1] and "article" in form:
            return form["article"].replace("{}", found[0])
    if common and form.get("lower") == "native":
        text = grammar.lower_first(text)
    vowels = form.get("vowels", _VOWELS)
    if " " in text.strip() and "spaced" in form:
        variant = form["spaced"]
    elif "vowel" in form and (
        text[:1].lower() in vowels
        or (text[:1] in "hH" and grammar.starts_with_vowel_sound(text, language))
    ):
        variant = form["vowel"]
    else:
        variant = form.get("other", "{}")
    return variant.replace("{}", text)


def _native(text: str, variant: str) -> str | None:
    lowered = grammar.lower_first(text)
    result = variant.replace("{}", lowered)
    for case in grammar.CASES:
        if "{" + case + "}" in result:
            inflected = grammar.inflect_last(lowered, case)
            if inflected is None:
                return None
            result = result.replace("{" + case + "}", inflected)
    return result


def variant_number(recipient: Person | None, interview: Interview | None) -> tuple[int, int]:
    """Which wording this recipient gets, as ``(rank, salt)``.

    On a panel, ``rank`` is the recipient's place among the panel's people
    ordered by a hash of their address, so two panelists never share a
    variant while a line has enough of them; ``salt`` (from the interview) keeps
    one-person interviews from all reading alike. Anyone else: the hash itself.
    """

    def digest(text: str) -> int:
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")

    key = recipient.key if recipient is not None else ""
    if interview is None:
        return digest(key), 0
    people = [*interview.interviewers, *([interview.contact] if interview.contact else [])]
    panel = sorted({p.key for p in people if p.key}, key=lambda k: (digest(k), k))
    if key in panel:
        return panel.index(key), digest(interview.uid)
    return digest(key), 0


def pick_variant(line: str, number: tuple[int, int], line_number: int) -> str:
    """One of the ``||`` alternatives of ``line`` for wording ``number``."""
    if VARIANT_SEPARATOR.strip() not in line:
        return line
    choices = [c.strip() for c in line.split(VARIANT_SEPARATOR.strip())]
    count = len(choices)
    rank, salt = number
    # Ranks below `count` take distinct variants on every line; later ones mix lines.
    return choices[(rank + (rank // count) * line_number + salt) % count]


def _fill(text: str, filler: _Filler, number: tuple[int, int] = (0, 0)) -> str:
    lines = []
    for index, line in enumerate(text.splitlines()):
        conditional = _CONDITIONAL.match(line)
        if conditional:
            mark, name, rest = conditional.groups()
            if bool(filler.values.get(name)) != (mark == "?"):
                continue
            line = rest
        filled = close_dates(filler.format(pick_variant(line, number, index)), filler.language)
        # A date that ends in a full stop ("18.12.") ends the sentence too.
        lines.append(re.sub(r"(\d\.)\.(?!\.)", r"\1", filled))
    body = "\n".join(lines)
    # A dropped optional line must not leave a double gap.
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def fill_template(
    template: Template,
    values: Mapping[str, str | None],
    language: Language,
    number: tuple[int, int] = (0, 0),
) -> Draft:
    """``template`` with ``values`` filled in; missing ones become placeholders."""
    filler = _Filler(values, language)
    subject = _fill(template.subject, filler, number).strip()
    body = _fill(template.body, filler, number)
    shown = f"{subject}\n{body}"
    missing = tuple(f for f in filler.missing if placeholder(language, f) in shown)
    return Draft(subject=subject, body=body, missing=missing)


def stage_file(stage: Stage, late: bool) -> str:
    """The template name for a stage: a late thank-you has its own wording."""
    return stages.template_name(stage, late)


def render_draft(
    interview: Interview,
    stage: Stage,
    late: bool,
    recipient: Person | None,
    settings: Settings,
    send_day: date | None = None,
) -> Draft:
    """The drafted email for one reminder, to be sent on ``send_day`` (for "today")."""
    language = draft_language(interview.language, settings)
    template = load_template(language.code, stage_file(stage, late), interview.tone)
    values = interview_fields(interview, stage, recipient, settings, language, send_day)
    number = variant_number(recipient, interview)
    draft = fill_template(template, values, language, number)
    if values.get("idea") and _too_long(draft, language):
        # A long idea from the notes would break the length limit of rule 6: the
        # note goes without it (the idea stays in the interview's notes).
        draft = fill_template(template, {**values, "idea": None}, language, number)
    return draft


def _too_long(draft: Draft, language: Language) -> bool:
    checked = check_text(f"Subject: {draft.subject}\n\n{draft.body}", language.code)
    return any(finding.code in LENGTH_CODES for finding in checked.findings)
