"""One function per command; the CLI calls these and prints what they return.

Data flows one way: a store gives calendar objects, ``reading`` turns them
into occurrences, ``detect`` into interviews, ``policy`` into reminders, and
``ical`` into the calendar we write. Problems with single events are
collected, not raised, so one broken event never stops the others.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cal_followup.config import Settings
from cal_followup.ics import (
    Occurrence,
    Problem,
    Window,
    interview_selector,
    iter_occurrences,
    parse_calendar,
)
from cal_followup.model import Interview, Reminder
from cal_followup.stores import StoredObject, open_store, opening_for
from cal_followup.stores.atomic import write_atomically as write_atomically  # for the CLI
from cal_followup.syncstores import SyncStores, locked_stores

if TYPE_CHECKING:
    from cal_followup.sync import SyncResult


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


def _source_items(
    source_spec: str, settings: Settings, calendar: str | None, window: Window
) -> list[StoredObject]:
    """The calendar objects of any SOURCE, as ``plan`` reads them (see ``stores.registry``)."""
    store = open_store(source_spec, opening_for(settings, calendar=calendar))
    return store.readable(window)


def read_occurrences(
    source_spec: str,
    now: datetime,
    settings: Settings,
    outcome: Outcome,
    calendar: str | None = None,
    *,
    every_event: bool = False,
) -> list[Occurrence]:
    """Occurrences in the planning window that can matter; problems go into ``outcome``.

    Events that cannot be (or change) an interview are left out unparsed,
    unless ``every_event``; the interviews and problems are the same either way.
    """
    from cal_followup.errors import SourceError

    window = planning_window(now, settings)
    occurrences: list[Occurrence] = []
    items = _source_items(source_spec, settings, calendar, window)
    single = len(items) == 1
    # Only what can be (or change) an interview is parsed; see ics.candidates.
    select = None if every_event else interview_selector(settings.include, window.days)
    for item in items:
        try:
            parsed = parse_calendar(item.data, item.where, select)
        except SourceError as error:
            if single:
                raise
            outcome.problems.append(Problem(item.where, str(error).split(": ", 1)[-1]))
            continue
        for found in iter_occurrences(parsed, window, settings.zone, item.where, item.href):
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
    from cal_followup.caps import MAX_SERIES_ROUNDS, cap_interviewers, cap_series
    from cal_followup.detect import examine
    from cal_followup.ics import describe

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
            if warning and warning not in outcome.warnings:
                outcome.warnings.append(warning)
            interviews.append(interview)
    interviews, warnings = cap_series(interviews)
    outcome.warnings.extend(warnings)
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


def plan(
    source_spec: str, now: datetime, settings: Settings, calendar: str | None = None
) -> Outcome:
    """Reminders the interviews in ``source_spec`` should have, as seen at ``now``."""
    from cal_followup.applications import plan_applications

    outcome = Outcome()
    occurrences = read_occurrences(source_spec, now, settings, outcome, calendar)
    outcome.interviews = find_interviews(occurrences, settings, outcome)
    seen_warnings: set[str] = set()

    def warn(message: str) -> None:
        if message not in seen_warnings:
            seen_warnings.add(message)
            outcome.warnings.append(message)

    calendar_for = business_days_for(settings, warn)
    # Per application: thank-yous per round, one check-in and closing after the last round.
    outcome.reminders.extend(
        plan_applications(outcome.interviews, now, settings, calendar_for, outcome.problems)
    )
    outcome.reminders.sort(key=lambda r: (r.due, r.stage.value, r.uid))
    return outcome


def export_bytes(outcome: Outcome, settings: Settings, now: datetime) -> bytes:
    from cal_followup.ical import calendar_bytes, reminders_calendar

    return calendar_bytes(reminders_calendar(outcome.reminders, settings, now))


# sync, stop, status ---------------------------------------------------------


def _sync(stores: SyncStores, now: datetime, settings: Settings, dry_run: bool) -> SyncResult:
    from cal_followup.memories import warn_other_writers
    from cal_followup.sync import sync

    result = sync(stores.source, stores.target, stores.memory, now, settings, dry_run=dry_run)
    warn_other_writers(stores.memory, result)
    return result


def sync_command(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
    dry_run: bool,
) -> SyncResult:
    with locked_stores(
        source_spec,
        settings,
        target_spec=target_spec,
        calendar=calendar,
        create_target=create_target,
    ) as stores:
        result = _sync(stores, now, settings, dry_run)
        result = _mailbox(stores, result, now, settings, dry_run)
        if not dry_run:
            status = 1 if result.outcome.failed_events else 0
            summary = result.summary_line() or "no changes"
            if result.mail is not None:
                status = 1 if result.mail.error else status
                summary += "; mailbox: " + (result.mail.error or result.mail.summary_line() or "ok")
            stores.memory.record_run(status, summary)
        return result


def _mailbox(
    stores: SyncStores, result: SyncResult, now: datetime, settings: Settings, dry_run: bool
) -> SyncResult:
    """The mailbox part after the calendar part (rules section 11); see ``cal_followup.mail``."""
    from cal_followup.mail import mailbox_enabled, run_mailbox

    if not mailbox_enabled(settings):
        return result
    report, result = run_mailbox(
        stores.memory,
        result,
        lambda: _sync(stores, now, settings, dry_run),
        now,
        settings,
        dry_run=dry_run,
    )
    result.mail = report
    return result


def find_matches(interviews: list[Interview], query: str) -> list[Interview]:
    """Interviews whose UID is ``query``, or whose company or summary contains it."""
    exact = [i for i in interviews if i.uid == query]
    if exact:
        return exact
    needle = query.casefold()
    return [
        i
        for i in interviews
        if needle in (i.company or "").casefold() or needle in i.summary.casefold()
    ]


def _one_application(
    matches: dict[str, Interview], interviews: list[Interview]
) -> dict[str, Interview]:
    """Rounds of one application are one match: stopping any round stops it (rule 9)."""
    from cal_followup.applications import application_of

    owners = application_of(interviews)
    if len(matches) > 1 and len({id(owners[uid]) for uid in matches}) == 1:
        latest = max(matches.values(), key=lambda i: (i.start, i.uid))
        return {latest.uid: latest}
    return matches


def stop_command(
    query: str,
    reason: str,
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    dry_run: bool,
) -> tuple[SyncResult | None, list[Interview]]:
    """Record that the user stopped one interview, then sync so it takes effect."""
    from cal_followup.errors import ConfigError
    from cal_followup.sync import read_interviews

    with locked_stores(source_spec, settings, target_spec=target_spec, calendar=calendar) as stores:
        outcome = Outcome()
        # Stopping also works for interviews that ended long ago.
        wide = dataclasses.replace(settings, ignore_after_days=3650)
        objects = stores.source.load(planning_window(now, wide))
        interviews = read_interviews(objects, now, wide, outcome)
        unique = {i.uid: i for i in find_matches(interviews, query)}
        if not unique:
            raise ConfigError(f"no interview matches {query!r}")
        unique = _one_application(unique, interviews)
        if len(unique) > 1:
            return None, list(unique.values())
        chosen = next(iter(unique.values()))
        if dry_run:
            return None, [chosen]
        stores.memory.stop(chosen.uid, reason)
        result = _sync(stores, now, settings, False)
        stores.memory.record_run(
            0, f"stopped {chosen.summary!r} ({reason}); " + (result.summary_line() or "no changes")
        )
        return result, [chosen]


def status_command(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
) -> tuple[SyncResult, tuple[str, int, str] | None, dict[str, str]]:
    """What a sync would do now, the last run's result, and the stopped interviews."""
    with locked_stores(source_spec, settings, target_spec=target_spec, calendar=calendar) as stores:
        result = _sync(stores, now, settings, True)
        if settings.imap_url:
            from cal_followup.mail import mailbox_status

            result.mail = mailbox_status(stores.memory, settings)
        return result, stores.memory.last_run(), stores.memory.stops()
