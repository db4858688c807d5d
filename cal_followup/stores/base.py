"""The one contract every calendar store keeps, as vdirsyncer's storages do.

A store hands out ``StoredObject``s (one calendar object: an href, its ETag,
its bytes) and changes them only through ``create``, ``update`` and
``delete``. ``update`` and ``delete`` require the ETag last seen, so no
caller can overwrite an edit made in the meantime: a mismatch raises
``PreconditionFailed`` and the caller re-reads that one object (an empty
ETag matches nothing; ``latest_etag`` reads the current one when none was
seen). ``create`` never overwrites: an object already at that href raises
``AlreadyExists``. A store that cannot be written (a feed, standard input)
says so on its class with ``read_only``; writing to it raises
``ReadOnlyStore`` before any I/O.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from cal_followup.config import AccountSettings
from cal_followup.errors import ConfigError, FollowupError
from cal_followup.ics import Window


@dataclass(frozen=True)
class StoredObject:
    """One calendar object as stored: where it is, its version and its bytes.

    ``where`` names it in messages (a file's path, a URL without
    credentials); it defaults to the href.
    """

    href: str
    etag: str | None
    data: bytes
    where: str = ""

    def __post_init__(self) -> None:
        if not self.where:
            object.__setattr__(self, "where", self.href)


@dataclass(frozen=True)
class Opening:
    """What opening a store needs besides its SOURCE: the user's settings for it.

    Secrets are not here: a store that needs one asks ``password_command``,
    the environment or the keyring for it when it is opened.
    """

    #: A calendar on a CalDAV server (--calendar, or --target NAME).
    calendar: str | None = None
    #: Make that calendar when it is missing (--create-target).
    create: bool = False
    #: Opened for sync (kept in step with a memory, maybe written), not one read by plan.
    syncing: bool = False
    timeout: float = 30.0
    #: The user, password and token commands and CA certificate (the config's CalDAV account).
    account: AccountSettings = AccountSettings()
    verify_tls: bool = True


class StoreConflict(FollowupError):
    """A write the store refused because the object is not as we last saw it."""

    exit_status = 1


class PreconditionFailed(StoreConflict):
    """The ETag did not match: someone changed or deleted the object meanwhile."""


class AlreadyExists(StoreConflict):
    """Create found an object already there (at that href, or with that UID)."""


class ReadOnlyStore(ConfigError):
    """A write asked of a store that cannot be written (a feed, standard input)."""


class Store(ABC):
    """A calendar: objects read for a window, and written only with their ETags.

    Subclasses implement the reading methods and ``_create``, ``_update`` and
    ``_delete``; the public writing methods check the capability and the ETag
    first, so no store can forget to.
    """

    #: Whether the store can be written at all; checked before any I/O.
    read_only: ClassVar[bool] = False
    #: For messages: a path or a URL without credentials.
    name: str
    #: What identifies this calendar for the state database.
    identity: str

    #: What the last ``load`` returned, so ``readable`` after it reads nothing again.
    _loaded: list[StoredObject] | None = None

    # reading ----------------------------------------------------------------
    def load(self, window: Window) -> list[StoredObject]:
        """The objects that matter for ``window`` (events in it, and all our reminders)."""
        self._loaded = self._load(window)
        return self._loaded

    @abstractmethod
    def _load(self, window: Window) -> list[StoredObject]: ...

    def readable(self, window: Window) -> list[StoredObject]:
        """The calendar as ``plan`` reads it: the objects of ``load`` (read once per run).

        A single .ics file is read whole instead, so messages name the file and line.
        """
        return self._loaded if self._loaded is not None else self.load(window)

    @abstractmethod
    def fetch(self, href: str) -> StoredObject | None:
        """The object at ``href`` as it is now; None when there is none."""

    @abstractmethod
    def has_uid(self, uid: str) -> bool:
        """Whether an object with this UID exists anywhere in the calendar."""

    def href_for(self, uid: str) -> str:
        """Where a new object with ``uid`` goes: a file-name-safe form of the UID."""
        return re.sub(r"[^A-Za-z0-9._-]", "_", uid.replace("@", "_at_")) + ".ics"

    def latest_etag(self, href: str) -> str | None:
        """The ETag ``href`` has now, for a write when none was seen; None when it is gone.

        A store that gives an object no ETag cannot have it changed safely:
        that raises ``PreconditionFailed`` instead of allowing a blind write.
        """
        current = self.fetch(href)
        if current is None:
            return None
        if not current.etag:
            raise PreconditionFailed(
                f"{current.where}: the store gives no ETag for it, so it cannot be changed "
                "safely; left as it is"
            )
        return current.etag

    # writing ----------------------------------------------------------------
    def create(self, href: str, data: bytes) -> str | None:
        """Add ``data`` at ``href``; ``AlreadyExists`` if something is there. Returns the ETag."""
        self._refuse_if_read_only()
        return self._create(href, data)

    def update(self, href: str, data: bytes, etag: str) -> str | None:
        """Replace the object at ``href`` if its ETag is still ``etag``. Returns the new ETag."""
        self._refuse_if_read_only()
        if not etag:
            raise PreconditionFailed(f"{self.name}: {href}: no ETag known; not changed")
        return self._update(href, data, etag)

    def delete(self, href: str, etag: str) -> None:
        """Remove the object at ``href`` if its ETag is still ``etag``; gone already is fine."""
        self._refuse_if_read_only()
        if not etag:
            raise PreconditionFailed(f"{self.name}: {href}: no ETag known; not withdrawn")
        self._delete(href, etag)

    def commit(self) -> None:
        """Make the writes durable (the .ics file is written once, atomically)."""
        return None

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyStore(
                f"{self.name}: read-only (a feed or standard input); give --target "
                "a calendar to write the reminders to"
            )

    def _create(self, href: str, data: bytes) -> str | None:
        raise ReadOnlyStore(f"{self.name}: cannot be written")

    def _update(self, href: str, data: bytes, etag: str) -> str | None:
        raise ReadOnlyStore(f"{self.name}: cannot be written")

    def _delete(self, href: str, etag: str) -> None:
        raise ReadOnlyStore(f"{self.name}: cannot be written")


#: The old name of the protocol, kept while callers move to ``Store``.
SyncStore = Store
