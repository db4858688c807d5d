"""Where calendars come from: an .ics file, a vdir folder, an http(s) feed.

Every kind of store yields the same thing, calendar objects as bytes with
a name for messages (``Item``); ``open_source`` picks the kind from the
SOURCE the user gave. Reading never changes anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from cal_followup.errors import SourceError


@dataclass(frozen=True)
class Item:
    """One calendar object as stored: its bytes and where it came from."""

    data: bytes
    where: str
    href: str | None = None
    etag: str | None = None


class Source(Protocol):
    """A readable calendar."""

    name: str

    def items(self) -> Iterator[Item]: ...


def open_source(
    spec: str,
    *,
    timeout: float = 30.0,
    user: str | None = None,
    password: Callable[[str | None], str | None] | None = None,
) -> Source:
    """The store ``spec`` names: a URL, a folder (vdir) or a file.

    ``password`` is asked for the feed's user's password only when there is a user.
    """
    lowered = spec.lower()
    if lowered.startswith(("http://", "https://", "webcal://", "webcals://")):
        from cal_followup.stores.feed import FeedSource

        feed = FeedSource(spec, timeout=timeout, user=user)
        if feed.user and password is not None:
            feed.password = password(feed.user)
        return feed
    if spec == "-":
        from cal_followup.stores.icsfile import StdinSource

        return StdinSource()
    if os.path.isdir(spec):
        from cal_followup.stores.vdir import VdirSource

        return VdirSource(spec)
    if os.path.exists(spec):
        from cal_followup.stores.icsfile import IcsFileSource

        return IcsFileSource(spec)
    raise SourceError(f"{spec}: no such file or folder")
