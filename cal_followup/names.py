"""People's names as calendars carry them, parsed once for every place that shows one.

A CN is whatever a calendar, a directory or a person typed: ``Watson, Emily``,
``VIRTANEN ANNA``, ``Dr. Emily Watson``, ``"J. Smith"``, ``Greenhouse
Scheduling`` or an address. ``parse_name`` turns it into a ``Name`` (title,
given name, family name, how to write the whole) or ``None`` when it is not a
person's name at all. It lives below ``model`` (it needs only the language
data) so that ``Person``, topic attribution, reminder titles, mail headers
and the drafts' greetings (``cal_followup.drafts.names``) all read a name the
same way.

The words that tell titles, particles ("van", "de") and team mailboxes apart
come from every language file's ``[names]`` table, because a calendar name's
language is not the draft's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cal_followup.languages import load_languages

_QUOTES = "\"'“”‘’«»„"
_TOKEN_TRIM = " ,;:()[]{}<>" + _QUOTES


@dataclass(frozen=True)
class Name:
    """A person's name, written as a name: "Emily J. Watson", title "dr"."""

    #: The meaning of a title the calendar gave ("dr", "prof", "mr", "ms", "mrs", "mx").
    title: str | None
    #: The first given name, not an initial ("Emily"); ``None`` when only initials are known.
    given: str | None
    #: The family name with its particles ("van Dijk"); ``None`` for a single name.
    family: str | None
    #: Given names or initials and the family name, without the title ("J. Smith").
    full: str


@dataclass(frozen=True)
class _Words:
    titles: dict[str, str]
    suffixes: dict[str, str]
    particles: frozenset[str]
    role_words: frozenset[str]
    surname_endings: tuple[str, ...]


@cache
def _words() -> _Words:
    titles: dict[str, str] = {}
    suffixes: dict[str, str] = {}
    particles: set[str] = set()
    role_words: set[str] = set()
    endings: set[str] = set()
    for language in load_languages().values():
        data = language.names
        titles.update({k.lower(): str(v) for k, v in dict(data.get("titles", {})).items()})
        suffixes.update({k.lower(): str(v) for k, v in dict(data.get("suffixes", {})).items()})
        particles.update(str(w).lower() for w in data.get("particles", []))
        role_words.update(str(w).lower() for w in data.get("role_words", []))
        endings.update(str(w).lower() for w in data.get("surname_endings", []))
    return _Words(
        titles, suffixes, frozenset(particles), frozenset(role_words), tuple(sorted(endings))
    )


def _key(token: str) -> str:
    return token.lower().strip(".")


def _is_initial(token: str) -> bool:
    bare = token.rstrip(".")
    return len(bare) == 1 and bare.isalpha()


def _shouting(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _recase_part(part: str) -> str:
    if not part:
        return part
    lower = part.lower()
    if lower.startswith("mc") and len(lower) > 3:
        return "Mc" + lower[2].upper() + lower[3:]
    return lower[0].upper() + lower[1:]


def recase(token: str) -> str:
    """A word in capitals or in lower case written as a name: "O'Brien", "Jean-Pierre"."""
    if _is_initial(token):
        return token[0].upper() + token[1:]
    if not (_shouting(token) or token.islower()):
        return token  # the person's own spelling ("McKenzie", "DeShawn") is kept
    parts = re.split(r"([-'’])", token)
    return "".join(p if p in "-'’" else _recase_part(p) for p in parts)


def _not_a_person(cn: str, words: _Words) -> bool:
    if "@" in cn or any(c.isdigit() for c in cn) or "/" in cn:
        return True
    tokens = [_key(t) for t in re.split(r"[\s,]+", cn) if t]
    parts = {p for t in tokens for p in re.split(r"[-_.]", t) if p}
    if any(t in words.role_words for t in tokens) or parts & words.role_words:
        return True
    # "anna.virtanen" or "a_virtanen": a mailbox's local part, not a written name.
    return len(tokens) == 1 and bool(re.search(r"[._]\w", cn.strip(_TOKEN_TRIM)))


def _strip_titles(tokens: list[str], words: _Words) -> tuple[str | None, list[str]]:
    title = None
    while tokens:
        key = _key(tokens[0])
        meaning = words.titles.get(key)
        # "M." is "Monsieur" before a full name, an initial before a bare surname.
        if meaning is None or (key == "m" and len(tokens) < 3) or len(tokens) == 1:
            break
        title = title or meaning
        tokens = tokens[1:]
    while len(tokens) > 1 and _key(tokens[-1]) in words.suffixes:
        title = title or (words.suffixes[_key(tokens[-1])] or None)
        tokens = tokens[:-1]
    return title, tokens


def _surname_first(tokens: list[str], email: str | None, words: _Words) -> bool:
    """Whether a two-word name is written family name first ("VIRTANEN Anna")."""
    first, second = tokens
    if _shouting(first) and not _shouting(second):
        return True
    if _shouting(second) and not _shouting(first):
        return False
    local = (email or "").split("@")[0].lower()
    parts = [p for p in re.split(r"[._\-+]", local) if p]
    a, b = first.lower(), second.lower()
    if parts[:2] == [b, a] or local in (b[0] + a, b + a):
        return True
    if parts[:2] == [a, b] or local in (a[0] + b, a + b):
        return False
    ends = words.surname_endings
    return any(a.endswith(e) for e in ends) and not any(b.endswith(e) for e in ends)


def _split(cn: str) -> list[str]:
    return [t for t in (w.strip(_TOKEN_TRIM) for w in cn.split()) if t]


@lru_cache(maxsize=4096)
def parse_name(cn: str | None, email: str | None = None) -> Name | None:
    """``cn`` as a person's name, or ``None`` when it is empty, an address or a team."""
    if not cn:
        return None
    words = _words()
    # "Emily Watson (Recruiting)": a note on the person, not part of the name.
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", cn)
    text = " ".join(text.split()).strip(_TOKEN_TRIM)
    if not _is_initial(text.split()[-1] if text else ""):
        text = text.rstrip(".")
    if not text or _not_a_person(text, words) or not any(c.isalpha() for c in text):
        return None
    # A name is letters and the marks names use; anything else is not a name.
    if any(not (c.isalpha() or c in " .,'’-") for c in text):
        return None
    title = None
    if "," in text:
        before, _, after = text.partition(",")
        after_tokens = _split(after)
        if after_tokens and all(_key(t) in words.suffixes for t in after_tokens):
            title = words.suffixes[_key(after_tokens[0])] or None
            text = before
        elif after_tokens and _split(before):
            # "Watson, Emily J." is Emily J. Watson; a title may sit on either side.
            text = f"{after} {before}"
    found, tokens = _strip_titles(_split(text), words)
    title = found or title
    if not tokens or (len(tokens) == 1 and _key(tokens[0]) in words.titles):
        return None
    if len(tokens) == 2 and _surname_first(tokens, email, words):
        tokens = [tokens[1], tokens[0]]
    if len(tokens) == 1 and title is None and _is_family_in(tokens[0], email):
        # "Watson" for emily.watson@ or ewatson@ is a family name, not a first name.
        return Name(None, None, recase(tokens[0]), recase(tokens[0]))
    return _build(title, tokens, words)


def _is_family_in(token: str, email: str | None) -> bool:
    local = (email or "").split("@")[0].lower()
    parts = [p for p in re.split(r"[._\-+]", local) if p]
    word = token.lower()
    return (len(parts) > 1 and parts[-1] == word and parts[0] != word) or (
        len(local) == len(word) + 1 and local.endswith(word)
    )


def _build(title: str | None, tokens: list[str], words: _Words) -> Name | None:
    written = [
        t.lower() if 0 < i < len(tokens) - 1 and t.lower() in words.particles else recase(t)
        for i, t in enumerate(tokens)
    ]
    if len(written) == 1:
        only = written[0]
        if _is_initial(only):
            return None
        if title is not None:
            return Name(title, None, only, only)
        return Name(None, only, None, only)
    # The family name starts at the first particle after the given names ("van Dijk").
    start = len(written) - 1
    while start > 1 and written[start - 1].lower() in words.particles:
        start -= 1
    family = " ".join(written[start:])
    given = None if _is_initial(written[0]) else written[0]
    return Name(title, given, family, " ".join(written))
