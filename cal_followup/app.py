"""One function per command: plan, export, sync, stop, status, check.

The CLI parses and prints; these do each command's work and return what
there is to show. Reading, detecting and planning are the one pipeline of
``cal_followup.pipeline``; a sync's decisions come from the pure
``cal_followup.reconcile`` and are carried out by ``cal_followup.sync``.
Problems with single events are collected, not raised, so one broken event
never stops the others.

The source-opening functions in the middle (``_source_items`` to
``locked_stores``) turn a SOURCE into stores; they keep their imports
inside, as a SOURCE of one kind needs nothing of the others (and the CalDAV
client is slow to import).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from cal_followup import lint, pipeline
from cal_followup.applications import application_of
from cal_followup.config import Settings
from cal_followup.errors import ConfigError, SourceError
from cal_followup.ical import calendar_bytes, reminders_calendar
from cal_followup.languages import load_languages
from cal_followup.mail import mailbox_enabled, mailbox_status, run_mailbox
from cal_followup.memories import other_writers_warnings
from cal_followup.model import Interview, StopReason
from cal_followup.pipeline import (
    Outcome,
    RawObject,
    find_interviews,
    plan_reminders,
    planning_window,
    read_interviews,
)
from cal_followup.reading import Occurrence, Window
from cal_followup.stores.icsfile import read_bounded, read_file
from cal_followup.sync import SyncResult
from cal_followup.sync import sync as run_sync

if TYPE_CHECKING:
    from cal_followup.state import Memory
    from cal_followup.stores import Item
    from cal_followup.stores.base import StoredObject, SyncStore
    from cal_followup.stores.caldav import CalDavStore


# plan, export ------------------------------------------------------------------------


def read_occurrences(
    source_spec: str,
    now: datetime,
    settings: Settings,
    outcome: Outcome,
    calendar: str | None = None,
) -> list[Occurrence]:
    """Every event occurrence of ``source_spec`` in the planning window.

    Problems go into ``outcome``; a source that is one unreadable file is an error.
    """
    window = planning_window(now, settings)
    items = _source_items(source_spec, settings, calendar, window)
    objects = [RawObject(item.data, item.where, item.href) for item in items]
    return pipeline.read_occurrences(objects, window, settings, outcome, whole_source=True)


def plan(
    source_spec: str, now: datetime, settings: Settings, calendar: str | None = None
) -> Outcome:
    """Reminders the interviews in ``source_spec`` should have, as seen at ``now``."""
    outcome = Outcome()
    occurrences = read_occurrences(source_spec, now, settings, outcome, calendar)
    outcome.interviews = find_interviews(occurrences, settings, outcome)
    outcome.reminders = plan_reminders(outcome.interviews, now, settings, outcome)
    return outcome


def export_bytes(outcome: Outcome, settings: Settings, now: datetime) -> bytes:
    """The planned reminders as one .ics calendar (``now`` stamps them)."""
    return calendar_bytes(reminders_calendar(outcome.reminders, settings, now))


@dataclass
class Export:
    """What ``export`` planned and the calendar it made of it."""

    outcome: Outcome
    data: bytes

    @property
    def count(self) -> int:
        return len(self.outcome.reminders)


def export(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    output: str,
    calendar: str | None = None,
    dry_run: bool = False,
) -> Export:
    """The reminders as an .ics calendar, written atomically to ``output`` (not for '-')."""
    outcome = plan(source_spec, now, settings, calendar)
    result = Export(outcome, export_bytes(outcome, settings, now))
    if not dry_run and output != "-":
        write_atomically(output, result.data)
    return result


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
        password=lambda user: required_password(user or "", source_spec, settings.password_command),
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
        import re

        from cal_followup.stores.base import StoredObject

        items = list(self.feed.items())
        # The whole feed is here, so which interviews exist is known exactly.
        unfolded = b"".join(item.data for item in items).replace(b"\r\n ", b"").replace(b"\n ", b"")
        self._uids = {
            match.decode("utf-8", "replace").strip()
            for match in re.findall(rb"(?mi)^UID[^:\r\n]*:(.*?)\r?$", unfolded)
        }
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


# sync, stop, status -------------------------------------------------------------------


def _sync(stores: SyncStores, now: datetime, settings: Settings, dry_run: bool) -> SyncResult:
    result = run_sync(stores.source, stores.target, stores.memory, now, settings, dry_run=dry_run)
    result.outcome.warnings.extend(
        other_writers_warnings(stores.memory, (i.uid for i in result.interviews))
    )
    return result


def sync(
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
    dry_run: bool,
) -> SyncResult:
    """One sync of the calendar, then of the mailbox when one is configured."""
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
    owners = application_of(interviews)
    if len(matches) > 1 and len({id(owners[uid]) for uid in matches}) == 1:
        latest = max(matches.values(), key=lambda i: (i.start, i.uid))
        return {latest.uid: latest}
    return matches


def stop(
    query: str,
    reason: StopReason,
    source_spec: str,
    now: datetime,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    dry_run: bool,
) -> tuple[SyncResult | None, list[Interview]]:
    """Record that the user stopped one interview, then sync so it takes effect."""
    with locked_stores(source_spec, settings, target_spec=target_spec, calendar=calendar) as stores:
        outcome = Outcome()
        # Stopping also works for interviews that ended long ago.
        wide = dataclasses.replace(settings, ignore_after_days=3650)
        window = planning_window(now, wide)
        objects = [RawObject(o.data, o.href, o.href) for o in stores.source.load(window)]
        interviews = read_interviews(objects, window, wide, outcome)
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


def status(
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
            result.mail = mailbox_status(stores.memory, settings)
        return result, stores.memory.last_run(), stores.memory.stops()


# check --------------------------------------------------------------------------------


@dataclass
class Checked:
    """The findings of ``check``, one row each, and the files that held no reminder."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    without_reminders: list[str] = field(default_factory=list)


def check(
    paths: list[str], language: str | None, ignore: list[str], *, allow_placeholders: bool
) -> Checked:
    """Drafts (plain text, reminder descriptions, .ics files) against the etiquette rules."""
    if language and language not in load_languages():
        raise ConfigError(f"--language: unknown language {language!r}")
    ignored = [code.strip() for value in ignore for code in value.split(",") if code.strip()]
    if allow_placeholders:
        ignored.extend(lint.PLACEHOLDER_CODES)
    checked = Checked()
    for path in paths or ["-"]:
        name = "<stdin>" if path == "-" else path
        try:
            text = _read_bounded_file(path).decode("utf-8-sig")
        except OSError as error:
            raise SourceError(f"{name}: cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise SourceError(f"{name}: not UTF-8 text") from None
        results = lint.check_document(text, language)
        if not results and lint.is_calendar(text):
            checked.without_reminders.append(name)
        for draft in results:
            for finding in lint.without(draft.findings, ignored):
                row = {"file": name, **finding.to_json(), "language": draft.language}
                checked.rows.append({**row, "reminder": draft.reminder})
    return checked


def _read_bounded_file(path: str) -> bytes:
    """A file (or stdin for -) of at most the usual 64 MB: ``check /dev/zero`` ends too."""
    if path == "-":
        return read_bounded(sys.stdin.buffer, "<stdin>")
    return read_file(path)
