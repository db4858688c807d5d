"""Which memory a sync uses: one per calendar, found from however the user named it.

A CalDAV calendar's memory is keyed by its resolved collection URL
(normalised) and the user, so ``.../direct/``, ``.../direct`` and the server
URL with ``--calendar direct`` share one. What a spelling resolved to is
kept in the state folder, so later runs need no discovery requests; a
memory kept under an older key is taken over. After a run, memories that
follow the same interviews through another store are named in a warning:
one writer per calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cal_followup.config import state_dir
from cal_followup.state import (
    Memory,
    adopt_old_memory,
    collection_key,
    database_path,
    known_collection,
    other_writers,
    remember_collection,
)

if TYPE_CHECKING:
    # Only for annotations: the CalDAV store (and its client) is imported where it is used.
    from cal_followup.stores.caldav import CalDavStore


@dataclass
class CalendarKey:
    """Where a CalDAV store's memory lives: its resolved collection, not its spelling."""

    key: str
    legacy: str
    spelling: str
    collection: str


def calendar_key(store: CalDavStore) -> CalendarKey:
    """Resolve a CalDAV store's collection (once per spelling; nothing written yet).

    A wrong calendar name or a refused connection fails here, before any
    database file exists.
    """
    user = store.client.username or None
    legacy = store.identity
    spelling = f"{user or ''} {legacy}"
    collection = known_collection(state_dir(), spelling) or store.collection
    return CalendarKey(collection_key(collection, user), legacy, spelling, collection)


def adopt_legacy(found: CalendarKey) -> None:
    """Take over a memory an older version kept under the literal URL."""
    folder = state_dir()
    adopt_old_memory(database_path(folder, found.legacy), database_path(folder, found.key))


def attach_memory(store: CalDavStore, found: CalendarKey, memory: Memory) -> None:
    """Give the store its memory (opened under ``found.key``) and note the spelling."""
    if memory.get_meta("calendar_url") is None:
        memory.set_meta("calendar_url", found.collection)
    store.memory = memory
    store.identity = found.key
    remember_collection(state_dir(), found.spelling, found.collection)


def other_writers_warnings(memory: Memory, interview_uids: Iterable[str]) -> list[str]:
    """One writer per calendar: what to say when another memory follows the same interviews."""
    if memory.path is None:
        return []
    ours = {r.interview_uid for r in memory.all_reminders()} & set(interview_uids)
    path = Path(memory.path)
    return [
        f"these interviews are also followed through {other}; sync one calendar through "
        "one store only (one writer per calendar), or every reminder is written twice"
        for other in other_writers(path.parent, path, ours)
    ]
