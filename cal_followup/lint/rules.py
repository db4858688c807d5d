"""The check's words as data: one rule file per language in ``lint/rules/<code>.toml``.

A rule file holds plain lists (``words`` that tell the language, header
labels, ``greetings``, ``casual_greetings``, ``sign_offs``, ``closing_formulas``,
``vague_subject``), ``names`` (regular expressions, case-sensitive, whose
match or ``name`` group is a role or company name, never a finding: "the
Compensation Analyst role") and ``[[rules]]`` tables::

    [[rules]]
    code = "F010"                       # a code of cal_followup.lint.CODES
    message = "proposes a call {quote}" # {quote} is the words found
    match = ["could|can ... call", "re:\\bzoom\\b"]
    unless = ["thank* ... for"]         # same sentence: not a finding

``match`` and ``unless`` entries use the syntax of ``cal_followup.lint.patterns``.
Several tables may share a code, each with its own ``unless``. Adding a file
here adds a language to the check; no code changes.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from cal_followup.lint import lemmas, patterns
from cal_followup.lint.patterns import Pattern, Token

LISTS = (
    "words",
    "subject_headers",
    "headers",
    "greetings",
    "casual_greetings",
    "sign_offs",
    "closing_formulas",
    "vague_subject",
    "elisions",
)


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    match: tuple[Pattern, ...]
    unless: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Everything the check knows about one language."""

    code: str
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    names: tuple[re.Pattern[str], ...] = ()
    lemmas: bool = False

    def get(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())

    def lemma(self, word: str) -> str:
        return lemmas.lemma(word, self.code) if self.lemmas else word.casefold()

    def sentences(self, text: str) -> list[list[Token]]:
        return patterns.tokenize(text, self.lemma, self.get("elisions"))


def parse_rule_set(data: dict[str, Any], origin: str = "rule file") -> RuleSet:
    """A rule file's TOML as a RuleSet; ValueError naming the file and the entry."""
    try:
        code = str(data["code"])
        rules = []
        for number, entry in enumerate(data.get("rules", []), 1):
            where = f"{origin}: rules #{number}"
            if "code" not in entry or "message" not in entry or not entry.get("match"):
                raise ValueError(f"{where}: needs code, message and match")
            try:
                match = tuple(patterns.compile_pattern(str(p)) for p in entry["match"])
                unless = tuple(patterns.compile_pattern(str(p)) for p in entry.get("unless", []))
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            rules.append(Rule(str(entry["code"]), str(entry["message"]), match, unless))
        names = tuple(re.compile(str(p)) for p in data.get("names", []))
    except (KeyError, TypeError, re.error) as error:
        raise ValueError(f"{origin}: {error!s}") from None
    lists = {name: tuple(str(v).lower() for v in data.get(name, [])) for name in LISTS}
    # Elisions and closing formulas keep their case-insensitive matching at use.
    return RuleSet(code, lists, tuple(rules), names, bool(data.get("lemmas", False)))


#: Folders holding rule files; a test may add one to prove a new file is picked up.
rule_dirs: list[Traversable | Path] = [resources.files(__package__) / "rules"]


@functools.cache
def load_rule_sets() -> dict[str, RuleSet]:
    """Every language's rules, by language code."""
    found: dict[str, RuleSet] = {}
    for folder in rule_dirs:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                data = tomllib.loads(entry.read_text(encoding="utf-8"))
                rule_set = parse_rule_set(data, entry.name)
                found[rule_set.code] = rule_set
    return found


def rule_set(code: str) -> RuleSet:
    """The rules of ``code``; an empty set (no words) for a language without a file."""
    return load_rule_sets().get(code) or RuleSet(code)


def _sentence_text(text: str, sentence: Sequence[Token]) -> str:
    return text[sentence[0].start : sentence[-1].end]


def _matches(
    pattern: Pattern, text: str, sentence: Sequence[Token], words: frozenset[str] | None = None
) -> list[tuple[int, int]]:
    if pattern.regex is not None:
        offset = sentence[0].start
        return [
            (offset + m.start(), offset + m.end())
            for m in pattern.regex.finditer(_sentence_text(text, sentence))
            if m.end() > m.start()
        ]
    return patterns.find(pattern, sentence, words)


def name_spans(text: str, rules: RuleSet, known: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of ``text`` that are role or company names: nothing in them is a finding."""
    spans = []
    for regex in rules.names:
        for match in regex.finditer(text):
            group = "name" if "name" in regex.groupindex else 0
            if match.start(group) >= 0 and match.end(group) > match.start(group):
                spans.append((match.start(group), match.end(group)))
    for name in known:
        if name.strip():
            spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(name), text))
    return spans


def phrase_findings(
    text: str, rules: RuleSet, known_names: Iterable[str] = ()
) -> list[tuple[int, int, str, str]]:
    """``(start, end, code, message)`` for every rule that matches ``text``.

    A match is dropped when an ``unless`` of its rule matches in the same
    sentence, or when it touches a role or company name ("about the Benefits
    Administrator position").
    """
    if not rules.rules:
        return []
    sentences = rules.sentences(text)
    vocabularies = [patterns.vocabulary(sentence) for sentence in sentences]
    protected = name_spans(text, rules, known_names)
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int, str]] = []
    for rule in rules.rules:
        for sentence, words in zip(sentences, vocabularies, strict=True):
            hits = [
                span for pattern in rule.match for span in _matches(pattern, text, sentence, words)
            ]
            if not hits:
                continue
            if any(_matches(u, text, sentence, words) for u in rule.unless):
                continue
            for start, end in sorted(hits):
                if any(start < b and a < end for a, b in protected):
                    continue
                if any(code == rule.code and start < b and a < end for a, b, code in taken):
                    continue  # one finding per phrase, however many entries match it
                taken.append((start, end, rule.code))
                quote = '"' + " ".join(text[start:end].split()) + '"'
                found.append((start, end, rule.code, rule.message.format(quote=quote)))
    return found
