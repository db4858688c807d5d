"""Dictionary forms of words, for rules that should match every inflection.

A thin wrapper round ``simplemma``: a rule written with "call" then also
matches "calls", "calling" and "called", "appeler" matches "appellerai".
``simplemma`` loads one dictionary per language on first use, which costs
from a fraction of a second (English, French) to several seconds (Finnish),
so a rule file turns lemmas on with ``lemmas = true`` only where they pay;
the others match inflections with word stems ("puhelu*"). Without the
package, or for a language it does not know, a word is its own lemma, so the
check still works, only with fewer inflections recognised.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_BACKEND: Any
try:  # Better recall where a rule file asks for it; the check works without it.
    import simplemma as _BACKEND
except ImportError:  # pragma: no cover - exercised only where the package is missing
    _BACKEND = None


def available() -> bool:
    """Whether a lemmatiser is installed."""
    return _BACKEND is not None


@lru_cache(maxsize=65536)
def lemma(word: str, language: str) -> str:
    """The dictionary form of ``word`` in ``language``, lower-cased.

    The word itself (lower-cased) when there is no lemmatiser, the language is
    unknown to it, or it fails on an odd token: a lint must never crash on input.
    """
    lowered = word.casefold()
    if _BACKEND is None or not word or not any(c.isalpha() for c in word):
        return lowered
    try:
        found = _BACKEND.lemmatize(word, lang=language)
    except (ValueError, KeyError, TypeError, LookupError):
        return lowered
    return str(found).casefold() if found else lowered
