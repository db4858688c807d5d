"""The contract every writable calendar store keeps, as vdirsyncer's storages do.

A store hands out ``StoredObject``s (one calendar object: an href, its ETag,
its bytes) and changes them only through ``create``, ``update`` and
``delete``. ``update`` and ``delete`` take the ETag last seen, so no caller
can overwrite an edit made in the meantime: a mismatch raises
``PreconditionFailed`` and the caller re-reads that one object. ``create``
never overwrites: an object already at that href raises ``AlreadyExists``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cal_followup.errors import FollowupError
from cal_followup.ics import Window


@dataclass(frozen=True)
class StoredObject:
    href: str
    etag: str | None
    data: bytes


class StoreConflict(FollowupError):
    """A write the store refused because the object is not as we last saw it."""

    exit_status = 1


class PreconditionFailed(StoreConflict):
    """The ETag did not match: someone changed or deleted the object meanwhile."""


class AlreadyExists(StoreConflict):
    """Create found an object already there (at that href, or with that UID)."""


class SyncStore(Protocol):
    #: For messages: a path or a URL without credentials.
    name: str
    #: What identifies this calendar for the state database.
    identity: str

    def load(self, window: Window) -> list[StoredObject]:
        """The objects that matter for ``window`` (events in it, and all our reminders)."""
        ...

    def fetch(self, href: str) -> StoredObject | None: ...

    def href_for(self, uid: str) -> str: ...

    def create(self, href: str, data: bytes) -> str | None: ...

    def update(self, href: str, data: bytes, etag: str | None) -> str | None: ...

    def delete(self, href: str, etag: str | None) -> None: ...

    def has_uid(self, uid: str) -> bool:
        """Whether an object with this UID exists anywhere in the calendar."""
        ...

    def commit(self) -> None:
        """Make the writes durable (the .ics file is written once, atomically)."""
        ...
