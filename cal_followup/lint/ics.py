"""Drafts inside .ics files: each cal-followup reminder's DESCRIPTION, with positions.

``calendar_drafts`` finds our reminders with the iCalendar scanner
(``cal_followup.ics.scan``, the one every reader of raw text uses) and
unescapes each DESCRIPTION by hand, keeping for every character the line and
column it came from, so the check's findings point into the file itself
rather than into the unescaped text.
"""

from __future__ import annotations

from cal_followup.ics.scan import Block, physical_texts, scan_text, split_line, value_start

#: A draft's place in the file: (line, column), both from 1.
Place = tuple[int, int]


def is_calendar(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:15].upper() == "BEGIN:VCALENDAR"


def _unescape(value: str, places: list[Place]) -> tuple[str, list[Place]]:
    out: list[str] = []
    where: list[Place] = []
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


def _places(physical: list[str], first: int) -> list[Place]:
    """(line, column) of every character of the logical line starting on line ``first``."""
    places = [(first, column) for column in range(1, len(physical[first - 1]) + 1)]
    number = first + 1
    while number <= len(physical) and physical[number - 1][:1] in (" ", "\t"):
        places.extend((number, column) for column in range(2, len(physical[number - 1]) + 1))
        number += 1
    return places


def _own_lines(block: Block) -> dict[str, tuple[int, str]]:
    """The component's own properties (not its alarms'): name -> (line number, text); last wins."""
    own: dict[str, tuple[int, str]] = {}
    depth = 0
    for number, text in zip(block.numbers, block.lines, strict=True):
        head = text[:6].upper()
        if head == "BEGIN:":
            depth += 1
        elif head[:4] == "END:":
            depth -= 1
        elif depth == 1:
            own[split_line(text)[0]] = (number, text)
    return own


def calendar_drafts(text: str) -> list[tuple[str, str | None, str, list[Place]]]:
    """``(uid, language, draft, positions)`` for each cal-followup reminder in an .ics text.

    Lines are unfolded and the DESCRIPTION unescaped by hand, keeping for every
    character the line and column it came from, so findings point into the file.
    """
    physical = physical_texts(text.lstrip("\ufeff"))
    found: list[tuple[str, str | None, str, list[Place]]] = []
    for block in scan_text(text).blocks:
        if block.name not in ("VEVENT", "VTODO"):
            continue
        own = _own_lines(block)
        if "X-CAL-FOLLOWUP-STAGE" not in own or "DESCRIPTION" not in own:
            continue
        number, line = own["DESCRIPTION"]
        start = value_start(line)
        if start is None:
            continue
        value = line[start + 1 :]
        places = _places(physical, number)[start + 1 :]
        description, where = _unescape(value, places)
        language = split_line(own.get("X-CAL-FOLLOWUP-LANGUAGE", (0, ""))[1])[1].strip()
        uid = split_line(own.get("UID", (0, ""))[1])[1].strip()
        found.append((uid, language or None, description, where))
    return found
