"""The one raw-text iCalendar scanner: lines, components, UIDs, our marker.

Everything in cal-followup that looks at iCalendar text before (or instead
of) icalendar goes through here: reading calendars, the .ics file store that
rewrites a file byte for byte, the vdir, feed and CalDAV stores looking for
UIDs, the etiquette checker reading drafts, and sync telling our reminders
from everybody else's events.

The scanner never fails on any input. It unfolds lines (at the byte level
when the text is not UTF-8, so a character split across a fold survives),
reads bytes that are not UTF-8 as Windows-1252, copes with a BOM, UTF-16 and
CR-only line ends, and finds every top-level component's extent with its
line numbers, repairing what can be repaired and noting what it repaired.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

#: Real calendars nest three deep (VCALENDAR > VEVENT > VALARM); deeper is not data.
MAX_DEPTH = 6
#: Every property we write into our own reminders starts with this.
MARKER_PREFIX = "X-CAL-FOLLOWUP-"

#: Components that only ever appear directly inside VCALENDAR: meeting one
#: inside another means the first one lost its END line.
TOP_LEVEL = frozenset(
    {"VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
)
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_.-]+(?=[;:])")
_TZID_PARAM = re.compile(r';TZID=(?:"([^"]*)"|([^;:]*))', re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")
_NOT_NAME = re.compile(r"[^A-Z0-9_-]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
#: Properties of a top-level component the scan keeps at hand.
_REMEMBERED = frozenset(
    {"UID", "SUMMARY", "DTSTART", "RRULE", "RDATE", "TZID", "RECURRENCE-ID", "CATEGORIES"}
)
#: Their first three letters: most lines are ruled out on these alone.
_REMEMBERED_HEADS = frozenset(name[:3] for name in _REMEMBERED)


def one_line(value: object, limit: int = 60) -> str:
    """Untrusted text made safe for a terminal line: no controls, no bidi tricks, short."""
    text = CONTROL.sub(" ", str(value))
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label(uid: str, summary: str, kind: str = "event") -> str:
    """'event 'uid' (summary)' for messages."""
    if uid and summary:
        return f"{kind} {uid!r} ({summary})"
    if uid:
        return f"{kind} {uid!r}"
    return f"{kind} {summary!r}" if summary else f"{kind} without UID"


def unescape(value: str) -> str:
    """A TEXT value as icalendar reads it: ``\\n`` a line break, ``\\,`` a comma."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


# --- Lines ------------------------------------------------------------------


@dataclass
class Lines:
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


def decode(data: bytes | str) -> str | None:
    """The text of ``data`` (BOM and UTF-16 handled); None when it is not UTF-8."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    raw = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return None


def logical_lines(data: bytes | str) -> Lines:
    """Unfold ``data`` into content lines; never fails on any input."""
    text = decode(data)
    if text is None:
        # Unfold before decoding: some writers fold inside a UTF-8 character.
        assert isinstance(data, bytes)
        raw = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
        return _logical_lines_from_bytes(raw)
    physical = physical_texts(text)
    if not any(f"{end}{space}" in text for end in "\n\r" for space in " \t"):
        # Nothing folded (the usual case for files this program reads): no loop.
        return Lines(list(range(1, len(physical) + 1)), physical, [])
    numbers: list[int] = []
    parts: list[list[str]] = []
    for number, line in enumerate(physical, 1):
        if line[:1] in (" ", "\t") and parts:
            parts[-1].append(line[1:])
        else:
            numbers.append(number)
            parts.append([line])
    return Lines(numbers, ["".join(p) for p in parts], [])


def physical_texts(text: str) -> list[str]:
    """The physical lines of ``text``, without line ends; the n-th is line n in messages.

    Lines end at LF (CRs dropped) or, in a file without any LF, at CR (old Macs).
    """
    separator = "\n" if "\n" in text else "\r"
    if separator == "\n" and "\r" in text:
        text = text.replace("\r", "")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.split(separator)


def _logical_lines_from_bytes(data: bytes) -> Lines:
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
    return Lines(numbers, texts, recoded)


def value_start(text: str) -> int | None:
    """Index of the ':' that ends a line's name and parameters (quotes respected)."""
    index = text.find(":")
    if index < 0 or '"' not in text[:index]:
        return index if index >= 0 else None
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return None


def split_line(text: str) -> tuple[str, str]:
    """(upper-case property name, value) of one content line; the colon may hide in quotes."""
    colon = value_start(text)
    if colon is None:
        return text.split(";", 1)[0].split(":", 1)[0].strip().upper(), ""
    return text[:colon].split(";", 1)[0].strip().upper(), text[colon + 1 :]


def component_name(text: str) -> str:
    """A BEGIN/END name, upper case; characters no name may hold become '?'."""
    return _NOT_NAME.sub("?", text.strip().upper()[:80])


# --- Blocks -----------------------------------------------------------------


@dataclass
class Block:
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
    override: bool = False
    tzid: str = ""
    #: Lines in it that were not UTF-8.
    recoded: list[int] = field(default_factory=list)
    #: Nested components (VALARM) inside it.
    nested: bool = False
    #: Its own SUMMARY and CATEGORIES lines, as written: what an interview is told by.
    words: list[str] = field(default_factory=list)

    def add(self, number: int, text: str) -> None:
        self.numbers.append(number)
        self.lines.append(text)

    def line_of(self, name: str) -> int | None:
        """The line a property starts on (the first one, if repeated)."""
        wanted = name.upper()
        for number, text in zip(self.numbers, self.lines, strict=True):
            if split_line(text)[0] == wanted:
                return number
        return None

    def values(self, *names: str) -> Iterator[str]:
        """Raw values of the block's own properties called ``names``."""
        for text in self.lines:
            name, value = split_line(text)
            if name in names:
                yield value

    def label(self) -> str:
        if self.name == "VTIMEZONE" and self.tzid:
            return f"time zone {one_line(self.tzid, 80)!r}"
        kind = self.name.lower()[1:] if self.name.startswith("V") else self.name.lower()
        return label(one_line(self.uid, 120), one_line(self.summary), kind or "component")

    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"

    def references(self) -> set[str]:
        """The TZIDs its properties name."""
        found: set[str] = set()
        for line in self.lines:
            if ";" in line:
                for quoted, bare in _TZID_PARAM.findall(line):
                    found.add(quoted or bare.strip())
        return found

    def marked(self) -> bool:
        """True for our own reminders (a property with our marker prefix)."""
        return any(line[:15].upper() == MARKER_PREFIX for line in self.lines)

    def remember(self, text: str) -> None:
        """Keep what later questions about the block need from one of its own lines."""
        if text[:3].upper() not in _REMEMBERED_HEADS:
            return
        name, value = split_line(text)
        if name not in _REMEMBERED:
            return
        if name in ("SUMMARY", "CATEGORIES"):
            self.words.append(text)
        if name == "UID":
            self.uid = value.strip()
        elif name == "SUMMARY":
            self.summary = value.replace("\\n", " ").replace("\\,", ",").replace("\\;", ";")
        elif name == "DTSTART":
            self.dtstart = value.strip()
        elif name == "TZID":
            self.tzid = value.strip()
        elif name == "RECURRENCE-ID":
            self.override = True
        elif name in ("RRULE", "RDATE"):
            self.recurring = True


@dataclass
class Scan:
    """A whole text's top-level components, calendar properties and notes."""

    blocks: list[Block] = field(default_factory=list)
    properties: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    calendars: int = 0
    #: Line of the last line when the file ends inside VCALENDAR (cut off).
    unterminated: int | None = None
    #: Lines outside any component that were not UTF-8.
    recoded: list[int] = field(default_factory=list)


class _Scanner:
    """The state of one pass over the lines: the open block and its nesting."""

    def __init__(self) -> None:
        self.scan = Scan()
        self.block: Block | None = None
        self.stack: list[str] = []
        self.overflow = 0  # BEGINs beyond MAX_DEPTH still waiting for their END
        self.in_calendar = False

    def cut(self, reason: str) -> None:
        block = self.block
        assert block is not None
        if block.trouble is None:
            block.trouble, block.trouble_line = reason, block.first
        self.scan.blocks.append(block)
        self.block = None

    def begin(self, number: int, name: str) -> None:
        block = self.block
        if block is not None and name in TOP_LEVEL:
            self.cut(f"cut off: no END:{block.name} before BEGIN:{name} on line {number}")
            block = None
        if block is None:
            if name == "VCALENDAR":
                self.scan.calendars += 1
                self.in_calendar = True
                return
            self.block, self.stack, self.overflow = Block(name, number), [name], 0
            self.block.add(number, f"BEGIN:{name}")
            return
        if self.overflow or len(self.stack) >= MAX_DEPTH:
            self.overflow += 1
            if block.trouble is None:
                block.trouble = f"components nested more than {MAX_DEPTH} deep"
                block.trouble_line = number
            return
        self.stack.append(name)
        block.nested = True
        block.add(number, f"BEGIN:{name}")

    def end(self, number: int, name: str) -> None:
        block = self.block
        if block is None:
            if name == "VCALENDAR" and self.in_calendar:
                self.in_calendar = False
            else:
                self.scan.notes.append((number, f"END:{name} without a BEGIN:{name}; ignored"))
            return
        if self.overflow:
            self.overflow -= 1
            return
        if name in self.stack:
            while self.stack:
                inner = self.stack.pop()
                if inner == name:
                    break
                block.notes.append((number, f"BEGIN:{inner} has no END:{inner}; closed here"))
                block.add(number, f"END:{inner}")
            block.add(number, f"END:{name}")
            if not self.stack:
                self.scan.blocks.append(block)
                self.block = None
            return
        if name == "VCALENDAR":
            self.cut(f"cut off: no END:{block.name} before END:VCALENDAR on line {number}")
            self.in_calendar = False
            return
        block.notes.append((number, f"END:{name} without a BEGIN:{name}; ignored"))

    def property(self, number: int, text: str) -> None:
        block = self.block
        if not _PROPERTY_NAME.match(text) or ":" not in text:
            note = (number, f"not a property line ({one_line(text, 40)!r}); ignored")
            (block.notes if block is not None else self.scan.notes).append(note)
            return
        if block is None:
            if self.in_calendar:
                self.scan.properties.append((number, text))
            else:
                self.scan.notes.append(
                    (number, "text outside BEGIN:VCALENDAR/END:VCALENDAR; ignored")
                )
            return
        if self.overflow:
            return
        block.add(number, text)
        if len(self.stack) == 1:
            block.remember(text)


def scan(lines: Lines) -> Scan:
    """Find every top-level component's lines, repairing what can be repaired."""
    scanner = _Scanner()
    recoded = set(lines.recoded)
    last = 0
    for number, text in zip(lines.numbers, lines.texts, strict=True):
        if not text or text.isspace():
            continue
        last = number
        if recoded and number in recoded:
            holder = scanner.block if scanner.block is not None else scanner.scan
            holder.recoded.append(number)
        head = text[:6].upper()
        if head == "BEGIN:":
            scanner.begin(number, component_name(text[6:]))
        elif head[:4] == "END:":
            scanner.end(number, component_name(text[4:]))
        elif (
            (block := scanner.block) is not None
            and not scanner.overflow
            and ":" in text
            and _PROPERTY_NAME.match(text)
        ):
            # The common case, inline: a property line of an open component.
            block.numbers.append(number)
            block.lines.append(text)
            if len(scanner.stack) == 1 and head[:3] in _REMEMBERED_HEADS:
                block.remember(text)
        else:
            scanner.property(number, text)
    if scanner.block is not None:
        scanner.cut(f"cut off: the file ends on line {last} before END:{scanner.block.name}")
    elif scanner.in_calendar:
        scanner.scan.unterminated = last
    _note_recoded(scanner.scan)
    return scanner.scan


def _note_recoded(found: Scan) -> None:
    holders: list[Scan | Block] = [found, *found.blocks]
    for holder in holders:
        if holder.recoded:
            shown = ", ".join(str(n) for n in holder.recoded[:5])
            more = ", ..." if len(holder.recoded) > 5 else ""
            holder.notes.append(
                (
                    holder.recoded[0],
                    f"not UTF-8 text on line(s) {shown}{more}; read as Windows-1252",
                )
            )


def scan_text(data: bytes | str) -> Scan:
    """``scan(logical_lines(data))``."""
    return scan(logical_lines(data))


# --- Small questions about raw text ----------------------------------------


def uids(data: bytes | str) -> list[str]:
    """The UIDs of the top-level components in ``data``, in order, without repeats."""
    return list(dict.fromkeys(block.uid for block in scan_text(data).blocks if block.uid))


def has_marker(data: bytes | str) -> bool:
    """Whether ``data`` may hold one of our reminders (cheap; no parse)."""
    marker = MARKER_PREFIX.encode() if isinstance(data, bytes) else MARKER_PREFIX
    if isinstance(data, bytes) and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return any(block.marked() for block in scan_text(data).blocks)
    return marker in data.upper()  # type: ignore[operator]


# --- Raw lines kept as they are (for rewriting a file byte for byte) --------


def physical_lines(data: bytes) -> list[bytes]:
    """``data``'s lines with their line ends, split where ``logical_lines`` splits them.

    Joined they give ``data`` back exactly; the n-th is the scanner's line n.
    """
    separator = b"\n" if b"\n" in data else b"\r"
    pieces = data.split(separator)
    lines = [piece + separator for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def boundary(line: bytes | str) -> tuple[str, str] | None:
    """``("BEGIN", name)`` or ``("END", name)`` for a component's first or last line."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    head = text[:6].upper()
    if head == "BEGIN:":
        return "BEGIN", component_name(text[6:].replace("\r", "").replace("\x00", ""))
    if head[:4] == "END:":
        return "END", component_name(text[4:].replace("\r", "").replace("\x00", ""))
    return None


def first_block(data: bytes | str) -> Block | None:
    """The first top-level component of ``data`` as the scanner sees it (UID, TZID...)."""
    blocks = scan_text(data).blocks
    return blocks[0] if blocks else None
