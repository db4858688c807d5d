"""The one path from calendar objects to reminders: read, detect, group, plan.

``plan``, ``export`` and ``sync`` all come through here, so a rule about
which events count, which occurrences are one, or when a reminder is due is
written once. The steps: ``read_occurrences`` parses raw calendar objects
(bytes, from any store) into occurrences inside the planning window;
``find_interviews`` keeps the interviews; ``plan_reminders`` groups them into
applications and plans each one's reminders on the employer's business days;
``desired`` turns reminders into the events a sync wants to see. Problems
with single events are collected in an ``Outcome``, never raised, so one
broken event never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cal_followup import stages
from cal_followup.applications import plan_applications
from cal_followup.businessdays import business_calendar
from cal_followup.caps import MAX_SERIES_ROUNDS, cap_interviewers, cap_series
from cal_followup.config import Settings
from cal_followup.detect import examine
from cal_followup.errors import SourceError
from cal_followup.ical import MARKER_HASH, reminder_component
from cal_followup.ics import (
    Occurrence,
    Problem,
    Window,
    describe,
    interview_selector,
    iter_occurrences,
    parse_calendar,
)
from cal_followup.model import Interview, Reminder
from cal_followup.reconcile import Anchors, Desired


@dataclass
class Outcome:
    """What a command found: results plus the problems met on the way."""

    interviews: list[Interview] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_events(self) -> int:
        return sum(1 for p in self.problems if p.fatal)

    def warn_once(self, message: str) -> None:
        """A warning that many interviews may meet (a country without holidays) said once."""
        if message not in self.warnings:
            self.warnings.append(message)


@dataclass(frozen=True)
class RawObject:
    """One calendar object's bytes from any store, and the names to report it under."""

    data: bytes
    where: str
    href: str | None = None


def planning_window(now: datetime, settings: Settings) -> Window:
    return Window(
        start=now - stages.reach(settings),
        end=now + timedelta(days=settings.horizon_days),
        reach=stages.reach(settings),
    )


def read_occurrences(
    objects: Iterable[RawObject],
    window: Window,
    settings: Settings,
    outcome: Outcome,
    *,
    whole_source: bool = False,
    every_event: bool = False,
) -> list[Occurrence]:
    """Occurrences in ``window`` that can matter; problems go into ``outcome``.

    Events that cannot be (or change) an interview are left out unparsed,
    unless ``every_event``; the interviews and problems are the same either way
    (see ``ics.candidates``). With ``whole_source`` a source that is one
    unreadable object (a broken .ics file) is an error of the whole command,
    not a problem of one event.
    """
    span = (window.start.date(), window.end.date())
    select = None if every_event else interview_selector(settings.include, window.days, span)
    objects = list(objects)
    strict = whole_source and len(objects) == 1
    occurrences: list[Occurrence] = []
    for item in objects:
        if not item.data and not strict:
            outcome.problems.append(Problem(item.where, "cannot read the file"))
            continue
        try:
            parsed = parse_calendar(item.data, item.where, select)
        except Exception as error:  # noqa: BLE001 - one object never stops the rest
            if strict and isinstance(error, SourceError):
                raise
            outcome.problems.append(Problem(item.where, str(error).split(": ", 1)[-1]))
            continue
        for found in iter_occurrences(parsed, window, settings.zone, item.where, item.href):
            if not isinstance(found, Problem):
                occurrences.append(found)
            elif found.fatal:
                outcome.problems.append(found)
            else:
                outcome.warnings.append(str(found))
    # The same UID + RECURRENCE-ID can arrive twice (a file holding a series
    # and its exported overrides, Google's shifted expansions): keep the last.
    return list({occurrence.key: occurrence for occurrence in occurrences}.values())


def find_interviews(
    occurrences: list[Occurrence], settings: Settings, outcome: Outcome
) -> list[Interview]:
    """The occurrences that are interviews, capped per series and per panel, by start."""
    interviews = []
    rounds: dict[str, int] = {}
    for occurrence in occurrences:
        # Past the cap plus one (which makes cap_series warn), a series costs nothing more.
        if rounds.get(occurrence.uid, 0) > MAX_SERIES_ROUNDS:
            continue
        try:
            verdict = examine(occurrence, settings)
        except Exception as error:  # noqa: BLE001 - one event never stops the rest
            outcome.problems.append(
                Problem(
                    f"{occurrence.source}: {describe(occurrence.component)}",
                    f"cannot read the event: {error}",
                )
            )
            continue
        if verdict.interview is not None:
            rounds[occurrence.uid] = rounds.get(occurrence.uid, 0) + 1
            interview, warning = cap_interviewers(verdict.interview)
            if warning:
                outcome.warn_once(warning)
            interviews.append(interview)
    interviews, warnings = cap_series(interviews)
    outcome.warnings.extend(warnings)
    interviews.sort(key=lambda i: (i.start, i.uid))
    return interviews


def read_interviews(
    objects: Iterable[RawObject],
    window: Window,
    settings: Settings,
    outcome: Outcome,
    *,
    whole_source: bool = False,
) -> list[Interview]:
    """``read_occurrences`` then ``find_interviews``: the interviews in ``objects``."""
    occurrences = read_occurrences(objects, window, settings, outcome, whole_source=whole_source)
    return find_interviews(occurrences, settings, outcome)


def business_days_for(
    settings: Settings, warn: Callable[[str], None]
) -> Callable[[Interview], object]:
    """Each interview's business calendar: the configured country, the interview's zone."""

    def calendar_for(interview: Interview) -> object:
        return business_calendar(
            settings.country, interview.zone, source=settings.holiday_source, warn=warn
        )

    return calendar_for


def plan_reminders(
    interviews: list[Interview],
    now: datetime,
    settings: Settings,
    outcome: Outcome,
    anchors_for: Callable[[Interview], Anchors] | None = None,
) -> list[Reminder]:
    """Per application: thank-yous per round, one check-in and closing after the last round.

    ``anchors_for`` gives the due times earlier syncs chose (see ``reconcile.anchors``).
    """
    calendar_for = business_days_for(settings, outcome.warn_once)
    reminders = plan_applications(
        interviews, now, settings, calendar_for, outcome.problems, anchors_for
    )
    reminders.sort(key=lambda r: (r.due, r.stage.value, r.uid))
    return reminders


def desired(reminders: Iterable[Reminder], settings: Settings, stamp: datetime) -> list[Desired]:
    """The events the reminders become (``stamp`` is their DTSTAMP), with their hashes."""
    found = []
    for reminder in reminders:
        event = reminder_component(reminder, settings, stamp)
        found.append(Desired(reminder, str(event.get(MARKER_HASH)), event))
    return found
