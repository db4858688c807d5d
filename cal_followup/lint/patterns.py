"""Phrase patterns over words and their lemmas: how a rule file says what it looks for.

A pattern is a line of *elements* separated by spaces, matched against the
words of one sentence (case does not matter):

- ``call``: the word "call", or any word whose lemma is "call" (when the
  rule file turns lemmas on): "calls", "calling".
- ``=ya``: exactly the word "ya", never a lemma (for slang and short forms).
- ``palk*``, ``*palkka``, ``*gehalt*``: a word (or lemma) that starts with,
  ends with or contains the letters; compounds ("kuukausipalkka", "Einstiegsgehalt").
- ``a|b|c``: any of the alternatives; ``?a|b``: optionally one of them.
- ``...`` (up to four words) or ``...N`` (up to N): a gap.
- ``<num>``: a number; a lone sign (``?``, ``€``, ``$``, ``%``) is itself.

An entry that starts with ``re:`` is a Python regular expression instead,
matched case-insensitively in each sentence's text. Sentences end at ``.``
(not after a number: "4.1. mennessä"), ``!``, ``?`` or ``;`` before a space,
and at every line break: a pattern never spans two, so "Thanks for the call.
Could we meet?" is two sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_GAP = 4

_TOKEN = re.compile(
    r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?"  # numbers, "48 000", "65.000", "4,5"
    r"|[^\W\d_]\w*(?:['’][^\W\d_]\w*)*"  # words, "haven't", "aujourd'hui"
    r"|\w+"
    r"|\r\n?|\n"
    r"|[^\w\s]"
)
_ENDS = frozenset(".!?;")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    low: str
    lemma: str


@dataclass(frozen=True)
class _Test:
    kind: str  # "word", "exact", "prefix", "suffix", "contains", "num", "sign"
    value: str

    def __call__(self, token: Token) -> bool:
        kind, value = self.kind, self.value
        if kind == "word":
            return token.low == value or token.lemma == value
        if kind == "exact":
            return token.low == value
        if kind == "prefix":
            return token.low.startswith(value) or token.lemma.startswith(value)
        if kind == "suffix":
            return token.low.endswith(value) or token.lemma.endswith(value)
        if kind == "contains":
            return value in token.low or value in token.lemma
        if kind == "num":
            return token.low[:1].isdigit()
        return token.low == value


@dataclass(frozen=True)
class _Element:
    tests: tuple[_Test, ...]
    optional: bool = False
    gap: int = 0  # > 0: a gap of up to this many words; tests unused

    def accepts(self, token: Token) -> bool:
        return any(test(token) for test in self.tests)


@dataclass(frozen=True)
class Pattern:
    """One compiled entry of a rule file."""

    source: str
    elements: tuple[_Element, ...] = ()
    regex: re.Pattern[str] | None = None
    #: The words the first element accepts, when it accepts only listed words: a
    #: sentence holding none of them is skipped without trying the pattern.
    anchors: frozenset[str] | None = None


def _test(text: str) -> _Test:
    if text == "<num>":
        return _Test("num", "")
    if text.startswith("="):
        return _Test("exact", text[1:].casefold())
    if not any(c.isalnum() for c in text):
        return _Test("sign", text)
    body = text.strip("*").casefold()
    if text.startswith("*") and text.endswith("*") and len(text) > 1:
        return _Test("contains", body)
    if text.endswith("*"):
        return _Test("prefix", body)
    if text.startswith("*"):
        return _Test("suffix", body)
    return _Test("word", body)


def compile_pattern(source: str) -> Pattern:
    """``source`` in the syntax above; ValueError names what is wrong."""
    if source.startswith("re:"):
        try:
            return Pattern(source, regex=re.compile(source[3:], re.IGNORECASE))
        except re.error as error:
            raise ValueError(f"bad regular expression {source!r}: {error}") from None
    elements: list[_Element] = []
    for part in source.split():
        gap = re.fullmatch(r"\.\.\.(\d*)", part)
        if gap:
            elements.append(_Element((), gap=int(gap.group(1) or DEFAULT_GAP)))
            continue
        optional = part.startswith("?") and len(part) > 1
        if optional:
            part = part[1:]
        tests = tuple(_test(alt) for alt in part.split("|") if alt)
        if not tests:
            raise ValueError(f"empty element in pattern {source!r}")
        elements.append(_Element(tests, optional))
    if not elements or elements[0].gap or elements[-1].gap:
        raise ValueError(f"pattern {source!r} must start and end with a word")
    first = elements[0]
    literal = not first.optional and all(t.kind in ("word", "exact", "sign") for t in first.tests)
    anchors = frozenset(t.value for t in first.tests) if literal else None
    return Pattern(source, tuple(elements), anchors=anchors)


def tokenize(
    text: str, lemma: Callable[[str], str], elisions: Sequence[str] = ()
) -> list[list[Token]]:
    """The sentences of ``text``, each a list of tokens with offsets into ``text``."""
    sentences: list[list[Token]] = [[]]
    for match in _TOKEN.finditer(text):
        raw, start = match.group(0), match.start()
        if raw in ("\n", "\r", "\r\n"):
            sentences.append([])
            continue
        if raw == "-":
            continue  # "Pourriez-vous", "Teams-palaveri": the parts are words of their own
        low = raw.casefold().replace("’", "'")
        for elision in elisions:
            # French "m'appeler" is two words: "m'" and "appeler".
            if low.startswith(elision) and len(low) > len(elision):
                cut = len(elision)
                sentences[-1].append(Token(start, start + cut, low[:cut], low[:cut]))
                raw, low, start = raw[cut:], low[cut:], start + cut
                break
        word = low[:1].isalpha()
        sentences[-1].append(Token(start, match.end(), low, lemma(raw) if word else low))
        following = text[match.end() : match.end() + 1]
        # "4.1. mennessä", "am 1. März": a full stop after a number is a date or an ordinal.
        after_number = raw == "." and len(sentences[-1]) > 1 and sentences[-1][-2].low[:1].isdigit()
        if raw in _ENDS and (not following or following.isspace()) and not after_number:
            sentences.append([])
    return [s for s in sentences if s]


def _match_at(elements: Sequence[_Element], k: int, tokens: Sequence[Token], i: int) -> int | None:
    """End (exclusive) of a match of ``elements[k:]`` starting at token ``i``."""
    if k == len(elements):
        return i
    element = elements[k]
    if element.gap:
        for skip in range(element.gap + 1):
            if i + skip > len(tokens):
                break
            end = _match_at(elements, k + 1, tokens, i + skip)
            if end is not None:
                return end
        return None
    if i < len(tokens) and element.accepts(tokens[i]):
        end = _match_at(elements, k + 1, tokens, i + 1)
        if end is not None:
            return end
    if element.optional:
        return _match_at(elements, k + 1, tokens, i)
    return None


def vocabulary(sentence: Sequence[Token]) -> frozenset[str]:
    """Every word and lemma of a sentence, for ``find``'s quick rejection."""
    return frozenset(t.low for t in sentence) | frozenset(t.lemma for t in sentence)


def find(
    pattern: Pattern, sentence: Sequence[Token], words: frozenset[str] | None = None
) -> list[tuple[int, int]]:
    """Character spans where a word pattern matches in one sentence, left to right.

    ``words`` is the sentence's ``vocabulary``, when the caller has it at hand.
    """
    if pattern.anchors is not None and words is not None and pattern.anchors.isdisjoint(words):
        return []
    spans = []
    i = 0
    first = pattern.elements[0]
    while i < len(sentence):
        if first.optional or first.accepts(sentence[i]):
            end = _match_at(pattern.elements, 0, sentence, i)
            if end is not None and end > i:
                spans.append((sentence[i].start, sentence[end - 1].end))
                i = end
                continue
        i += 1
    return spans
