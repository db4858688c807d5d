"""Reminder <-> iCalendar component, and whole reminder calendars for export.

A reminder becomes a VEVENT (or VTODO) as rule 7 describes: due time,
15 minutes, transparent, private, a display alarm, the draft in DESCRIPTION,
RELATED-TO the interview, and our ``X-CAL-FOLLOWUP-*`` markers. Text from the
invite only ever goes into property values, which icalendar escapes, so a
line break or ``BEGIN:`` in a stranger's SUMMARY can never add properties or
components.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import icalendar

from cal_followup import __version__
from cal_followup.config import Settings
from cal_followup.languages import get_language
from cal_followup.model import Reminder
from cal_followup.utc import ical_utc

PRODID = f"-//cal-followup//cal-followup {__version__}//EN"
MARKER_STAGE = "X-CAL-FOLLOWUP-STAGE"
MARKER_INTERVIEW = "X-CAL-FOLLOWUP-INTERVIEW"
MARKER_RECURRENCE = "X-CAL-FOLLOWUP-RECURRENCE-ID"
MARKER_RECIPIENT = "X-CAL-FOLLOWUP-RECIPIENT"
MARKER_LATE = "X-CAL-FOLLOWUP-LATE"
MARKER_LANGUAGE = "X-CAL-FOLLOWUP-LANGUAGE"
MARKER_VERSION = "X-CAL-FOLLOWUP-VERSION"
#: Version 2 hashes the whole reminder (``fingerprint``); version 1 hashed a few
#: properties (``content_hash``) and is still read so old reminders keep working.
FORMAT_VERSION = "2"
MARKER_INTERVIEW_START = "X-CAL-FOLLOWUP-INTERVIEW-START"
#: A hash of what we wrote; when the event no longer matches it, the user edited it.
MARKER_HASH = "X-CAL-FOLLOWUP-HASH"


def description_text(reminder: Reminder) -> str:
    """What the reminder's DESCRIPTION holds: the link first, the plain draft below.

    Its words are in the draft's language (they belong to the email).
    """
    language = get_language(reminder.language)
    words = {**get_language("en").reminder_titles, **language.reminder_titles}
    recipient = reminder.recipient
    if recipient and recipient.email:
        shown = recipient.display_name
        to_line = f"{shown} <{recipient.email}>" if shown else recipient.email
    else:
        name = (recipient.display_name or "") if recipient else ""
        to_line = f"{name} {language.placeholder('email')}"
    return (
        f"{words['open-link']} {reminder.mailto}\n"
        f"\n"
        f"{words['to']}: {to_line.strip()}\n"
        f"{words['subject']}: {reminder.draft.subject}\n"
        f"\n"
        f"{reminder.draft.body.rstrip()}\n"
    )


def reminder_component(
    reminder: Reminder, settings: Settings, stamp: datetime
) -> icalendar.cal.Component:
    """The VEVENT or VTODO for ``reminder``; ``stamp`` becomes DTSTAMP."""
    kind = icalendar.Todo if settings.component == "VTODO" else icalendar.Event
    component = kind()
    component.add("UID", reminder.uid)
    component.add("DTSTAMP", stamp.astimezone(UTC).replace(microsecond=0))
    due = reminder.due.replace(microsecond=0)
    component.add("DTSTART", due)
    if settings.component == "VTODO":
        component.add("DUE", due + timedelta(minutes=settings.reminder_minutes))
        component.add("STATUS", "NEEDS-ACTION")
    else:
        component.add("DTEND", due + timedelta(minutes=settings.reminder_minutes))
        component.add("TRANSP", "TRANSPARENT")
    component.add("SUMMARY", reminder.summary)
    component.add("DESCRIPTION", description_text(reminder))
    component.add("CLASS", "PRIVATE")
    component.add("RELATED-TO", reminder.interview_uid)
    component.add(MARKER_STAGE, reminder.stage.value)
    component.add(MARKER_INTERVIEW, reminder.interview_uid)
    if reminder.interview_recurrence_id:
        component.add(MARKER_RECURRENCE, reminder.interview_recurrence_id)
    if reminder.recipient and reminder.recipient.key:
        component.add(MARKER_RECIPIENT, reminder.recipient.key)
    if reminder.late:
        component.add(MARKER_LATE, "TRUE")
    component.add(MARKER_LANGUAGE, reminder.language)
    component.add(MARKER_VERSION, FORMAT_VERSION)
    if reminder.interview_start is not None:
        component.add(MARKER_INTERVIEW_START, ical_utc(reminder.interview_start))
    if settings.alarm:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", reminder.summary)
        alarm.add("TRIGGER", timedelta(0), parameters={"RELATED": "START"})
        component.add_component(alarm)
    component.add(MARKER_HASH, fingerprint(component))
    return component


def _length(component: icalendar.cal.Component) -> str:
    start = component.get("DTSTART")
    end = component.get("DUE") or component.get("DTEND")
    if start is None or end is None:
        return str(component.get("DURATION", ""))
    try:
        return str(end.dt - start.dt)
    except Exception:  # noqa: BLE001 - an odd value only makes the hash differ
        return ""


def content_hash(component: icalendar.cal.Component) -> str:
    """What the user sees of a reminder, hashed: time, length, texts, alarm.

    DTSTAMP, SEQUENCE and the like are left out, so a server or app that
    touches them does not count as a user edit; a changed time or text does.
    """
    start = component.get("DTSTART")
    parts = [
        str(component.name),
        ical_utc(start.dt) if start is not None and isinstance(start.dt, datetime) else str(start),
        _length(component),
        str(component.get("SUMMARY", "")),
        str(component.get("DESCRIPTION", "")).replace("\r\n", "\n").rstrip(),
        str(len(list(component.walk("VALARM")))),
        str(component.get(MARKER_STAGE, "")),
        str(component.get(MARKER_INTERVIEW, "")),
        str(component.get("STATUS", "")),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def fingerprint(component: icalendar.cal.Component) -> str:
    """A hash of what a reminder means, for telling a user's edit from a server's rewrite.

    Every property and sub-component counts (an alarm's TRIGGER, CATEGORIES, an
    added VALARM), but in a normal form: property order, line folding,
    parameter case, the UTC or zoned form of one instant and ``P0D`` against
    ``PT0S`` make no difference. Left out are what servers and apps change on
    their own: DTSTAMP, SEQUENCE, CREATED, LAST-MODIFIED, other programs' X-
    properties, and our own hash and format version.
    """
    try:
        canonical = _canonical(component)
    except (RecursionError, ValueError, TypeError, AttributeError):
        return "unreadable"  # never equal to a hash we wrote
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def is_unmodified(component: icalendar.cal.Component, known_fingerprint: str | None = None) -> bool:
    """Is this reminder still as we wrote it (by the hash it carries)?

    ``known_fingerprint`` is ``fingerprint(component)`` when the caller has it
    already (a sync keeps it too), so it is not computed twice.
    """
    written = component.get(MARKER_HASH)
    if written is None:
        return False
    version = str(component.get(MARKER_VERSION, "1")).strip()
    if version == "1":
        actual = content_hash(component)
    else:
        actual = known_fingerprint if known_fingerprint is not None else fingerprint(component)
    return str(written) == actual


def is_unmodified_data(data: bytes, uid: str) -> bool:
    """``is_unmodified`` for the reminder ``uid`` inside a raw calendar object."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # noqa: BLE001 - unreadable is not ours any more
        return False
    for component in calendar.walk():
        if component.name in ("VEVENT", "VTODO") and str(component.get("UID", "")) == uid:
            return is_unmodified(component)
    return False


#: Properties servers and calendar apps set by themselves.
_VOLATILE = frozenset(
    {"DTSTAMP", "SEQUENCE", "CREATED", "LAST-MODIFIED", MARKER_HASH, MARKER_VERSION}
)
#: Parameters that only say how a value is written, not what it is.
_FORM_PARAMETERS = frozenset({"VALUE", "TZID", "ENCODING"})


def _canonical(component: icalendar.cal.Component) -> str:
    lines = []
    for name, value in component.property_items(recursive=False, sorted=False):
        name = name.upper()
        if name in ("BEGIN", "END") or name in _VOLATILE:
            continue
        if name.startswith("X-") and not name.startswith("X-CAL-FOLLOWUP-"):
            continue
        lines.append(f"{name}{_canonical_parameters(name, value)}:{_canonical_value(value)}")
    inner = sorted(_canonical(sub) for sub in component.subcomponents)
    return "\n".join([f"BEGIN:{component.name}", *sorted(lines), *inner, f"END:{component.name}"])


def _canonical_parameters(name: str, value: object) -> str:
    parameters = getattr(value, "params", None) or {}
    pairs = []
    for key, raw in parameters.items():
        key = key.upper()
        if key in _FORM_PARAMETERS or key.startswith("X-"):
            continue
        text = ",".join(str(v) for v in raw) if isinstance(raw, list) else str(raw)
        text = text.strip('"')
        if key not in ("CN", "DIR", "SENT-BY", "ALTREP", "DELEGATED-TO", "DELEGATED-FROM"):
            text = text.upper()
        if (name, key, text) == ("TRIGGER", "RELATED", "START"):
            continue  # the default
        pairs.append(f"{key}={text}")
    return "".join(f";{pair}" for pair in sorted(pairs))


def _canonical_value(value: object) -> str:
    if isinstance(value, timedelta):
        return f"duration:{value.total_seconds():g}"
    moment = getattr(value, "dt", None)
    if moment is not None:
        if isinstance(moment, datetime):
            return ical_utc(moment) if moment.tzinfo else moment.strftime("%Y%m%dT%H%M%S")
        if isinstance(moment, date):
            return moment.isoformat()
        if isinstance(moment, timedelta):
            return f"duration:{moment.total_seconds():g}"
        if isinstance(moment, tuple):
            return "/".join(_canonical_value(icalendar.vDDDTypes(part)) for part in moment)
    dts = getattr(value, "dts", None)
    if dts is not None:
        return ",".join(sorted(_canonical_value(part) for part in dts))
    categories = getattr(value, "cats", None)
    if categories is not None:
        return ",".join(sorted(str(c).strip() for c in categories))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    to_ical = getattr(value, "to_ical", None)
    if to_ical is not None:
        raw = to_ical()
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return str(value)


def single_object(component: icalendar.cal.Component) -> bytes:
    """One reminder as a calendar object of its own, for a server or a vdir (no METHOD)."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add_component(component)
    add_timezones(calendar, _first_day(component), _last_day(component))
    return calendar.to_ical()


def _first_day(component: icalendar.cal.Component) -> date:
    return component.get("DTSTART").dt.date().replace(month=1, day=1)


def _last_day(component: icalendar.cal.Component) -> date:
    return _zones_until(component.get("DTSTART").dt.date())


#: VTIMEZONEs we write stay right until at least this day. vobject keeps the
#: first definition of a TZID it sees for the life of the process, so a
#: definition that ended with the reminder's own year put later reminders an
#: hour off in summer for any long-running program built on it.
ZONES_VALID_UNTIL = date(2038, 1, 1)


def _zones_until(last_due: date) -> date:
    return max(last_due.replace(month=12, day=31) + timedelta(days=1), ZONES_VALID_UNTIL)


class _ExactTimezone(icalendar.Timezone):
    """icalendar's VTIMEZONE maker, searching in steps short enough to see every change.

    icalendar first probes 64 days ahead, so two clock changes less than 64
    days apart (Morocco's Ramadan hour, every year to 2032) cancel out and
    vanish from the VTIMEZONE; programs that read it (Outlook, vobject) then
    showed reminders an hour off.
    """

    _from_tzinfo_skip_search = [
        timedelta(days=8), timedelta(days=1), timedelta(hours=4), timedelta(hours=1),
        timedelta(minutes=20), timedelta(minutes=5), timedelta(minutes=1),
        timedelta(seconds=20), timedelta(seconds=5), timedelta(seconds=1),
    ]  # fmt: skip


def add_timezones(calendar: icalendar.Calendar, first: date, last: date) -> None:
    """A VTIMEZONE for every TZID the calendar uses, right from ``first`` to ``last``."""
    for tzid in sorted(calendar.get_missing_tzids()):
        try:
            timezone = _ExactTimezone.from_tzid(tzid, first_date=first, last_date=last)
        except ValueError:  # not a zone we know: leave it, as icalendar does
            continue
        _one_rdate_per_line(timezone)
        calendar.subcomponents.insert(len(calendar.timezones), timezone)


def _one_rdate_per_line(timezone: icalendar.cal.Component) -> None:
    """Each RDATE value on a line of its own.

    RFC 5545 allows a list, but Radicale (through vobject) keeps only the first
    value of a list, so the stored zone stopped a year after the reminder.
    """
    for rule in timezone.subcomponents:
        found = rule.get("RDATE")
        if found is None:
            continue
        values = found if isinstance(found, list) else [found]
        moments = [part.dt for value in values for part in value.dts]
        del rule["RDATE"]
        for moment in moments:
            rule.add("RDATE", moment)


def reminders_calendar(
    reminders: list[Reminder], settings: Settings, stamp: datetime
) -> icalendar.Calendar:
    """A calendar of just these reminders, with one VTIMEZONE per zone used."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", "Interview follow-ups")
    for reminder in sorted(reminders, key=lambda r: (r.due, r.uid)):
        calendar.add_component(reminder_component(reminder, settings, stamp))
    if reminders:
        # From the first reminder's year on: a zone's full history since 1970
        # would add hundreds of RDATEs that no calendar program needs.
        first = min(r.due for r in reminders).date().replace(month=1, day=1)
        last = _zones_until(max(r.due for r in reminders).date())
        add_timezones(calendar, first, last)
    return calendar


def calendar_bytes(calendar: icalendar.Calendar) -> bytes:
    """RFC 5545 serialisation: CRLF line ends, lines folded at 75 octets."""
    return calendar.to_ical()
