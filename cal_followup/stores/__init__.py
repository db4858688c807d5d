"""Where calendars live: an .ics file, a vdir folder, an http(s) feed, a CalDAV calendar.

Every kind of store keeps one contract (``base.Store``): objects read for a
window with their ETags, writes only with the ETag last seen, and a
read-only flag on the kinds that cannot be written. ``open_store`` (in
``registry``) is the one place that turns a SOURCE into a store.
"""

from __future__ import annotations

from cal_followup.stores.base import (
    AlreadyExists,
    Opening,
    PreconditionFailed,
    ReadOnlyStore,
    Store,
    StoredObject,
)
from cal_followup.stores.registry import open_store, opening_for

__all__ = [
    "AlreadyExists",
    "Opening",
    "PreconditionFailed",
    "ReadOnlyStore",
    "Store",
    "StoredObject",
    "open_store",
    "opening_for",
]
