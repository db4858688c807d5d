"""Limits that keep one invitation from flooding the calendar.

A stranger's invite can carry a thousand attendees or repeat every hour;
without limits that becomes a million reminders. Each limit is far above
what a real job search produces, and each one that bites says so in a
warning naming the event:

- an interview reads at most ``MAX_INTERVIEWERS`` interviewers (a real panel
  is under a dozen);
- one interview series (one UID) counts at most ``MAX_SERIES_ROUNDS`` of its
  occurrences as interviews;
- one application gets at most ``MAX_REMINDERS_PER_APPLICATION`` reminders
  (``cap_application``, for the application grouping to call);
- one run creates at most ``MAX_REMINDERS_PER_RUN`` reminders: a run that
  would create more writes none of them and says why, so a flood is never
  half-written into the user's calendar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from cal_followup.model import Interview

MAX_INTERVIEWERS = 12
#: Attendee lines read per event at all: reading stops here, whatever the invite holds.
MAX_ATTENDEES_READ = 100
MAX_SERIES_ROUNDS = 10
MAX_REMINDERS_PER_APPLICATION = 40
MAX_REMINDERS_PER_RUN = 300


def _name(interview: Interview) -> str:
    where = interview.source or "calendar"
    return f"{where}: event {interview.uid!r} ({interview.summary})"


def cap_interviewers(interview: Interview) -> tuple[Interview, str | None]:
    """The interview with at most ``MAX_INTERVIEWERS`` interviewers, and a warning if cut."""
    if len(interview.interviewers) <= MAX_INTERVIEWERS:
        return interview, None
    kept = interview.interviewers[:MAX_INTERVIEWERS]
    warning = (
        f"{_name(interview)}: {len(interview.interviewers)} interviewers or more; only the "
        f"first {MAX_INTERVIEWERS} get reminders (a real panel is smaller)"
    )
    contact = interview.contact
    return dataclasses.replace(interview, interviewers=kept, contact=contact), warning


def cap_series(interviews: Sequence[Interview]) -> tuple[list[Interview], list[str]]:
    """At most ``MAX_SERIES_ROUNDS`` occurrences per series, the earliest; warnings for the rest."""
    counts: dict[str, int] = {}
    kept: list[Interview] = []
    dropped: dict[str, Interview] = {}
    for interview in sorted(interviews, key=lambda i: (i.start, i.uid)):
        seen = counts.get(interview.uid, 0)
        counts[interview.uid] = seen + 1
        if seen < MAX_SERIES_ROUNDS:
            kept.append(interview)
        else:
            dropped.setdefault(interview.uid, interview)
    warnings = [
        f"{_name(first)}: repeats more than {MAX_SERIES_ROUNDS} times in the planning window; "
        f"only the first {MAX_SERIES_ROUNDS} count as interview rounds"
        for uid, first in dropped.items()
    ]
    return kept, warnings


class _Due(Protocol):
    @property
    def due(self) -> datetime: ...


R = TypeVar("R", bound=_Due)


def cap_application(reminders: Sequence[R], name: str) -> tuple[list[R], str | None]:
    """At most ``MAX_REMINDERS_PER_APPLICATION`` reminders for one application, the earliest."""
    if len(reminders) <= MAX_REMINDERS_PER_APPLICATION:
        return list(reminders), None
    kept = sorted(reminders, key=lambda r: r.due)[:MAX_REMINDERS_PER_APPLICATION]
    return kept, (
        f"{name}: {len(reminders)} reminders for one application; only the first "
        f"{MAX_REMINDERS_PER_APPLICATION} are kept"
    )


def run_flood(creations: int) -> str | None:
    """Why a run creating ``creations`` reminders must write none of them, or None."""
    if creations <= MAX_REMINDERS_PER_RUN:
        return None
    return (
        f"this run would create {creations} reminders, more than {MAX_REMINDERS_PER_RUN}: "
        "nothing was written. An invitation repeating very often or listing very many "
        "attendees is the usual cause; see the warnings above, stop or fix that event"
    )
