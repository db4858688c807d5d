"""The two UTC text forms cal-followup writes, in one place.

iCalendar's basic form (``20261201T080000Z``) goes into markers and CalDAV
time-range queries; the extended ISO form (``2026-12-01T08:00:00Z``) into the
state databases' timestamps. Both are compared as text elsewhere, so every
writer must spell them exactly alike.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def ical_utc(moment: datetime) -> str:
    """``moment`` as iCalendar UTC text, e.g. ``20261201T080000Z``."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso_utc_now() -> str:
    """The current time as ISO 8601 UTC text to the second, e.g. ``2026-12-01T08:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
