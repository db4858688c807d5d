"""The labelled corpus of the etiquette check, and what counts as right on it.

Each language has two files here: ``<code>.toml``, the tuning part (rules were
adjusted until it passes), and ``<code>.heldout.toml``, written before any
rule was tuned and never used to tune them (bench/bench_lint.py reports it on
its own, as an honest estimate of how the check does on new text).

A file holds ``bad = [[code, text], ...]`` and ``good = [text, ...]``. A text
is a sentence or a few, as people write them, or a whole draft (its first line
a header such as ``Subject:``). What counts:

- a bad entry is *caught* when ``check_text`` reports its code;
- a good sentence is a *false alarm* when ``check_text`` reports any of the
  word and sign codes (``CONTENT_CODES``: casual greeting, emoji, slang, pushy,
  "!!", pay, call or visit); a bare sentence has no subject, greeting or
  sign-off, so those codes say nothing about it;
- a good whole draft is a false alarm when ``check_text`` reports anything.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cal_followup.lint import check_text

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "fi", "fr", "de", "sv")
CONTENT_CODES = frozenset({"F003", "F005", "F006", "F007", "F008", "F009", "F010"})
_DRAFT = re.compile(r"^[^\W\d][\w -]{0,20}:", re.UNICODE)


@dataclass(frozen=True)
class Entry:
    language: str
    text: str
    code: str | None  # None: a good entry


def load(language: str, part: str = "tuned") -> list[Entry]:
    """``part`` is "tuned" (``<code>.toml``) or "heldout" (``<code>.heldout.toml``)."""
    name = f"{language}.toml" if part == "tuned" else f"{language}.heldout.toml"
    data = tomllib.loads((HERE / name).read_text(encoding="utf-8"))
    assert data["language"] == language, name
    entries = [Entry(language, text, code) for code, text in data.get("bad", [])]
    entries += [Entry(language, text, None) for text in data.get("good", [])]
    return entries


def is_draft(text: str) -> bool:
    return bool(_DRAFT.match(text))


def verdict(entry: Entry) -> tuple[bool, tuple[str, ...]]:
    """(right, codes found): caught for a bad entry, no false alarm for a good one."""
    codes = tuple(sorted({f.code for f in check_text(entry.text, entry.language).findings}))
    if entry.code is not None:
        return entry.code in codes, codes
    counted = codes if is_draft(entry.text) else tuple(c for c in codes if c in CONTENT_CODES)
    return not counted, counted
