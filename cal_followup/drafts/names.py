"""The greeting each language builds from a person's parsed name.

``cal_followup.names.parse_name`` reads a CN into a ``Name``; ``greeting``
then picks the first of the language's greeting patterns (``[greetings]`` in
the language file) whose fields the name has, so each language states its own
convention as data: English "Dear Dr. Watson," where a title is known, French
"Bonjour Madame Dubois," only when the calendar itself said Madame (gender is
never guessed), German "Guten Tag Dr. Anna Keller," (``{titled}``: a title
before the whole name), and a neutral greeting ("Hello,", "Hei,", "Bonjour,") when
there is no name.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from cal_followup.languages import Language
from cal_followup.names import Name, parse_name, recase

__all__ = ["Name", "greeting", "parse_name", "recase"]


def _fields(name: Name, language: Language) -> dict[str, str | None]:
    honorifics = dict(language.names.get("honorifics", {}))
    honorific = honorifics.get(name.title) if name.title else None
    # [greetings].titled: titles that say nothing of gender ("Dr.") go before the
    # whole name where the language will not write them before the family name alone.
    titled_ones = {str(t) for t in language.greetings.get("titled", ())}
    # A given name with a full stop is a title's second word the parser kept ("Dr. med.").
    titled = honorific and name.title in titled_ones and name.given and "." not in name.given
    return {
        "honorific": str(honorific) if honorific else None,
        "given": name.given,
        "family": name.family,
        # The full name only where it holds more than a bare family name.
        "full": name.full if (name.given or name.full != name.family) else None,
        "titled": f"{honorific} {name.full}" if titled else None,
    }


def _pattern_fields(pattern: str) -> Iterable[str]:
    return (f for _, f, _, _ in string.Formatter().parse(pattern) if f)


def greeting(name: Name | None, language: Language, tone: str) -> str | None:
    """The greeting line for ``name`` in ``language`` and ``tone``; ``None`` if it has none.

    The first pattern of ``[greetings].<tone>`` whose fields are all known is
    used; a pattern without fields is the neutral greeting.
    """
    patterns = language.greetings.get(tone) or language.greetings.get("formal") or ()
    values = _fields(name, language) if name else {}
    for pattern in patterns:
        needed = list(_pattern_fields(pattern))
        if all(values.get(f) for f in needed):
            return pattern.format(**{f: values[f] for f in needed})
    return None
