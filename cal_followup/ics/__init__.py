"""iCalendar text in, event occurrences out: the scanner, zones, parsing and series.

``scan`` is the one raw-text scanner every reader of iCalendar text uses;
``candidates`` decides on that text which components are worth parsing;
``parse`` hands them to icalendar; ``occurrences`` and ``series`` turn the
parsed events into zone-aware occurrences in the planning window, and
everything that went wrong into ``Problem``s naming file and line.
"""

from cal_followup.ics.candidates import MAX_OCCURRENCES, MAX_UID, Selector, interview_selector
from cal_followup.ics.events import MAX_TEXT, Occurrence, Problem, Window, describe
from cal_followup.ics.occurrences import iter_occurrences
from cal_followup.ics.parse import ParsedCalendar, parse_calendar
from cal_followup.ics.scan import MAX_DEPTH, has_marker, one_line, uids
from cal_followup.ics.series import MAX_RULE_STEPS, SERIES_SECONDS
from cal_followup.ics.zones import local_zone_name

__all__ = [
    "MAX_DEPTH",
    "MAX_OCCURRENCES",
    "MAX_RULE_STEPS",
    "MAX_TEXT",
    "MAX_UID",
    "SERIES_SECONDS",
    "Occurrence",
    "ParsedCalendar",
    "Problem",
    "Selector",
    "Window",
    "describe",
    "has_marker",
    "interview_selector",
    "iter_occurrences",
    "local_zone_name",
    "one_line",
    "parse_calendar",
    "uids",
]
