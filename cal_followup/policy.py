"""Interview + now + settings -> the reminders it should have (rules 3 to 5, 10).

Pure: the clock comes in as ``now``, business days come from a calendar
handed in by the caller, drafts from ``cal_followup.drafts``. The stages are
the rows of ``cal_followup.stages``; ``plan_stages`` is the small engine that
runs them. Every due time is in the user's zone: the thank-you an hour after
the interview (kept inside the user's day and within 24 hours of the end),
the check-in on the first business day after the employer's stated deadline
or a few business days after the interview, the closing note some business
days after that, and keep-in-touch months after the application ended.
Nothing is ever due before ``now``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from cal_followup import stages
from cal_followup.config import Settings
from cal_followup.drafts import draft_language, render_draft
from cal_followup.ical_text import mailto_link
from cal_followup.languages import get_language
from cal_followup.model import Interview, Person, Reminder, Stage

UID_DOMAIN = "cal-followup"


class BusinessDays(Protocol):
    def is_business_day(self, day: date) -> bool: ...
    def add_business_days(self, day: date, n: int) -> date: ...
    def next_business_day(self, day: date, *, inclusive: bool = True) -> date: ...


CalendarFor = Callable[[Interview], BusinessDays]


def reminder_uid(
    interview_uid: str, recurrence_id: str | None, stage: Stage, recipient: str
) -> str:
    """Stable across runs, distinct across interviews, occurrences, stages and recipients."""
    key = "\x1f".join(["v1", interview_uid, recurrence_id or "", stage.value, recipient.lower()])
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{UID_DOMAIN}"


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, zone)


def next_start_of_day(after: datetime, settings: Settings) -> datetime:
    """The first start of the user's day at or after ``after`` (any day of the week)."""
    zone = settings.zone
    local = after.astimezone(zone)
    candidate = _at(local.date(), settings.day_start, zone)
    if candidate < after:
        candidate = _at(local.date() + timedelta(days=1), settings.day_start, zone)
    return candidate


def next_business_morning(after: datetime, business: BusinessDays, settings: Settings) -> datetime:
    """The first start of a business day at or after ``after``."""
    zone = settings.zone
    day = business.next_business_day(after.astimezone(zone).date())
    candidate = _at(day, settings.day_start, zone)
    if candidate < after:
        candidate = _at(business.next_business_day(day, inclusive=False), settings.day_start, zone)
    return candidate


def thank_you_due(interview_end: datetime, settings: Settings) -> datetime:
    """End + delay, kept inside the user's day; never more than 24 hours after the end."""
    zone = settings.zone
    delay = timedelta(minutes=stages.setting(settings, "thank_you_delay_minutes"))
    base = (interview_end + delay).astimezone(zone)
    if base.timetz().replace(tzinfo=None) > settings.day_end:
        due = _at(base.date() + timedelta(days=1), settings.day_start, zone)
    elif base.timetz().replace(tzinfo=None) < settings.day_start:
        due = _at(base.date(), settings.day_start, zone)
    else:
        due = base
    return min(due, interview_end + timedelta(hours=24))


#: The due times a sync gave an interview's stages, and the stages the user moved.
Anchors = tuple[Mapping[Stage, datetime], frozenset[Stage]]


@dataclass(frozen=True)
class Planned:
    stage: Stage
    recipient: Person | None
    due: datetime
    late: bool = False


def _check_in_day(
    interview: Interview, business: BusinessDays, settings: Settings, days: int
) -> date:
    zone = settings.zone
    employer_zone = interview.employer_zone(zone)
    interview_day = interview.start.astimezone(employer_zone).date()
    earliest = business.add_business_days(interview_day, 1)
    timeline = interview.timeline
    if timeline is not None and timeline.business_days is not None:
        day = business.add_business_days(interview_day, timeline.business_days + 1)
    elif timeline is not None and timeline.deadline is not None:
        # A date means the end of that date in the employer's zone.
        deadline_end = datetime.combine(
            timeline.deadline + timedelta(days=1), time(0), employer_zone
        )
        day = business.next_business_day(timeline.deadline, inclusive=False)
        while _at(day, settings.day_start, zone) < deadline_end:
            day = business.next_business_day(day, inclusive=False)
    else:
        day = business.add_business_days(interview_day, days)
    day = max(day, earliest)
    # An interview that runs past midnight (or into the user's next morning, across
    # zones) is still going on at the user's start of that day: never check in before it ends.
    while _at(day, settings.day_start, zone) <= interview.end:
        day = business.next_business_day(day, inclusive=False)
    return day


@dataclass(frozen=True)
class _Context:
    """What every stage of one interview is timed from."""

    interview: Interview
    now: datetime
    settings: Settings
    business: BusinessDays
    anchors: Mapping[Stage, datetime]
    fixed: frozenset[Stage]
    #: The interview ended ``ignore_after_days`` ago: no catch-up, only anchored stages
    #: and those that outlive it (keep-in-touch) are planned.
    ignored: bool


@dataclass(frozen=True)
class _Timed:
    due: datetime
    late: bool = False
    #: False for a stage that is history or dropped: later stages still count from it.
    planned: bool = True


def plan_stages(
    interview: Interview,
    now: datetime,
    settings: Settings,
    business: BusinessDays,
    anchors: Mapping[Stage, datetime] | None = None,
    fixed: frozenset[Stage] = frozenset(),
) -> list[Planned]:
    """Which stages are due when, for whom (no drafts yet); nothing before ``now``.

    Runs the rows of ``stages.STAGES`` in order. ``anchors`` are the due times
    a sync gave stages earlier. An overdue stage is placed relative to ``now``
    only once: when it already has an anchor, it keeps it (so a nightly run
    does not push it on every night), and if that anchor has passed the stage
    is history and the later stages keep their spacing from it. Stages in
    ``fixed`` (moved by the user) keep their anchor whether or not they are
    overdue.
    """
    if interview.cancelled:
        return []
    context = _Context(
        interview,
        now,
        settings,
        business,
        anchors or {},
        fixed,
        ignored=interview.end < now - timedelta(days=settings.ignore_after_days),
    )
    timed: dict[Stage, _Timed] = {}
    planned: list[Planned] = []
    for row in stages.STAGES:
        if not stages.applies(row, settings, interview.stop_reason):
            continue
        timing = _timing(row, context, timed)
        if timing is None:
            continue
        timed[row.stage] = timing
        if not timing.planned or (
            context.ignored and row.ignored_with_interview and row.stage not in context.anchors
        ):
            continue
        planned.extend(
            Planned(row.stage, person, timing.due, timing.late)
            for person in _recipients(row, interview)
        )
    return [p for p in planned if p.due >= now]


def _recipients(row: stages.StageRow, interview: Interview) -> list[Person | None]:
    if row.recipients is stages.Recipients.EACH_INTERVIEWER:
        return list(interview.interviewers) or [None]
    return [interview.contact or (interview.interviewers[0] if interview.interviewers else None)]


def _timing(
    row: stages.StageRow, context: _Context, timed: Mapping[Stage, _Timed]
) -> _Timed | None:
    """When ``row`` is due: naturally, at its anchor, caught up, or history."""
    natural = _natural(row, context, timed)
    if natural is None:
        return None
    now, anchor = context.now, context.anchors.get(row.stage)
    overdue = natural < now
    late = overdue and row.catch_up is stages.CatchUp.LATE_NEXT_DAY
    catches_up = row.catch_up is not stages.CatchUp.NONE
    if anchor is not None and (
        row.anchored_once or row.stage in context.fixed or (overdue and catches_up)
    ):
        return _Timed(anchor, late)
    if not overdue:
        return _Timed(natural)
    if context.ignored or not catches_up:
        return _Timed(natural, late, planned=False)
    settings = context.settings
    if row.catch_up is stages.CatchUp.LATE_NEXT_DAY:
        days = stages.setting(settings, row.late_window.name) if row.late_window else 0
        if now - natural < timedelta(days=days):
            return _Timed(next_start_of_day(now, settings), True)
        return _Timed(natural, True, planned=False)
    # At most one overdue follow-up, at the next business morning (after any late
    # stage, so the two never land together); later stages keep their spacing.
    after = now
    for earlier in timed.values():
        if earlier.late and earlier.planned:
            day_after = earlier.due.astimezone(settings.zone).date() + timedelta(days=1)
            after = max(after, _at(day_after, time(0), settings.zone))
    return _Timed(next_business_morning(after, context.business, settings))


def _natural(
    row: stages.StageRow, context: _Context, timed: Mapping[Stage, _Timed]
) -> datetime | None:
    """The due time the rules give ``row`` with nothing overdue (None: no anchor yet)."""
    settings, interview = context.settings, context.interview
    zone = settings.zone
    amount = stages.setting(settings, row.offset.name) if row.offset else 0
    Anchor, Unit = stages.Anchor, stages.Unit
    if row.anchor is Anchor.INTERVIEW_DAY:
        return _at(
            _check_in_day(interview, context.business, settings, amount), settings.day_start, zone
        )
    if row.anchor is Anchor.INTERVIEW_END:
        base: datetime | None = interview.end
    elif row.anchor is Anchor.STOP:
        # Only a sync sees the moment of the stop; an ignored interview counts from its end.
        base = interview.end if context.ignored else max(context.now, interview.end)
    elif row.anchor is Anchor.PREVIOUS:
        base = list(timed.values())[-1].due if timed else None
    else:
        base = max((t.due for t in timed.values()), default=None)
    if base is None:
        return None
    if row.unit is Unit.MINUTES_IN_DAY:
        return thank_you_due(base, settings)
    if row.unit is Unit.BUSINESS_DAYS:
        day = context.business.add_business_days(base.astimezone(zone).date(), amount)
        return _at(day, settings.day_start, zone)
    if row.unit is Unit.CALENDAR_DAYS:
        return next_business_morning(base + timedelta(days=amount), context.business, settings)
    return next_start_of_day(base, settings)


def reminder_title(
    stage: Stage, late: bool, recipient: Person | None, interview: Interview, settings: Settings
) -> str:
    language = get_language(settings.language)
    if not language.reminder_titles:
        language = get_language("en")
    titles = language.reminder_titles
    key = stages.template_name(stage, late)
    fallback = get_language("en").reminder_titles
    template = titles.get(key) or fallback[key]
    # The name as parsed ("Emily Watson", not "Watson, Emily"); an address only without one.
    name = (recipient.display_name or recipient.email) if recipient else None
    text = template.format(
        name=name or language.placeholder("name"),
        company=interview.company or language.placeholder("company"),
    )
    return text[:200]


def plan_interview(
    interview: Interview,
    now: datetime,
    settings: Settings,
    business: BusinessDays,
    remembered: Anchors | None = None,
    *,
    stages: frozenset[Stage] | None = None,
    application: str = "",
) -> list[Reminder]:
    """The reminders ``interview`` should have, as seen at ``now``.

    ``remembered`` holds the anchors and user-fixed stages a sync kept (see
    ``plan_stages``); ``stages`` limits the stages planned (an application's
    earlier rounds get thank-yous only); ``application`` is the key the
    reminders carry.
    """
    anchors, fixed = remembered or ({}, frozenset())
    reminders = []
    for item in plan_stages(interview, now, settings, business, anchors, fixed):
        if stages is not None and item.stage not in stages:
            continue
        # The day the draft goes out, as the user's calendar shows it (today/yesterday).
        send_day = item.due.astimezone(settings.zone).date()
        draft = render_draft(interview, item.stage, item.late, item.recipient, settings, send_day)
        recipient_key = item.recipient.key if item.recipient else ""
        to = item.recipient.email if item.recipient else None
        reminders.append(
            Reminder.of_interview(
                interview,
                uid=reminder_uid(interview.uid, interview.recurrence_id, item.stage, recipient_key),
                stage=item.stage,
                due=item.due,
                recipient=item.recipient,
                late=item.late,
                draft=draft,
                language=draft_language(interview.language, settings).code,
                summary=reminder_title(item.stage, item.late, item.recipient, interview, settings),
                mailto=mailto_link(to, draft.subject, draft.body),
                application=application,
            )
        )
    return reminders
