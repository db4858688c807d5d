"""Drafts inside .ics files: each cal-followup reminder's DESCRIPTION, with positions.

``calendar_drafts`` unfolds the lines and unescapes the DESCRIPTION by hand,
keeping for every character the line and column it came from, so the check's
findings point into the file itself rather than into the unescaped text.
"""

from __future__ import annotations

import re


def is_calendar(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:15].upper() == "BEGIN:VCALENDAR"


def _unescape(value: str, places: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    where: list[tuple[int, int]] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            out.append("\n" if following in "nN" else following)
            where.append(places[index])
            index += 2
            continue
        out.append(char)
        where.append(places[index])
        index += 1
    return "".join(out), where


def calendar_drafts(text: str) -> list[tuple[str, str | None, str, list[tuple[int, int]]]]:
    """``(uid, language, draft, positions)`` for each cal-followup reminder in an .ics text.

    Lines are unfolded and the DESCRIPTION unescaped by hand, keeping for every
    character the line and column it came from, so findings point into the file.
    """
    raw_lines = re.split(r"\r\n|\n|\r", text)
    logical: list[tuple[str, list[tuple[int, int]]]] = []
    for number, raw in enumerate(raw_lines, 1):
        if raw[:1] in (" ", "\t") and logical:
            previous, places = logical[-1]
            logical[-1] = (
                previous + raw[1:],
                places + [(number, column) for column in range(2, len(raw) + 1)],
            )
        else:
            logical.append((raw, [(number, column) for column in range(1, len(raw) + 1)]))

    found: list[tuple[str, str | None, str, list[tuple[int, int]]]] = []
    stack: list[str] = []
    current: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for line, places in logical:
        name_match = re.match(r"[A-Za-z0-9-]+", line)
        if not name_match:
            continue
        name = name_match.group(0).upper()
        colon = _value_start(line)
        if colon is None:
            continue
        value, value_places = line[colon + 1 :], places[colon + 1 :]
        if name == "BEGIN":
            stack.append(value.strip().upper())
            if stack[-1] in ("VEVENT", "VTODO") and len(stack) >= 2:
                current = {}
            continue
        if name == "END":
            ended = stack.pop() if stack else ""
            if ended in ("VEVENT", "VTODO") and "X-CAL-FOLLOWUP-STAGE" in current:
                if "DESCRIPTION" in current:
                    description, where = _unescape(*current["DESCRIPTION"])
                    language = current.get("X-CAL-FOLLOWUP-LANGUAGE", ("", []))[0].strip()
                    uid = current.get("UID", ("", []))[0].strip()
                    found.append((uid, language or None, description, where))
            continue
        if stack and stack[-1] in ("VEVENT", "VTODO"):
            current[name] = (value, value_places)
    return found


def _value_start(line: str) -> int | None:
    """Index of the ':' that ends the property name and parameters (quotes respected)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return None
