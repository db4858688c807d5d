"""Which components can matter, decided on the raw text before icalendar parses.

Most of a calendar is other meetings that can never be an interview; parsing
them with icalendar costs most of a run. A ``Selector`` keeps, for parsing:

- every event whose SUMMARY or CATEGORIES line holds a piece of an interview
  word of any language (a superset of what ``detect`` matches: no word
  edges, each word of a phrase on its own, escapes undone);
- every event sharing a UID with one of those, in this text or an earlier
  one of the same run (a series' overrides, its master, a later copy that
  would replace it);
- every event sharing a UID with any other kept event of the same text: a
  series is expanded from all its members together;
- every VTIMEZONE and every other kind of component (few, and a broken one
  is reported);
- every component the text alone cannot prove harmless: one that could make
  the reading report a problem (an odd value, an unknown zone, a strange
  rule, a repaired line) is parsed as before, so the problems reported are
  the same as with a full parse.

With the user's own ``include`` patterns (any regular expression) nothing
can be ruled out on the text, and everything is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from cal_followup.ics.scan import CONTROL, Block, unescape
from cal_followup.ics.zones import valid_zone

#: A UID longer than this is replaced by a stable digest of it (they are usually < 300).
MAX_UID = 1_000
#: Occurrences of one series read within the planning window.
MAX_OCCURRENCES = 1_000

#: A content line whose parameters icalendar surely splits as written.
_LINE = re.compile(
    r'(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[A-Za-z0-9-]+=(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*)'
    r'(?:,(?:"[^"\x00-\x1f]*"|[^";:,\x00-\x1f]*))*)*):(?P<value>.*)',
    re.DOTALL,
)
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:]*)')
_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T([01]\d|2[0-3])([0-5]\d)([0-5]\d)(Z?))?")
_DURATION = re.compile(r"\+?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)")
_NUMBER = re.compile(r"\d{1,9}")
_WEEKDAYS = r"(?:MO|TU|WE|TH|FR|SA|SU)"
_RULE_PARTS = {
    "FREQ": re.compile(r"DAILY|WEEKLY|MONTHLY|YEARLY"),
    "INTERVAL": re.compile(r"[1-9]\d{0,3}"),
    "COUNT": re.compile(r"[1-9]\d{0,3}"),
    "UNTIL": _STAMP,
    "BYDAY": re.compile(rf"[+-]?(?:[1-5]?{_WEEKDAYS})(?:,[+-]?[1-5]?{_WEEKDAYS})*"),
    "BYMONTH": re.compile(r"(?:1[0-2]|0?[1-9])(?:,(?:1[0-2]|0?[1-9]))*"),
    "BYMONTHDAY": re.compile(r"-?(?:3[01]|[12]\d|0?[1-9])(?:,-?(?:3[01]|[12]\d|0?[1-9]))*"),
    "WKST": re.compile(_WEEKDAYS),
}
#: Properties whose value icalendar reads as text: nothing in them can fail.
_TEXT = frozenset(
    {
        "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "CLASS", "TRANSP",
        "STATUS", "URL", "CATEGORIES", "RESOURCES", "ORGANIZER", "ATTENDEE", "RELATED-TO",
        "ACTION",
    }
)  # fmt: skip
_STAMPS = frozenset({"DTSTAMP", "CREATED", "LAST-MODIFIED", "ACKNOWLEDGED"})
_NUMBERS = frozenset({"SEQUENCE", "PRIORITY", "REPEAT"})
#: Properties RFC 5545 lets an event hold more than once.
_REPEATABLE = frozenset({"EXDATE", "RDATE", "EXRULE", "ATTACH", "REQUEST-STATUS"})


class Selector:
    """Chooses the components worth parsing; remembers candidate UIDs across texts."""

    def __init__(
        self,
        words: Iterable[str],
        window_days: float = 0,
        span: tuple[date, date] | None = None,
    ) -> None:
        # A phrase matches only where all its words do: its longest word is enough to look for.
        pieces = sorted({max(word.split(), key=len).lower() for word in words if word.split()})
        self._pattern = re.compile("|".join(map(re.escape, pieces)) or r"(?!)", re.IGNORECASE)
        self._window_days = window_days
        #: The window's first and last day: a one-off event surely outside them is not read.
        self._span = span
        #: UIDs of candidate events seen so far in this run.
        self.uids: set[str] = set()

    def choose(self, blocks: list[Block]) -> list[Block]:
        """The blocks to parse, in their order."""
        for block in blocks:
            if block.name == "VEVENT" and self._interview_like(block):
                self.uids.add(unescape(block.uid))
        keep = [self._keep(block) for block in blocks]
        # A series is read as a whole: its members change one another (an override
        # shadows another of the same RECURRENCE-ID, a master gives the overrides
        # their place), so when one member must be parsed, all of them are.
        kept = {
            unescape(b.uid)
            for b, k in zip(blocks, keep, strict=True)
            if k and b.name == "VEVENT" and b.uid
        }
        return [
            block
            for block, k in zip(blocks, keep, strict=True)
            if k or (block.name == "VEVENT" and block.uid and unescape(block.uid) in kept)
        ]

    def _keep(self, block: Block) -> bool:
        if block.name == "VTIMEZONE":
            return True
        if block.name == "VEVENT" and unescape(block.uid) in self.uids:
            # An interview of another season gives nothing to read: a one-off event whose
            # times are sound and far from the window yields no occurrence and no problem.
            return not (self._far(block) and self._harmless(block))
        return not self._harmless(block)

    def _far(self, block: Block) -> bool:
        if self._span is None or block.recurring or block.override:
            return False
        return _outside(block, *self._span)

    def _interview_like(self, block: Block) -> bool:
        return any(
            "ENCODING" in text.upper() or self._pattern.search(unescape(text))
            for text in block.words
        )

    def _harmless(self, block: Block) -> bool:
        """True when parsing ``block`` can neither give an interview nor a problem."""
        if block.notes or block.recoded or block.name != "VEVENT":
            # Other components (tasks, journals...) are few, and an empty DUE or
            # CREATED makes icalendar refuse one, which is reported: parse them.
            return False
        return _harmless_event(block, self._window_days)


#: Heads (name and parameters) of lines known to be plain text, harmless whatever follows.
_TEXT_HEADS: set[str] = set()
#: The head of a plain text line without quotes (ORGANIZER;CN=Pat Lee): icalendar reads it as
#: text whatever follows, unless a VALUE or ENCODING parameter says otherwise.
_PLAIN_TEXT_HEAD = re.compile(
    "(?:" + "|".join(sorted(_TEXT, key=len, reverse=True)) + r"|X-[A-Z0-9-]*)"
    r"(?:;(?!(?:VALUE|ENCODING)=)[A-Z0-9-]+=[^\";:,\x00-\x1f]*(?:,[^\";:,\x00-\x1f]*)*)*",
    re.IGNORECASE,
)


def _harmless_event(block: Block, window_days: float) -> bool:
    if block.nested:
        return _harmless_nested_event(block, window_days)
    # The common case, kept lean: one pass, text lines ruled harmless by their head alone.
    seen: dict[str, list[tuple[dict[str, str], str]]] = {}
    for text in block.lines[1:-1]:
        head, colon, _ = text.partition(":")
        if colon and (head in _TEXT_HEADS or _PLAIN_TEXT_HEAD.fullmatch(head)):
            continue
        parts = _parts(text)
        if parts is None:
            return False
        name, params, value = parts
        if not _harmless_line(name, params, value):
            return False
        if name in _TEXT or name.startswith("X-"):
            if '"' not in head and len(_TEXT_HEADS) < 10_000:
                _TEXT_HEADS.add(head)
            continue
        seen.setdefault(name, []).append((params, value))
    return _harmless_times(seen, window_days)


#: Any zone's day is within this many days of the UTC day (the window's days are UTC).
ZONE_MARGIN_DAYS = 2
_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")


def raw_day(value: str) -> date | None:
    """The date a raw DTSTART/DTEND-like value begins with (YYYYMMDD), if it names one."""
    match = _DAY.search(value)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _outside(block: Block, first: date, last: date) -> bool:
    """Whether a one-off event's raw DTSTART and DTEND put it surely outside first..last.

    Only the dates are compared, with a margin wider than any UTC offset; an
    end given as a DURATION is not worked out, so only a start after ``last``
    counts then.
    """
    start = raw_day(block.dtstart)
    if start is None:
        return False
    if (start - last).days > ZONE_MARGIN_DAYS:
        return True
    ends = list(block.values("DTEND"))
    if len(ends) > 1 or any(True for _ in block.values("DURATION")):
        return False
    end = raw_day(ends[0]) if ends else start
    return end is not None and (first - end).days > ZONE_MARGIN_DAYS


def _harmless_nested_event(block: Block, window_days: float) -> bool:
    seen: dict[str, list[tuple[dict[str, str], str]]] = {}
    depth = 0
    for text in block.lines[1:-1]:
        upper = text[:6].upper()
        if upper == "BEGIN:":
            depth += 1
            if text[6:].strip().upper() != "VALARM":
                return False
            continue
        if upper[:4] == "END:":
            depth -= 1
            continue
        parts = _parts(text)
        if parts is None:
            return False
        name, params, value = parts
        if depth:
            if not _harmless_alarm_line(name, params, value):
                return False
            continue
        if not _harmless_line(name, params, value):
            return False
        seen.setdefault(name, []).append((params, value))
    return _harmless_times(seen, window_days)


#: Heads (name and parameters) of lines already split: calendars repeat them.
_HEADS: dict[str, tuple[str, dict[str, str]] | None] = {}


def _parts(text: str) -> tuple[str, dict[str, str], str] | None:
    """(name, parameters, value) of a line icalendar surely splits the same way; else None."""
    head, colon, value = text.partition(":")
    if not colon or '"' in head:
        match = _LINE.fullmatch(text)
        if match is None:
            return None
        head, value = text[: match.end("params")], match.group("value")
    if head in _HEADS:
        known = _HEADS[head]
    else:
        match = _LINE.fullmatch(head + ":")
        if match is None:
            known = None
        else:
            params = {k.upper(): v.strip('"') for k, v in _PARAM.findall(match.group("params"))}
            known = (match.group("name").upper(), params)
        if len(_HEADS) < 10_000:
            _HEADS[head] = known
    if known is None:
        return None
    return known[0], known[1], value


def _harmless_line(name: str, params: dict[str, str], value: str) -> bool:
    if name in _TEXT or name.startswith("X-"):
        # A VALUE or ENCODING parameter makes icalendar read even text as something else.
        return "VALUE" not in params and "ENCODING" not in params
    if name in _STAMPS:
        return not params and _utc_stamp(value)
    if name in _NUMBERS:
        return not params and _NUMBER.fullmatch(value) is not None
    if name == "UID":
        return (
            not params
            and 0 < len(value.strip()) <= MAX_UID
            and "\\" not in value
            and CONTROL.search(value) is None
        )
    if name in ("DTSTART", "DTEND"):
        return True  # read, once each, by _harmless_times
    if name == "RECURRENCE-ID":
        return _time_value(params, value) is not None
    if name == "EXDATE":
        return all(_time_value(params, part) is not None for part in value.split(","))
    if name == "DURATION":
        return not params and _duration(value)
    return name == "RRULE" and not params


def _harmless_alarm_line(name: str, params: dict[str, str], value: str) -> bool:
    if name in _TEXT or name.startswith("X-") or name == "UID":
        return "VALUE" not in params and "ENCODING" not in params
    if name in _NUMBERS:
        return not params and _NUMBER.fullmatch(value) is not None
    if name == "DURATION":
        return not params and _duration(value)
    if name == "TRIGGER":
        if params.get("VALUE", "").upper() == "DATE-TIME":
            return _utc_stamp(value)
        return set(params) <= {"RELATED"} and _duration(value.lstrip("-"))
    return False


def _harmless_times(seen: dict[str, list[tuple[dict[str, str], str]]], window_days: float) -> bool:
    """One UID, one DTSTART, an end that is not before it, and a simple rule, if any."""
    if len(seen.get("UID", ())) != 1 or len(seen.get("DTSTART", ())) != 1:
        return False
    if "RDATE" in seen or ("DTEND" in seen and "DURATION" in seen):
        return False
    # A property that may appear once, written twice, becomes a list in icalendar, which
    # breaks whatever reads it as one value (SEQUENCE in a series): reading reports it.
    if any(len(values) > 1 for name, values in seen.items() if name not in _REPEATABLE):
        return False
    start = _time_value(*seen["DTSTART"][0])
    if start is None:
        return False
    if "DURATION" in seen and start[0][2] == 8 and "T" in seen["DURATION"][0][1]:
        return False  # an all-day event lasts days or weeks; icalendar refuses hours
    if "DTEND" in seen:
        end = _time_value(*seen["DTEND"][0])
        if end is None or start[0] != end[0] or end[1] < start[1]:
            return False
    if "RRULE" in seen:
        if start[1][:4] < "1970":
            return False  # sized from its DTSTART: an old one takes too many steps
        if not _simple_rule(seen["RRULE"][0][1], start[0], window_days):
            return False
    return True


def _simple_rule(value: str, start: tuple[str, str, int], window_days: float) -> bool:
    """A rule that expands cheaply, at most once a day, and never too often in the window."""
    parts: dict[str, str] = {}
    for part in value.upper().split(";"):
        key, equals, content = part.partition("=")
        if not equals or key in parts or key not in _RULE_PARTS:
            return False
        if not _RULE_PARTS[key].fullmatch(content):
            return False
        parts[key] = content
    if "FREQ" not in parts or ("COUNT" in parts and "UNTIL" in parts):
        return False
    if parts["FREQ"] in ("DAILY", "WEEKLY") and re.search(r"\d", parts.get("BYDAY", "")):
        return False  # an ordinal weekday only means something monthly or yearly
    until = parts.get("UNTIL")
    if until is not None:
        # The same form as DTSTART: a date, UTC for a zoned start, floating for a floating one.
        zone, _, length = start
        utc = length == 16 or bool(zone)
        if not _valid_stamp(until) or (length == 8) != (len(until) == 8):
            return False
        if length != 8 and until.endswith("Z") != utc:
            return False
    # Each rule gives at most one instance a day; a longer window could hold too many.
    count = int(parts.get("COUNT", "0"))
    return window_days < MAX_OCCURRENCES - 2 or 0 < count < MAX_OCCURRENCES


def _time_value(params: dict[str, str], value: str) -> tuple[tuple[str, str, int], str] | None:
    """(kind, comparable text) of a DTSTART-like value icalendar surely reads, else None.

    The kind holds the zone and the form; two values of the same kind
    compare as their text does.
    """
    kind = params.get("VALUE", "").upper()
    if set(params) - {"VALUE", "TZID"} or not _valid_stamp(value):
        return None
    if kind == "DATE":
        if len(value) != 8 or "TZID" in params:
            return None
    elif kind not in ("", "DATE-TIME") or len(value) < 15:
        return None
    zone = params.get("TZID", "")
    if zone and (value.endswith("Z") or not valid_zone(zone)):
        return None
    return (zone, kind, len(value)), value


@lru_cache(maxsize=4096)
def _valid_stamp(value: str) -> bool:
    match = _STAMP.fullmatch(value)
    if match is None:
        return False
    try:
        date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return int(match.group(1)) >= 1900


def _utc_stamp(value: str) -> bool:
    return len(value) == 16 and value.endswith("Z") and _valid_stamp(value)


def _duration(value: str) -> bool:
    return (
        value not in ("P", "PT", "+P", "+PT")
        and not value.endswith("T")
        and bool(_DURATION.fullmatch(value))
    )


def interview_selector(
    include: Iterable[str], window_days: float, span: tuple[date, date] | None = None
) -> Selector | None:
    """The selector for detecting interviews; None (parse all) with ``include`` patterns.

    ``span`` is the planning window's first and last (UTC) day, if the reading is
    limited to a window.
    """
    if tuple(include):
        return None
    from cal_followup.languages import load_languages

    words = [word for language in load_languages().values() for word in language.interview_words]
    return Selector(words, window_days, span)
