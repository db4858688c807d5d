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

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cal_followup.state import Memory
    from cal_followup.stores.caldav import CalDavStore
    from cal_followup.sync import SyncResult


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
    from cal_followup.config import state_dir
    from cal_followup.state import collection_key, known_collection

    user = store.client.username or None
    legacy = store.identity
    spelling = f"{user or ''} {legacy}"
    collection = known_collection(state_dir(), spelling) or store.collection
    return CalendarKey(collection_key(collection, user), legacy, spelling, collection)


def adopt_legacy(found: CalendarKey) -> None:
    """Take over a memory an older version kept under the literal URL."""
    from cal_followup.config import state_dir
    from cal_followup.state import adopt_old_memory, database_path

    folder = state_dir()
    adopt_old_memory(database_path(folder, found.legacy), database_path(folder, found.key))


def attach_memory(store: CalDavStore, found: CalendarKey, memory: Memory) -> None:
    """Give the store its memory (opened under ``found.key``) and note the spelling."""
    from cal_followup.config import state_dir
    from cal_followup.state import remember_collection

    if memory.get_meta("calendar_url") is None:
        memory.set_meta("calendar_url", found.collection)
    store.memory = memory
    store.identity = found.key
    remember_collection(state_dir(), found.spelling, found.collection)


def warn_other_writers(memory: Memory, result: SyncResult) -> None:
    """One writer per calendar: say so when another memory follows the same interviews."""
    from cal_followup.state import other_writers

    if memory.path is None:
        return
    ours = {r.interview_uid for r in memory.all_reminders()}
    ours &= {i.uid for i in result.interviews}
    path = Path(memory.path)
    for other in other_writers(path.parent, path, ours):
        result.outcome.warnings.append(
            f"these interviews are also followed through {other}; sync one calendar through "
            "one store only (one writer per calendar), or every reminder is written twice"
        )
