"""Interviews -> applications: one employer and one role, its rounds, its people.

A job search is a process, not a list of events (rules, section 9). This
module groups interview occurrences into applications (the same
``Application:`` key, else the same company and role, a round of unknown role
joining the company's only open application), orders each application's
rounds (a recurring series on consecutive days is one round), and decides
what the application as a whole says: its main contact, its stated timeline,
and whether the user stopped it. ``plan_applications`` is the one path from
interviews to reminders that ``plan``, ``export`` and ``sync`` share: thank-yous
per round, one check-in and one closing from the last round only.

It also knows which addresses are machines (scheduling and applicant-tracking
systems, no-reply role accounts): the list is data, in
``data/automated_senders.toml``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources

from cal_followup.caps import cap_application
from cal_followup.config import Settings
from cal_followup.errors import FollowupError
from cal_followup.ics import Problem
from cal_followup.model import Application, Interview, Person, Reminder, Stage, StatedTimeline
from cal_followup.policy import Anchors, plan_interview
from cal_followup.stages import PER_ROUND

ALL_STAGES = frozenset(Stage)
THANK_YOU_ONLY = PER_ROUND
_SEPARATORS = re.compile(r"[._\-]+")


@dataclasses.dataclass(frozen=True)
class _Senders:
    domains: frozenset[str]
    exact: frozenset[str]
    contains: tuple[str, ...]
    prefixes: tuple[str, ...]


@cache
def _senders() -> _Senders:
    text = (resources.files("cal_followup") / "data" / "automated_senders.toml").read_text(
        encoding="utf-8"
    )
    data = tomllib.loads(text)
    domains = {d.lower().strip(".") for group in data.get("domains", {}).values() for d in group}
    parts = data.get("local_parts", {})
    return _Senders(
        domains=frozenset(domains),
        exact=frozenset(_SEPARATORS.sub("", p.lower()) for p in parts.get("exact", [])),
        contains=tuple(_SEPARATORS.sub("", p.lower()) for p in parts.get("contains", [])),
        prefixes=tuple(_SEPARATORS.sub("", p.lower()) for p in parts.get("prefixes", [])),
    )


def is_automated(email: str | None) -> bool:
    """True for an address of a scheduling/ATS system or a role account like no-reply."""
    if not email or "@" not in email:
        return False
    local, domain = email.strip().lower().rsplit("@", 1)
    senders = _senders()
    labels = domain.strip(".").split(".")
    if any(".".join(labels[i:]) in senders.domains for i in range(len(labels) - 1)):
        return True
    local = _SEPARATORS.sub("", local.split("+", 1)[0])
    return (
        local in senders.exact
        or any(word in local for word in senders.contains)
        or local.startswith(senders.prefixes)
    )


def is_person(person: Person | None) -> bool:
    """Someone a follow-up can go to: a name or an address, and not a machine."""
    return (
        person is not None and bool(person.email or person.name) and not is_automated(person.email)
    )


# Grouping -------------------------------------------------------------------


_PUNCTUATION = re.compile(r"[^\w]+")


@lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def normalise(text: str | None) -> str:
    """Case, whitespace and punctuation do not make two companies or roles differ."""
    return _normalised(text) if text else ""


@cache
def _round_words() -> frozenset[str]:
    text = (resources.files("cal_followup") / "data" / "round_words.toml").read_text(
        encoding="utf-8"
    )
    tables = tomllib.loads(text).values()
    return frozenset(
        w for table in tables for word in table.get("words", []) for w in normalise(word).split()
    )


@cache
def _company_forms() -> tuple[str, ...]:
    text = (resources.files("cal_followup") / "data" / "company_forms.toml").read_text(
        encoding="utf-8"
    )
    forms = {normalise(form) for form in tomllib.loads(text).get("forms", [])}
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@lru_cache(maxsize=4096)
def company_key(company: str | None) -> str:
    """The company as grouping compares it: normalised, without a trailing legal form."""
    name = normalise(company)
    changed = True
    while changed:
        changed = False
        for form in _company_forms():
            if name.endswith(" " + form):
                name, changed = name[: -len(form) - 1], True
                break
    return name


@cache
def _cancelled_prefix() -> re.Pattern[str]:
    text = (resources.files("cal_followup") / "data" / "round_words.toml").read_text(
        encoding="utf-8"
    )
    words = [w for t in tomllib.loads(text).values() for w in t.get("cancelled_prefixes", [])]
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{alternation})\s*:\s*", re.IGNORECASE)


def without_cancelled_prefix(summary: str) -> str:
    """Drop the "Canceled: " Outlook and Exchange put before a cancelled meeting's title."""
    return _cancelled_prefix().sub("", summary, count=1)


def role_of(interview: Interview) -> str | None:
    """The role, unless what was read as one only names the round ("final", "2nd round")."""
    words = normalise(interview.role).split()
    if not words or all(w.isdigit() or w in _round_words() for w in words):
        return None
    return interview.role


def _readable(text: str) -> str:
    return " ".join(text.casefold().split())


class _Grouping:
    """Buckets of interviews under a match key, with the readable key of each."""

    def __init__(self) -> None:
        self.members: dict[str, list[Interview]] = {}
        self.names: dict[str, str] = {}
        # Buckets by normalised company, so grouping stays linear in the events.
        self.companies: dict[str, dict[str, None]] = {}
        self.closed: set[str] = set()
        self.roles: dict[str, set[str]] = {}

    def add(self, bucket: str, name: str, interview: Interview) -> None:
        self.members.setdefault(bucket, []).append(interview)
        self.names.setdefault(bucket, name)
        self.companies.setdefault(company_key(interview.company), {})[bucket] = None
        if interview.stop_reason and not interview.cancelled:
            self.closed.add(bucket)
        self.roles.setdefault(bucket, set()).add(normalise(role_of(interview)))

    def with_company(self, company: str, *, role_known: bool) -> list[str]:
        found = []
        for bucket in self.companies.get(company, {}):
            if bucket.startswith("company:"):
                continue
            if role_known or bucket not in self.closed:
                found.append(bucket)
        return found


def _bucket_all(interviews: Iterable[Interview]) -> _Grouping:
    grouping = _Grouping()
    ordered = sorted(interviews, key=lambda i: (i.start, i.uid))
    keyed = [i for i in ordered if normalise(i.application_key)]
    for interview in keyed:
        key = interview.application_key or ""
        grouping.add("key:" + normalise(key), _readable(key), interview)
    rest = [i for i in ordered if not normalise(i.application_key)]
    for interview in rest:
        company, role = company_key(interview.company), normalise(role_of(interview))
        if not (company and role):
            continue
        same = [
            bucket
            for bucket in grouping.with_company(company, role_known=True)
            if bucket.startswith("key:") and role in grouping.roles[bucket]
        ]
        bucket = same[0] if len(same) == 1 else f"role:{company}\x1f{role}"
        name = f"{normalise(interview.company)} / {role}"
        grouping.add(bucket, name, interview)
    for interview in rest:
        company = company_key(interview.company)
        if not company or normalise(role_of(interview)):
            continue
        # A round whose role is not known joins the company's only open application.
        open_ones = grouping.with_company(company, role_known=False)
        bucket = open_ones[0] if len(open_ones) == 1 else "company:" + company
        grouping.add(bucket, normalise(interview.company), interview)
    for interview in rest:
        if not company_key(interview.company):
            grouping.add("event:" + interview.uid, _readable(interview.summary), interview)
    return grouping


def _day(interview: Interview) -> date:
    """The interview's day where the employer is (as written, when its zone is unknown)."""
    start = interview.start
    return start.astimezone(interview.employer_zone(start.tzinfo or UTC)).date()


def _merge_series(chain: list[Interview]) -> Interview:
    """The last day of a multi-day series, carrying everyone met on any day."""
    last = chain[-1]
    if len(chain) == 1:
        return last
    people: list[Person] = []
    topics: list[str] = []
    person_topics: list[tuple[str, str]] = []
    for occurrence in chain:
        people.extend(p for p in occurrence.interviewers if p not in people)
        topics.extend(t for t in occurrence.topics if t not in topics)
        person_topics.extend(t for t in occurrence.person_topics if t not in person_topics)
    return dataclasses.replace(
        last,
        interviewers=tuple(people),
        topics=tuple(topics),
        person_topics=tuple(person_topics),
    )


def _rounds(members: list[Interview]) -> list[Interview]:
    """The rounds, one interview each, by start; cancelled occurrences drop out."""
    by_uid: dict[str, list[Interview]] = {}
    for interview in sorted(members, key=lambda i: (i.start, i.uid)):
        if not interview.cancelled:
            by_uid.setdefault(interview.uid, []).append(interview)
    rounds: list[Interview] = []
    for occurrences in by_uid.values():
        chain = [occurrences[0]]
        for occurrence in occurrences[1:]:
            previous = chain[-1]
            if (
                occurrence.recurrence_id
                and previous.recurrence_id
                and _day(occurrence) - _day(previous) <= timedelta(days=1)
            ):
                chain.append(occurrence)
                continue
            rounds.append(_merge_series(chain))
            chain = [occurrence]
        rounds.append(_merge_series(chain))
    rounds.sort(key=lambda i: (i.start, i.uid))
    return rounds


CalendarFor = Callable[[Interview], object]


def _timeline_end(interview: Interview, calendar_for: CalendarFor | None) -> date | None:
    timeline = interview.timeline
    if timeline is None:
        return None
    if timeline.deadline is not None:
        return timeline.deadline
    if timeline.business_days is None or calendar_for is None:
        return None
    try:
        business = calendar_for(interview)
        return business.add_business_days(_day(interview), timeline.business_days)  # type: ignore[attr-defined, no-any-return]
    except Exception:  # noqa: BLE001 - without a calendar the earlier timeline is just unknown
        return None


def _timeline(rounds: list[Interview], calendar_for: CalendarFor | None) -> StatedTimeline | None:
    """The latest round's timeline, else an earlier one that ends after the latest round."""
    latest = rounds[-1]
    if latest.timeline is not None:
        return latest.timeline
    for earlier in reversed(rounds[:-1]):
        end = _timeline_end(earlier, calendar_for)
        if end is not None and end > _day(latest) and earlier.timeline is not None:
            # A date the notes gave keeps its words; a relative phrase ("next week")
            # meant the time after the earlier round, so the draft does not quote it.
            kind = "date" if earlier.timeline.kind == "date" else "carried"
            return StatedTimeline(earlier.timeline.text, deadline=end, kind=kind)
    return None


def _contact(rounds: list[Interview]) -> Person | None:
    """A Contact:/Recruiter: line (latest wins), else an organiser, else an interviewer."""
    for interview in reversed(rounds):
        if interview.contact_stated and is_person(interview.contact):
            return interview.contact
    for interview in reversed(rounds):
        if is_person(interview.organizer):
            return interview.organizer
    people = [p for p in rounds[-1].interviewers if is_person(p)]
    return people[0] if people else None


@cache
def free_mail_domains() -> frozenset[str]:
    """Public mail providers (data/free_mail_domains.txt): never a company's domain."""
    text = (resources.files("cal_followup") / "data" / "free_mail_domains.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` (or a parent of it) is a public mail provider."""
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in free_mail_domains())


def _unique_keys(grouping: _Grouping) -> dict[str, str]:
    """Each bucket's readable key; two buckets with one name (two untitled "Interview"
    events, an Application: key equal to a company) get a stable suffix each, since
    state and stop-on-reply records are kept per key."""
    count: dict[str, int] = {}
    for bucket in grouping.members:
        count[grouping.names[bucket]] = count.get(grouping.names[bucket], 0) + 1
    return {
        bucket: name
        if count[name] == 1
        else f"{name} #{hashlib.sha1(bucket.encode()).hexdigest()[:6]}"
        for bucket in grouping.members
        for name in (grouping.names[bucket],)
    }


def group_applications(
    interviews: Iterable[Interview], calendar_for: CalendarFor | None = None
) -> list[Application]:
    """Every application among ``interviews``, in the order of their first interview."""
    grouping = _bucket_all(interviews)
    keys = _unique_keys(grouping)
    applications = []
    for bucket, members in grouping.members.items():
        members.sort(key=lambda i: (i.start, i.uid))
        rounds = _rounds(members)
        live = rounds or members
        source = rounds[-1] if rounds else members[-1]
        stops = [i.stop_reason for i in members if i.stop_reason and not i.cancelled]
        applications.append(
            Application(
                key=keys[bucket],
                company=source.company or next((m.company for m in members if m.company), None),
                role=role_of(source)
                or next((role_of(m) for m in reversed(members) if role_of(m)), None),
                interviews=tuple(members),
                rounds=tuple(rounds),
                contact=_contact(live),
                timeline=_timeline(rounds, calendar_for) if rounds else None,
                stop_reason=stops[-1] if stops else None,
            )
        )
    applications.sort(key=lambda a: (a.interviews[0].start, a.key))
    return applications


def planning_items(application: Application) -> list[tuple[Interview, frozenset[Stage]]]:
    """Each round as the plan sees it, with the stages it may have.

    Earlier rounds keep their thank-yous only; the latest round carries the
    application's contact, timeline and stop, and its check-in and closing
    (or its one after-rejection reply). A series' earlier days have nothing.
    """
    items: list[tuple[Interview, frozenset[Stage]]] = []
    latest = application.latest
    for interview in application.rounds:
        if role_of(interview) is None and application.role:
            # "Globex: final interview" is a round of the Globex application's role.
            interview = dataclasses.replace(interview, role=application.role)
        if interview.key == (latest.key if latest else None):
            interview = dataclasses.replace(
                interview,
                contact=application.contact,
                timeline=application.timeline,
                stop_reason=application.stop_reason,
            )
            items.append((interview, ALL_STAGES))
        else:
            items.append(
                (
                    dataclasses.replace(interview, stop_reason=application.stop_reason),
                    THANK_YOU_ONLY,
                )
            )
    return items


def plan_applications(
    interviews: Iterable[Interview],
    now: datetime,
    settings: Settings,
    calendar_for: CalendarFor,
    problems: list[Problem],
    anchors_for: Callable[[Interview], Anchors] | None = None,
) -> list[Reminder]:
    """The reminders every application should have, as seen at ``now``.

    One interview that cannot be planned is reported in ``problems`` and the
    rest go on; a configuration error (exit status 2) stops everything.
    """
    reminders: list[Reminder] = []
    for application in group_applications(interviews, calendar_for):
        planned = _plan_one(application, now, settings, calendar_for, problems, anchors_for)
        # One invitation cannot flood the calendar (a series of many rounds, a huge panel).
        kept, warning = cap_application(planned, application.heading)
        if warning:
            problems.append(Problem(application.interviews[-1].source, warning, fatal=False))
        reminders.extend(kept)
    return reminders


def _plan_one(
    application: Application,
    now: datetime,
    settings: Settings,
    calendar_for: CalendarFor,
    problems: list[Problem],
    anchors_for: Callable[[Interview], Anchors] | None,
) -> list[Reminder]:
    reminders: list[Reminder] = []
    for interview, stages in planning_items(application):
        try:
            reminders.extend(
                plan_interview(
                    interview,
                    now,
                    settings,
                    calendar_for(interview),  # type: ignore[arg-type]
                    anchors_for(interview) if anchors_for else None,
                    stages=stages,
                    application=application.key,
                )
            )
        except Exception as error:  # noqa: BLE001 - one interview never stops the rest
            if isinstance(error, FollowupError) and error.exit_status == 2:
                raise
            problems.append(
                Problem(
                    f"{interview.source}: event {interview.uid!r} ({interview.summary[:60]})",
                    f"cannot plan reminders: {error}",
                )
            )
    return reminders


def application_of(interviews: Iterable[Interview]) -> dict[str, Application]:
    """Each interview UID's application (for ``status``)."""
    found: dict[str, Application] = {}
    for application in group_applications(interviews):
        for interview in application.interviews:
            found.setdefault(interview.uid, application)
    return found
