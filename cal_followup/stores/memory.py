"""A calendar held in a dict: the store unit tests use instead of files or a server.

It keeps the whole ``Store`` contract (exclusive create, ETag-checked update
and delete, a fresh ETag on every write), so a test that passes against it
tests the caller, not a shortcut. Nothing is kept after the process ends.
"""

from __future__ import annotations

import itertools

from cal_followup.ics import Window
from cal_followup.stores.base import AlreadyExists, PreconditionFailed, Store, StoredObject
from cal_followup.stores.feed import uids_in


class MemoryStore(Store):
    """Objects by href; ETags are a counter, so every write gives a new one."""

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.identity = "memory:" + name
        self.objects: dict[str, StoredObject] = {}
        self._versions = itertools.count(1)

    def put(self, href: str, data: bytes) -> StoredObject:
        """Put ``data`` at ``href`` as another program would: no checks, a new ETag."""
        return self._stored(href, data)

    def _stored(self, href: str, data: bytes) -> StoredObject:
        stored = StoredObject(href, f'"{next(self._versions)}"', data)
        self.objects[href] = stored
        return stored

    def _load(self, window: Window) -> list[StoredObject]:
        # No index to query, as a vdir: every object, whatever the window.
        return list(self.objects.values())

    def fetch(self, href: str) -> StoredObject | None:
        return self.objects.get(href)

    def has_uid(self, uid: str) -> bool:
        return any(uid in uids_in(stored.data) for stored in self.objects.values())

    def _create(self, href: str, data: bytes) -> str | None:
        if href in self.objects:
            raise AlreadyExists(f"{self.name}: {href} already exists")
        return self._stored(href, data).etag

    def _update(self, href: str, data: bytes, etag: str) -> str | None:
        current = self.objects.get(href)
        if current is None or current.etag != etag:
            raise PreconditionFailed(f"{self.name}: {href} changed meanwhile")
        return self._stored(href, data).etag

    def _delete(self, href: str, etag: str) -> None:
        current = self.objects.get(href)
        if current is None:
            return
        if current.etag != etag:
            raise PreconditionFailed(f"{self.name}: {href} changed meanwhile")
        del self.objects[href]


class ReadOnlyMemoryStore(MemoryStore):
    """The same, declared read-only: every write is refused before it is tried."""

    read_only = True
