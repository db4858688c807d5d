"""Calendar data -> event occurrences with real, zone-aware times.

Takes the bytes of an iCalendar object (a whole calendar file, one vdir item,
one CalDAV resource) and yields every event occurrence that overlaps the
planning window, each with an aware start and end. It copes with what real
calendar programs write: VTIMEZONE or bare IANA names, Outlook's Windows zone
names, Google's calendar-level X-WR-TIMEZONE, floating times (read in the
calendar's X-WR-TIMEZONE, else the user's zone), all-day events, DURATION or
no end, and recurring series with RECURRENCE-ID overrides and EXDATE.

It also copes with what nobody should write. Before icalendar sees the text,
a line scanner unfolds it (at the byte level, so a UTF-8 character split
across a fold survives), reads lines that are not UTF-8 as Windows-1252, and
finds every component's extent with its line numbers. A component that is cut
off, nested absurdly deep or that icalendar cannot parse is dropped on its own
and reported as one ``Problem`` naming ``file:line`` and the event's UID or
summary; every other event is still read. Recurrence rules that would take
millions of steps to expand are refused instead of hanging the run.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any, cast
from zoneinfo import ZoneInfo

import icalendar

from cal_followup.errors import SourceError

#: Values from invites are untrusted; nothing longer is worth reading.
MAX_TEXT = 20_000
#: A UID longer than this is replaced by a stable digest of it (they are usually < 300).
MAX_UID = 1_000
#: Real calendars nest three deep (VCALENDAR > VEVENT > VALARM); deeper is not data.
MAX_DEPTH = 6
#: Occurrences of one series read within the planning window.
MAX_OCCURRENCES = 1_000
#: Steps a recurrence rule may take from its DTSTART to the end of the window.
MAX_RULE_STEPS = 100_000
#: Real zones change their offset twice a year; a rule changing it more often
#: than monthly is not a zone, and expanding it costs without bound.
MAX_ZONE_CHANGES_PER_YEAR = 12
#: Offset changes a zone may define from its first DTSTART to 2100, all rules together.
MAX_ZONE_CHANGES = 20_000
#: Seconds one recurring series may spend being expanded.
SERIES_SECONDS = 2.0

#: Components that only ever appear directly inside VCALENDAR: meeting one
#: inside another means the first one lost its END line.
_TOP_LEVEL = frozenset(
    {"VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
)
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_.-]+[;:]")
_TZID_PARAM = re.compile(r';TZID=(?:"([^"]*)"|([^;:]*))', re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
_BLOCK_ATTRIBUTE = "_cal_followup_block"
_PENDING_ATTRIBUTE = "_cal_followup_pending"
_STANDARD_ATTRIBUTE = "_cal_followup_standard"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one event (or the file), for one line on stderr."""

    where: str
    message: str
    fatal: bool = True  # False: a warning, the event was still read
    #: The traceback behind it, shown with --debug only.
    trace: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        # One line whatever went into it: nothing from a file may break it up.
        return one_line(f"{self.where}: {self.message}", 2_000)


@dataclass
class Occurrence:
    """One occurrence of an event, as the planner needs it."""

    component: icalendar.Event
    uid: str
    recurrence_id: str | None
    start: datetime
    end: datetime
    all_day: bool
    zone: str
    source: str
    href: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Line of the event's BEGIN:VEVENT in ``source``, when known.
    line: int | None = None

    @property
    def key(self) -> str:
        return f"{self.uid}#{self.recurrence_id}" if self.recurrence_id else self.uid

    @property
    def where(self) -> str:
        """``source:line`` for messages."""
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class Window:
    """Occurrences that end after ``start`` and begin before ``end`` are read."""

    start: datetime
    end: datetime
    #: How long after an interview its reminders can be due (``stages.reach``): a
    #: store that reads reminders with the interviews looks this far past ``end``.
    reach: timedelta = timedelta(days=400)


def one_line(value: object, limit: int = 60) -> str:
    """Untrusted text made safe for a terminal line: no controls, no bidi tricks, short."""
    text = _CONTROL.sub(" ", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(component: icalendar.cal.Component) -> str:
    """'event 'x' (Summary)' for messages; one line whatever the event holds; never fails."""
    try:
        uid = one_line(component.get("UID", ""), 120)
        summary = one_line(component.get("SUMMARY", ""))
    except Exception:  # noqa: BLE001 - a description must not fail
        return "event"
    return _label(uid, summary)


def _label(uid: str, summary: str, kind: str = "event") -> str:
    if uid and summary:
        return f"{kind} {uid!r} ({summary})"
    if uid:
        return f"{kind} {uid!r}"
    return f"{kind} {summary!r}" if summary else f"{kind} without UID"


# --- Lines ------------------------------------------------------------------


@dataclass
class _Lines:
    """Logical (unfolded) content lines, each with the physical line it starts on."""

    numbers: list[int]
    texts: list[str]
    #: Lines that were not UTF-8 and were read as Windows-1252.
    recoded: list[int]


def _legacy_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: bytes that are not UTF-8 are read as Windows-1252.

    Only the offending bytes: the rest of the line stays UTF-8, so a line
    mixing both (an old Latin-1 name pasted into a UTF-8 file) reads right.
    """
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    try:
        return chunk.decode("cp1252"), error.end
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined
        return chunk.decode("latin-1"), error.end


codecs.register_error("cal_followup_cp1252", _legacy_bytes)


def _logical_lines(data: bytes | str) -> _Lines:
    """Unfold ``data`` into content lines; never fails on any input."""
    if isinstance(data, str):
        text = data
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        raw = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Unfold before decoding: some writers fold inside a UTF-8 character.
            return _logical_lines_from_bytes(raw)
    text = text.lstrip("\ufeff")
    physical = text.split("\n") if "\n" in text else text.split("\r")
    numbers: list[int] = []
    parts: list[list[str]] = []
    for number, line in enumerate(physical, 1):
        line = line.replace("\r", "").replace("\x00", "")
        if line[:1] in (" ", "\t") and parts:
            parts[-1].append(line[1:])
        else:
            numbers.append(number)
            parts.append([line])
    return _Lines(numbers, ["".join(p) for p in parts], [])


def _logical_lines_from_bytes(data: bytes) -> _Lines:
    physical = data.split(b"\n") if b"\n" in data else data.split(b"\r")
    numbers: list[int] = []
    parts: list[list[bytes]] = []
    for number, line in enumerate(physical, 1):
        line = line.replace(b"\r", b"").replace(b"\x00", b"")
        if line[:1] in (b" ", b"\t") and parts:
            parts[-1].append(line[1:])
        else:
            numbers.append(number)
            parts.append([line])
    texts: list[str] = []
    recoded: list[int] = []
    for number, pieces in zip(numbers, parts, strict=True):
        raw = b"".join(pieces)
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("utf-8", errors="cal_followup_cp1252"))
            recoded.append(number)
    return _Lines(numbers, texts, recoded)


def _split_line(text: str) -> tuple[str, str]:
    """(upper-case property name, value) of one content line; the colon may hide in quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return text[:index].split(";", 1)[0].strip().upper(), text[index + 1 :]
    return text.split(";", 1)[0].split(":", 1)[0].strip().upper(), ""


# --- Blocks -----------------------------------------------------------------


@dataclass
class _Block:
    """One top-level component as found in the text, with what went wrong in it."""

    name: str
    first: int
    numbers: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    #: Why the component cannot be read at all (cut off, nested too deep, unparsable).
    trouble: str | None = None
    trouble_line: int | None = None
    trace: str | None = None
    #: (line, message) warnings: lines dropped or repaired, bytes re-read.
    notes: list[tuple[int, str]] = field(default_factory=list)
    uid: str = ""
    summary: str = ""
    dtstart: str = ""
    recurring: bool = False
    tzid: str = ""
    #: Lines in it that were not UTF-8.
    recoded: list[int] = field(default_factory=list)

    def add(self, number: int, text: str) -> None:
        self.numbers.append(number)
        self.lines.append(text)

    def line_of(self, name: str) -> int | None:
        """The line a property starts on (the first one, if repeated)."""
        wanted = name.upper()
        for number, text in zip(self.numbers, self.lines, strict=True):
            if _split_line(text)[0] == wanted:
                return number
        return None

    def label(self) -> str:
        if self.name == "VTIMEZONE" and self.tzid:
            return f"time zone {one_line(self.tzid, 80)!r}"
        kind = self.name.lower()[1:] if self.name.startswith("V") else self.name.lower()
        return _label(one_line(self.uid, 120), one_line(self.summary), kind or "component")

    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"

    def references(self) -> set[str]:
        found: set[str] = set()
        for line in self.lines:
            if ";" in line:
                for quoted, bare in _TZID_PARAM.findall(line):
                    found.add(quoted or bare.strip())
        return found


@dataclass
class _Scan:
    blocks: list[_Block] = field(default_factory=list)
    properties: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    calendars: int = 0
    #: Line of the last line when the file ends inside VCALENDAR (cut off).
    unterminated: int | None = None
    #: Lines outside any component that were not UTF-8.
    recoded: list[int] = field(default_factory=list)


def _scan(lines: _Lines) -> _Scan:
    """Find every top-level component's lines, repairing what can be repaired."""
    scan = _Scan()
    recoded = set(lines.recoded)
    block: _Block | None = None
    stack: list[str] = []
    overflow = 0  # BEGINs beyond MAX_DEPTH still waiting for their END
    in_calendar = False
    last = 0

    def cut(reason: str, number: int) -> None:
        nonlocal block
        assert block is not None
        if block.trouble is None:
            block.trouble, block.trouble_line = reason, block.first
        scan.blocks.append(block)
        block = None

    for number, text in zip(lines.numbers, lines.texts, strict=True):
        if not text.strip():
            continue
        last = number
        if number in recoded:
            if block is not None:
                block.recoded.append(number)
            else:
                scan.recoded.append(number)
        head = text[:6].upper()
        if head.startswith("BEGIN:"):
            name = _component_name(text[6:])
            if block is not None and name in _TOP_LEVEL:
                cut(f"cut off: no END:{block.name} before BEGIN:{name} on line {number}", number)
            if block is None:
                if name == "VCALENDAR":
                    scan.calendars += 1
                    in_calendar = True
                    continue
                block, stack, overflow = _Block(name, number), [name], 0
                block.add(number, f"BEGIN:{name}")
                continue
            if overflow or len(stack) >= MAX_DEPTH:
                overflow += 1
                if block.trouble is None:
                    block.trouble = f"components nested more than {MAX_DEPTH} deep"
                    block.trouble_line = number
                continue
            stack.append(name)
            block.add(number, f"BEGIN:{name}")
            continue
        if head.startswith("END:"):
            name = _component_name(text[4:])
            if block is None:
                if name == "VCALENDAR" and in_calendar:
                    in_calendar = False
                else:
                    scan.notes.append((number, f"END:{name} without a BEGIN:{name}; ignored"))
                continue
            if overflow:
                overflow -= 1
                continue
            if name in stack:
                while stack:
                    inner = stack.pop()
                    if inner == name:
                        break
                    block.notes.append((number, f"BEGIN:{inner} has no END:{inner}; closed here"))
                    block.add(number, f"END:{inner}")
                block.add(number, f"END:{name}")
                if not stack:
                    scan.blocks.append(block)
                    block = None
                continue
            if name == "VCALENDAR":
                cut(f"cut off: no END:{block.name} before END:VCALENDAR on line {number}", number)
                in_calendar = False
                continue
            block.notes.append((number, f"END:{name} without a BEGIN:{name}; ignored"))
            continue
        if not _PROPERTY_NAME.match(text) or ":" not in text:
            note = (number, f"not a property line ({one_line(text, 40)!r}); ignored")
            (block.notes if block is not None else scan.notes).append(note)
            continue
        if block is None:
            if in_calendar:
                scan.properties.append((number, text))
            else:
                scan.notes.append((number, "text outside BEGIN:VCALENDAR/END:VCALENDAR; ignored"))
            continue
        if overflow:
            continue
        block.add(number, text)
        if len(stack) == 1:
            _remember(block, text)
    if block is not None:
        cut(f"cut off: the file ends on line {last} before END:{block.name}", last)
    elif in_calendar:
        scan.unterminated = last
    for zone in scan.blocks:
        if zone.name == "VTIMEZONE" and zone.trouble is None:
            zone.trouble = _zone_trouble(zone)
            zone.trouble_line = zone.first
    holders: list[_Scan | _Block] = [scan, *scan.blocks]
    for holder in holders:
        if holder.recoded:
            shown = ", ".join(str(n) for n in holder.recoded[:5])
            more = ", ..." if len(holder.recoded) > 5 else ""
            target = holder.notes
            target.append(
                (
                    holder.recoded[0],
                    f"not UTF-8 text on line(s) {shown}{more}; read as Windows-1252",
                )
            )
    return scan


_ZONE_FREQ_PER_YEAR = {"YEARLY": 1, "MONTHLY": 12}


def _zone_changes_per_year(freq: str, parts: dict[str, str]) -> float:
    """How often a year a zone rule changes the offset, BYxxx expansion counted.

    A BYDAY entry with an ordinal ("-1SU") is one day a month (or a year); a
    plain weekday ("SU") is every such weekday, about five a month.
    """

    def values(name: str) -> list[str]:
        return [v for v in parts.get(name, "").split(",") if v.strip()]

    months = len(values("BYMONTH")) or (12 if freq == "YEARLY" else 1)
    per_period = 1.0
    if values("BYYEARDAY"):
        per_period = len(values("BYYEARDAY"))
    elif values("BYMONTHDAY"):
        per_period = len(values("BYMONTHDAY")) * months
    elif values("BYWEEKNO"):
        per_period = 7.0 * len(values("BYWEEKNO"))
    elif values("BYDAY"):
        in_month = bool(values("BYMONTH")) or freq == "MONTHLY"
        per_period = sum(
            (months if in_month else 1) if re.search(r"\d", day) else 5 * months
            for day in values("BYDAY")
        )
    elif freq == "YEARLY" and values("BYMONTH"):
        per_period = months
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        per_period *= len(values(name)) or 1
    return per_period * (12 if freq == "MONTHLY" else 1)


def _zone_trouble(block: _Block) -> str | None:
    """Why a VTIMEZONE would cost without bound to read, or None when it is sane.

    dateutil walks a zone's rules from their DTSTART on every lookup, so a
    rule repeating every minute (or a thousand RDATEs) makes one event's
    time cost gigabytes; such a zone is refused before icalendar sees it.
    """
    changes = 0.0
    per_years = 0.0
    start_year = 2100
    for text in block.lines:
        name, value = _split_line(text)
        if name == "DTSTART":
            digits = re.match(r"\s*(\d{4})", value)
            if digits:
                start_year = min(start_year, int(digits.group(1)))
        elif name == "RDATE":
            changes += value.count(",") + 1
        elif name == "RRULE":
            parts = dict(
                part.split("=", 1) for part in value.upper().split(";") if "=" in part
            )
            freq = parts.get("FREQ", "").strip()
            if freq not in _ZONE_FREQ_PER_YEAR:
                return (
                    f"its rules change the offset {freq.lower() or 'without a FREQ'}, "
                    "more often than any real time zone"
                )
            per_year = _zone_changes_per_year(freq, parts)
            if per_year > MAX_ZONE_CHANGES_PER_YEAR:
                return f"its rules change the offset about {per_year:,.0f} times a year"
            per_years += per_year
    changes += per_years * max(2100 - start_year, 1)
    if changes > MAX_ZONE_CHANGES:
        return f"it defines about {changes:,.0f} offset changes"
    return None


def _component_name(text: str) -> str:
    """A BEGIN/END name, upper case; characters no name may hold become '?'."""
    return re.sub(r"[^A-Z0-9_-]", "?", text.strip().upper()[:80])


def _remember(block: _Block, text: str) -> None:
    name, value = _split_line(text)
    if name == "UID":
        block.uid = value.strip()
    elif name == "SUMMARY":
        block.summary = value.replace("\\n", " ").replace("\\,", ",").replace("\\;", ";")
    elif name == "DTSTART":
        block.dtstart = value.strip()
    elif name in ("RRULE", "RDATE"):
        block.recurring = True
    elif name == "TZID":
        block.tzid = value.strip()


# --- Parsing ----------------------------------------------------------------


def parse_calendar(data: bytes | str, where: str) -> icalendar.Calendar:
    """Parse an iCalendar object; raise SourceError naming ``where`` only if nothing is usable.

    A broken component does not fail the whole: it is left out, and
    ``iter_occurrences`` reports it with its line number.
    """
    if not data or not (data.strip() if isinstance(data, str) else data.strip()):
        raise SourceError(f"{where}: no calendar data (the file is empty)")
    lines = _logical_lines(data)
    scan = _scan(lines)
    if not scan.calendars and not scan.blocks:
        raise SourceError(f"{where}: not an iCalendar file (no BEGIN:VCALENDAR)")
    good = [b for b in scan.blocks if b.trouble is None]
    calendar = _parse_whole(scan, good)
    if calendar is None:
        calendar = _parse_one_by_one(scan, good)
    good = [b for b in good if b.trouble is None]
    for component, block in zip(calendar.subcomponents, good, strict=True):
        setattr(component, _BLOCK_ATTRIBUTE, block)
    calendar = _to_standard(calendar, scan)
    setattr(calendar, _PENDING_ATTRIBUTE, scan)
    return calendar


def _wrapper(body: str, properties: str = "") -> str:
    return f"BEGIN:VCALENDAR\r\n{properties}{body}END:VCALENDAR\r\n"


def _parse_whole(scan: _Scan, good: list[_Block]) -> icalendar.Calendar | None:
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


def _parse_one_by_one(scan: _Scan, good: list[_Block]) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    for number, text in scan.properties:
        try:
            single = icalendar.Calendar.from_ical(_wrapper("", text + "\r\n"))
        except Exception:  # noqa: BLE001
            scan.notes.append((number, f"calendar property {_split_line(text)[0]!r} ignored"))
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
            block.trouble = f"cannot be parsed: {_first_line(error)}"
            block.trouble_line = block.first
            block.trace = traceback.format_exc()
            continue
        calendar.add_component(component)
    return calendar


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return one_line(text[0], 200) if text else type(error).__name__


# --- Zones ------------------------------------------------------------------


def _valid_zone(name: str) -> bool:
    if not name or len(name) > 100:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def _iana(name: str) -> str | None:
    """An IANA zone name for ``name``, which may be a Windows zone name; else None."""
    name = name.strip()
    if _valid_zone(name):
        return name
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    mapped = WINDOWS_TO_OLSON.get(name)
    return mapped if mapped and _valid_zone(mapped) else None


def _zone_name(value: datetime) -> str | None:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if key and _iana(str(key)):
        return _iana(str(key))
    try:
        from icalendar.timezone import tzid_from_dt

        tzid = tzid_from_dt(value)
    except Exception:  # noqa: BLE001 - a custom zone without a name
        tzid = None
    if tzid and _iana(str(tzid)):
        return _iana(str(tzid))
    return _equivalent_zone(tz, value.year, str(tzid or ""))


_EQUIVALENT: dict[tuple[str, int], str | None] = {}
#: Where most interviews happen: tried first, so that New York wins over Havana.
_LIKELY_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def _equivalent_zone(tz: Any, year: int, tzid: str) -> str | None:
    """The IANA zone whose clock matches a custom VTIMEZONE's all year, if any.

    Outlook writes "Customized Time Zone" with its own rules; the instants
    are right either way, but the employer's country (business days) is read
    from the zone's name. Windows' own choice of zone for each region is tried
    first, so the match is the zone people there actually use.
    """
    cache_key = (tzid or repr(tz), year)
    if cache_key in _EQUIVALENT:
        return _EQUIVALENT[cache_key]
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    found: str | None = None
    try:
        samples = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=7 * n) for n in range(53)]
        clock = [moment.astimezone(tz).utcoffset() for moment in samples]
        if all(offset == timedelta(0) for offset in clock):
            found = "UTC"
        else:
            for candidate in dict.fromkeys([*_LIKELY_ZONES, *WINDOWS_TO_OLSON.values()]):
                if not _valid_zone(candidate):
                    continue
                zone = ZoneInfo(candidate)
                if all(
                    m.astimezone(zone).utcoffset() == o for m, o in zip(samples, clock, strict=True)
                ):
                    found = candidate
                    break
    except (ValueError, OverflowError, TypeError, AttributeError):
        found = None
    if len(_EQUIVALENT) < 256:
        _EQUIVALENT[cache_key] = found
    return found


def _calendar_zone(calendar: icalendar.Calendar) -> str | None:
    value = calendar.get("X-WR-TIMEZONE")
    return str(value).strip() if value else None


def _to_standard(calendar: icalendar.Calendar, scan: _Scan | None = None) -> icalendar.Calendar:
    """Google's calendar-level X-WR-TIMEZONE made into real zones; markers kept."""
    name = _calendar_zone(calendar)
    if not name or getattr(calendar, _STANDARD_ATTRIBUTE, False):
        return calendar
    import x_wr_timezone

    zone = _iana(name)
    if zone is None:
        if scan is not None:
            line = next((n for n, t in scan.properties if t.upper().startswith("X-WR-TIMEZONE")), 1)
            scan.notes.append(
                (line, f"X-WR-TIMEZONE {one_line(name, 80)!r} is not a known time zone; ignored")
            )
        return calendar
    if zone != name:
        calendar["X-WR-TIMEZONE"] = zone
    try:
        converted = x_wr_timezone.to_standard(calendar)
        pairs = list(zip(calendar.subcomponents, converted.subcomponents, strict=True))
    except Exception:  # noqa: BLE001 - convert what can be converted, event by event
        converted = icalendar.Calendar()
        for key, value in calendar.property_items(recursive=False):
            if key not in ("BEGIN", "END"):
                converted.add(key, value, encode=False)
        pairs = []
        for component in calendar.subcomponents:
            mini = icalendar.Calendar()
            mini.add("X-WR-TIMEZONE", zone)
            mini.add_component(component)
            try:
                new = x_wr_timezone.to_standard(mini).subcomponents[0]
            except Exception:  # noqa: BLE001 - keep it as written
                new = component
            converted.add_component(new)
            pairs.append((component, new))
    for old, new in pairs:
        block = getattr(old, _BLOCK_ATTRIBUTE, None)
        if block is not None:
            setattr(new, _BLOCK_ATTRIBUTE, block)
    pending = getattr(calendar, _PENDING_ATTRIBUTE, None)
    if pending is not None:
        setattr(converted, _PENDING_ATTRIBUTE, pending)
    setattr(converted, _STANDARD_ATTRIBUTE, True)
    return converted


# --- Occurrences ------------------------------------------------------------


def _as_aware(value: date | datetime, user_zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=user_zone)
    return datetime.combine(value, time(0), user_zone)


def _rid_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            return value.strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _event_times(
    event: icalendar.cal.Component, user_zone: ZoneInfo
) -> tuple[datetime, datetime, bool, str, list[str]]:
    warnings: list[str] = []
    raw_start = event.get("DTSTART")
    if raw_start is None:
        raise ValueError("no DTSTART")
    start_value = cast(icalendar.Event, event).start
    if not isinstance(start_value, date):
        raise ValueError(f"DTSTART is not a date or time: {one_line(start_value, 40)!r}")
    try:
        end_value = cast(icalendar.Event, event).end
        if not isinstance(end_value, date):
            raise ValueError("not a date")
    except Exception:  # noqa: BLE001 - a broken DTEND/DURATION: assume no length
        warnings.append("unreadable DTEND or DURATION; taking the event as having no length")
        end_value = start_value
    all_day = not isinstance(start_value, datetime)
    tzid = None
    params = getattr(raw_start, "params", None)
    if params is not None:
        tzid = params.get("TZID")
    if isinstance(start_value, datetime) and start_value.tzinfo is None and tzid:
        warnings.append(
            f"unknown time zone {one_line(tzid, 80)!r}; reading the time in {user_zone.key}"
        )
    start = _as_aware(start_value, user_zone)
    end = _as_aware(end_value, user_zone)
    if end < start:
        warnings.append("the event ends before it starts; taking it as having no length")
        end = start
    zone = _zone_name(start) or user_zone.key
    return start, end, all_day, zone, warnings


def _is_recurring(event: icalendar.cal.Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


class _Reporter:
    """Turns what went wrong into Problems that name ``file:line`` and the event."""

    def __init__(self, where: str) -> None:
        self.where = where

    def at(self, line: int | None, who: str) -> str:
        return f"{self.where}:{line}: {who}" if line else f"{self.where}: {who}"

    def for_event(
        self,
        event: icalendar.cal.Component,
        message: str,
        *,
        fatal: bool = True,
        prop: str | None = None,
        trace: str | None = None,
    ) -> Problem:
        block: _Block | None = getattr(event, _BLOCK_ATTRIBUTE, None)
        line = None
        if block is not None:
            names = [prop] if prop else _properties_about(message)
            line = next((n for n in map(block.line_of, names) if n), None) or block.first
        return Problem(self.at(line, describe(event)), message, fatal, trace)


def _properties_about(message: str) -> list[str]:
    """The properties whose line a warning from ``_event_times`` or ``_uid`` is about."""
    for prefix, names in (
        ("unknown time zone", ["DTSTART"]),
        ("unreadable DTEND", ["DTEND", "DURATION"]),
        ("the event ends before", ["DTEND", "DURATION"]),
        ("a UID with", ["UID"]),
    ):
        if message.startswith(prefix):
            return names
    return []


def _window_allows(block: _Block, window: Window) -> bool:
    """False only when the raw DTSTART shows the block is far outside the window."""
    if block.recurring or block.name != "VEVENT":
        return True
    match = re.search(r"(\d{4})(\d{2})(\d{2})", block.dtstart)
    if not match:
        return True
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return True
    margin = timedelta(days=2)
    return window.start.date() - margin <= day <= window.end.date() + margin


def _pending_problems(scan: _Scan | None, window: Window, report: _Reporter) -> Iterator[Problem]:
    if scan is None:
        return
    for number, message in sorted(scan.notes):
        yield Problem(f"{report.where}:{number}", message, fatal=False)
    for block in scan.blocks:
        if block.trouble is None:
            continue
        relevant = _window_allows(block, window)
        if block.name == "VEVENT":
            fatal = relevant
            message = f"cannot read the event: {block.trouble}"
            if not relevant:
                message += " (it is outside the planning window)"
        else:
            fatal = False
            message = f"{block.trouble}; ignored"
        yield Problem(
            report.at(block.trouble_line or block.first, block.label()), message, fatal, block.trace
        )
    if scan.unterminated is not None:
        yield Problem(
            f"{report.where}:{scan.unterminated}",
            "the file ends without END:VCALENDAR: it may be cut off, "
            "and events after this line are missing",
        )


def iter_occurrences(
    calendar: icalendar.Calendar,
    window: Window,
    user_zone: ZoneInfo,
    where: str,
    href: str | None = None,
) -> Iterator[Occurrence | Problem]:
    """Occurrences of every VEVENT in ``calendar`` that overlap ``window``.

    Problems met while parsing (``parse_calendar``) come first; then a Problem
    for each event that cannot be read, and warnings for events read anyway.
    """
    report = _Reporter(where)
    yield from _pending_problems(getattr(calendar, _PENDING_ATTRIBUTE, None), window, report)
    calendar = _to_standard(calendar)
    cancelled_by_method = str(calendar.get("METHOD", "")).strip().upper() == "CANCEL"
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    series: dict[str, list[icalendar.cal.Component]] = {}
    for event in calendar.walk("VEVENT"):
        if cancelled_by_method and "STATUS" not in event:
            # RFC 5546: a CANCEL for a whole event cancels it, STATUS or not.
            event.add("STATUS", "CANCELLED")
        uid = _uid(event)
        if _is_recurring(event):
            series.setdefault(uid, []).append(event)
            continue
        try:
            start, end, all_day, zone, warnings = _event_times(event, user_zone)
        except Exception as error:  # noqa: BLE001 - one event never stops the rest
            yield report.for_event(
                event,
                f"cannot read its time: {_first_line(error)}",
                prop="DTSTART",
                trace=traceback.format_exc(),
            )
            continue
        if end < window.start or start > window.end:
            continue
        yield from _event_warnings(event, uid, warnings, report)
        block = getattr(event, _BLOCK_ATTRIBUTE, None)
        yield Occurrence(
            cast(icalendar.Event, event),
            uid,
            None,
            start,
            end,
            all_day,
            zone,
            where,
            href,
            line=block.first if block else None,
        )
    for uid, components in series.items():
        yield from _expand_series(uid, components, timezones, window, user_zone, report, href)


def _uid(event: icalendar.cal.Component) -> str:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return _derived_uid(event)
    if len(uid) > MAX_UID or _CONTROL.search(uid):
        # Too long to carry around, or holding line breaks and other controls
        # that no writer can put back unescaped in our marker properties.
        return "uid-" + hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()[:32]
    return uid


def _derived_uid(event: icalendar.cal.Component) -> str:
    try:
        content = event.to_ical()
    except Exception:  # noqa: BLE001 - fall back to what can be said of it
        content = describe(event).encode("utf-8", "replace")
    return f"no-uid-{hashlib.sha256(content).hexdigest()[:24]}"


def _event_warnings(
    event: icalendar.cal.Component, uid: str, warnings: list[str], report: _Reporter
) -> Iterator[Problem]:
    """Warnings for an event that is read: what was dropped, repaired or guessed."""
    raw_uid = str(event.get("UID", "")).strip()
    if not raw_uid:
        warnings = [*warnings, "no UID; using one derived from its content"]
    elif uid != raw_uid:
        what = "control characters" if _CONTROL.search(raw_uid) else f"{len(raw_uid)} characters"
        warnings = [*warnings, f"a UID with {what}; using a digest of it"]
    block: _Block | None = getattr(event, _BLOCK_ATTRIBUTE, None)
    for warning in warnings:
        yield report.for_event(event, warning, fatal=False)
    for name, message in getattr(event, "errors", []) or []:
        if name in ("DTSTART", "DTEND", "DURATION"):
            continue  # already said, in the words above
        label = f"{name} " if name else ""
        yield report.for_event(
            event,
            f"{label}cannot be read ({one_line(message, 120)}); ignored",
            fatal=False,
            prop=name,
        )
    if block is None:
        return
    for number, note in sorted(block.notes):
        yield Problem(report.at(number, describe(event)), note, fatal=False)


def _rule_steps(event: icalendar.cal.Component, until: datetime, user_zone: ZoneInfo) -> float:
    """Roughly how many instances expanding the event's RRULEs up to ``until`` generates."""
    from cal_followup.recurrence import rule_steps

    rules = event.get("RRULE")
    if rules is None:
        return 0
    start = _as_aware(cast(icalendar.Event, event).start, user_zone)
    return rule_steps(rules if isinstance(rules, list) else [rules], start, until)


def _expand_series(
    uid: str,
    components: list[icalendar.cal.Component],
    timezones: list[icalendar.cal.Component],
    window: Window,
    user_zone: ZoneInfo,
    report: _Reporter,
    href: str | None,
) -> Iterator[Occurrence | Problem]:
    import recurring_ical_events

    from cal_followup.recurrence import fast_forward

    first = components[0]
    for index, component in enumerate(components):
        try:
            if "RECURRENCE-ID" not in component:
                component = components[index] = fast_forward(component, window.start)
            steps = _rule_steps(component, window.end, user_zone)
        except Exception as error:  # noqa: BLE001 - a rule we cannot even size
            yield report.for_event(
                component,
                f"cannot read its repeat rule: {_first_line(error)}",
                prop="RRULE",
                trace=traceback.format_exc(),
            )
            return
        if steps > MAX_RULE_STEPS:
            yield report.for_event(
                component,
                f"cannot read the recurring event: its rule repeats about {steps:,.0f} times "
                "before the end of the planning window, more than a calendar event plausibly does",
                prop="RRULE",
            )
            return
    mini = icalendar.Calendar()
    for timezone in timezones:
        mini.add_component(timezone)
    for component in components:
        mini.add_component(component)
    block: _Block | None = getattr(first, _BLOCK_ATTRIBUTE, None)
    line = block.first if block else None
    seen: set[str] = set()
    warned: set[str] = set()
    deadline = monotonic() + SERIES_SECONDS
    try:
        for occurrence in recurring_ical_events.of(mini).after(window.start):
            if monotonic() > deadline:
                yield report.for_event(
                    first,
                    f"expanding the recurring event took over {SERIES_SECONDS:g} seconds; "
                    "only the occurrences found by then were read",
                    fatal=False,
                    prop="RRULE",
                )
                break
            try:
                start, end, all_day, zone, warnings = _event_times(occurrence, user_zone)
            except Exception as error:  # noqa: BLE001
                yield report.for_event(
                    first,
                    f"cannot read an occurrence's time: {_first_line(error)}",
                    prop="DTSTART",
                    trace=traceback.format_exc(),
                )
                continue
            if start > window.end:
                break
            rid_value = occurrence.get("RECURRENCE-ID")
            rid = _rid_text(rid_value.dt) if rid_value is not None else _rid_text(start)
            if rid in seen:
                continue
            if len(seen) >= MAX_OCCURRENCES:
                yield report.for_event(
                    first,
                    f"more than {MAX_OCCURRENCES} occurrences in the "
                    "planning window; only the first ones were read",
                    fatal=False,
                )
                break
            seen.add(rid)
            for warning in warnings:
                if warning not in warned:
                    warned.add(warning)
                    yield report.for_event(first, warning, fatal=False)
            yield Occurrence(
                cast(icalendar.Event, occurrence),
                uid,
                rid,
                start,
                end,
                all_day,
                zone,
                report.where,
                href,
                line=line,
            )
    except Exception as error:  # noqa: BLE001 - one broken series never stops the rest
        yield report.for_event(
            first,
            f"cannot expand the recurring event: {_first_line(error)}",
            prop="RRULE",
            trace=traceback.format_exc(),
        )
        return
    if seen:
        for component in components:
            yield from _event_warnings(component, uid, [], report)


def local_zone_name() -> str:
    """The system's time zone as an IANA name, or UTC when it cannot be told."""
    import os

    name = os.environ.get("TZ", "").lstrip(":")
    if name and _valid_zone(name):
        return name
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "/zoneinfo/"
        if marker in target:
            candidate = target.split(marker, 1)[1]
            if _valid_zone(candidate):
                return candidate
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidate = handle.read().strip()
            if _valid_zone(candidate):
                return candidate
    except OSError:
        pass
    return "UTC"
