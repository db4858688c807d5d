"""Bring the reminders in a calendar in line with the plan, touching only our own.

``sync`` is the only entry point. It reads the stores, runs the one
pipeline (``cal_followup.pipeline``) with the anchors earlier runs left,
lets the pure ``cal_followup.reconcile`` decide what to do with each
reminder, and carries the decisions out with the ETags last seen, recording
each in the memory. Only events carrying our marker are ever written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import icalendar

from cal_followup.caps import run_flood
from cal_followup.config import Settings
from cal_followup.ical import (
    MARKER_INTERVIEW,
    MARKER_INTERVIEW_START,
    MARKER_RECURRENCE,
    MARKER_STAGE,
    fingerprint,
    is_unmodified,
    is_unmodified_data,
    single_object,
)
from cal_followup.ics import Problem, has_marker, parse_calendar
from cal_followup.model import Interview
from cal_followup.pipeline import (
    Outcome,
    RawObject,
    desired,
    plan_reminders,
    planning_window,
    read_interviews,
)
from cal_followup.reconcile import (
    Action,
    ActionKind,
    Existing,
    RememberedReminder,
    ReminderState,
    anchors_for,
    interviews_to_look_up,
    reconcile,
    with_stops,
)
from cal_followup.state import Memory
from cal_followup.stores.base import AlreadyExists, PreconditionFailed, StoredObject, SyncStore

_PAST_TENSE = {
    ActionKind.CREATE: "created",
    ActionKind.MOVE: "moved",
    ActionKind.UPDATE: "updated",
    ActionKind.WITHDRAW: "withdrawn",
}


@dataclass
class SyncResult:
    actions: list[Action] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)
    interviews: list[Interview] = field(default_factory=list)
    existing: dict[str, Existing] = field(default_factory=dict)
    #: The mailbox part's report (cal_followup.mail.MailReport), when an IMAP account is set.
    mail: Any = None

    def count(self, kind: ActionKind) -> int:
        return sum(1 for action in self.actions if action.kind == kind)

    def summary_line(self, *, dry_run: bool = False) -> str:
        """'3 created, 1 moved, 2 withdrawn' ('3 to create, ...' for a dry run), or ''."""
        parts = [
            f"{self.count(kind)} " + (f"to {kind}" if dry_run else _PAST_TENSE[kind])
            for kind in ActionKind
            if kind.changes and self.count(kind)
        ]
        return ", ".join(parts)


# Reading what is there -------------------------------------------------------------


def _due(component: icalendar.cal.Component) -> datetime | None:
    start = component.get("DTSTART")
    try:
        value = start.dt if start is not None else None
    except Exception:  # noqa: BLE001 - a broken time is no time
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _existing(component: icalendar.cal.Component, stored: StoredObject) -> Existing | None:
    if component.name not in ("VEVENT", "VTODO") or component.get(MARKER_STAGE) is None:
        return None
    uid = str(component.get("UID", "")).strip()
    if not uid:
        return None
    rid = component.get(MARKER_RECURRENCE)
    # One fingerprint serves both the edit check and the comparison with the plan.
    current = fingerprint(component)
    return Existing(
        uid=uid,
        href=stored.href,
        etag=stored.etag,
        summary=str(component.get("SUMMARY", "")),
        due=_due(component),
        stage=str(component.get(MARKER_STAGE)),
        interview_uid=str(component.get(MARKER_INTERVIEW, "")),
        recurrence_id=str(rid) if rid else None,
        interview_start=str(component.get(MARKER_INTERVIEW_START) or "") or None,
        unmodified=is_unmodified(component, current),
        hash=current,
    )


def existing_reminders(objects: list[StoredObject], outcome: Outcome) -> dict[str, Existing]:
    """Our reminders among ``objects``, by UID."""
    found: dict[str, Existing] = {}
    for stored in objects:
        if not has_marker(stored.data):
            continue
        try:
            calendar = parse_calendar(stored.data, stored.href)
        except Exception as error:  # noqa: BLE001 - reported, and never touched
            outcome.problems.append(Problem(stored.href, f"cannot read a reminder: {error}"))
            continue
        for component in calendar.subcomponents:
            reminder = _existing(component, stored)
            if reminder is not None:
                found[reminder.uid] = reminder
    return found


# Deciding ---------------------------------------------------------------------------


def decide(
    result: SyncResult,
    memory: Memory,
    interview_exists: Callable[[str], bool],
    now: datetime,
    settings: Settings,
) -> list[Action]:
    """Plan with the anchors earlier runs left, then let ``reconcile`` decide."""
    remembered = memory.remembered()
    interviews = with_stops(result.interviews, remembered.stops)
    anchors = anchors_for(result.existing, remembered)
    # Grouped into applications: an earlier round's check-in and closing are no
    # longer desired once a later round exists, so reconcile withdraws them.
    reminders = plan_reminders(interviews, now, settings, result.outcome, anchors)
    wanted = desired(reminders, settings, now)
    seen = {interview.uid for interview in result.interviews}
    asked = interviews_to_look_up(wanted, result.existing, seen, now)
    outside = {uid for uid in sorted(asked) if interview_exists(uid)}
    return reconcile(wanted, result.existing, remembered, now=now, outside_window=outside)


# Doing ------------------------------------------------------------------------------

#: What to remember of one action once the writes are committed.
_Record = tuple[Action, str | None, str | None, ReminderState]


def _remembered(
    action: Action, href: str | None, etag: str | None, state: ReminderState
) -> RememberedReminder | None:
    reminder, found = action.reminder, action.existing
    if reminder is not None:
        return RememberedReminder.of_planned(reminder, state, href=href, etag=etag)
    if found is not None:
        return RememberedReminder.of_found(found, state, href=href, etag=etag)
    return None


def _data(action: Action) -> bytes:
    event = action.desired.event if action.desired else None
    return single_object(event) if isinstance(event, icalendar.cal.Component) else b""


def _change(action: Action, target: SyncStore) -> tuple[_Record, bool]:
    """Carry out one change; what to remember, and whether the change happened."""
    if action.kind == ActionKind.CREATE:
        href = target.href_for(action.uid)
        try:
            etag = target.create(href, _data(action))
        except AlreadyExists:
            # Written by a run that died before it could remember it, or
            # imported by hand: it is there, which is all that matters.
            return (action, href, None, ReminderState.ACTIVE), False
        return (action, href, etag, ReminderState.ACTIVE), True
    href = action.href or ""
    try:
        # No ETag seen (a store that gave none at load): ask for the current one.
        return _overwrite(action, target, href, action.etag or target.latest_etag(href)), True
    except PreconditionFailed:
        if not _still_ours(target, action):
            return (action, href, None, ReminderState.EDITED_BY_USER), False
    # Rewritten by a server or app, not by the user: write over it with its new ETag.
    return _overwrite(action, target, href, target.latest_etag(href)), True


def _overwrite(action: Action, target: SyncStore, href: str, etag: str | None) -> _Record:
    if action.kind == ActionKind.WITHDRAW:
        if etag is not None:  # None: gone already
            target.delete(href, etag)
        return action, href, None, ReminderState.WITHDRAWN
    return action, href, target.update(href, _data(action), etag or ""), ReminderState.ACTIVE


def _kept(action: Action) -> _Record | None:
    """What a decision that writes nothing leaves in the memory."""
    found = action.existing
    if action.kind == ActionKind.KEEP_DELETED:
        return action, None, None, ReminderState.DELETED_BY_USER
    if found is None:
        return None
    if action.kind == ActionKind.KEEP_EDITED:
        return action, found.href, found.etag, ReminderState.EDITED_BY_USER
    return action, found.href, found.etag, ReminderState.ACTIVE


def apply(
    actions: list[Action], target: SyncStore, memory: Memory, outcome: Outcome
) -> list[Action]:
    """Carry out the changes; returns the actions that really happened."""
    done: list[Action] = []
    records: list[_Record] = []
    for action in actions:
        if not action.kind.changes:
            kept = _kept(action)
            records.extend([kept] if kept else [])
            continue
        try:
            record, happened = _change(action, target)
        except (PreconditionFailed, AlreadyExists) as error:
            outcome.problems.append(Problem(action.summary, str(error), fatal=True))
            continue
        records.append(record)
        if happened:
            done.append(action)
    target.commit()
    with memory.transaction():
        for action, href, etag, state in records:
            if action.kind == ActionKind.KEEP_DELETED:
                memory.set_reminder_state(action.uid, state)
                continue
            item = _remembered(action, href, etag, state)
            if item is not None:
                memory.remember(item)
    return done


def _still_ours(target: SyncStore, action: Action) -> bool:
    """Re-read one reminder after a failed precondition: is it still as we wrote it?"""
    current = target.fetch(action.href or "")
    return current is not None and is_unmodified_data(current.data, action.uid)


def sync(
    source: SyncStore,
    target: SyncStore,
    memory: Memory,
    now: datetime,
    settings: Settings,
    *,
    dry_run: bool = False,
) -> SyncResult:
    """One sync run: read, decide, and (unless ``dry_run``) write."""
    result = SyncResult()
    outcome = result.outcome
    window = planning_window(now, settings)
    objects = source.load(window)
    target_objects = objects if target is source else target.load(window)
    # A single .ics file is read whole, as plan reads it (same problems, same lines).
    raw = [RawObject(o.data, o.href, o.href) for o in source.readable(window)]
    result.interviews = read_interviews(raw, window, settings, outcome)
    result.existing = existing_reminders(target_objects, outcome)
    actions = decide(result, memory, source.has_uid, now, settings)
    flood = run_flood(sum(1 for a in actions if a.kind == ActionKind.CREATE))
    if flood:
        outcome.problems.append(Problem(target.name, flood))
        actions = [a for a in actions if not a.kind.changes]
    if dry_run:
        result.actions = actions
    else:
        done = apply(actions, target, memory, outcome)
        result.actions = done + [a for a in actions if not a.kind.changes]
    _store_warnings(outcome, source, target)
    return result


def _store_warnings(outcome: Outcome, *stores: SyncStore) -> None:
    """What the stores noticed on the way (hrefs outside the calendar, writes skipped)."""
    for store in dict.fromkeys(stores):
        for message in getattr(store, "loud_warnings", []):
            outcome.problems.append(Problem("warning", message, fatal=False))
        for message in getattr(store, "warnings", []):
            if message not in outcome.warnings:
                outcome.warnings.append(message)
