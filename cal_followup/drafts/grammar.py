"""Small grammar for words the user typed: Finnish inflection, French articles and elision.

Templates join typed values (a role, a topic) to their own words. Where the
language bends the typed word, string concatenation gives "Ohjelmistokehittäjä-
tehtävästä" or "le poste de Hydrologue"; this module decides what a native
writer would do instead, from the word lists in the language file's
``[grammar]`` table:

- ``is_common_noun``: the value reads as an ordinary noun phrase of the
  language ("Ohjelmistokehittäjä", "Analyste de données"), not a foreign or
  proper title ("Data Engineer", "Head of Data"); such a phrase is written in
  lower case mid-sentence and may be inflected.
- ``inflect_last``: Finnish inflection of the phrase's last word through the
  ``voikko`` package (pure Python, consonant gradation included: laatu ->
  laadusta). The package is old and guesses by the word's ending, so only
  native-looking words are given to it.
- ``starts_with_vowel_sound``: French elision, with the mute-h words listed.
- ``with_article``: a French topic with the article it needs ("la tarification
  dynamique", "l'onboarding", "les données"), kept as typed when it already has
  one or is a name, ``None`` when the gender cannot be told.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from cal_followup.languages import Language

#: English names of the cases a template may ask for -> the voikko table's keys.
CASES = {
    "nominative": "nominatiivi",
    "genitive": "genetiivi",
    "partitive": "partitiivi",
    "elative": "elatiivi",
    "inessive": "inessiivi",
    "illative": "illatiivi",
    "adessive": "adessiivi",
    "ablative": "ablatiivi",
    "allative": "allatiivi",
    "essive": "essiivi",
    "translative": "translatiivi",
}
_VOWELS = "aeiouyàâäéèêëîïôöûüœæ"


def _words(language: Language, key: str) -> tuple[str, ...]:
    value: Any = language.grammar.get(key, ())
    return tuple(str(v).lower() for v in value)


@cache
def _voikko_forms(word: str) -> dict[str, str] | None:
    try:
        from voikko.inflect_word import inflect_word
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        forms = inflect_word(word)
    except Exception:  # noqa: BLE001 - an old library: any failure means "cannot inflect"
        return None
    return dict(forms) if forms else None


def inflect_word(word: str, case: str) -> str | None:
    """One Finnish noun in ``case`` ("genitive", "elative"...), or ``None``."""
    key = CASES.get(case)
    if key is None or not word.isalpha():
        return None
    forms = _voikko_forms(word.lower())
    form = forms.get(key) if forms else None
    if not form or "/" in form:
        return None
    return word[0] + form[1:] if word[:1].isupper() else form


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:] == word[1:].lower())


def is_common_noun(text: str, language: Language) -> bool:
    """Whether ``text`` reads as the language's own common noun phrase.

    The first word may carry a capital (titles are often typed so) or an
    acronym or name joined by a hyphen ("UX-suunnittelija", "Java-kehittäjä");
    the other words must be lower case, except before a spaced hyphen ("Full
    Stack -kehittäjä", where only the part after it is inflected). The
    language's ``[grammar].native_letters`` must hold every letter of the last
    word and ``native_endings`` its ending.
    """
    if not text.strip():
        return False
    if " -" in text:
        tail = text.rsplit(" -", 1)[1]
        if not tail.islower() or " " in tail.strip():
            return False
    else:
        words = text.split()
        head = words[0].split("-")[-1]
        if not (head.islower() or _capitalised(head)):
            return False
        if any(not w.islower() for w in words[1:] if any(c.isalpha() for c in w)):
            return False
    last = re.split(r"[-\s]", text.strip())[-1].lower()
    letters = language.grammar.get("native_letters")
    if not last or (letters and not all(c in str(letters) for c in last)):
        return False
    endings = _words(language, "native_endings")
    return not endings or last.endswith(endings)


def lower_first(text: str) -> str:
    """The phrase with a capitalised first word in lower case ("Analyste de données").

    A first word joined by a hyphen ("Java-kehittäjä", "UX-suunnittelija"),
    an acronym, or a phrase with other capitals keeps its spelling.
    """
    words = text.split()
    if not words or " -" in text or "-" in words[0] or not _capitalised(words[0]):
        return text
    if any(not w.islower() for w in words[1:] if any(c.isalpha() for c in w)):
        return text
    return text[:1].lower() + text[1:]


def inflect_last(text: str, case: str) -> str | None:
    """``text`` with its last word in ``case``: "UX-suunnittelija" -> "UX-suunnittelijan"."""
    match = re.search(r"([^\s-]+)$", text)
    if match is None:
        return None
    inflected = inflect_word(match.group(1), case)
    return None if inflected is None else text[: match.start(1)] + inflected


def starts_with_vowel_sound(text: str, language: Language) -> bool:
    """Whether ``text`` elides a preceding "de"/"le" (French "d'analyste", "d'hydrologue")."""
    word = text.lstrip(' [«"“').lower()
    if word[:1] in _VOWELS:
        return True
    if word[:1] != "h":
        return False
    # The longest listed beginning decides ("hallucination" is mute, "hall" aspirated).
    muet = max((len(p) for p in _words(language, "h_muet") if word.startswith(p)), default=0)
    aspire = max((len(p) for p in _words(language, "h_aspire") if word.startswith(p)), default=0)
    if muet != aspire:
        return muet > aspire
    return str(language.grammar.get("h_default", "aspire")) == "muet"


def with_article(text: str, language: Language) -> tuple[str, bool] | None:
    """A French noun phrase with its definite article.

    ``(text, False)`` when it needs none (it has a determiner, or is a name);
    ``(with the article, True)`` when one was added; ``None`` when the gender
    of a bare noun cannot be told.
    """
    words = text.split()
    if not words:
        return None
    first = words[0].lower()
    if first in _words(language, "determiners") or re.match(r"^[ld][’']", first):
        return text, False
    head = first.split("-")[0]
    common = words[0].islower() or (_capitalised(words[0]) and _gender(head, language))
    if not common:
        # A name ("Kafka", "Python") takes no article; an acronym we cannot tell.
        return (text, False) if _capitalised(words[0]) else None
    phrase = lower_first(text)
    if head.endswith(("s", "x")) and head not in _words(language, "singular_s"):
        return f"les {phrase}", True
    if starts_with_vowel_sound(head, language):
        return f"l'{phrase}", True
    gender = _gender(head, language)
    if gender is None:
        return None
    return f"{'la' if gender == 'f' else 'le'} {phrase}", True


def _gender(word: str, language: Language) -> str | None:
    if word in _words(language, "feminine_words"):
        return "f"
    if word in _words(language, "masculine_words"):
        return "m"
    feminine = max((len(e) for e in _words(language, "feminine_endings") if word.endswith(e)),
                   default=0)  # fmt: skip
    masculine = max((len(e) for e in _words(language, "masculine_endings") if word.endswith(e)),
                    default=0)  # fmt: skip
    if feminine == masculine:
        return None
    return "f" if feminine > masculine else "m"
