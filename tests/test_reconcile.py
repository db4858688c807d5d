"""reconcile: what a sync decides for each reminder, tested as a pure function.

No database, no server, no files: interviews, planned reminders, reminders
"found in the calendar" and the memory of earlier runs are built here as
plain values. Planning uses the real planner with a Monday-to-Friday
business calendar, so the anchors a sync passes to it are tested end to end.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from cal_followup.applications import plan_applications
from cal_followup.config import Settings
from cal_followup.ics import Problem
from cal_followup.model import Interview, Person, Reminder, Stage, StopReason
from cal_followup.reconcile import (
    Action,
    ActionKind,
    Desired,
    Existing,
    Remembered,
    RememberedReminder,
    ReminderState,
    anchors,
    anchors_for,
    interviews_to_look_up,
    reconcile,
    with_stops,
)
from cal_followup.utc import ical_utc

ZONE = ZoneInfo("Europe/Helsinki")
SETTINGS = Settings(timezone="Europe/Helsinki")
ANNA = Person("Anna Virtanen", "anna@acme.example")


class Weekdays:
    """Monday to Friday, no holidays: enough to see the spacing rules."""

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5

    def add_business_days(self, day: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        for _ in range(abs(n)):
            day += timedelta(days=step)
            while not self.is_business_day(day):
                day += timedelta(days=step)
        return day

    def next_business_day(self, day: date, *, inclusive: bool = True) -> date:
        if not inclusive:
            day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def at(day: int, hour: int = 9, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=ZONE)


def interview(uid: str = "iv-1", start: datetime | None = None, **changes: object) -> Interview:
    start = start or at(1, 10)  # Tuesday 1 December 2026
    base = Interview(
        uid=uid,
        summary="Interview: Acme – Engineer",
        start=start,
        end=start + timedelta(hours=1),
        zone="Europe/Helsinki",
        interviewers=(ANNA,),
        company="Acme",
        role="Engineer",
        source="test.ics",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def hash_of(reminder: Reminder) -> str:
    """Stands in for the event fingerprint: what the reminder would write."""
    text = f"{reminder.uid}|{reminder.due.isoformat()}|{reminder.summary}|{reminder.stage}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def desired_of(reminders: Iterable[Reminder]) -> list[Desired]:
    return [Desired(reminder, hash_of(reminder)) for reminder in reminders]


def plan(
    interviews: list[Interview],
    now: datetime,
    existing: Mapping[str, Existing] | None = None,
    remembered: Remembered | None = None,
) -> list[Desired]:
    """What sync plans: stops applied, anchors from the calendar and the memory."""
    existing = existing or {}
    remembered = remembered or Remembered()
    problems: list[Problem] = []
    reminders = plan_applications(
        with_stops(interviews, remembered.stops),
        now,
        SETTINGS,
        lambda _: Weekdays(),
        problems,
        anchors_for(existing, remembered),
    )
    assert not problems
    return desired_of(reminders)


def found(item: Desired, *, due: datetime | None = None, edited: bool = False) -> Existing:
    """The reminder as a later run finds it in the calendar (moved/edited by the user or not)."""
    reminder = item.reminder
    assert reminder.interview_start is not None
    return Existing(
        uid=reminder.uid,
        href=f"{reminder.uid}.ics",
        etag='"1"',
        summary=reminder.summary,
        due=due or reminder.due,
        stage=reminder.stage.value,
        interview_uid=reminder.interview_uid,
        recurrence_id=reminder.interview_recurrence_id,
        interview_start=ical_utc(reminder.interview_start),
        unmodified=not edited,
        hash="user's" if edited else item.hash,
    )


def written(items: Iterable[Desired], now: datetime) -> dict[str, Existing]:
    """What a first sync leaves in the calendar: every planned reminder, untouched."""
    return {item.reminder.uid: found(item) for item in items if item.reminder.due >= now}


def remembered_of(
    calendar: Mapping[str, Existing], state: ReminderState = ReminderState.ACTIVE
) -> dict[str, RememberedReminder]:
    return {
        uid: RememberedReminder.of_found(item, state, href=item.href, etag=item.etag)
        for uid, item in calendar.items()
    }


#: The stages these tests are about; a stage added later (keep-in-touch) has its own tests.
STAGES = {"thank-you", "check-in", "closing", "after-rejection"}


def by_stage(actions: list[Action]) -> dict[str, ActionKind]:
    found = {
        (action.reminder.stage.value if action.reminder else action.existing.stage): action.kind
        for action in actions
        if action.reminder or action.existing
    }
    return {stage: kind for stage, kind in found.items() if stage in STAGES}


def one(actions: list[Action], stage: Stage) -> Action:
    [action] = [
        a
        for a in actions
        if (a.reminder.stage if a.reminder else Stage(a.existing.stage)) == stage  # type: ignore[union-attr]
    ]
    return action


NOW = at(1, 8)  # before the interview: every stage is ahead


def test_a_new_reminder_is_created() -> None:
    wanted = plan([interview()], NOW)
    actions = reconcile(wanted, {}, Remembered(), now=NOW)
    assert {a.kind for a in actions} == {ActionKind.CREATE}
    assert [a.uid for a in actions] == [item.reminder.uid for item in wanted]
    assert all(a.desired is not None and a.existing is None for a in actions)
    assert by_stage(actions) == {"thank-you": "create", "check-in": "create", "closing": "create"}


def test_an_unchanged_reminder_is_left_as_it_is() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    actions = reconcile(wanted, calendar, Remembered(remembered_of(calendar)), now=NOW)
    assert {a.kind for a in actions} == {ActionKind.UNCHANGED}
    assert not any(a.kind.changes for a in actions)


def test_a_changed_plan_updates_or_moves_untouched_reminders() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    thank_you = one(reconcile(wanted, {}, Remembered(), now=NOW), Stage.THANK_YOU).uid
    check_in = one(reconcile(wanted, {}, Remembered(), now=NOW), Stage.CHECK_IN).uid
    calendar[thank_you] = dataclasses.replace(calendar[thank_you], hash="older text")
    calendar[check_in] = dataclasses.replace(calendar[check_in], due=at(3), hash="older time")
    actions = {a.uid: a for a in reconcile(wanted, calendar, Remembered(), now=NOW)}
    assert actions[thank_you].kind is ActionKind.UPDATE
    assert actions[check_in].kind is ActionKind.MOVE
    assert actions[check_in].href == calendar[check_in].href
    assert actions[check_in].etag == calendar[check_in].etag


def test_a_reminder_the_user_edited_is_left_alone() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    uid = one(reconcile(wanted, {}, Remembered(), now=NOW), Stage.CLOSING).uid
    calendar[uid] = dataclasses.replace(calendar[uid], unmodified=False, hash="user's")
    action = {a.uid: a for a in reconcile(wanted, calendar, Remembered(), now=NOW)}[uid]
    assert action.kind is ActionKind.KEEP_EDITED
    assert "changed by you" in action.note
    # Not even when the plan no longer wants it: the user's text is theirs.
    cancelled = plan([interview(cancelled=True)], NOW)
    assert cancelled == []
    action = {a.uid: a for a in reconcile(cancelled, calendar, Remembered(), now=NOW)}[uid]
    assert action.kind is ActionKind.KEEP_EDITED


def test_a_reminder_the_user_deleted_is_not_written_again() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    memory = remembered_of(calendar)
    deleted = one(reconcile(wanted, {}, Remembered(), now=NOW), Stage.CHECK_IN).uid
    del calendar[deleted]
    actions = {a.uid: a for a in reconcile(wanted, calendar, Remembered(memory), now=NOW)}
    assert actions[deleted].kind is ActionKind.KEEP_DELETED
    assert "deleted by you" in actions[deleted].note
    assert not any(a.kind.changes for a in actions.values())
    # Still so on the runs after (the memory then says "deleted").
    memory[deleted] = dataclasses.replace(memory[deleted], state=ReminderState.DELETED_BY_USER)
    again = {a.uid: a for a in reconcile(wanted, calendar, Remembered(memory), now=NOW)}
    assert again[deleted].kind is ActionKind.KEEP_DELETED


def test_a_reminder_we_withdrew_comes_back_when_wanted_again() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    memory = remembered_of(calendar)
    uid = one(reconcile(wanted, {}, Remembered(), now=NOW), Stage.CHECK_IN).uid
    del calendar[uid]
    memory[uid] = dataclasses.replace(memory[uid], state=ReminderState.WITHDRAWN)
    actions = {a.uid: a for a in reconcile(wanted, calendar, Remembered(memory), now=NOW)}
    assert actions[uid].kind is ActionKind.CREATE


def test_a_check_in_the_user_moved_takes_the_closing_with_it() -> None:
    now = at(2, 8)
    first = plan([interview()], now)
    calendar = written(first, now)
    memory = Remembered(remembered_of(calendar))
    check_in = one(reconcile(first, {}, memory, now=now), Stage.CHECK_IN)
    closing = one(reconcile(first, {}, memory, now=now), Stage.CLOSING)
    assert check_in.due == at(8)  # five business days after Tuesday 1 December
    assert closing.due == at(22)  # ten business days after the check-in
    moved_to = at(10, 14)  # the user drags the check-in to Thursday afternoon
    calendar[check_in.uid] = found(first[[d.reminder.uid for d in first].index(check_in.uid)],
                                   due=moved_to, edited=True)  # fmt: skip

    found_anchors, fixed = anchors(interview(), calendar, memory)
    # Keep-in-touch has its own anchor too; these three are what the move is about.
    assert {s: found_anchors[s] for s in (Stage.THANK_YOU, Stage.CHECK_IN, Stage.CLOSING)} == {
        Stage.THANK_YOU: first[0].reminder.due,
        Stage.CHECK_IN: moved_to,
        Stage.CLOSING: at(22),
    }
    assert fixed == frozenset({Stage.CHECK_IN})
    second = plan([interview()], now, calendar, memory)
    actions = {a.uid: a for a in reconcile(second, calendar, memory, now=now)}
    assert actions[check_in.uid].kind is ActionKind.KEEP_EDITED
    assert actions[closing.uid].kind is ActionKind.MOVE
    # Ten business days from the user's Thursday, at the start of the day.
    assert actions[closing.uid].due == at(24)
    # Keep-in-touch counts from the closing, so it moves with it.
    keep = next(d.reminder for d in second if d.reminder.stage is Stage.KEEP_IN_TOUCH)
    assert keep.due > actions[closing.uid].due


def test_a_withdrawn_stage_deletes_untouched_reminders_and_keeps_edited_ones() -> None:
    now = at(2, 8)
    first = plan([interview()], now)
    calendar = written(first, now)
    check_in = one(reconcile(first, {}, Remembered(), now=now), Stage.CHECK_IN).uid
    closing = one(reconcile(first, {}, Remembered(), now=now), Stage.CLOSING).uid
    calendar[closing] = dataclasses.replace(calendar[closing], unmodified=False, hash="user's")
    # The employer answered: the user recorded the stop.
    memory = Remembered(remembered_of(calendar), {"iv-1": StopReason.REPLIED})
    second = plan([interview()], now, calendar, memory)
    assert not {d.reminder.stage for d in second} & {Stage.CHECK_IN, Stage.CLOSING}
    actions = {a.uid: a for a in reconcile(second, calendar, memory, now=now)}
    assert actions[check_in].kind is ActionKind.WITHDRAW
    assert actions[check_in].href == calendar[check_in].href
    assert actions[closing].kind is ActionKind.KEEP_EDITED


def test_a_new_round_withdraws_the_earlier_rounds_untouched_follow_ups() -> None:
    now = at(2, 8)
    first_round = interview("round-1")
    first = plan([first_round], now)
    calendar = written(first, now)
    earlier = {a.reminder.stage: a.uid for a in reconcile(first, {}, Remembered(), now=now)}  # type: ignore[union-attr]
    calendar[earlier[Stage.CLOSING]] = dataclasses.replace(
        calendar[earlier[Stage.CLOSING]], unmodified=False, hash="user's"
    )
    second_round = interview("round-2", at(4, 13), summary="Final interview: Acme – Engineer")
    memory = Remembered(remembered_of(calendar))
    both = plan([first_round, second_round], at(4, 8), calendar, memory)
    actions = {a.uid: a for a in reconcile(both, calendar, memory, now=at(4, 8))}
    assert actions[earlier[Stage.CHECK_IN]].kind is ActionKind.WITHDRAW
    assert actions[earlier[Stage.CLOSING]].kind is ActionKind.KEEP_EDITED
    later = {a.reminder.stage: a.kind for a in actions.values() if a.reminder and
             a.reminder.interview_uid == "round-2" and a.reminder.stage in STAGES}  # fmt: skip
    assert later == {
        Stage.THANK_YOU: ActionKind.CREATE,
        Stage.CHECK_IN: ActionKind.CREATE,
        Stage.CLOSING: ActionKind.CREATE,
    }


def test_a_rejection_replaces_the_follow_ups_by_one_reply() -> None:
    now = at(2, 8)
    first = plan([interview()], now)
    calendar = written(first, now)
    memory = Remembered(remembered_of(calendar), {"iv-1": StopReason.REJECTED})
    second = plan([interview()], now, calendar, memory)
    kinds = by_stage(reconcile(second, calendar, memory, now=now))
    assert kinds["after-rejection"] == ActionKind.CREATE
    assert kinds["check-in"] == kinds["closing"] == ActionKind.WITHDRAW


def test_a_stop_written_in_the_event_wins_over_the_memory() -> None:
    stopped = interview(stop_reason=StopReason.OFFER)
    [kept] = with_stops([stopped], {"iv-1": StopReason.REJECTED})
    assert kept.stop_reason is StopReason.OFFER
    [added] = with_stops([interview()], {"iv-1": StopReason.WITHDRAWN})
    assert added.stop_reason is StopReason.WITHDRAWN
    assert plan([added], NOW) == []


def test_an_overdue_anchor_keeps_its_time_and_the_closing_its_spacing() -> None:
    first = plan([interview()], at(2, 8))
    calendar = written(first, at(2, 8))
    memory = Remembered(remembered_of(calendar))
    # Ten days later nobody synced in between: the check-in's time has passed.
    late = at(11, 8)
    second = plan([interview()], late, calendar, memory)
    check_in_uid = next(d.reminder.uid for d in first if d.reminder.stage is Stage.CHECK_IN)
    assert check_in_uid not in {d.reminder.uid for d in second}  # history, not pushed to now
    closing = next(d for d in second if d.reminder.stage is Stage.CLOSING)
    assert closing.reminder.due == at(22)  # still ten business days after the 8th
    actions = {a.uid: a for a in reconcile(second, calendar, memory, now=late)}
    assert actions[check_in_uid].kind is ActionKind.HISTORY
    assert actions[closing.reminder.uid].kind is ActionKind.UNCHANGED
    # Without the anchors the overdue check-in would land on the next business morning
    # (this one), and the closing ten business days after that.
    fresh = {d.reminder.stage: d.reminder.due for d in plan([interview()], late)}
    assert fresh[Stage.CHECK_IN] == at(11)
    assert fresh[Stage.CLOSING] == at(25)


def test_an_interview_that_moved_drops_its_old_anchors() -> None:
    first = plan([interview()], NOW)
    calendar = written(first, NOW)
    memory = Remembered(remembered_of(calendar))
    moved = interview(start=at(3, 10))
    assert anchors(moved, calendar, memory) == ({}, frozenset())
    actions = reconcile(plan([moved], NOW, calendar, memory), calendar, memory, now=NOW)
    assert by_stage(actions) == {
        "thank-you": ActionKind.MOVE,
        "check-in": ActionKind.MOVE,
        "closing": ActionKind.MOVE,
    }


def test_reminders_of_an_interview_outside_the_window_are_left_alone() -> None:
    wanted = plan([interview()], NOW)
    calendar = written(wanted, NOW)
    # The interview is not among those read (outside the window): ask the source.
    assert interviews_to_look_up([], calendar, set(), NOW) == {"iv-1"}
    assert interviews_to_look_up([], calendar, {"iv-1"}, NOW) == set()
    kept = reconcile([], calendar, Remembered(), now=NOW, outside_window={"iv-1"})
    assert {a.kind for a in kept} == {ActionKind.UNCHANGED}
    gone = reconcile([], calendar, Remembered(), now=NOW, outside_window=set())
    assert {a.kind for a in gone} == {ActionKind.WITHDRAW}


def test_past_reminders_are_history() -> None:
    wanted = plan([interview()], NOW)
    later = at(31, 8)
    # Keep-in-touch is months away; every other reminder is past by then.
    calendar = written([d for d in wanted if d.reminder.due < later], NOW)
    assert len(calendar) == len(wanted) - 1
    actions = reconcile([], calendar, Remembered(), now=later)
    assert {a.kind for a in actions} == {ActionKind.HISTORY}
    assert interviews_to_look_up([], calendar, set(), later) == set()


def test_action_kinds_are_an_enum_and_print_as_before() -> None:
    wanted = plan([interview()], NOW)
    [first, *_] = reconcile(wanted, {}, Remembered(), now=NOW)
    assert first.to_json()["action"] == "create"
    assert first.kind is ActionKind.CREATE and first.kind.changes
    assert not ActionKind.KEEP_DELETED.changes
    assert ReminderState("deleted") is ReminderState.DELETED_BY_USER


# For any mix of planned, found and remembered reminders ---------------------------------

_UIDS = [f"r{n}" for n in range(6)]


@st.composite
def _situations(draw: st.DrawFn) -> tuple[list[Desired], dict[str, Existing], Remembered]:
    template = plan([interview()], NOW)[0].reminder
    wanted_uids = draw(st.sets(st.sampled_from(_UIDS)))
    found_uids = draw(st.sets(st.sampled_from(_UIDS)))
    remembered_uids = draw(st.sets(st.sampled_from(_UIDS)))
    desired = []
    for uid in sorted(wanted_uids):
        due = NOW + timedelta(hours=draw(st.integers(1, 500)))
        desired.append(Desired(dataclasses.replace(template, uid=uid, due=due), f"h-{uid}"))
    calendar = {}
    for uid in sorted(found_uids):
        calendar[uid] = Existing(
            uid=uid,
            href=f"{uid}.ics",
            etag=None,
            summary=uid,
            due=NOW + timedelta(hours=draw(st.integers(-200, 500))),
            stage="check-in",
            interview_uid="iv-1",
            recurrence_id=None,
            interview_start=None,
            unmodified=draw(st.booleans()),
            hash=draw(st.sampled_from([f"h-{uid}", "other"])),
        )
    memory = {
        uid: RememberedReminder(
            uid,
            None,
            None,
            None,
            "iv-1",
            "check-in",
            NOW.isoformat(),
            None,
            draw(st.sampled_from(list(ReminderState))),
        )  # fmt: skip
        for uid in remembered_uids
    }
    return desired, calendar, Remembered(memory)


@given(_situations(), st.booleans())
def test_one_action_per_uid_and_the_users_changes_always_win(
    situation: tuple[list[Desired], dict[str, Existing], Remembered], elsewhere: bool
) -> None:
    desired, calendar, memory = situation
    actions = reconcile(
        desired, calendar, memory, now=NOW, outside_window={"iv-1"} if elsewhere else set()
    )
    uids = [a.uid for a in actions]
    assert sorted(uids) == sorted({d.reminder.uid for d in desired} | set(calendar))
    for action in actions:
        existing = calendar.get(action.uid)
        if existing is not None and not existing.unmodified:
            assert not action.kind.changes  # never overwrite or delete the user's edit
        if existing is not None and existing.due is not None and existing.due < NOW:
            assert action.kind is ActionKind.HISTORY  # the past is never rewritten
        if action.kind is ActionKind.CREATE:
            earlier = memory.reminders.get(action.uid)
            assert existing is None
            assert earlier is None or earlier.state is ReminderState.WITHDRAWN
        if action.kind is ActionKind.WITHDRAW:
            assert existing is not None and existing.unmodified and not elsewhere
        if action.kind in (ActionKind.MOVE, ActionKind.UPDATE):
            assert existing is not None and action.desired is not None
            assert existing.hash != action.desired.hash
