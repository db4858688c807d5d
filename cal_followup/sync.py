"""Bring the reminders in a calendar in line with the plan, touching only our own.

``reconcile`` is pure: from the interviews, the reminders already in the
calendar and the memory of earlier runs it decides, for each reminder UID,
whether to create, move, update, withdraw or leave it. ``sync`` reads the
stores, calls ``reconcile`` and applies the actions with the ETags last seen.
The user is in charge: a reminder the user deleted is not written again, one
the user moved or rewrote is left as it is, and a reminder whose time has
passed is history. Only events carrying our marker are ever written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import icalendar

from cal_followup.app import Outcome, business_days_for, find_interviews, planning_window
from cal_followup.caps import run_flood
from cal_followup.config import Settings
from cal_followup.ical import (
    MARKER_HASH,
    MARKER_INTERVIEW,
    MARKER_INTERVIEW_START,
    MARKER_RECURRENCE,
    MARKER_STAGE,
    fingerprint,
    is_unmodified,
    is_unmodified_data,
    reminder_component,
    single_object,
)
from cal_followup.ics import (
    Occurrence,
    Problem,
    has_marker,
    interview_selector,
    iter_occurrences,
    parse_calendar,
)
from cal_followup.model import Interview, Reminder, Stage, StopReason
from cal_followup.state import (
    ACTIVE,
    DELETED_BY_USER,
    EDITED_BY_USER,
    WITHDRAWN,
    Memory,
    RememberedReminder,
)
from cal_followup.stores.base import AlreadyExists, PreconditionFailed, StoredObject, SyncStore

CREATE, MOVE, UPDATE, WITHDRAW = "create", "move", "update", "withdraw"
#: Decisions that change nothing, reported by --dry-run and --json only.
KEEP_EDITED, KEEP_DELETED, HISTORY, UNCHANGED = (
    "kept-edited",
    "kept-deleted",
    "history",
    "unchanged",
)
CHANGES = (CREATE, MOVE, UPDATE, WITHDRAW)
_PAST_TENSE = {CREATE: "created", MOVE: "moved", UPDATE: "updated", WITHDRAW: "withdrawn"}


@dataclass
class Existing:
    """A reminder found in the calendar."""

    uid: str
    href: str
    etag: str | None
    component: icalendar.cal.Component
    due: datetime | None
    stage: str
    interview_uid: str
    recurrence_id: str | None
    interview_start: str | None
    unmodified: bool
    hash: str | None


@dataclass
class Action:
    kind: str
    uid: str
    summary: str
    due: datetime | None = None
    href: str | None = None
    etag: str | None = None
    data: bytes | None = None
    reminder: Reminder | None = None
    existing: Existing | None = None
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.kind,
            "uid": self.uid,
            "summary": self.summary,
            "due": self.due.isoformat() if self.due else None,
            "note": self.note,
        }


@dataclass
class SyncResult:
    actions: list[Action] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)
    interviews: list[Interview] = field(default_factory=list)
    existing: dict[str, Existing] = field(default_factory=dict)
    #: The mailbox part's report (cal_followup.mail.MailReport), when an IMAP account is set.
    mail: Any = None

    def count(self, kind: str) -> int:
        return sum(1 for action in self.actions if action.kind == kind)

    def summary_line(self, *, dry_run: bool = False) -> str:
        """'3 created, 1 moved, 2 withdrawn' ('3 to create, ...' for a dry run), or ''."""
        parts = [
            f"{self.count(kind)} " + (f"to {kind}" if dry_run else _PAST_TENSE[kind])
            for kind in CHANGES
            if self.count(kind)
        ]
        return ", ".join(parts)


def _marked(component: icalendar.cal.Component) -> bool:
    return component.get(MARKER_STAGE) is not None


def _due(component: icalendar.cal.Component) -> datetime | None:
    start = component.get("DTSTART")
    try:
        value = start.dt if start is not None else None
    except Exception:  # noqa: BLE001 - a broken time is no time
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


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
            if component.name not in ("VEVENT", "VTODO") or not _marked(component):
                continue
            uid = str(component.get("UID", "")).strip()
            if not uid:
                continue
            rid = component.get(MARKER_RECURRENCE)
            found[uid] = Existing(
                uid=uid,
                href=stored.href,
                etag=stored.etag,
                component=component,
                due=_due(component),
                stage=str(component.get(MARKER_STAGE)),
                interview_uid=str(component.get(MARKER_INTERVIEW, "")),
                recurrence_id=str(rid) if rid else None,
                interview_start=str(component.get(MARKER_INTERVIEW_START) or "") or None,
                unmodified=is_unmodified(component),
                # Compared with the planned reminder's hash: equal means nothing to write.
                hash=fingerprint(component),
            )
    return found


def _start_text(interview: Interview) -> str:
    return interview.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _anchors(
    interview: Interview, existing: dict[str, Existing], memory: Memory
) -> tuple[dict[Stage, datetime], frozenset[Stage]]:
    """Due times earlier runs gave this interview's stages, while it stayed where it was.

    The second value names the stages whose time the user set by moving the
    reminder: later stages keep their spacing from the user's time at once.
    """
    start = _start_text(interview)
    anchors: dict[Stage, datetime] = {}
    fixed: set[Stage] = set()
    for remembered in memory.reminders_for(interview.uid):
        if remembered.interview_start == start:
            try:
                anchors.setdefault(Stage(remembered.stage), datetime.fromisoformat(remembered.due))
            except ValueError:
                continue
    for item in existing.values():
        if (
            item.interview_uid == interview.uid
            and item.recurrence_id == interview.recurrence_id
            and item.interview_start == start
            and item.due is not None
        ):
            try:
                anchors[Stage(item.stage)] = item.due
            except ValueError:
                continue
            if not item.unmodified:
                fixed.add(Stage(item.stage))
    return anchors, frozenset(fixed)


def reconcile(
    interviews: list[Interview],
    existing: dict[str, Existing],
    memory: Memory,
    now: datetime,
    settings: Settings,
    calendar_for: Callable[[Interview], object],
    interview_exists: Callable[[str], bool],
    outcome: Outcome,
) -> list[Action]:
    """Decide what to do with every reminder; pure apart from reading ``memory``."""
    from cal_followup.applications import plan_applications

    stops = memory.stops()
    seen_interviews = {interview.uid for interview in interviews}
    stopped = [
        dataclasses.replace(interview, stop_reason=StopReason(stops[interview.uid]))
        if interview.stop_reason is None and interview.uid in stops
        else interview
        for interview in interviews
    ]
    # Grouped into applications: an earlier round's check-in and closing are no
    # longer desired once a later round exists, so they are withdrawn below.
    desired: dict[str, Reminder] = {
        reminder.uid: reminder
        for reminder in plan_applications(
            stopped,
            now,
            settings,
            calendar_for,
            outcome.problems,
            lambda interview: _anchors(interview, existing, memory),
        )
    }

    actions: list[Action] = []
    stamp = now
    for uid, reminder in sorted(desired.items(), key=lambda item: (item[1].due, item[0])):
        component = reminder_component(reminder, settings, stamp)
        data = single_object(component)
        found = existing.get(uid)
        if found is None:
            remembered = memory.reminder(uid)
            if remembered is not None and remembered.state in (
                ACTIVE,
                DELETED_BY_USER,
                EDITED_BY_USER,
            ):
                actions.append(
                    Action(
                        KEEP_DELETED,
                        uid,
                        reminder.summary,
                        reminder.due,
                        reminder=reminder,
                        note="deleted by you; not written again",
                    )
                )
                continue
            actions.append(
                Action(CREATE, uid, reminder.summary, reminder.due, data=data, reminder=reminder)
            )
            continue
        if found.due is not None and found.due < now:
            actions.append(Action(HISTORY, uid, reminder.summary, found.due, existing=found))
            continue
        if not found.unmodified:
            actions.append(
                Action(
                    KEEP_EDITED,
                    uid,
                    reminder.summary,
                    found.due,
                    existing=found,
                    note="changed by you; left as it is",
                )
            )
            continue
        if str(component.get(MARKER_HASH)) == found.hash:
            actions.append(
                Action(
                    UNCHANGED, uid, reminder.summary, found.due, existing=found, reminder=reminder
                )
            )
            continue
        kind = MOVE if found.due != reminder.due else UPDATE
        actions.append(
            Action(
                kind,
                uid,
                reminder.summary,
                reminder.due,
                href=found.href,
                etag=found.etag,
                data=data,
                reminder=reminder,
                existing=found,
            )
        )

    for uid, found in sorted(existing.items()):
        if uid in desired:
            continue
        summary = str(found.component.get("SUMMARY", ""))
        if found.due is None or found.due < now:
            actions.append(Action(HISTORY, uid, summary, found.due, existing=found))
            continue
        if not found.unmodified:
            actions.append(
                Action(
                    KEEP_EDITED,
                    uid,
                    summary,
                    found.due,
                    existing=found,
                    note="changed by you; left as it is",
                )
            )
            continue
        if found.interview_uid not in seen_interviews and interview_exists(found.interview_uid):
            # The interview is there but outside the planning window: leave its reminders.
            actions.append(Action(UNCHANGED, uid, summary, found.due, existing=found))
            continue
        actions.append(
            Action(
                WITHDRAW, uid, summary, found.due, href=found.href, etag=found.etag, existing=found
            )
        )
    return actions


def _remember(
    memory: Memory, action: Action, href: str | None, etag: str | None, state: str
) -> None:
    reminder = action.reminder
    found = action.existing
    if reminder is not None:
        start = (
            reminder.interview_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            if reminder.interview_start
            else None
        )
        memory.remember(
            RememberedReminder(
                uid=action.uid,
                href=href,
                etag=etag,
                hash=None,
                interview_uid=reminder.interview_uid,
                stage=reminder.stage.value,
                due=reminder.due.isoformat(),
                interview_start=start,
                state=state,
            )
        )
    elif found is not None:
        memory.remember(
            RememberedReminder(
                uid=action.uid,
                href=href,
                etag=etag,
                hash=found.hash,
                interview_uid=found.interview_uid,
                stage=found.stage,
                due=found.due.isoformat() if found.due else "",
                interview_start=found.interview_start,
                state=state,
            )
        )


def apply(
    actions: list[Action], target: SyncStore, memory: Memory, outcome: Outcome
) -> list[Action]:
    """Carry out the changes; returns the actions that really happened."""
    done: list[Action] = []
    remembered: list[tuple[Action, str | None, str | None, str]] = []
    for action in actions:
        try:
            if action.kind == CREATE:
                href = target.href_for(action.uid)
                try:
                    etag = target.create(href, action.data or b"")
                except AlreadyExists:
                    # Written by a run that died before it could remember it, or
                    # imported by hand: it is there, which is all that matters.
                    remembered.append((action, href, None, ACTIVE))
                    continue
                remembered.append((action, href, etag, ACTIVE))
            elif action.kind in (MOVE, UPDATE):
                href = action.href or ""
                try:
                    seen = action.etag or target.latest_etag(href) or ""
                    etag = target.update(href, action.data or b"", seen)
                except PreconditionFailed:
                    if not _still_ours(target, action):
                        remembered.append((action, action.href, None, EDITED_BY_USER))
                        continue
                    etag = target.update(href, action.data or b"", target.latest_etag(href) or "")
                remembered.append((action, action.href, etag, ACTIVE))
            elif action.kind == WITHDRAW:
                href = action.href or ""
                try:
                    last = action.etag or target.latest_etag(href)
                    if last is not None:  # None: gone already
                        target.delete(href, last)
                except PreconditionFailed:
                    if not _still_ours(target, action):
                        remembered.append((action, action.href, None, EDITED_BY_USER))
                        continue
                    current = target.latest_etag(href)
                    if current is not None:
                        target.delete(href, current)
                remembered.append((action, action.href, None, WITHDRAWN))
            elif action.kind == KEEP_EDITED and action.existing is not None:
                remembered.append(
                    (action, action.existing.href, action.existing.etag, EDITED_BY_USER)
                )
                continue
            elif action.kind in (UNCHANGED, HISTORY) and action.existing is not None:
                remembered.append((action, action.existing.href, action.existing.etag, ACTIVE))
                continue
            elif action.kind == KEEP_DELETED:
                memory.set_reminder_state(action.uid, DELETED_BY_USER)
                continue
            else:
                continue
        except (PreconditionFailed, AlreadyExists) as error:
            outcome.problems.append(Problem(action.summary, str(error), fatal=True))
            continue
        done.append(action)
    target.commit()
    with memory.transaction():
        for action, written_href, written_etag, state in remembered:
            _remember(memory, action, written_href, written_etag, state)
    return done


def _still_ours(target: SyncStore, action: Action) -> bool:
    """Re-read one reminder after a failed precondition: is it still as we wrote it?"""
    current = target.fetch(action.href or "")
    return current is not None and is_unmodified_data(current.data, action.uid)


def read_interviews(
    objects: list[StoredObject], now: datetime, settings: Settings, outcome: Outcome
) -> list[Interview]:
    window = planning_window(now, settings)
    occurrences: list[Occurrence] = []
    select = interview_selector(settings.include, window.days)
    for stored in objects:
        if not stored.data:
            outcome.problems.append(Problem(stored.href, "cannot read the file"))
            continue
        try:
            calendar = parse_calendar(stored.data, stored.href, select)
        except Exception as error:  # noqa: BLE001 - one object never stops the rest
            outcome.problems.append(Problem(stored.href, str(error).split(": ", 1)[-1]))
            continue
        for found in iter_occurrences(calendar, window, settings.zone, stored.href, stored.href):
            if isinstance(found, Problem):
                (
                    outcome.problems.append(found)
                    if found.fatal
                    else outcome.warnings.append(str(found))
                )
            else:
                occurrences.append(found)
    by_key = {o.key: o for o in occurrences}
    return find_interviews(list(by_key.values()), settings, outcome)


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
    result.interviews = read_interviews(source.readable(window), now, settings, outcome)
    result.existing = existing_reminders(target_objects, outcome)
    seen: set[str] = set()

    def warn(message: str) -> None:
        if message not in seen:
            seen.add(message)
            outcome.warnings.append(message)

    actions = reconcile(
        result.interviews,
        result.existing,
        memory,
        now,
        settings,
        business_days_for(settings, warn),
        source.has_uid,
        outcome,
    )
    flood = run_flood(sum(1 for a in actions if a.kind == CREATE))
    if flood:
        outcome.problems.append(Problem(target.name, flood))
        actions = [a for a in actions if a.kind not in CHANGES]
    if dry_run:
        result.actions = actions
        _store_warnings(outcome, source, target)
        return result
    done = apply(actions, target, memory, outcome)
    result.actions = done + [a for a in actions if a.kind not in CHANGES]
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
