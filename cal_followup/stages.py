"""The follow-up stages as data: one row per stage, run by ``policy.plan_stages``.

Each row says what the rules (sections 3 to 5, 9 and 10) say about a stage:
what its due time counts from (its anchor), by how much and in which unit,
who gets it, which setting tunes it (with its default and help text), which
template drafts it, and in which states of an application it is planned at
all (the stop reasons that withdraw it). The settings, the ``--help`` and
README option lists, the template file names, the reminder-title keys and the
reading windows are all derived from this table, so adding a stage is adding
a row, its templates and its titles.

This module holds values only: no clock, no calendars, no I/O. It imports
nothing from the rest of the package but the model, so ``config`` can derive
the settings from it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cal_followup.model import Stage, StopReason


class Anchor(enum.Enum):
    """What a stage's due time counts from."""

    #: The end of the interview (the thank-you).
    INTERVIEW_END = "interview end"
    #: The interview day, or the employer's stated timeline when the notes give one.
    INTERVIEW_DAY = "interview day or stated timeline"
    #: The due time of the stage before it in the table.
    PREVIOUS = "previous stage's due"
    #: The moment the user marked the application (the next start of the day after it).
    STOP = "the stop"
    #: The last message planned before it: the after-rejection reply, else the closing
    #: (the unanswered closing; the last follow-up when fewer are allowed).
    APPLICATION_END = "after-rejection reply or unanswered closing"


class Unit(enum.Enum):
    """How a stage's offset is counted, and where the due time lands."""

    #: Minutes, kept inside the user's day and within 24 hours (weekends are not skipped).
    MINUTES_IN_DAY = "minutes, inside the user's day"
    #: Business days of the employer's country, due at the start of the user's day.
    BUSINESS_DAYS = "business days, at the start of the day"
    #: Calendar days, then the next business morning.
    CALENDAR_DAYS = "calendar days, then the next business morning"
    #: No offset: the next start of the user's day.
    NEXT_DAY_START = "the next start of the day"


class Recipients(enum.Enum):
    #: One reminder per interviewer (a panel gets one each).
    EACH_INTERVIEWER = "each interviewer"
    #: The application's main contact (section 9), else the first interviewer.
    MAIN_CONTACT = "main contact"


class CatchUp(enum.Enum):
    """What happens to a stage found overdue the first time it is planned (rule 4)."""

    #: Overdue by less than ``late_thank_you_days``: late, at the next start of the day.
    LATE_NEXT_DAY = "late version at the next start of the day"
    #: The one overdue follow-up: at the next business morning (after any late thank-you).
    NEXT_BUSINESS_MORNING = "the next business morning"
    #: Passed is history: later stages keep their spacing from it.
    NONE = "none"


@dataclass(frozen=True)
class StageSetting:
    """One integer setting of a stage, as config and ``--help`` describe it."""

    name: str
    default: int
    help: str
    metavar: str = "DAYS"
    #: The smallest value that makes sense; 0 is allowed only where it turns the stage off.
    minimum: int = 0


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    anchor: Anchor
    unit: Unit
    recipients: Recipients
    template: str
    #: The setting holding the offset (``None``: the unit needs none).
    offset: StageSetting | None = None
    #: How overdue the stage may be and still get its late version (``CatchUp.LATE_NEXT_DAY``).
    late_window: StageSetting | None = None
    #: The template of the late version (a thank-you seen after it was due).
    late_template: str | None = None
    #: The application states (its stop reason, or None while open) it is planned in.
    when: frozenset[StopReason | None] = frozenset({None})
    #: Its number among the follow-ups that ``max_follow_ups`` caps (0: not a follow-up).
    follow_up: int = 0
    #: Planned per round (each interview) rather than once per application.
    per_round: bool = False
    #: An offset of 0 turns the stage off.
    off_at_zero: bool = False
    catch_up: CatchUp = CatchUp.NONE
    #: Dropped with its interview once that ended ``ignore_after_days`` ago.
    ignored_with_interview: bool = True
    #: The remembered due time always wins (it counts from a moment only a sync saw).
    anchored_once: bool = False

    @property
    def withdrawn_by(self) -> frozenset[StopReason]:
        """The stop reasons that withdraw this stage."""
        return frozenset(reason for reason in StopReason if reason not in self.when)

    @property
    def settings(self) -> tuple[StageSetting, ...]:
        return tuple(item for item in (self.offset, self.late_window) if item is not None)

    @property
    def templates(self) -> tuple[str, ...]:
        return (self.template,) + ((self.late_template,) if self.late_template else ())


_OPEN_OR_ANSWERED = frozenset({None, StopReason.REPLIED, StopReason.OFFER})

STAGES: tuple[StageRow, ...] = (
    StageRow(
        Stage.THANK_YOU,
        Anchor.INTERVIEW_END,
        Unit.MINUTES_IN_DAY,
        Recipients.EACH_INTERVIEWER,
        "thank-you",
        offset=StageSetting(
            "thank_you_delay_minutes",
            60,
            "Minutes after the interview's end that the thank-you is due.",
            "MINUTES",
        ),
        late_window=StageSetting(
            "late_thank_you_days",
            7,
            "A thank-you overdue by fewer days than this becomes a late "
            "thank-you; older ones are dropped.",
        ),
        late_template="late-thank-you",
        when=_OPEN_OR_ANSWERED,
        per_round=True,
        catch_up=CatchUp.LATE_NEXT_DAY,
    ),
    StageRow(
        Stage.CHECK_IN,
        Anchor.INTERVIEW_DAY,
        Unit.BUSINESS_DAYS,
        Recipients.MAIN_CONTACT,
        "check-in",
        offset=StageSetting(
            "check_in_days",
            5,
            "Business days after the interview day for the check-in when no timeline was stated.",
        ),
        follow_up=1,
        catch_up=CatchUp.NEXT_BUSINESS_MORNING,
    ),
    StageRow(
        Stage.CLOSING,
        Anchor.PREVIOUS,
        Unit.BUSINESS_DAYS,
        Recipients.MAIN_CONTACT,
        "closing",
        offset=StageSetting(
            "closing_days", 10, "Business days after the check-in for the closing note."
        ),
        follow_up=2,
    ),
    StageRow(
        Stage.AFTER_REJECTION,
        Anchor.STOP,
        Unit.NEXT_DAY_START,
        Recipients.MAIN_CONTACT,
        "after-rejection",
        when=frozenset({StopReason.REJECTED}),
        anchored_once=True,
    ),
    StageRow(
        Stage.KEEP_IN_TOUCH,
        Anchor.APPLICATION_END,
        Unit.CALENDAR_DAYS,
        Recipients.MAIN_CONTACT,
        "keep-in-touch",
        offset=StageSetting(
            "keep_in_touch_days",
            90,
            "Calendar days after the after-rejection reply or an unanswered closing for "
            "one keep-in-touch note (at the next business morning); 0 turns it off.",
        ),
        when=frozenset({None, StopReason.REJECTED}),
        off_at_zero=True,
        ignored_with_interview=False,
    ),
)

BY_STAGE: dict[Stage, StageRow] = {row.stage: row for row in STAGES}
#: Template names, in table order (a late version right after its stage).
TEMPLATES: tuple[str, ...] = tuple(name for row in STAGES for name in row.templates)
#: Stages planned for every round; the rest once per application, from its last round.
PER_ROUND: frozenset[Stage] = frozenset(row.stage for row in STAGES if row.per_round)

#: Stages of an open application that an answer withdraws, as the ``replied`` category
#: does (a mailbox reply stops them; the after-rejection reply answers a reply itself).
STOPPED_BY_REPLY: tuple[Stage, ...] = tuple(
    row.stage for row in STAGES if None in row.when and StopReason.REPLIED not in row.when
)
#: The most follow-ups the rules allow (rule 5); ``max_follow_ups`` can only lower it.
MAX_FOLLOW_UPS = max(row.follow_up for row in STAGES)

#: Calendar days that holidays can add to a run of business days (Golden Week,
#: Chinese New Year, Christmas to Epiphany): generous, as the windows only read more.
HOLIDAY_SLACK_DAYS = 10
#: The user's day and the next business morning can add a few days after a calendar offset.
LANDING_SLACK_DAYS = 5


def setting_rows() -> Iterator[StageSetting]:
    """Every stage setting, in table order."""
    for row in STAGES:
        yield from row.settings


def template_name(stage: Stage, late: bool) -> str:
    """The template (and reminder-title key) of a stage: a late thank-you has its own."""
    row = BY_STAGE[stage]
    return row.late_template if late and row.late_template else row.template


def setting(settings: Any, name: str) -> int:
    """The value of a stage setting (``Settings`` gets its fields from this table)."""
    return int(getattr(settings, name))


def enabled(row: StageRow, settings: Any) -> bool:
    """Whether the settings allow this stage at all (a follow-up cap, an offset of 0)."""
    if row.follow_up and row.follow_up > setting(settings, "max_follow_ups"):
        return False
    return not (row.off_at_zero and row.offset and setting(settings, row.offset.name) == 0)


def applies(row: StageRow, settings: Any, reason: StopReason | None) -> bool:
    """Whether the stage is planned for an application in state ``reason``."""
    return reason in row.when and enabled(row, settings)


def _longest(row: StageRow, settings: Any) -> timedelta:
    """An upper bound on how long after its anchor ``row`` can be due."""
    amount = setting(settings, row.offset.name) if row.offset else 0
    if row.unit is Unit.MINUTES_IN_DAY:
        return timedelta(hours=24)
    if row.unit is Unit.BUSINESS_DAYS:
        return timedelta(days=math.ceil(amount * 7 / 5) + HOLIDAY_SLACK_DAYS)
    if row.unit is Unit.CALENDAR_DAYS:
        return timedelta(days=amount + LANDING_SLACK_DAYS)
    return timedelta(days=1)


def reach(settings: Any) -> timedelta:
    """How long after an interview ends its reminders can still be due (or matter).

    The longest chain of enabled stages (each row counted from its anchor),
    and never less than ``ignore_after_days``: the reading windows start this
    far back, so a stage due long after its interview (keep-in-touch) is seen.
    A stated decision date far away can still go beyond it.
    """
    ends: dict[Stage, timedelta] = {}
    for row in STAGES:
        if not enabled(row, settings):
            continue
        chained = row.anchor in (Anchor.PREVIOUS, Anchor.APPLICATION_END)
        before = max(ends.values(), default=timedelta(0)) if chained else timedelta(0)
        ends[row.stage] = before + _longest(row, settings)
    longest = max(ends.values(), default=timedelta(0))
    return max(longest, timedelta(days=setting(settings, "ignore_after_days")))
