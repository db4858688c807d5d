"""The employer's stated decision timeline, read from an interview's notes.

"Decision: by December 4", "they'll decide within two weeks", "4.12.2026",
"la semaine prochaine": each language file lists its phrases as patterns with
named groups, and this module turns the first match into a ``StatedTimeline``
relative to the interview day. The code knows the kinds of phrase (a date, a
span, a week, a weekday), never the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from cal_followup.languages import Language
from cal_followup.model import StatedTimeline


def _number(text: str, language: Language) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return language.numbers.get(text)


def _month(text: str, language: Language) -> int | None:
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        return int(text)
    return language.months.get(text)


def _resolve_date(groups: dict[str, str | None], language: Language, after: date) -> date | None:
    day_text, month_text = groups.get("day"), groups.get("month")
    if not day_text or not month_text:
        return None
    month = _month(month_text, language)
    if month is None or not day_text.isdigit():
        return None
    day = int(day_text)
    year_text = groups.get("year")
    if year_text:
        year = int(year_text)
        if year < 100:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return None
    # No year: the first such date on or after the interview day (a decision
    # date is never in the past of the interview that announced it).
    for year in (after.year, after.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        # A date just before the interview ("by November 20" on December 2) is a
        # slip or old news, not a deadline a year away.
        if candidate >= after and (candidate - after).days <= 200:
            return candidate
    return None


def _inside_number(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a longer dotted or slashed number."""
    core = text[start:end].strip()
    start = start + text[start:end].index(core[:1]) if core else start
    end = start + len(core)
    before, after = text[max(start - 2, 0) : start], text[end : end + 2]
    digit_before = before[-1:].isdigit() or (before[-1:] in "./" and before[:1].isdigit())
    digit_after = after[:1].isdigit() or (after[:1] in "./" and after[1:2].isdigit())
    return digit_before or digit_after


def _match(text: str, language: Language, interview_day: date) -> StatedTimeline | None:
    for phrase in language.phrases:
        for found in phrase.regex.finditer(text):
            # Groups the phrase left out take the phrase's defaults ("viikon sisällä": n = 1).
            groups = {**phrase.defaults, **{k: v for k, v in found.groupdict().items() if v}}
            quoted = found.group(0).strip()
            if phrase.kind == "date":
                if _inside_number(text, found.start(), found.end()):
                    continue  # "1.2.3.4" (an address, a version) holds no date
                deadline = _resolve_date(groups, language, interview_day)
                if deadline is not None:
                    return StatedTimeline(quoted, deadline=deadline, kind=phrase.kind)
            elif phrase.kind == "span":
                count = _number(groups.get("n") or "", language)
                unit = language.units.get((groups.get("unit") or "").lower())
                if count is None or unit is None or count <= 0 or count > 365:
                    continue
                if unit == "business":
                    return StatedTimeline(quoted, business_days=count, kind=phrase.kind)
                return StatedTimeline(
                    quoted,
                    deadline=interview_day + timedelta(days=count * int(unit)),
                    kind=phrase.kind,
                )
            elif phrase.kind in ("next_week", "this_week"):
                week_end = interview_day + timedelta(days=6 - interview_day.weekday())
                if phrase.kind == "next_week":
                    week_end += timedelta(days=7)
                return StatedTimeline(quoted, deadline=week_end, kind=phrase.kind)
            elif phrase.kind == "weekday":
                wanted = language.weekdays.get((groups.get("weekday") or "").lower())
                if wanted is None:
                    continue
                ahead = (wanted - interview_day.weekday() - 1) % 7 + 1
                return StatedTimeline(
                    quoted, deadline=interview_day + timedelta(days=ahead), kind=phrase.kind
                )
    return None


def parse_timeline(
    labelled: Iterable[str],
    notes: str,
    languages: Iterable[Language],
    interview_day: date,
) -> StatedTimeline | None:
    """The stated timeline: labelled lines first, then any phrase in the notes.

    ``languages`` are tried in the order given (the interview's language first).
    """
    languages = tuple(languages)
    for text in [*labelled, notes]:
        text = re.sub(r"\s+", " ", text)
        if not text.strip():
            continue  # nothing to read: no language's phrases need compiling
        for language in languages:
            found = _match(text, language, interview_day)
            if found is not None:
                return found
    return None
