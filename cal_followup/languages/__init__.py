"""Languages as data: one TOML file per language in this folder.

A language file holds the words cal-followup reads (interview words, labels,
stop categories, timeline phrases), the words it writes (placeholders,
date formats, reminder titles, small grammar helpers) and the words the
etiquette check looks for (``[lint]``). Adding a language means adding a file here
and, for drafts, its templates; no code changes. ``load_languages`` reads them
once and compiles the patterns.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

FIELDS = (
    "company",
    "role",
    "contact",
    "topics",
    "timeline",
    "language",
    "tone",
    "idea",
    "application",
)


@dataclass(frozen=True)
class TimelinePhrase:
    kind: str
    regex: re.Pattern[str]
    #: Values for named groups the pattern leaves out ("viikon sisällä" is one week:
    #: ``n = "1"``). Any key of a phrase entry other than kind and pattern.
    defaults: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    drafts: bool
    interview_words: tuple[str, ...]
    exclude_words: tuple[str, ...]
    stop_words: dict[str, tuple[str, ...]]
    labels: dict[str, tuple[str, ...]]
    tones: dict[str, tuple[str, ...]]
    summary_patterns: tuple[str, ...]
    placeholders: dict[str, str]
    dates: dict[str, Any]
    reminder_titles: dict[str, str]
    numbers: dict[str, int]
    units: dict[str, int | str]
    weekdays: dict[str, int]
    months: dict[str, int]
    #: The ``[timeline]`` table as written; its phrases are compiled on first use.
    timeline_source: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Other names a ``Language:`` line may use for this language ("Finnish", "suomi").
    aliases: tuple[str, ...] = ()
    #: Word lists for ``cal-followup check`` (greetings, slang, demanding phrases...),
    #: by list name; see ``cal_followup.lint``.
    lint: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Grammar helpers for templates: ``{role:de}`` joins "de" to the value as the
    #: language does ("d'Analyste", "de Data Engineer"); see ``cal_followup.drafts``.
    forms: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Reading and writing people's names (``[names]``: titles, particles, how a
    #: title is written); see ``cal_followup.names`` and ``cal_followup.drafts.names``.
    names: dict[str, Any] = field(default_factory=dict)
    #: Greeting patterns by tone, tried in order (``[greetings]``).
    greetings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Everything else the drafts read from the file (``[grammar]``: word lists
    #: for elision, articles and inflection); see ``cal_followup.drafts.grammar``.
    grammar: dict[str, Any] = field(default_factory=dict)

    def placeholder(self, name: str) -> str:
        return self.placeholders.get(name) or f"[{name}]"

    @functools.cached_property
    def phrases(self) -> tuple[TimelinePhrase, ...]:
        """The timeline phrases, compiled when a text in this language is first read
        (compiling every language's at start-up cost more than a small calendar's work)."""
        return _compile_phrases(self.timeline_source)


def _alternation(words: Any) -> str:
    # Longest first, so "march" wins over "mar" and "two weeks" over "two".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def _compile_phrases(raw: dict[str, Any]) -> tuple[TimelinePhrase, ...]:
    tables = {
        "month": _alternation(raw.get("months", {})),
        "number": _alternation(raw.get("numbers", {})),
        "unit": _alternation(raw.get("units", {})),
        "weekday": _alternation(raw.get("weekdays", {})),
    }
    phrases = []
    for entry in raw.get("phrases", []):
        pattern = entry["pattern"]
        for name, alternation in tables.items():
            pattern = pattern.replace("{" + name + "}", f"(?:{alternation})")
        defaults = {k: str(v) for k, v in entry.items() if k not in ("kind", "pattern")}
        phrases.append(TimelinePhrase(entry["kind"], re.compile(pattern, re.IGNORECASE), defaults))
    return tuple(phrases)


def _lower_tuple(values: Any) -> tuple[str, ...]:
    return tuple(str(v).lower() for v in values)


def parse_language(data: dict[str, Any]) -> Language:
    timeline = data.get("timeline", {})
    return Language(
        code=data["code"],
        name=data.get("name", data["code"]),
        drafts=bool(data.get("drafts", False)),
        interview_words=_lower_tuple(data.get("interview_words", [])),
        exclude_words=_lower_tuple(data.get("exclude_words", [])),
        stop_words={k: _lower_tuple(v) for k, v in data.get("stop_words", {}).items()},
        labels={k: _lower_tuple(v) for k, v in data.get("labels", {}).items()},
        tones={k: _lower_tuple(v) for k, v in data.get("tones", {}).items()},
        summary_patterns=tuple(data.get("summary", {}).get("patterns", [])),
        placeholders=dict(data.get("placeholders", {})),
        dates=dict(data.get("dates", {})),
        reminder_titles=dict(data.get("reminder", {})),
        numbers={k.lower(): int(v) for k, v in timeline.get("numbers", {}).items()},
        units={k.lower(): v for k, v in timeline.get("units", {}).items()},
        weekdays={k.lower(): int(v) for k, v in timeline.get("weekdays", {}).items()},
        months={k.lower(): int(v) for k, v in timeline.get("months", {}).items()},
        timeline_source=timeline,
        aliases=_lower_tuple(data.get("aliases", [])),
        lint={k: _lower_tuple(v) for k, v in data.get("lint", {}).items()},
        forms={k: {str(a): str(b) for a, b in v.items()} for k, v in data.get("forms", {}).items()},
        names=dict(data.get("names", {})),
        greetings={k: tuple(str(p) for p in v) for k, v in data.get("greetings", {}).items()},
        grammar=dict(data.get("grammar", {})),
    )


@functools.cache
def load_languages() -> dict[str, Language]:
    """Every language shipped with cal-followup, by code."""
    found: dict[str, Language] = {}
    for entry in resources.files(__name__).iterdir():
        if entry.name.endswith(".toml"):
            language = parse_language(tomllib.loads(entry.read_text(encoding="utf-8")))
            found[language.code] = language
    return found


def get_language(code: str) -> Language:
    return load_languages()[code]


def draft_languages() -> tuple[str, ...]:
    """Codes of the languages that have draft templates."""
    return tuple(sorted(c for c, lang in load_languages().items() if lang.drafts))
