"""One function per command; the CLI calls these and prints what they return.

Data flows one way: a store gives calendar objects, ``reading`` turns them
into occurrences, ``detect`` into interviews, ``policy`` into reminders, and
``ical`` into the calendar we write. Problems with single events are
collected, not raised, so one broken event never stops the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from cal_followup.config import Settings
from cal_followup.ics import (
    Occurrence,
    Problem,
    Window,
    interview_selector,
    iter_occurrences,
    parse_calendar,
)
from cal_followup.model import Interview, Reminder

if TYPE_CHECKING:
    from cal_followup.state import Memory
    from cal_followup.stores import Item
    from cal_followup.stores.base import StoredObject, SyncStore
    from cal_followup.stores.caldav import CalDavStore
    from cal_followup.sync import SyncResult


@dataclass
class Outcome:
    """What a command found: results plus the problems met on the way."""

    interviews: list[Interview] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_events(self) -> int:
        return sum(1 for p in self.problems if p.fatal)


def planning_window(now: datetime, settings: Settings) -> Window:
    return Window(
        start=now - timedelta(days=settings.ignore_after_days),
        end=now + timedelta(days=settings.horizon_days),
    )


def _caldav_items(
    source_spec: str, settings: Settings, calendar: str | None, window: Window
) -> list[Item]:
    """A CalDAV calendar read once with a time-range query (nothing remembered)."""
    from cal_followup.stores import Item

    store = _open_store(source_spec, settings, calendar, False)
    return [Item(o.data, o.href, o.href, o.etag) for o in store.load(window)]


def _source_items(
    source_spec: str, settings: Settings, calendar: str | None, window: Window
) -> list[Item]:
    """The calendar objects of any SOURCE: file, vdir, feed or CalDAV calendar.

    An http(s) URL is first fetched as a feed; when the server answers with
    something that is not a calendar (a CalDAV collection often does), it is
    read as a CalDAV calendar instead.
    """
    from cal_followup.credentials import required_password
    from cal_followup.stores import open_source
    from cal_followup.stores.feed import FeedHTTPError

    if is_caldav(source_spec) and (calendar or settings.token_command):
        # A bearer token is for CalDAV only (Google's CalDAV takes nothing else).
        return _caldav_items(source_spec, settings, calendar, window)
    source = open_source(
        source_spec,
        timeout=settings.timeout,
        user=settings.user,
        password=lambda user: required_password(
            user or "", source_spec, settings.password_command
        ),
    )
    try:
        items = list(source.items())
    except FeedHTTPError:
        if not is_caldav(source_spec):
            raise
        return _caldav_items(source_spec, settings, calendar, window)
    if is_caldav(source_spec) and items and b"BEGIN:VCALENDAR" not in items[0].data[:4096].upper():
        return _caldav_items(source_spec, settings, calendar, window)
    return items


def read_occurrences(
    source_spec: str,
    now: datetime,
    settings: Settings,
    outcome: Outcome,
    calendar: str | None = None,
    *,
    every_event: bool = False,
) -> list[Occurrence]:
    """Occurrences in the planning window that can matter; problems go into ``outcome``.

    Events that cannot be (or change) an interview are left out unparsed,
    unless ``every_event``; the interviews and problems are the same either way.
    """
    from cal_followup.errors import SourceError

    window = planning_window(now, settings)
    occurrences: list[Occurrence] = []
    items = _source_items(source_spec, settings, calendar, window)
    single = len(items) == 1
    # Only what can be (or change) an interview is parsed; see ics.candidates.
    select = None if every_event else interview_selector(settings.include, window.days)
    for item in items:
        try:
            parsed = parse_calendar(item.data, item.where, select)
        except SourceError as error:
            if single:
                raise
            outcome.problems.append(Problem(item.where, str(error).split(": ", 1)[-1]))
            continue
        for found in iter_occurrences(parsed, window, settings.zone, item.where, item.href):
            if isinstance(found, Problem):
                if found.fatal:
                    outcome.problems.append(found)
                else:
                    outcome.warnings.append(str(found))
            else:
                occurrences.append(found)
    return _deduplicate(occurrences)


def _deduplicate(occurrences: list[Occurrence]) -> list[Occurrence]:
    # The same UID + RECURRENCE-ID can arrive twice (a file holding a series
    # and its exported overrides, Google's shifted expansions): keep the last.
    by_key: dict[str, Occurrence] = {}
    for occurrence in occurrences:
        by_key[occurrence.key] = occurrence
    return list(by_key.values())


def find_interviews(
    occurrences: list[Occurrence], settings: Settings, outcome: Outcome
) -> list[Interview]:
    from cal_followup.caps import MAX_SERIES_ROUNDS, cap_interviewers, cap_series
    from cal_followup.detect import examine
    from cal_followup.ics import describe

    interviews = []
    rounds: dict[str, int] = {}
    for occurrence in occurrences:
        # Past the cap plus one (which makes cap_series warn), a series costs nothing more.
        if rounds.get(occurrence.uid, 0) > MAX_SERIES_ROUNDS:
            continue
        try:
            verdict = examine(occurrence, settings)
        except Exception as error:  # noqa: BLE001 - one event never stops the rest
            outcome.problems.append(
                Problem(
                    f"{occurrence.source}: {describe(occurrence.component)}",
                    f"cannot read the event: {error}",
                )
            )
            continue
        if verdict.interview is not None:
            rounds[occurrence.uid] = rounds.get(occurrence.uid, 0) + 1
            interview, warning = cap_interviewers(verdict.interview)
            if warning and warning not in outcome.warnings:
                outcome.warnings.append(warning)
            interviews.append(interview)
    interviews, warnings = cap_series(interviews)
    outcome.warnings.extend(warnings)
    interviews.sort(key=lambda i: (i.start, i.uid))
    return interviews


def business_days_for(
    settings: Settings, warn: Callable[[str], None]
) -> Callable[[Interview], object]:
    from cal_followup.businessdays import business_calendar

    def calendar_for(interview: Interview) -> object:
        return business_calendar(
            settings.country,
            interview.zone,
            source=settings.holiday_source,  # type: ignore[arg-type]
            warn=warn,
        )

    return calendar_for


def plan(
    source_spec: str, now: datetime, settings: Settings, calendar: str | None = None
) -> Outcome:
    """Reminders the interviews in ``source_spec`` should have, as seen at ``now``."""
    from cal_followup.applications import plan_applications

    outcome = Outcome()
    occurrences = read_occurrences(source_spec, now, settings, outcome, calendar)
    outcome.interviews = find_interviews(occurrences, settings, outcome)
    seen_warnings: set[str] = set()

    def warn(message: str) -> None:
        if message not in seen_warnings:
            seen_warnings.add(message)
            outcome.warnings.append(message)

    calendar_for = business_days_for(settings, warn)
    # Per application: thank-yous per round, one check-in and closing after the last round.
    outcome.reminders.extend(
        plan_applications(outcome.interviews, now, settings, calendar_for, outcome.problems)
    )
    outcome.reminders.sort(key=lambda r: (r.due, r.stage.value, r.uid))
    return outcome


def export_bytes(outcome: Outcome, settings: Settings, now: datetime) -> bytes:
    from cal_followup.ical import calendar_bytes, reminders_calendar

    return calendar_bytes(reminders_calendar(outcome.reminders, settings, now))


def write_atomically(path: str, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    from cal_followup.errors import SourceError
    from cal_followup.stores.files import writable_target

    path = writable_target(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".cal-followup-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise SourceError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise SourceError(f"{path}: cannot write: {error.strerror or error}") from None
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# sync, stop, status ---------------------------------------------------------


def _is_feed(spec: str) -> bool:
    lowered = spec.lower()
    path = lowered.split("?", 1)[0]
    return lowered.startswith(("webcal://", "webcals://")) or path.endswith(".ics")


def is_caldav(spec: str) -> bool:
    """An http(s) URL that is not an .ics feed is a CalDAV server or calendar."""
    return spec.lower().startswith(("http://", "https://")) and not _is_feed(spec)


@dataclass
class SyncStores:
    source: SyncStore
    target: SyncStore
    memory: Memory
    lock_path: str
    opened: list[Memory] = field(default_factory=list)

    def close(self) -> None:
        for memory in self.opened:
            memory.close()


def _open_memory(identity: str, cache: dict[str, Memory]) -> Memory:
    from cal_followup.config import state_dir
    from cal_followup.state import Memory, database_path

    if identity not in cache:
        cache[identity] = Memory(database_path(state_dir(), identity))
        if cache[identity].get_meta("identity") != identity:
            cache[identity].set_meta("identity", identity)  # named in two-writer warnings
    return cache[identity]


def _open_store(
    spec: str,
    settings: Settings,
    calendar: str | None,
    create: bool,
) -> SyncStore:
    """A writable store for ``spec`` (its memory is attached by ``open_sync_stores``)."""
    import os
    import urllib.parse

    from cal_followup.errors import ConfigError, SourceError

    if is_caldav(spec):
        from cal_followup.credentials import find_password, required_password
        from cal_followup.stores.caldav import CalDavStore
        from cal_followup.stores.feed import reject_password_in_url

        reject_password_in_url(spec)
        user = settings.user or urllib.parse.unquote(urllib.parse.urlsplit(spec).username or "")
        # With token_command the token replaces the password (OAuth2, e.g. Google).
        password: str | None = None
        if not settings.token_command:
            password = (
                required_password(user, spec, settings.password_command)
                if user
                else find_password(None, spec, settings.password_command)
            )
        store = CalDavStore(
            spec,
            user=settings.user,
            password=password,
            calendar=calendar,
            create=create,
            verify_tls=settings.verify_tls,
            ca_cert=settings.ca_cert,
            timeout=settings.timeout,
        )
        if settings.token_command:
            from cal_followup.oauth import run_secret_command, use_bearer_token

            use_bearer_token(store, run_secret_command(settings.token_command, "token_command"))
        return store
    if spec.lower().startswith(("http://", "https://", "webcal://", "webcals://")):
        raise ConfigError(
            f"{spec.split('@')[-1]}: an .ics feed is read-only; give --target "
            "a calendar to write the reminders to"
        )
    from cal_followup.stores.files import IcsFileStore, VdirStore

    if os.path.isdir(spec):
        return VdirStore(spec)
    if os.path.isfile(spec):
        return IcsFileStore(spec)
    raise SourceError(f"{spec}: no such file, folder or calendar")


class _FeedStore:
    """A read-only feed as a sync source (reminders go to --target)."""

    def __init__(self, spec: str, settings: Settings) -> None:
        from cal_followup.stores.feed import FeedSource

        self.feed = FeedSource(spec, timeout=settings.timeout, user=settings.user)
        if self.feed.user:
            from cal_followup.credentials import required_password

            self.feed.password = required_password(self.feed.user, spec, settings.password_command)
        self.name = self.feed.name
        self.identity = "feed:" + self.feed.name
        self._uids: set[str] | None = None

    def load(self, window: Window) -> list[StoredObject]:
        from cal_followup.ics.scan import uids
        from cal_followup.stores.base import StoredObject

        items = list(self.feed.items())
        # The whole feed is here, so which interviews exist is known exactly.
        self._uids = {uid for item in items for uid in uids(item.data)}
        return [StoredObject(item.where, None, item.data) for item in items]

    def has_uid(self, uid: str) -> bool:
        return self._uids is None or uid in self._uids


def open_sync_stores(
    source_spec: str,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
) -> SyncStores:
    from cal_followup.config import state_dir
    from cal_followup.state import database_path

    memories: dict[str, Memory] = {}
    if not is_caldav(source_spec) and source_spec.lower().startswith(
        ("http://", "https://", "webcal://", "webcals://")
    ):
        if not target_spec:
            from cal_followup.errors import ConfigError

            raise ConfigError("an .ics feed is read-only; give --target a calendar to write to")
        source: SyncStore = _FeedStore(source_spec, settings)  # type: ignore[assignment]
    else:
        source = _open_store(source_spec, settings, calendar, False)
    if target_spec and target_spec != source_spec:
        target_calendar = None
        target_url = target_spec
        if (
            is_caldav(source_spec)
            and not is_caldav(target_spec)
            and "/" not in target_spec
            and not target_spec.endswith(".ics")
        ):
            # --target NAME: another calendar on the same server.
            target_url, target_calendar = source_spec, target_spec
        target = _open_store(target_url, settings, target_calendar, create_target)
    else:
        target = source
    from cal_followup.memories import adopt_legacy, attach_memory, calendar_key

    caldav_stores = [cast("CalDavStore", s) for s in (source, target) if hasattr(s, "client")]
    keys = {id(store): calendar_key(store) for store in caldav_stores}
    legacy = source.identity  # type: ignore[attr-defined]
    if target is not source:
        legacy += " -> " + target.identity  # type: ignore[attr-defined]
    for store in caldav_stores:
        if id(store) in keys:
            found = keys.pop(id(store))
            adopt_legacy(found)  # before the database under the new key is created
            attach_memory(store, found, _open_memory(found.key, memories))
    identity = source.identity  # type: ignore[attr-defined]
    if target is not source:
        identity += " -> " + target.identity  # type: ignore[attr-defined]
        from cal_followup.state import adopt_old_memory

        adopt_old_memory(database_path(state_dir(), legacy), database_path(state_dir(), identity))
    memory = _open_memory(identity, memories)
    lock_path = str(database_path(state_dir(), identity)) + ".lock"
    return SyncStores(source, target, memory, lock_path, list(memories.values()))


@contextlib.contextmanager
def locked_stores(
    source_spec: str,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool = False,
) -> Iterator[SyncStores]:
    """The stores of one sync, held under the calendar's run lock, closed afterwards."""
    from pathlib import Path

    from cal_followup.state import run_lock

    stores = open_sync_stores(
        source_spec,
        settings,
        target_spec=target_spec,
        calendar=calendar,
        create_target=create_target,
    )
    try:
        with run_lock(Path(stores.lock_path)):
            yield stores
    finally:
        stores.close()


def _sync(stores: SyncStores, now: datetime, settings: Settings, dry_run: bool) -> SyncResult:
    from cal_followup.memories import warn_other_writers
    from cal_followup.sync import sync

    result = sync(stores.source, stores.target, stores.memory, now, settings, dry_run=dry_run)
    warn_other_writers(stores.memory, result)
    return result


def sync_command(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
    dry_run: bool,
) -> SyncResult:
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
    from cal_followup.mail import mailbox_enabled, run_mailbox

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
    from cal_followup.applications import application_of

    owners = application_of(interviews)
    if len(matches) > 1 and len({id(owners[uid]) for uid in matches}) == 1:
        latest = max(matches.values(), key=lambda i: (i.start, i.uid))
        return {latest.uid: latest}
    return matches


def stop_command(
    query: str,
    reason: str,
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    dry_run: bool,
) -> tuple[SyncResult | None, list[Interview]]:
    """Record that the user stopped one interview, then sync so it takes effect."""
    from cal_followup.errors import ConfigError
    from cal_followup.sync import read_interviews

    with locked_stores(source_spec, settings, target_spec=target_spec, calendar=calendar) as stores:
        outcome = Outcome()
        # Stopping also works for interviews that ended long ago.
        wide = dataclasses.replace(settings, ignore_after_days=3650)
        objects = stores.source.load(planning_window(now, wide))
        interviews = read_interviews(objects, now, wide, outcome)
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


def status_command(
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
        if settings.imap_url:
            from cal_followup.mail import mailbox_status

            result.mail = mailbox_status(stores.memory, settings)
        return result, stores.memory.last_run(), stores.memory.stops()
