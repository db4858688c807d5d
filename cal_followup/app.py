"""One function per command: plan, export, sync, stop, status, check.

The CLI parses and prints; these do each command's work and return what
there is to show. Reading, detecting and planning are the one pipeline of
``cal_followup.pipeline``; a sync's decisions come from the pure
``cal_followup.reconcile`` and are carried out by ``cal_followup.sync``.
Problems with single events are collected, not raised, so one broken event
never stops the others.

A SOURCE becomes a store through the registry in ``cal_followup.stores``; a
sync's stores, memories and run lock come from ``cal_followup.syncstores``.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cal_followup import lint, pipeline
from cal_followup.applications import application_of
from cal_followup.config import Settings
from cal_followup.errors import ConfigError, SourceError
from cal_followup.ical import calendar_bytes, reminders_calendar
from cal_followup.ics import Occurrence, Window
from cal_followup.languages import load_languages
from cal_followup.mail import mailbox_enabled, mailbox_status, run_mailbox
from cal_followup.memories import other_writers_warnings
from cal_followup.model import Interview, StopReason
from cal_followup.pipeline import (
    Outcome,
    RawObject,
    find_interviews,
    plan_reminders,
    planning_window,
    read_interviews,
)
from cal_followup.stores import StoredObject, open_store, opening_for
from cal_followup.stores.atomic import write_atomically
from cal_followup.stores.icsfile import read_bounded, read_file
from cal_followup.sync import SyncResult
from cal_followup.sync import sync as run_sync
from cal_followup.syncstores import SyncStores, locked_stores

# plan, export ------------------------------------------------------------------------


def read_occurrences(
    source_spec: str,
    now: datetime,
    settings: Settings,
    outcome: Outcome,
    calendar: str | None = None,
    *,
    every_event: bool = False,
) -> list[Occurrence]:
    """The event occurrences of ``source_spec`` in the planning window that can matter.

    Problems go into ``outcome``; a source that is one unreadable file is an error.
    ``every_event`` parses every event, not only the candidates (for tests and tools).
    """
    window = planning_window(now, settings)
    items = _source_items(source_spec, settings, calendar, window)
    objects = [RawObject(item.data, item.where, item.href) for item in items]
    return pipeline.read_occurrences(
        objects, window, settings, outcome, whole_source=True, every_event=every_event
    )


def plan(
    source_spec: str, now: datetime, settings: Settings, calendar: str | None = None
) -> Outcome:
    """Reminders the interviews in ``source_spec`` should have, as seen at ``now``."""
    outcome = Outcome()
    occurrences = read_occurrences(source_spec, now, settings, outcome, calendar)
    outcome.interviews = find_interviews(occurrences, settings, outcome)
    outcome.reminders = plan_reminders(outcome.interviews, now, settings, outcome)
    return outcome


def export_bytes(outcome: Outcome, settings: Settings, now: datetime) -> bytes:
    """The planned reminders as one .ics calendar (``now`` stamps them)."""
    return calendar_bytes(reminders_calendar(outcome.reminders, settings, now))


@dataclass
class Export:
    """What ``export`` planned and the calendar it made of it."""

    outcome: Outcome
    data: bytes

    @property
    def count(self) -> int:
        return len(self.outcome.reminders)


def export(
    outcome: Outcome, settings: Settings, now: datetime, *, output: str, dry_run: bool = False
) -> Export:
    """``plan``'s reminders as an .ics calendar, written atomically to ``output`` (not for '-')."""
    result = Export(outcome, export_bytes(outcome, settings, now))
    if not dry_run and output != "-":
        write_atomically(output, result.data)
    return result


def _source_items(
    source_spec: str, settings: Settings, calendar: str | None, window: Window
) -> list[StoredObject]:
    """The calendar objects of any SOURCE, as ``plan`` reads them (see ``stores.registry``)."""
    store = open_store(source_spec, opening_for(settings, calendar=calendar))
    return store.readable(window)


# sync, stop, status -------------------------------------------------------------------


def _sync(stores: SyncStores, now: datetime, settings: Settings, dry_run: bool) -> SyncResult:
    result = run_sync(stores.source, stores.target, stores.memory, now, settings, dry_run=dry_run)
    result.outcome.warnings.extend(
        other_writers_warnings(stores.memory, (i.uid for i in result.interviews))
    )
    return result


def sync(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
    dry_run: bool,
) -> SyncResult:
    """One sync of the calendar, then of the mailbox when one is configured."""
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
    owners = application_of(interviews)
    if len(matches) > 1 and len({id(owners[uid]) for uid in matches}) == 1:
        latest = max(matches.values(), key=lambda i: (i.start, i.uid))
        return {latest.uid: latest}
    return matches


def stop(
    query: str,
    reason: StopReason,
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    dry_run: bool,
) -> tuple[SyncResult | None, list[Interview]]:
    """Record that the user stopped one interview, then sync so it takes effect."""
    with locked_stores(source_spec, settings, target_spec=target_spec, calendar=calendar) as stores:
        outcome = Outcome()
        # Stopping also works for interviews that ended long ago.
        wide = dataclasses.replace(settings, ignore_after_days=3650)
        window = planning_window(now, wide)
        objects = [RawObject(o.data, o.href, o.href) for o in stores.source.load(window)]
        interviews = read_interviews(objects, window, wide, outcome)
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


def status(
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
        if settings.imap.url:
            result.mail = mailbox_status(stores.memory, settings)
        return result, stores.memory.last_run(), stores.memory.stops()


# check --------------------------------------------------------------------------------


@dataclass
class Checked:
    """The findings of ``check``, one row each, and the files that held no reminder."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    without_reminders: list[str] = field(default_factory=list)


def check(
    paths: list[str], language: str | None, ignore: list[str], *, allow_placeholders: bool
) -> Checked:
    """Drafts (plain text, reminder descriptions, .ics files) against the etiquette rules."""
    if language and language not in load_languages():
        raise ConfigError(f"--language: unknown language {language!r}")
    ignored = [code.strip() for value in ignore for code in value.split(",") if code.strip()]
    if allow_placeholders:
        ignored.extend(lint.PLACEHOLDER_CODES)
    checked = Checked()
    for path in paths or ["-"]:
        name = "<stdin>" if path == "-" else path
        try:
            text = _read_bounded_file(path).decode("utf-8-sig")
        except OSError as error:
            raise SourceError(f"{name}: cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise SourceError(f"{name}: not UTF-8 text") from None
        results = lint.check_document(text, language)
        if not results and lint.is_calendar(text):
            checked.without_reminders.append(name)
        for draft in results:
            for finding in lint.without(draft.findings, ignored):
                row = {"file": name, **finding.to_json(), "language": draft.language}
                checked.rows.append({**row, "reminder": draft.reminder})
    return checked


def _read_bounded_file(path: str) -> bytes:
    """A file (or stdin for -) of at most the usual 64 MB: ``check /dev/zero`` ends too."""
    if path == "-":
        return read_bounded(sys.stdin.buffer, "<stdin>")
    return read_file(path)
