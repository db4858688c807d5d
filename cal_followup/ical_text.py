"""Small text helpers shared by the drafts and the iCalendar writer.

Kept apart from ``ical`` so that the pure core (policy, drafts) can build a
``mailto:`` link without importing the iCalendar library.
"""

from __future__ import annotations

from urllib.parse import quote


def mailto_link(to: str | None, subject: str, body: str) -> str:
    """A ``mailto:`` URI as RFC 6068 encodes it: every reserved character escaped.

    Line breaks in the body become CRLF (``%0D%0A``), as the RFC asks. The
    address is percent-encoded too, so nothing in it can add header fields.
    """
    body_crlf = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    address = quote(to, safe="@") if to else ""
    query = f"subject={quote(subject, safe='')}&body={quote(body_crlf, safe='')}"
    return f"mailto:{address}?{query}"
