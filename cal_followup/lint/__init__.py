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
language adds its greetings, slang and demanding phrases without code. How a
draft splits into header, greeting, paragraphs and signature is
``cal_followup.lint.shape``; this module holds the checks.

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
from dataclasses import asdict, dataclass

from cal_followup.languages import Language, load_languages
from cal_followup.lint.ics import calendar_drafts, is_calendar
from cal_followup.lint.rules import load_rule_sets, phrase_findings, rule_set
from cal_followup.lint.shape import (
    Shape,
    all_headers,
    draft_shape,
    lines_of,
    list_pattern,
    normalise,
    starts_with,
)

# The cached pattern builders under their old names (tests clear their caches).
_list_pattern, _all_headers = list_pattern, all_headers

MAX_PARAGRAPHS = 4
MAX_WORDS = 150
MAX_PARAGRAPH_WORDS = 70
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
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        # Every field, in order, under its own name.
        return asdict(self)


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


def detect_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language whose frequent words (a rule file's ``words``) the text uses most."""
    tokens = re.findall(r"\w+(?:'\w+)?", normalise(text).lower())
    best, best_score = default, 0
    for code, rules in sorted(load_rule_sets().items(), key=lambda item: item[0] != default):
        words = set(rules.get("words"))
        if not words:
            continue
        score = sum(1 for token in tokens if token in words)
        if score > best_score:
            best, best_score = code, score
    return best


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
    shape = draft_shape(text, code)
    findings: list[tuple[int, str, str]] = []

    def add(offset: int, rule: str, message: str) -> None:
        findings.append((offset, rule, message))

    _subject_findings(shape, code, add)
    # Greeting and sign-off.
    casual_spans = _frame_findings(shape, code, add)
    _word_findings(text, shape, code, casual_spans, add)
    _length_findings(shape, add)
    _placeholder_findings(text, add)

    unique = sorted(set(findings), key=lambda item: (item[0], item[1]))
    result = []
    for offset, rule, message in unique:
        line, column = locate(offset)
        result.append(Finding(line, column, rule, message))
    result.sort(key=lambda f: (f.line, f.column, f.code))
    return Checked(code, tuple(result))


Add = Callable[[int, str, str], None]


def _subject_findings(shape: Shape, code: str, add: Add) -> None:
    """F001, F002: rule 6, a clear subject gets read."""
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


def _word_findings(
    text: str, shape: Shape, code: str, casual_spans: list[tuple[int, int]], add: Add
) -> None:
    """Words and signs in the subject and the body; the subject's names clear the body."""
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


def _length_findings(shape: Shape, add: Add) -> None:
    """F011, F012, F013: few short paragraphs."""
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


def _placeholder_findings(text: str, add: Add) -> None:
    """P001: placeholders, anywhere below the link (the To: line too)."""
    checked_from = 0
    lines = lines_of(text)
    if lines and "mailto:" in lines[0].text.lower():
        checked_from = lines[0].end
    for match in _PLACEHOLDER.finditer(text, checked_from):
        add(match.start(), "P001", f"unfilled placeholder {match.group(0)}: fill it in")


def _frame_findings(shape: Shape, code: str, add: Add) -> list[tuple[int, int]]:
    """F003, F004, F014 for the greeting and the sign-off; the casual lines' spans."""
    casual = list_pattern(code, "casual_greetings", True)
    casual_spans: list[tuple[int, int]] = []
    if shape.greeting is not None:
        start = shape.greeting.start + len(shape.greeting.text) - len(shape.greeting.text.lstrip())
        match = starts_with(casual, normalise(shape.greeting.text))
        if match:
            add(
                start,
                "F003",
                f"casual greeting {_quote(match.group(0))}: "
                "open with the reader's name and a proper greeting",
            )
            casual_spans.append((shape.greeting.start, shape.greeting.end))
        elif not starts_with(list_pattern(code, "greetings", True), shape.greeting.text):
            if rule_set(code).get("greetings"):
                add(start, "F004", "no greeting: open with a proper greeting and the reader's name")
    elif shape.blocks and rule_set(code).get("greetings"):
        add(
            shape.blocks[0][0].start,
            "F004",
            "no greeting: open with a proper greeting and the reader's name",
        )
    if shape.sign_off is not None:
        match = starts_with(casual, normalise(shape.sign_off.text))
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
    tokens = _TOKEN.findall(normalise(subject).lower())
    if not tokens:
        return True
    pattern = list_pattern(code, "vague_subject")
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
