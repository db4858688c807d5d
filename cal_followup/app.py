"""One function per command; the CLI calls these and prints what they return.

Data flows one way: a store gives calendar objects, ``reading`` turns them
into occurrences, ``detect`` into interviews, ``policy`` into reminders, and
``ical`` into the calendar we write. Problems with single events are
collected, not raised, so one broken event never stops the others.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cal_followup.config import Settings
from cal_followup.model import Interview, Reminder
from cal_followup.reading import Occurrence, Problem, Window, iter_occurrences, parse_calendar


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


def planning_window(now: datetime, settings: Settings) -> Window:
    return Window(
        start=now - timedelta(days=settings.ignore_after_days),
        end=now + timedelta(days=settings.horizon_days),
    )


def read_occurrences(
    source_spec: str, now: datetime, settings: Settings, outcome: Outcome
) -> list[Occurrence]:
    """Every event occurrence in the planning window; problems go into ``outcome``."""
    from cal_followup.errors import SourceError
    from cal_followup.stores import open_source

    source = open_source(source_spec)
    window = planning_window(now, settings)
    occurrences: list[Occurrence] = []
    items = list(source.items())
    single = len(items) == 1
    for item in items:
        try:
            calendar = parse_calendar(item.data, item.where)
        except SourceError as error:
            if single:
                raise
            outcome.problems.append(Problem(item.where, str(error).split(": ", 1)[-1]))
            continue
        for found in iter_occurrences(calendar, window, settings.zone, item.where, item.href):
            if isinstance(found, Problem):
                if found.fatal:
                    outcome.problems.append(found)
                else:
                    outcome.warnings.append(str(found))
            else:
                occurrences.append(found)
    return _deduplicate(occurrences)


def _deduplicate(occurrences: list[Occurrence]) -> list[Occurrence]:
    # The same UID + RECURRENCE-ID can arrive twice (a file holding a series
    # and its exported overrides, Google's shifted expansions): keep the last.
    by_key: dict[str, Occurrence] = {}
    for occurrence in occurrences:
        by_key[occurrence.key] = occurrence
    return list(by_key.values())


def find_interviews(
    occurrences: list[Occurrence], settings: Settings, outcome: Outcome
) -> list[Interview]:
    from cal_followup.detect import examine
    from cal_followup.reading import describe

    interviews = []
    for occurrence in occurrences:
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
            interviews.append(verdict.interview)
    interviews.sort(key=lambda i: (i.start, i.uid))
    return interviews


def business_days_for(
    settings: Settings, warn: Callable[[str], None]
) -> Callable[[Interview], object]:
    from cal_followup.businessdays import business_calendar

    def calendar_for(interview: Interview) -> object:
        return business_calendar(
            settings.country,
            interview.zone,
            source=settings.holiday_source,  # type: ignore[arg-type]
            warn=warn,
        )

    return calendar_for


def plan(source_spec: str, now: datetime, settings: Settings) -> Outcome:
    """Reminders the interviews in ``source_spec`` should have, as seen at ``now``."""
    from cal_followup.policy import plan_interview

    outcome = Outcome()
    occurrences = read_occurrences(source_spec, now, settings, outcome)
    outcome.interviews = find_interviews(occurrences, settings, outcome)
    seen_warnings: set[str] = set()

    def warn(message: str) -> None:
        if message not in seen_warnings:
            seen_warnings.add(message)
            outcome.warnings.append(message)

    calendar_for = business_days_for(settings, warn)
    for interview in outcome.interviews:
        try:
            reminders = plan_interview(interview, now, settings, calendar_for(interview))  # type: ignore[arg-type]
        except Exception as error:  # noqa: BLE001 - one interview never stops the rest
            from cal_followup.errors import FollowupError

            if isinstance(error, FollowupError) and error.exit_status == 2:
                raise
            outcome.problems.append(
                Problem(
                    f"{interview.source}: event {interview.uid!r} ({interview.summary[:60]})",
                    f"cannot plan reminders: {error}",
                )
            )
            continue
        outcome.reminders.extend(reminders)
    outcome.reminders.sort(key=lambda r: (r.due, r.stage.value, r.uid))
    return outcome


def export_bytes(outcome: Outcome, settings: Settings, now: datetime) -> bytes:
    from cal_followup.ical import calendar_bytes, reminders_calendar

    return calendar_bytes(reminders_calendar(outcome.reminders, settings, now))


def write_atomically(path: str, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".cal-followup-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
