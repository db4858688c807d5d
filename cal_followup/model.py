"""Plain values that flow through cal-followup: people, interviews, reminders.

Everything here is a frozen dataclass or an enum with no behaviour beyond
small derived properties, so the pure core (detect, policy, drafts) can pass
them around and tests can build them by hand.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from cal_followup.names import parse_name


class Stage(enum.StrEnum):
    """A follow-up stage; the value is what the JSON output and markers carry."""

    THANK_YOU = "thank-you"
    CHECK_IN = "check-in"
    CLOSING = "closing"
    AFTER_REJECTION = "after-rejection"
    KEEP_IN_TOUCH = "keep-in-touch"


class StopReason(enum.StrEnum):
    """Why the user stopped following an interview (rule 5)."""

    REPLIED = "replied"
    OFFER = "offer"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Person:
    name: str | None = None
    email: str | None = None

    @property
    def key(self) -> str:
        """What identifies this person in a UID: the address, else the name."""
        return (self.email or self.name or "").strip().lower()

    @property
    def first_name(self) -> str | None:
        """The given name as parsed ("Emily" for "Watson, Emily"), never a title or address."""
        parsed = parse_name(self.name, self.email)
        return parsed.given if parsed else None

    @property
    def display_name(self) -> str | None:
        """The name to show: parsed ("Emily Watson" for "Watson, Emily"), else the CN as
        written when it is a team's name ("Acme Recruiting"); never an address."""
        parsed = parse_name(self.name, self.email)
        if parsed is not None:
            return parsed.full
        name = " ".join((self.name or "").split())
        return name if name and "@" not in name else None

    @property
    def aliases(self) -> frozenset[str]:
        """Every lower-case way the notes may name this person: key, CN, given, full name."""
        names = (self.name, self.first_name, self.display_name)
        return frozenset(k for k in (self.key, *((n or "").lower() for n in names)) if k)


@dataclass(frozen=True)
class StatedTimeline:
    """The employer's stated decision timeline, as read from the notes.

    Exactly one of ``deadline`` (a date in the employer's zone; a span in
    calendar days is turned into one when read) or ``business_days`` (business
    days after the interview day, which needs the employer's calendar) is set;
    ``text`` is the phrase it came from, as written (drafts quote it: "next
    week" stays "next week"); ``kind`` is the kind of phrase ("date" when the
    notes named a date, else "span", "next_week", "this_week", "weekday"; "carried"
    for an earlier round's relative phrase that still times the check-in but is
    no longer quoted).
    """

    text: str
    deadline: date | None = None
    business_days: int | None = None
    kind: str = "date"


@dataclass(frozen=True)
class Interview:
    uid: str
    summary: str
    start: datetime
    end: datetime
    #: The zone the employer's dates are read in (the event's zone).
    zone: str
    recurrence_id: str | None = None
    all_day: bool = False
    interviewers: tuple[Person, ...] = ()
    contact: Person | None = None
    company: str | None = None
    role: str | None = None
    topics: tuple[str, ...] = ()
    #: Topics attributed to one interviewer, keyed by ``Person.key`` or lower-case name.
    person_topics: tuple[tuple[str, str], ...] = ()
    idea: str | None = None
    timeline: StatedTimeline | None = None
    language: str = "en"
    tone: str = "formal"
    cancelled: bool = False
    stop_reason: StopReason | None = None
    source: str = ""
    sequence: int = 0
    #: The organiser when it is a person (never an automated sender).
    organizer: Person | None = None
    #: True when ``contact`` came from a ``Contact:`` / ``Recruiter:`` line.
    contact_stated: bool = False
    #: The ``Application:`` key of the notes, as written.
    application_key: str | None = None

    @property
    def key(self) -> str:
        """The identity of this occurrence: UID plus recurrence id."""
        return f"{self.uid}#{self.recurrence_id}" if self.recurrence_id else self.uid

    def employer_zone(self, fallback: tzinfo) -> tzinfo:
        """The zone the employer's dates are read in: the event's, else ``fallback``."""
        try:
            return ZoneInfo(self.zone)
        except (ValueError, KeyError, OSError):
            return fallback

    def topic_for(self, person: Person | None) -> str | None:
        """The topic the notes attribute to this person, else the first topic."""
        if person is not None:
            for who, topic in self.person_topics:
                if who in person.aliases:
                    return topic
        return self.topics[0] if self.topics else None


@dataclass(frozen=True)
class Application:
    """One employer and one role: its interviews, grouped into rounds (rules, section 9).

    ``rounds`` holds one interview per round, ordered by start: the last
    occurrence of a series on consecutive days, never a cancelled one.
    ``interviews`` holds every occurrence that belongs here, cancelled or not.
    """

    key: str
    company: str | None
    role: str | None
    interviews: tuple[Interview, ...]
    rounds: tuple[Interview, ...]
    contact: Person | None = None
    timeline: StatedTimeline | None = None
    stop_reason: StopReason | None = None

    @property
    def latest(self) -> Interview | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def heading(self) -> str:
        """Company – role for people to read; the key when neither is known."""
        parts = [part for part in (self.company, self.role) if part]
        return " – ".join(parts) if parts else self.key


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    #: Names of the fields left as visible placeholders.
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reminder:
    uid: str
    interview_uid: str
    interview_recurrence_id: str | None
    interview_summary: str
    stage: Stage
    due: datetime
    recipient: Person | None
    draft: Draft
    language: str
    tone: str
    late: bool = False
    summary: str = ""
    mailto: str = ""
    #: When the interview started as planned; a sync moves reminders when it changes.
    interview_start: datetime | None = None
    #: The application's readable id (``Application.key``).
    application: str = ""

    @classmethod
    def of_interview(
        cls,
        interview: Interview,
        *,
        uid: str,
        stage: Stage,
        due: datetime,
        recipient: Person | None,
        draft: Draft,
        language: str,
        late: bool = False,
        summary: str = "",
        mailto: str = "",
        application: str = "",
    ) -> Reminder:
        """A reminder of ``interview``, which gives it its identity, summary, start and tone."""
        return cls(
            uid=uid,
            interview_uid=interview.uid,
            interview_recurrence_id=interview.recurrence_id,
            interview_summary=interview.summary,
            stage=stage,
            due=due,
            recipient=recipient,
            draft=draft,
            language=language,
            tone=interview.tone,
            late=late,
            summary=summary,
            mailto=mailto,
            interview_start=interview.start,
            application=application,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "uid": self.uid,
            "interview_uid": self.interview_uid,
            "recurrence_id": self.interview_recurrence_id,
            "interview": self.interview_summary,
            "stage": self.stage.value,
            "late": self.late,
            "due": self.due.isoformat(),
            "to": self.recipient.email if self.recipient else None,
            "to_name": self.recipient.display_name if self.recipient else None,
            "subject": self.draft.subject,
            "body": self.draft.body,
            "language": self.language,
            "tone": self.tone,
            "summary": self.summary,
            "mailto": self.mailto,
            "missing": list(self.draft.missing),
            "application": self.application,
        }
