"""Finding the calendar collection a CalDAV URL means, once, and remembering it.

A URL can name the calendar itself, or a server, principal or home under
which ``--calendar NAME`` picks one (or makes it, with --create-target).
The collection found is kept in the calendar's memory, so later runs send
no discovery requests at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cal_followup.errors import AuthError, SourceError
from cal_followup.stores.davhttp import NS, DavSession, xml_document
from cal_followup.stores.feed import redact
from cal_followup.transport import certificate_message, is_certificate_error

if TYPE_CHECKING:
    from cal_followup.state import Memory


class DavDiscovery(DavSession):
    """The collection of a CalDAV store: from memory, the URL itself, or the calendar list."""

    url: str
    memory: Memory
    calendar_name: str | None
    create_calendar: bool
    _collection: str | None = None

    @property
    def collection(self) -> str:
        if self._collection is None:
            self._collection = self._resolve()
        return self._collection

    def _resolve(self) -> str:
        key = "calendar_url"
        cached = self.memory.get_meta(key)
        if cached:
            return cached
        clean = redact(self.url)
        if not self.calendar_name:
            if self._is_calendar(clean):
                url = clean if clean.endswith("/") else clean + "/"
                self.memory.set_meta(key, url)
                return url
            names = ", ".join(name for name, _ in self.calendars()) or "none"
            raise SourceError(
                f"{self.name}: not a calendar; choose one with --calendar NAME "
                f"(calendars here: {names})"
            )
        for name, url in self.calendars():
            if self.calendar_name in (name, url.rstrip("/").rsplit("/", 1)[-1]):
                self.memory.set_meta(key, url)
                return url
        if self.create_calendar:
            url = self._make_calendar(self.calendar_name)
            self.memory.set_meta(key, url)
            return url
        names = ", ".join(name for name, _ in self.calendars()) or "none"
        raise SourceError(
            f"{self.name}: no calendar named {self.calendar_name!r} (calendars here: {names})"
        )

    def _is_calendar(self, url: str) -> bool:
        body = xml_document(
            '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>'
        )
        response = self._request(
            url, "PROPFIND", body, {"Depth": "0", "Content-Type": "application/xml"}
        )
        if int(response.status) == 404:
            raise SourceError(f"{self.name}: no such calendar or server path (HTTP 404)")
        if int(response.status) >= 400:
            raise self._fail(response, "looking at the URL")
        tree = self._tree(response)
        return tree.find(".//d:resourcetype/c:calendar", NS) is not None

    def calendars(self) -> list[tuple[str, str]]:
        """(display name, URL) of every calendar the principal has."""
        from caldav.lib import error as caldav_error

        try:
            principal = self.client.principal()
            found = []
            for calendar in principal.calendars():
                name = calendar.get_display_name() or str(calendar.url).rstrip("/").rsplit("/")[-1]
                found.append((str(name), str(calendar.url)))
            return found
        except caldav_error.AuthorizationError:
            raise AuthError(self._auth_message(401)) from None
        except (AuthError, SourceError):
            raise
        except Exception as error:  # noqa: BLE001 - discovery failures are one line too
            if is_certificate_error(error):
                raise SourceError(certificate_message(self.name)) from None
            raise SourceError(
                f"{self.name}: cannot list calendars ({type(error).__name__})"
            ) from None

    def _make_calendar(self, name: str) -> str:
        try:
            calendar = self.client.principal().make_calendar(name=name)
        except Exception as error:  # noqa: BLE001
            raise SourceError(
                f"{self.name}: cannot create calendar {name!r} "
                f"({type(error).__name__}); create it in your calendar app"
            ) from None
        return str(calendar.url)
