"""Interview + now + settings -> the reminders it should have (rules 3 to 5).

Pure: the clock comes in as ``now``, business days come from a calendar
handed in by the caller, drafts from ``cal_followup.drafts``. Every due time
is in the user's zone: the thank-you an hour after the interview (kept inside
the user's day and within 24 hours of the end), the check-in on the first
business day after the employer's stated deadline or a few business days
after the interview, and the closing note some business days after that.
Nothing is ever due before ``now``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from cal_followup.config import Settings
from cal_followup.drafts import draft_language, render_draft
from cal_followup.ical_text import mailto_link
from cal_followup.languages import get_language
from cal_followup.model import Interview, Person, Reminder, Stage, StopReason

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
    base = (interview_end + timedelta(minutes=settings.thank_you_delay_minutes)).astimezone(zone)
    if base.timetz().replace(tzinfo=None) > settings.day_end:
        due = _at(base.date() + timedelta(days=1), settings.day_start, zone)
    elif base.timetz().replace(tzinfo=None) < settings.day_start:
        due = _at(base.date(), settings.day_start, zone)
    else:
        due = base
    return min(due, interview_end + timedelta(hours=24))


@dataclass(frozen=True)
class Planned:
    stage: Stage
    recipient: Person | None
    due: datetime
    late: bool = False


def _check_in_day(interview: Interview, business: BusinessDays, settings: Settings) -> date:
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
        day = business.add_business_days(interview_day, settings.check_in_days)
    return max(day, earliest)


def plan_stages(
    interview: Interview,
    now: datetime,
    settings: Settings,
    business: BusinessDays,
    anchors: Mapping[Stage, datetime] | None = None,
    fixed: frozenset[Stage] = frozenset(),
) -> list[Planned]:
    """Which stages are due when, for whom (no drafts yet); nothing before ``now``.

    ``anchors`` are the due times a sync gave stages earlier. An overdue stage
    is placed relative to ``now`` only once: when it already has an anchor, it
    keeps it (so a nightly run does not push it on every night), and if that
    anchor has passed the stage is history and the later stages keep their
    spacing from it. Stages in ``fixed`` (moved by the user) keep their anchor
    whether or not they are overdue.
    """
    if interview.cancelled:
        return []
    if interview.end < now - timedelta(days=settings.ignore_after_days):
        return []
    anchors = anchors or {}
    zone = settings.zone
    planned: list[Planned] = []
    reason = interview.stop_reason
    recipients: list[Person | None] = list(interview.interviewers) or [None]
    contact = interview.contact or (interview.interviewers[0] if interview.interviewers else None)

    late_day: date | None = None
    if reason not in (StopReason.REJECTED, StopReason.WITHDRAWN):
        natural = thank_you_due(interview.end, settings)
        due: datetime | None = natural
        late = False
        if natural < now:
            late = True
            if Stage.THANK_YOU in anchors:
                due = anchors[Stage.THANK_YOU]
            elif now - natural < timedelta(days=settings.late_thank_you_days):
                due = next_start_of_day(now, settings)
            else:
                due = None
            late_day = due.astimezone(zone).date() if due is not None else None
        if due is not None:
            planned.extend(Planned(Stage.THANK_YOU, person, due, late) for person in recipients)

    if reason == StopReason.REJECTED:
        due = anchors.get(Stage.AFTER_REJECTION) or next_start_of_day(
            max(now, interview.end), settings
        )
        planned.append(Planned(Stage.AFTER_REJECTION, contact, due))
        return [p for p in planned if p.due >= now]
    if reason is not None or settings.max_follow_ups < 1:
        return [p for p in planned if p.due >= now]

    check_in = _at(_check_in_day(interview, business, settings), settings.day_start, zone)
    if Stage.CHECK_IN in fixed and Stage.CHECK_IN in anchors:
        check_in = anchors[Stage.CHECK_IN]
    elif check_in < now:
        if Stage.CHECK_IN in anchors:
            check_in = anchors[Stage.CHECK_IN]
        else:
            # At most one overdue follow-up, at the next business morning (after any
            # late thank-you, so the two never land together); the closing keeps its spacing.
            after = now
            if late_day is not None:
                after = max(now, _at(late_day + timedelta(days=1), time(0), zone))
            check_in = next_business_morning(after, business, settings)
    planned.append(Planned(Stage.CHECK_IN, contact, check_in))
    if settings.max_follow_ups >= 2:
        closing_day = business.add_business_days(
            check_in.astimezone(zone).date(), settings.closing_days
        )
        planned.append(Planned(Stage.CLOSING, contact, _at(closing_day, settings.day_start, zone)))
    return [p for p in planned if p.due >= now]


def reminder_title(
    stage: Stage, late: bool, recipient: Person | None, interview: Interview, settings: Settings
) -> str:
    language = get_language(settings.language)
    if not language.reminder_titles:
        language = get_language("en")
    titles = language.reminder_titles
    key = "late-thank-you" if late and stage is Stage.THANK_YOU else stage.value
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
    anchors: Mapping[Stage, datetime] | None = None,
    fixed: frozenset[Stage] = frozenset(),
    *,
    stages: frozenset[Stage] | None = None,
    application: str = "",
) -> list[Reminder]:
    """The reminders ``interview`` should have, as seen at ``now``.

    ``stages`` limits the stages planned (an application's earlier rounds get
    thank-yous only); ``application`` is the key the reminders carry.
    """
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
            Reminder(
                uid=reminder_uid(interview.uid, interview.recurrence_id, item.stage, recipient_key),
                interview_uid=interview.uid,
                interview_recurrence_id=interview.recurrence_id,
                interview_summary=interview.summary,
                stage=item.stage,
                due=item.due,
                recipient=item.recipient,
                draft=draft,
                language=draft_language(interview.language, settings).code,
                tone=interview.tone,
                late=item.late,
                summary=reminder_title(item.stage, item.late, item.recipient, interview, settings),
                mailto=mailto_link(to, draft.subject, draft.body),
                interview_start=interview.start,
                application=application,
            )
        )
    return reminders
