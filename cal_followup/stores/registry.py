"""The one place that turns a SOURCE the user gave into a store.

Each kind of store says which specs it understands (``claims``) and how to
open one (``open``); ``KINDS`` asks them in order and the first that claims
the spec opens it. Order matters where specs overlap: standard input, then a
feed (webcal, or an http URL ending in .ics), then any other http URL as a
CalDAV calendar, then a folder (vdir), then a file.

``plan`` and ``export`` read an http URL without .ics once; many servers
publish a feed there, so it is fetched as a feed first and read as a CalDAV
calendar only when the answer is not a calendar (``FeedOrCalDav``). ``sync``
keeps the calendar in step with a memory, so there it is always CalDAV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from cal_followup.errors import SourceError
from cal_followup.ics import Window
from cal_followup.stores.base import Opening, Store, StoredObject
from cal_followup.stores.caldav import CalDavStore
from cal_followup.stores.feed import FeedHTTPError, FeedStore, is_url
from cal_followup.stores.files import IcsFileStore, VdirStore
from cal_followup.stores.icsfile import StdinStore

if TYPE_CHECKING:
    from cal_followup.config import Settings


class StoreKind(Protocol):
    """A kind of store: which SOURCE specs it understands, and opening one."""

    read_only: ClassVar[bool]

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool: ...

    @classmethod
    def open(cls, spec: str, opening: Opening) -> Store: ...


class FeedOrCalDav(Store):
    """An http URL read once (by plan): a feed if it serves one, else a CalDAV calendar."""

    read_only = True

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        # With --calendar or a bearer token only CalDAV makes sense (Google's CalDAV
        # takes nothing else); a sync remembers the calendar, so it is CalDAV too.
        return (
            is_url(spec)
            and not opening.syncing
            and not opening.calendar
            and not opening.account.token_command
        )

    @classmethod
    def open(cls, spec: str, opening: Opening) -> FeedOrCalDav:
        return cls(spec, opening)

    def __init__(self, spec: str, opening: Opening) -> None:
        self.spec, self.opening = spec, opening
        self.chosen: Store = FeedStore.open(spec, opening)
        self.name, self.identity = self.chosen.name, self.chosen.identity

    def _load(self, window: Window) -> list[StoredObject]:
        try:
            objects = self.chosen.load(window)
        except FeedHTTPError:
            return self._as_caldav(window)
        if objects and b"BEGIN:VCALENDAR" not in objects[0].data[:4096].upper():
            return self._as_caldav(window)
        return objects

    def _as_caldav(self, window: Window) -> list[StoredObject]:
        self.chosen = CalDavStore.open(self.spec, self.opening)
        self.name, self.identity = self.chosen.name, self.chosen.identity
        return self.chosen.load(window)

    def fetch(self, href: str) -> StoredObject | None:
        return self.chosen.fetch(href)

    def has_uid(self, uid: str) -> bool:
        return self.chosen.has_uid(uid)


#: Asked in this order; the first kind that claims a spec opens it.
KINDS: tuple[type[StoreKind], ...] = (
    StdinStore,
    FeedStore,
    FeedOrCalDav,
    CalDavStore,
    VdirStore,
    IcsFileStore,
)


def kind_for(spec: str, opening: Opening) -> type[StoreKind]:
    """The kind of store ``spec`` names (nothing opened yet); SourceError when none claims it."""
    for kind in KINDS:
        if kind.claims(spec, opening):
            return kind
    raise SourceError(f"{spec}: no such file, folder or calendar")


def open_store(spec: str, opening: Opening) -> Store:
    """The store ``spec`` names, opened (secrets looked up, nothing read yet)."""
    return kind_for(spec, opening).open(spec, opening)


def opening_for(
    settings: Settings,
    *,
    calendar: str | None = None,
    create: bool = False,
    syncing: bool = False,
) -> Opening:
    """What opening a store needs, from the user's settings."""
    return Opening(
        calendar=calendar,
        create=create,
        syncing=syncing,
        timeout=settings.timeout,
        account=settings.caldav,
        verify_tls=settings.verify_tls,
    )
