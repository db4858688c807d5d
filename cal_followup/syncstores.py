"""The stores of one sync: the source, the target, their memories and the run lock.

``sync``, ``stop`` and ``status`` open the SOURCE (and --target) through the
stores registry, refuse a read-only store where reminders would be written,
attach each CalDAV calendar's memory (keyed by its resolved collection, see
``memories``) and hold the calendar's run lock while they work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cal_followup.config import Settings, state_dir
from cal_followup.errors import ConfigError
from cal_followup.memories import adopt_legacy, attach_memory, calendar_key
from cal_followup.state import Memory, adopt_old_memory, database_path, run_lock
from cal_followup.stores import Store, opening_for
from cal_followup.stores.caldav import CalDavStore
from cal_followup.stores.feed import is_url, redact
from cal_followup.stores.registry import kind_for


@dataclass
class SyncStores:
    source: Store
    target: Store
    memory: Memory
    lock_path: str
    opened: list[Memory] = field(default_factory=list)

    def close(self) -> None:
        for memory in self.opened:
            memory.close()


def _open_memory(identity: str, cache: dict[str, Memory]) -> Memory:
    if identity not in cache:
        cache[identity] = Memory(database_path(state_dir(), identity))
        if cache[identity].get_meta("identity") != identity:
            cache[identity].set_meta("identity", identity)  # named in two-writer warnings
    return cache[identity]


def _open_pair(
    source_spec: str,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
) -> tuple[Store, Store]:
    """The source and the store reminders are written to (the source itself without --target)."""
    opening = opening_for(settings, calendar=calendar, syncing=True)
    kind = kind_for(source_spec, opening)
    if kind.read_only and (not target_spec or target_spec == source_spec):
        # Refused before the feed is fetched or a password asked for.
        raise ConfigError(
            f"{redact(source_spec)}: read-only (an .ics feed or standard input); "
            "give --target a calendar to write to"
        )
    source = kind.open(source_spec, opening)
    if not target_spec or target_spec == source_spec:
        return source, source
    target_calendar = None
    target_url = target_spec
    if (
        isinstance(source, CalDavStore)
        and not is_url(target_spec)
        and "/" not in target_spec
        and not target_spec.endswith(".ics")
    ):
        # --target NAME: another calendar on the same server.
        target_url, target_calendar = source_spec, target_spec
    opening = opening_for(settings, calendar=target_calendar, create=create_target, syncing=True)
    kind = kind_for(target_url, opening)
    if kind.read_only:
        raise ConfigError(
            f"{redact(target_url)}: an .ics feed is read-only; give --target "
            "a calendar to write the reminders to"
        )
    return source, kind.open(target_url, opening)


def open_sync_stores(
    source_spec: str,
    settings: Settings,
    *,
    target_spec: str | None,
    calendar: str | None,
    create_target: bool,
) -> SyncStores:
    source, target = _open_pair(
        source_spec,
        settings,
        target_spec=target_spec,
        calendar=calendar,
        create_target=create_target,
    )
    memories: dict[str, Memory] = {}
    caldav_stores = [s for s in dict.fromkeys((source, target)) if isinstance(s, CalDavStore)]
    keys = {id(store): calendar_key(store) for store in caldav_stores}
    legacy = source.identity
    if target is not source:
        legacy += " -> " + target.identity
    for store in caldav_stores:
        found = keys[id(store)]
        adopt_legacy(found)  # before the database under the new key is created
        attach_memory(store, found, _open_memory(found.key, memories))
    identity = source.identity
    if target is not source:
        identity += " -> " + target.identity
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
