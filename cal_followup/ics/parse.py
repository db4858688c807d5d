"""Calendar text -> icalendar components, each paired with where it was found.

A broken component does not fail the whole: the scanner finds every
component's extent first, icalendar parses the good ones (all at once, or one
by one when the whole is refused), and what could not be read is kept for
``iter_occurrences`` to report with its line number. With a ``Selector``
only the components that can matter are parsed at all.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

import icalendar

from cal_followup.errors import SourceError
from cal_followup.ics.candidates import Selector
from cal_followup.ics.scan import Block, Scan, one_line, scan_text, split_line
from cal_followup.ics.zones import check_zones, to_standard


@dataclass
class ParsedCalendar:
    """icalendar's calendar with, for each subcomponent, the block it came from."""

    calendar: icalendar.Calendar
    #: Parallel to ``calendar.subcomponents``.
    blocks: list[Block | None]
    scan: Scan | None = None
    #: The X-WR-TIMEZONE has been applied (or there was none to apply).
    standard: bool = False
    #: Components of the text that were not parsed because they cannot matter.
    skipped: int = field(default=0)

    @property
    def subcomponents(self) -> list[icalendar.cal.Component]:
        return list(self.calendar.subcomponents)


def parse_calendar(data: bytes | str, where: str, select: Selector | None = None) -> ParsedCalendar:
    """Parse an iCalendar object; raise SourceError naming ``where`` only if nothing is usable.

    A broken component does not fail the whole: it is left out, and
    ``iter_occurrences`` reports it with its line number. With ``select``,
    components that cannot be (or change) an interview are not parsed.
    """
    if not data or not data.strip():
        raise SourceError(f"{where}: no calendar data (the file is empty)")
    scan = scan_text(data)
    check_zones(scan.blocks)
    if not scan.calendars and not scan.blocks:
        raise SourceError(f"{where}: not an iCalendar file (no BEGIN:VCALENDAR)")
    good = [b for b in scan.blocks if b.trouble is None]
    total = len(good)
    if select is not None:
        good = select.choose(good)
    calendar = _parse_whole(scan, good)
    if calendar is None:
        calendar = _parse_one_by_one(scan, good)
    good = [b for b in good if b.trouble is None]
    blocks: list[Block | None] = list(good)
    standard, converted = to_standard(calendar, lambda note: _unknown_zone(scan, note))
    return ParsedCalendar(standard, blocks, scan, True, total - len(good))


def _unknown_zone(scan: Scan, message: str) -> None:
    line = next((n for n, t in scan.properties if t.upper().startswith("X-WR-TIMEZONE")), 1)
    scan.notes.append((line, message))


def _wrapper(body: str, properties: str = "") -> str:
    return f"BEGIN:VCALENDAR\r\n{properties}{body}END:VCALENDAR\r\n"


def _parse_whole(scan: Scan, good: list[Block]) -> icalendar.Calendar | None:
    """The fast path: every good block in one parse; None when that fails."""
    properties = "".join(text + "\r\n" for _, text in scan.properties)
    text = _wrapper("".join(block.text() for block in good), properties)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:  # noqa: BLE001 - find the culprit block by block
        return None
    names = [c.name for c in calendar.subcomponents]
    if names != [b.name for b in good]:
        return None
    return calendar


def _parse_one_by_one(scan: Scan, good: list[Block]) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    for number, text in scan.properties:
        try:
            single = icalendar.Calendar.from_ical(_wrapper("", text + "\r\n"))
        except Exception:  # noqa: BLE001
            scan.notes.append((number, f"calendar property {split_line(text)[0]!r} ignored"))
            continue
        for name, value in single.property_items(recursive=False):
            if name not in ("BEGIN", "END"):
                calendar.add(name, value, encode=False)
    zones = {b.tzid: b.text() for b in good if b.name == "VTIMEZONE" and b.tzid}
    for block in good:
        needed = (
            ""
            if block.name == "VTIMEZONE"
            else "".join(zones[z] for z in sorted(block.references()) if z in zones)
        )
        try:
            parsed = icalendar.Calendar.from_ical(_wrapper(needed + block.text()))
            component = parsed.subcomponents[-1]
            if component.name != block.name:
                raise ValueError(f"found {component.name} instead of {block.name}")
        except Exception as error:  # noqa: BLE001 - this block alone is lost
            block.trouble = f"cannot be parsed: {first_line(error)}"
            block.trouble_line = block.first
            block.trace = traceback.format_exc()
            continue
        calendar.add_component(component)
    return calendar


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, safe for a terminal."""
    text = str(error).strip().splitlines()
    return one_line(text[0], 200) if text else type(error).__name__
