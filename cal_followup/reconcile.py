"""What a sync should do with each reminder: the decision, without the doing.

``reconcile(desired, existing, remembered)`` compares the reminders the plan
wants with the reminders found in the calendar and what earlier runs
remember, and returns one ``Action`` per reminder UID: create, move, update,
withdraw, or leave it (unchanged, history, edited or deleted by the user).
It is pure: values in, values out; no database, no store, no clock, no
business calendar, no serialisation. ``sync`` gathers the values and carries
the actions out, so every rule here is testable with a few hand-built values
(tests/test_reconcile.py).

The user is in charge: a reminder the user deleted is not written again, one
the user moved or rewrote is left as it is (and a moved one anchors the later
stages), and a reminder whose time has passed is history.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cal_followup.model import Interview, Reminder, Stage, StopReason
from cal_followup.policy import Anchors
from cal_followup.utc import ical_utc

#: Due times earlier runs gave an interview's stages, and the stages the user fixed.


class ActionKind(enum.StrEnum):
    """What a sync does with one reminder; the value is what --json prints."""

    CREATE = "create"
    MOVE = "move"
    UPDATE = "update"
    WITHDRAW = "withdraw"
    #: Decisions that change nothing, reported by --dry-run, --json and status only.
    KEEP_EDITED = "kept-edited"
    KEEP_DELETED = "kept-deleted"
    HISTORY = "history"
    UNCHANGED = "unchanged"

    @property
    def changes(self) -> bool:
        """Whether carrying this action out writes to the calendar (summaries name these
        kinds in the order above)."""
        return self in (ActionKind.CREATE, ActionKind.MOVE, ActionKind.UPDATE, ActionKind.WITHDRAW)

    @property
    def pending(self) -> bool:
        """Whether the reminder is in the calendar as planned afterwards, still to be sent."""
        return self in (ActionKind.CREATE, ActionKind.MOVE, ActionKind.UPDATE, ActionKind.UNCHANGED)


class ReminderState(enum.StrEnum):
    """What the memory says of a reminder we wrote; the value is what the database holds."""

    ACTIVE = "active"
    DELETED_BY_USER = "deleted"
    EDITED_BY_USER = "edited"
    WITHDRAWN = "withdrawn"

    @property
    def gone_means_deleted(self) -> bool:
        """Whether a reminder in this state that is missing from the calendar was deleted by
        the user: we remove only the ones we withdraw."""
        return self is not ReminderState.WITHDRAWN


@dataclass(frozen=True)
class RememberedReminder:
    """One reminder as an earlier run wrote (or found) it."""

    uid: str
    href: str | None
    etag: str | None
    hash: str | None
    interview_uid: str
    stage: str
    #: ISO 8601 text, as stored.
    due: str
    #: iCalendar UTC text (``ical_utc``) of the interview's start when planned.
    interview_start: str | None
    state: ReminderState

    @classmethod
    def of_planned(
        cls, reminder: Reminder, state: ReminderState, *, href: str | None, etag: str | None
    ) -> RememberedReminder:
        """A planned reminder, as written at ``href`` (its hash is read back at the next run)."""
        start = reminder.interview_start
        return cls(
            uid=reminder.uid,
            href=href,
            etag=etag,
            hash=None,
            interview_uid=reminder.interview_uid,
            stage=reminder.stage.value,
            due=reminder.due.isoformat(),
            interview_start=ical_utc(start) if start else None,
            state=state,
        )

    @classmethod
    def of_found(
        cls, found: Existing, state: ReminderState, *, href: str | None, etag: str | None
    ) -> RememberedReminder:
        """One of our reminders as found in the calendar, now at ``href`` with ``etag``."""
        return cls(
            uid=found.uid,
            href=href,
            etag=etag,
            hash=found.hash,
            interview_uid=found.interview_uid,
            stage=found.stage,
            due=found.due.isoformat() if found.due else "",
            interview_start=found.interview_start,
            state=state,
        )


@dataclass(frozen=True)
class Remembered:
    """What earlier runs left: reminders by UID, and the interviews the user stopped."""

    reminders: Mapping[str, RememberedReminder] = field(default_factory=dict)
    stops: Mapping[str, StopReason] = field(default_factory=dict)


@dataclass(frozen=True)
class Existing:
    """One of our reminders as found in the calendar."""

    uid: str
    href: str
    etag: str | None
    summary: str
    due: datetime | None
    stage: str
    interview_uid: str
    recurrence_id: str | None
    interview_start: str | None
    #: Still exactly as we wrote it (by the hash it carries).
    unmodified: bool
    #: Its fingerprint now; equal to a planned reminder's means nothing to write.
    hash: str | None


@dataclass(frozen=True)
class Desired:
    """A reminder the plan wants, with the hash of the event it would become.

    ``event`` is what the store will be given (an iCalendar component); it is
    opaque here and serialised only when an action writes it.
    """

    reminder: Reminder
    hash: str
    event: object = None


@dataclass(frozen=True)
class Decision:
    """What a run decided about one thing (a reminder, a draft): one row of ``sync --json``."""

    kind: enum.StrEnum
    uid: str
    summary: str
    due: datetime | None = None
    note: str = field(default="", kw_only=True)

    def to_json(self) -> dict[str, object]:
        return {
            "action": str(self.kind),
            "uid": self.uid,
            "summary": self.summary,
            "due": self.due.isoformat() if self.due else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Action(Decision):
    """One decision about one reminder UID."""

    kind: ActionKind
    desired: Desired | None = None
    existing: Existing | None = None

    @property
    def reminder(self) -> Reminder | None:
        return self.desired.reminder if self.desired else None

    @property
    def href(self) -> str | None:
        return self.existing.href if self.existing else None

    @property
    def etag(self) -> str | None:
        return self.existing.etag if self.existing else None


EDITED_NOTE = "changed by you; left as it is"
DELETED_NOTE = "deleted by you; not written again"


def with_stops(interviews: Iterable[Interview], stops: Mapping[str, StopReason]) -> list[Interview]:
    """The interviews with the stops the user recorded (a stop in the event itself wins)."""
    return [
        dataclasses.replace(interview, stop_reason=stops[interview.uid])
        if interview.stop_reason is None and interview.uid in stops
        else interview
        for interview in interviews
    ]


def anchors(
    interview: Interview, existing: Mapping[str, Existing], remembered: Remembered
) -> Anchors:
    """Due times earlier runs gave this interview's stages, while it stayed where it was.

    The calendar wins over the memory (the user may have moved a reminder);
    the memory keeps the anchor of a reminder no longer in the calendar. The
    second value names the stages whose time the user set by moving the
    reminder: later stages keep their spacing from the user's time at once.
    """
    return anchors_for(existing, remembered)(interview)


def anchors_for(
    existing: Mapping[str, Existing], remembered: Remembered
) -> Callable[[Interview], Anchors]:
    """``anchors`` for many interviews: the reminders are indexed by interview once."""
    found_by_interview: dict[str, list[Existing]] = {}
    for reminder in existing.values():
        found_by_interview.setdefault(reminder.interview_uid, []).append(reminder)
    remembered_by_interview: dict[str, list[RememberedReminder]] = {}
    for item in sorted(remembered.reminders.values(), key=lambda r: r.due):
        remembered_by_interview.setdefault(item.interview_uid, []).append(item)
    return lambda interview: _anchors(
        interview,
        found_by_interview.get(interview.uid, []),
        remembered_by_interview.get(interview.uid, []),
    )


def _anchors(
    interview: Interview, found: list[Existing], remembered: list[RememberedReminder]
) -> Anchors:
    start = ical_utc(interview.start)
    due_times: dict[Stage, datetime] = {}
    fixed: set[Stage] = set()
    for item in remembered:  # earliest first: the first time planned wins
        if item.interview_start == start:
            try:
                due_times.setdefault(Stage(item.stage), datetime.fromisoformat(item.due))
            except ValueError:
                continue
    for reminder in found:
        if (
            reminder.recurrence_id == interview.recurrence_id
            and reminder.interview_start == start
            and reminder.due is not None
        ):
            try:
                stage = Stage(reminder.stage)
            except ValueError:
                continue
            due_times[stage] = reminder.due
            if not reminder.unmodified:
                fixed.add(stage)
    return due_times, frozenset(fixed)


def interviews_to_look_up(
    desired: Iterable[Desired],
    existing: Mapping[str, Existing],
    interviews_seen: Collection[str],
    now: datetime,
) -> set[str]:
    """Interview UIDs to ask the source about before deciding.

    A pending, untouched reminder nobody wants any more is withdrawn, unless
    its interview still exists outside the planning window (an interview long
    past, or far ahead): only the source can say, so ``sync`` asks it about
    exactly these and passes the answer to ``reconcile`` as ``outside_window``.
    """
    wanted = {item.reminder.uid for item in desired}
    return {
        found.interview_uid
        for uid, found in existing.items()
        if uid not in wanted
        and found.due is not None
        and found.due >= now
        and found.unmodified
        and found.interview_uid not in interviews_seen
    }


def reconcile(
    desired: Iterable[Desired],
    existing: Mapping[str, Existing],
    remembered: Remembered,
    *,
    now: datetime,
    outside_window: Collection[str] = frozenset(),
) -> list[Action]:
    """One action per reminder UID, desired ones first (by due time), then the rest by UID.

    ``outside_window`` holds the interviews that exist in the source but not
    in the planning window: their reminders are left alone, not withdrawn.
    """
    wanted = {item.reminder.uid: item for item in desired}
    ordered = sorted(wanted.values(), key=lambda item: (item.reminder.due, item.reminder.uid))
    actions = [
        _decide_wanted(item, existing.get(item.reminder.uid), remembered, now) for item in ordered
    ]
    for uid, found in sorted(existing.items()):
        if uid not in wanted:
            actions.append(_decide_unwanted(found, now, outside_window))
    return actions


def _decide_wanted(
    item: Desired, found: Existing | None, remembered: Remembered, now: datetime
) -> Action:
    reminder = item.reminder
    uid, summary = reminder.uid, reminder.summary
    if found is None:
        earlier = remembered.reminders.get(uid)
        if earlier is not None and earlier.state.gone_means_deleted:
            return Action(
                ActionKind.KEEP_DELETED, uid, summary, reminder.due, item, note=DELETED_NOTE
            )
        return Action(ActionKind.CREATE, uid, summary, reminder.due, item)
    if found.due is not None and found.due < now:
        return Action(ActionKind.HISTORY, uid, summary, found.due, existing=found)
    if not found.unmodified:
        return Action(
            ActionKind.KEEP_EDITED, uid, summary, found.due, existing=found, note=EDITED_NOTE
        )
    if item.hash == found.hash:
        return Action(ActionKind.UNCHANGED, uid, summary, found.due, item, found)
    kind = ActionKind.MOVE if found.due != reminder.due else ActionKind.UPDATE
    return Action(kind, uid, summary, reminder.due, item, found)


def _decide_unwanted(found: Existing, now: datetime, outside_window: Collection[str]) -> Action:
    uid, summary = found.uid, found.summary
    if found.due is None or found.due < now:
        return Action(ActionKind.HISTORY, uid, summary, found.due, existing=found)
    if not found.unmodified:
        return Action(
            ActionKind.KEEP_EDITED, uid, summary, found.due, existing=found, note=EDITED_NOTE
        )
    if found.interview_uid in outside_window:
        # The interview is there but outside the planning window: leave its reminders.
        return Action(ActionKind.UNCHANGED, uid, summary, found.due, existing=found)
    return Action(ActionKind.WITHDRAW, uid, summary, found.due, existing=found)
