"""The shape of a draft: header lines, greeting, paragraphs, sign-off, signature.

``draft_shape`` splits a pasted draft (or a reminder's DESCRIPTION) the way
``cal_followup.lint`` documents it, using the language's ``[lint]`` lists
(greetings, sign-offs, closing formulas, header names) as regular
expressions built once per language and list (``list_pattern``). The checks
themselves live in ``cal_followup.lint``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from cal_followup.lint.rules import load_rule_sets, rule_set

#: A greeting or sign-off line is at most this many words long.
MAX_SHORT_LINE_WORDS = 8

_HEADER = re.compile(r"^[ \t]*([^\W\d][\w .'-]{0,30}?)[ \t]*:[ \t]?(.*)$")
_WORD = re.compile(r"\S+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


# -- the words, as patterns -----------------------------------------------------------------


def _phrase_pattern(phrase: str) -> str:
    if phrase.startswith("re:"):
        return phrase[3:]
    wildcard = phrase.endswith("*")
    core = phrase.rstrip("*").translate(_APOSTROPHES)
    pattern = r"\s+".join(re.escape(part) for part in core.split())
    edge_start = r"(?<!\w)" if core[:1].isalnum() or core[:1] == "_" else r"(?<![\w+])"
    edge_end = r"\w*" if wildcard else r"(?!\w)" if core[-1:].isalnum() else r"(?![\w+])"
    return edge_start + pattern + edge_end


@cache
def list_pattern(code: str, name: str, anchored: bool = False) -> re.Pattern[str] | None:
    """One regular expression for a ``[lint]`` list, longest phrases first."""
    phrases = rule_set(code).get(name)
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    alternation = "|".join(f"(?:{_phrase_pattern(p)})" for p in ordered)
    prefix = r"^[ \t]*" if anchored else ""
    return re.compile(f"{prefix}(?:{alternation})", re.IGNORECASE)


@cache
def all_headers() -> tuple[frozenset[str], frozenset[str]]:
    subjects: set[str] = set()
    others: set[str] = set()
    for rules in load_rule_sets().values():
        subjects.update(rules.get("subject_headers"))
        others.update(rules.get("headers"))
    subjects.add("subject")
    return frozenset(subjects), frozenset(others | subjects)


def normalise(text: str) -> str:
    # Same length, so offsets stay valid: typographic apostrophes match the lists' "'".
    return text.translate(_APOSTROPHES)


# -- the draft's shape ----------------------------------------------------------------------


@dataclass
class Line:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def words(self) -> int:
        return count_words(self.text)


@dataclass
class Shape:
    subject: Line | None = None
    header_seen: bool = False
    body: list[Line] = field(default_factory=list)
    blocks: list[list[Line]] = field(default_factory=list)
    greeting: Line | None = None
    sign_off: Line | None = None
    signature: list[Line] = field(default_factory=list)
    paragraphs: list[list[Line]] = field(default_factory=list)


def count_words(text: str) -> int:
    return sum(1 for word in _WORD.findall(text) if any(c.isalnum() for c in word))


def lines_of(text: str) -> list[Line]:
    lines = []
    position = 0
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\n|\r|$)", text):
        raw = match.group(0)
        if not raw and match.start() >= len(text):
            break
        content = raw.rstrip("\r\n")
        lines.append(Line(position, content))
        position = match.end()
    return lines


def starts_with(pattern: re.Pattern[str] | None, text: str) -> re.Match[str] | None:
    return pattern.match(text) if pattern is not None else None


def _is_sign_off(line: Line, code: str) -> bool:
    text = line.text.strip()
    if not text or text[-1] in ".?:;" or count_words(text) > MAX_SHORT_LINE_WORDS:
        return False
    return bool(
        starts_with(list_pattern(code, "sign_offs", True), text)
        or starts_with(list_pattern(code, "casual_greetings", True), text)
    )


def draft_shape(text: str, code: str) -> Shape:
    shape = Shape()
    lines = lines_of(text)
    index = 0
    while index < len(lines) and not lines[index].text.strip():
        index += 1
    # A reminder's DESCRIPTION starts with the mailto: link.
    if index < len(lines) and "mailto:" in lines[index].text.lower():
        index += 1
        while index < len(lines) and not lines[index].text.strip():
            index += 1
    subject_labels, header_labels = all_headers()
    while index < len(lines):
        match = _HEADER.match(lines[index].text)
        if not match or match.group(1).strip().lower() not in header_labels:
            break
        shape.header_seen = True
        if match.group(1).strip().lower() in subject_labels:
            shape.subject = Line(lines[index].start + match.start(2), match.group(2))
        index += 1
    shape.body = lines[index:]

    block: list[Line] = []
    for line in shape.body:
        if line.text.strip():
            block.append(line)
        elif block:
            shape.blocks.append(block)
            block = []
    if block:
        shape.blocks.append(block)
    if not shape.blocks:
        return shape

    blocks = [list(b) for b in shape.blocks]
    first = blocks[0][0]
    first_text = first.text.strip()
    if (
        starts_with(list_pattern(code, "greetings", True), first_text)
        or starts_with(list_pattern(code, "casual_greetings", True), first_text)
        or (first_text.endswith(",") and first.words <= MAX_SHORT_LINE_WORDS)
    ):
        shape.greeting = first
        # "Hi Anna, thanks for..." greets and starts the first paragraph at once.
        if first.words <= MAX_SHORT_LINE_WORDS:
            blocks[0] = blocks[0][1:]

    _find_signature(shape, blocks, code)
    shape.paragraphs = [b for b in blocks if b]
    return shape


#: A closing formula runs over at most this many lines before its full stop.
MAX_FORMULA_LINES = 4


def _closing_in(block: list[Line], code: str) -> tuple[int, int] | None:
    """``(first, after)``: ``block[first:after]`` is the sign-off, if the block has one.

    A short closing line ("Kind regards,"), or a closing formula, a whole
    sentence that may wrap over lines up to its full stop.
    """
    formula = list_pattern(code, "closing_formulas")
    for index, line in enumerate(block):
        if _is_sign_off(line, code):
            return index, index + 1
        if formula is not None and formula.search(normalise(line.text)):
            end = index
            while (
                end + 1 < len(block)
                and end - index < MAX_FORMULA_LINES
                and not block[end].text.rstrip().endswith(".")
            ):
                end += 1
            return index, end + 1
    return None


def _find_signature(shape: Shape, blocks: list[list[Line]], code: str) -> None:
    """Set the shape's sign-off and signature and take them out of ``blocks``."""
    last = blocks[-1]
    found = _closing_in(last, code)
    if found is not None:
        first, after = found
        shape.sign_off = last[first]
        shape.signature = last[after:]
        blocks[-1] = last[:first]
        return
    # "Best regards," then a blank line, then the name.
    if (
        len(blocks) >= 2
        and len(last) <= 3
        and all(line.words <= 5 and line.text.strip()[-1:] not in ".?!" for line in last)
    ):
        previous = blocks[-2]
        found = _closing_in(previous, code) if previous else None
        if found is not None and found[1] == len(previous):
            shape.sign_off = previous[found[0]]
            shape.signature = last
            blocks[-2] = previous[: found[0]]
            blocks[-1] = []
