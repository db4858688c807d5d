"""The etiquette check: a draft, generated or typed, held against rule 6.

``check_text`` reads a draft the way a person pastes it (optional header lines
such as ``Subject:`` and ``To:``, then the body; a reminder's DESCRIPTION, with
its ``mailto:`` line first, reads the same way) and returns findings with
1-based line and column numbers, like a compiler's. ``check_document`` also
takes a whole .ics file and checks the draft of every cal-followup reminder
in it, with positions in the file itself. The words it looks for are data:
one rule file per language, ``lint/rules/<code>.toml`` (see
``cal_followup.lint.rules`` for its schema and ``cal_followup.lint.patterns``
for its phrase patterns, which match words by their lemmas), so adding a
language adds its greetings, slang and demanding phrases without code.

What counts (documented here and in ``cal-followup check --help``):

- The *body* is everything after the header lines. Its *blocks* are runs of
  non-blank lines. The *greeting* is the first line of the body when it
  starts with a known greeting ("Dear", "Hei", "Bonjour"), or is short (at
  most eight words) and ends with a comma; a long one is paragraph text too.
  The *sign-off* is the first line of the last block that starts with a
  known closing phrase ("Kind regards", "Ystävällisin terveisin", "Bien
  cordialement"), is short and does not end a sentence, or that holds a
  classic closing formula ("Je vous prie d'agréer, Madame, l'expression de
  mes salutations distinguées."), which may wrap over lines; it and the
  lines after it (the sender's name) are the signature.
- A *paragraph* is a block, less the greeting and the signature. A draft has
  at most ``MAX_PARAGRAPHS`` of them, none longer than ``MAX_PARAGRAPH_WORDS``
  words, and at most ``MAX_WORDS`` words in all of them together.
- A *word* is a run of characters between white space that holds a letter or
  a digit.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from cal_followup.languages import Language, load_languages
from cal_followup.lint.ics import calendar_drafts, is_calendar
from cal_followup.lint.rules import load_rule_sets, phrase_findings, rule_set

MAX_PARAGRAPHS = 4
MAX_WORDS = 150
MAX_PARAGRAPH_WORDS = 70
#: A greeting or sign-off line is at most this many words long.
MAX_SHORT_LINE_WORDS = 8
#: The language assumed when the text gives no clue.
DEFAULT_LANGUAGE = "en"

#: Every finding code, with what it means. Codes never change meaning.
CODES: dict[str, str] = {
    "F001": "no subject line",
    "F002": "vague subject: it does not say which role or interview",
    "F003": "too casual a greeting or sign-off (Hey, Moi, Salut)",
    "F004": "no greeting: start with the reader's name (Dear, Hei, Bonjour)",
    "F005": "emoji or emoticon",
    "F006": "slang or spoken-language form",
    "F007": "demanding, impatient or desperate phrase (ASAP, heti, dès que possible)",
    "F008": "more than one exclamation mark",
    "F009": "salary or benefits: leave money to the employer",
    "F010": "proposes a phone call or an office visit: keep to email",
    "F011": f"more than {MAX_PARAGRAPHS} paragraphs",
    "F012": f"longer than {MAX_WORDS} words",
    "F013": f"a paragraph longer than {MAX_PARAGRAPH_WORDS} words",
    "F014": "no sign-off, or no name under it",
    "P001": "unfilled placeholder",
}
PLACEHOLDER_CODES = frozenset({"P001"})
LENGTH_CODES = frozenset({"F011", "F012", "F013"})

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299]"
    r"|(?<![\w:/])[:;=]-?[)(DPp|*]+(?!\w)"
    r"|(?<!\w)<3(?!\w)|(?<!\w)[xX]D(?!\w)|\^_?\^"
)
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,80}\]|\{\w+(?::\w+)?\}")
_HEADER = re.compile(r"^[ \t]*([^\W\d][\w .'-]{0,30}?)[ \t]*:[ \t]?(.*)$")
_WORD = re.compile(r"\S+")
_TOKEN = re.compile(r"\w+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Checked:
    """The findings for one draft; ``reminder`` is its UID when it came from an .ics file."""

    language: str
    findings: tuple[Finding, ...]
    reminder: str | None = None


# -- positions ------------------------------------------------------------------------------


class _Positions:
    """Offsets in the checked text -> 1-based (line, column) in the input."""

    def __init__(
        self, text: str, mapping: Sequence[tuple[int, int]] | None = None, first_line: int = 1
    ) -> None:
        self.mapping = mapping
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]
        self.length = len(text)

    def __call__(self, offset: int) -> tuple[int, int]:
        if self.mapping is not None:
            if not self.mapping:
                return (self.first_line, 1)
            index = min(max(offset, 0), len(self.mapping) - 1)
            line, column = self.mapping[index]
            return (line, column + (1 if offset >= len(self.mapping) else 0))
        index = bisect.bisect_right(self.starts, offset) - 1
        return (self.first_line + index, offset - self.starts[index] + 1)


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
def _list_pattern(code: str, name: str, anchored: bool = False) -> re.Pattern[str] | None:
    """One regular expression for a ``[lint]`` list, longest phrases first."""
    phrases = rule_set(code).get(name)
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    alternation = "|".join(f"(?:{_phrase_pattern(p)})" for p in ordered)
    prefix = r"^[ \t]*" if anchored else ""
    return re.compile(f"{prefix}(?:{alternation})", re.IGNORECASE)


@cache
def _all_headers() -> tuple[frozenset[str], frozenset[str]]:
    subjects: set[str] = set()
    others: set[str] = set()
    for rules in load_rule_sets().values():
        subjects.update(rules.get("subject_headers"))
        others.update(rules.get("headers"))
    subjects.add("subject")
    return frozenset(subjects), frozenset(others | subjects)


def _normalise(text: str) -> str:
    # Same length, so offsets stay valid: typographic apostrophes match the lists' "'".
    return text.translate(_APOSTROPHES)


def detect_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language whose frequent words (a rule file's ``words``) the text uses most."""
    tokens = re.findall(r"\w+(?:'\w+)?", _normalise(text).lower())
    best, best_score = default, 0
    for code, rules in sorted(load_rule_sets().items(), key=lambda item: item[0] != default):
        words = set(rules.get("words"))
        if not words:
            continue
        score = sum(1 for token in tokens if token in words)
        if score > best_score:
            best, best_score = code, score
    return best


# -- the draft's shape ----------------------------------------------------------------------


@dataclass
class _Line:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def words(self) -> int:
        return _count_words(self.text)


@dataclass
class _Shape:
    subject: _Line | None = None
    header_seen: bool = False
    body: list[_Line] = field(default_factory=list)
    blocks: list[list[_Line]] = field(default_factory=list)
    greeting: _Line | None = None
    sign_off: _Line | None = None
    signature: list[_Line] = field(default_factory=list)
    paragraphs: list[list[_Line]] = field(default_factory=list)


def _count_words(text: str) -> int:
    return sum(1 for word in _WORD.findall(text) if any(c.isalnum() for c in word))


def _lines(text: str) -> list[_Line]:
    lines = []
    position = 0
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\n|\r|$)", text):
        raw = match.group(0)
        if not raw and match.start() >= len(text):
            break
        content = raw.rstrip("\r\n")
        lines.append(_Line(position, content))
        position = match.end()
    return lines


def _starts_with(pattern: re.Pattern[str] | None, text: str) -> re.Match[str] | None:
    return pattern.match(text) if pattern is not None else None


def _is_sign_off(line: _Line, code: str) -> bool:
    text = line.text.strip()
    if not text or text[-1] in ".?:;" or _count_words(text) > MAX_SHORT_LINE_WORDS:
        return False
    return bool(
        _starts_with(_list_pattern(code, "sign_offs", True), text)
        or _starts_with(_list_pattern(code, "casual_greetings", True), text)
    )


def _shape(text: str, code: str) -> _Shape:
    shape = _Shape()
    lines = _lines(text)
    index = 0
    while index < len(lines) and not lines[index].text.strip():
        index += 1
    # A reminder's DESCRIPTION starts with the mailto: link.
    if index < len(lines) and "mailto:" in lines[index].text.lower():
        index += 1
        while index < len(lines) and not lines[index].text.strip():
            index += 1
    subject_labels, header_labels = _all_headers()
    while index < len(lines):
        match = _HEADER.match(lines[index].text)
        if not match or match.group(1).strip().lower() not in header_labels:
            break
        shape.header_seen = True
        if match.group(1).strip().lower() in subject_labels:
            shape.subject = _Line(lines[index].start + match.start(2), match.group(2))
        index += 1
    shape.body = lines[index:]

    block: list[_Line] = []
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
        _starts_with(_list_pattern(code, "greetings", True), first_text)
        or _starts_with(_list_pattern(code, "casual_greetings", True), first_text)
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


def _closing_in(block: list[_Line], code: str) -> tuple[int, int] | None:
    """``(first, after)``: ``block[first:after]`` is the sign-off, if the block has one.

    A short closing line ("Kind regards,"), or a closing formula, a whole
    sentence that may wrap over lines up to its full stop.
    """
    formula = _list_pattern(code, "closing_formulas")
    for index, line in enumerate(block):
        if _is_sign_off(line, code):
            return index, index + 1
        if formula is not None and formula.search(_normalise(line.text)):
            end = index
            while (
                end + 1 < len(block)
                and end - index < MAX_FORMULA_LINES
                and not block[end].text.rstrip().endswith(".")
            ):
                end += 1
            return index, end + 1
    return None


def _find_signature(shape: _Shape, blocks: list[list[_Line]], code: str) -> None:
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


# -- the rules ------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + " ".join(text.split()) + '"'


def content_findings(
    text: str, language: Language | str, known_names: Iterable[str] = ()
) -> list[tuple[int, int, str, str]]:
    """``(start, end, code, message)`` for the words in ``text`` that rule 6 objects to.

    Slang, demanding phrases, pay, calls and visits, emoji: what can be wrong
    with a phrase on its own. The drafts use it to avoid a topic or idea from
    the notes that would put such words into the user's mouth. ``language``
    is a Language or its code; ``known_names`` (a role, a company) are never
    findings themselves.
    """
    code = language if isinstance(language, str) else language.code
    found = phrase_findings(text, rule_set(code), known_names)
    for match in _EMOJI.finditer(text):
        found.append(
            (
                match.start(),
                match.end(),
                "F005",
                f"emoji or emoticon {_quote(match.group(0))}: leave it out",
            )
        )
    return found


def check_text(
    text: str,
    language: str | None = None,
    *,
    positions: Callable[[int], tuple[int, int]] | None = None,
) -> Checked:
    """Lint one draft. ``language`` is a code; ``None`` detects it from the text.

    ``positions`` maps an offset in ``text`` to its (line, column) in the input
    (an .ics file); by default, lines and columns of ``text`` itself.
    """
    locate = positions or _Positions(text)
    known = set(load_languages()) | set(load_rule_sets())
    code = language if language in known else detect_language(text)
    shape = _shape(text, code)
    findings: list[tuple[int, str, str]] = []

    def add(offset: int, rule: str, message: str) -> None:
        findings.append((offset, rule, message))

    # Subject (rule 6: a clear subject gets read).
    subject = shape.subject
    if subject is None or not subject.text.strip():
        where = subject.start if subject is not None else (shape.body[0].start if shape.body else 0)
        add(where, "F001", "no subject line: add 'Subject: ...' naming the role")
    elif _vague_subject(subject.text, code):
        add(
            subject.start,
            "F002",
            f"vague subject {_quote(subject.text)}: name the role or the interview",
        )

    # Greeting and sign-off.
    casual_spans = _frame_findings(shape, code, add)

    # Words and signs in the subject and the body.
    # The subject's names (a role, a company) clear the body.
    spans: list[tuple[int, str, list[str]]] = []
    names: list[str] = []
    if shape.subject is not None:
        names = _subject_names(shape.subject.text)
        # In the subject itself only a name after its first word: "Thank you – Benefits
        # Coordinator" is a role, "Salary Question" is the question.
        first = shape.subject.text.strip()
        inner = [name for name in names if not first.startswith(name)]
        spans.append((shape.subject.start, shape.subject.text, inner))
    if shape.body:
        body_start = shape.body[0].start
        spans.append((body_start, text[body_start:], names))
    exclamations: list[int] = []
    for offset, chunk, known_names in spans:
        for start, _end, rule, message in content_findings(chunk, code, known_names):
            absolute = offset + start
            if rule in ("F006",) and any(a <= absolute < b for a, b in casual_spans):
                continue
            add(absolute, rule, message)
        exclamations.extend(offset + m.start() for m in re.finditer("!", chunk))
    if len(exclamations) > 1:
        add(exclamations[1], "F008", f"{len(exclamations)} exclamation marks: keep at most one")

    # Length.
    total = 0
    for number, paragraph in enumerate(shape.paragraphs, 1):
        words = sum(line.words for line in paragraph)
        total += words
        if number == MAX_PARAGRAPHS + 1:
            add(
                paragraph[0].start,
                "F011",
                f"{len(shape.paragraphs)} paragraphs: keep to at most {MAX_PARAGRAPHS} short ones",
            )
        if words > MAX_PARAGRAPH_WORDS:
            add(
                paragraph[0].start,
                "F013",
                f"paragraph of {words} words: keep each under {MAX_PARAGRAPH_WORDS}",
            )
    if total > MAX_WORDS:
        add(shape.paragraphs[0][0].start, "F012", f"{total} words: keep the note under {MAX_WORDS}")

    # Placeholders, anywhere below the link (the To: line too).
    checked_from = 0
    lines = _lines(text)
    if lines and "mailto:" in lines[0].text.lower():
        checked_from = lines[0].end
    for match in _PLACEHOLDER.finditer(text, checked_from):
        add(match.start(), "P001", f"unfilled placeholder {match.group(0)}: fill it in")

    unique = sorted(set(findings), key=lambda item: (item[0], item[1]))
    result = []
    for offset, rule, message in unique:
        line, column = locate(offset)
        result.append(Finding(line, column, rule, message))
    result.sort(key=lambda f: (f.line, f.column, f.code))
    return Checked(code, tuple(result))


def _frame_findings(
    shape: _Shape, code: str, add: Callable[[int, str, str], None]
) -> list[tuple[int, int]]:
    """F003, F004, F014 for the greeting and the sign-off; the casual lines' spans."""
    casual = _list_pattern(code, "casual_greetings", True)
    casual_spans: list[tuple[int, int]] = []
    if shape.greeting is not None:
        start = shape.greeting.start + len(shape.greeting.text) - len(shape.greeting.text.lstrip())
        match = _starts_with(casual, _normalise(shape.greeting.text))
        if match:
            add(
                start,
                "F003",
                f"casual greeting {_quote(match.group(0))}: "
                "open with the reader's name and a proper greeting",
            )
            casual_spans.append((shape.greeting.start, shape.greeting.end))
        elif not _starts_with(_list_pattern(code, "greetings", True), shape.greeting.text):
            if rule_set(code).get("greetings"):
                add(start, "F004", "no greeting: open with a proper greeting and the reader's name")
    elif shape.blocks and rule_set(code).get("greetings"):
        add(
            shape.blocks[0][0].start,
            "F004",
            "no greeting: open with a proper greeting and the reader's name",
        )
    if shape.sign_off is not None:
        match = _starts_with(casual, _normalise(shape.sign_off.text))
        if match:
            add(
                shape.sign_off.start,
                "F003",
                f"casual sign-off {_quote(match.group(0))}: "
                "close with a polite phrase and your name",
            )
            casual_spans.append((shape.sign_off.start, shape.sign_off.end))
        if not any(line.text.strip() for line in shape.signature):
            add(shape.sign_off.end, "F014", "no name under the sign-off: sign with your name")
    elif shape.blocks and rule_set(code).get("sign_offs"):
        last = shape.blocks[-1][-1]
        add(last.end, "F014", "no sign-off: close with a polite phrase and your name")
    return casual_spans


#: A capitalised word; two or more in a row in a subject are most likely a role or company.
_CAPITALISED = re.compile(r"[^\W\d_][\w&/+.'-]*")


def _subject_names(subject: str) -> list[str]:
    """Names the subject gives ("Thank you – Compensation Analyst"): clear in the body too.

    Only runs of capitalised words, and only where the body repeats them as they
    stand; the subject itself is still checked, so "Salary Question" is found there.
    """
    names: list[str] = []
    run: list[re.Match[str]] = []
    for match in [*_CAPITALISED.finditer(subject), None]:
        joined = (
            match is not None
            and match.group(0)[:1].isupper()
            and (not run or not subject[run[-1].end() : match.start()].strip())
        )
        if joined and match is not None:
            run.append(match)
            continue
        if len(run) >= 2:
            names.append(subject[run[0].start() : run[-1].end()])
        run = [match] if match is not None and match.group(0)[:1].isupper() else []
    return names


def _vague_subject(subject: str, code: str) -> bool:
    if _PLACEHOLDER.search(subject):
        return False  # a placeholder is a specific thing still to be filled in
    tokens = _TOKEN.findall(_normalise(subject).lower())
    if not tokens:
        return True
    pattern = _list_pattern(code, "vague_subject")
    if pattern is None:
        return False
    return all(pattern.fullmatch(token) for token in tokens)


def check_document(text: str, language: str | None = None) -> list[Checked]:
    """Lint a draft, or every cal-followup reminder's draft when ``text`` is a calendar."""
    if not is_calendar(text):
        return [check_text(text, language)]
    results = []
    for uid, marked_language, draft, places in calendar_drafts(text):
        positions = _Positions(draft, places)
        checked = check_text(draft, language or marked_language, positions=positions)
        results.append(Checked(checked.language, checked.findings, uid))
    return results


def without(findings: Iterable[Finding], codes: Iterable[str]) -> tuple[Finding, ...]:
    """``findings`` minus those with the given codes (``--ignore``)."""
    ignored = {c.upper() for c in codes}
    return tuple(f for f in findings if f.code not in ignored)


def codes_help() -> str:
    """The list of codes for ``cal-followup check --help``."""
    return "\n".join(f"  {code}  {meaning}" for code, meaning in CODES.items())
