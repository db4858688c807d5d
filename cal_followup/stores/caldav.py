"""A CalDAV calendar, read and written with care for the server and the user's data.

The caldav library provides the HTTP client (authentication, TLS, sessions)
and discovery (principal, calendar home, the calendar list); the requests
that matter are written out here so that each one is exactly what RFC 4791
and RFC 6578 ask for:

- the first run reads with a server-side time-range query over the planning
  window, after noting the collection's sync token (or ctag);
- later runs ask only for what changed since that token (``sync-collection``)
  and fetch the changed objects in one ``calendar-multiget``; a server
  without sync tokens is asked for its ctag, and re-queried only when it
  moved. A run with nothing changed costs one or two requests, whatever the
  calendar's size;
- writes are plain PUTs with ``If-None-Match: *`` (create never overwrites)
  or ``If-Match`` with the ETag last seen (an edit made meanwhile is never
  overwritten), never through ``Calendar.add_event``, which rewrites related
  events on the server. ``METHOD`` is never written.

The HTTP side (retries, one-line errors) is ``davhttp.DavSession``.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from cal_followup.errors import SourceError
from cal_followup.ics import Window, one_line, uids
from cal_followup.state import Memory
from cal_followup.stores.base import (
    AlreadyExists,
    Opening,
    PreconditionFailed,
    Store,
    StoredObject,
)
from cal_followup.stores.davdiscovery import DavDiscovery
from cal_followup.stores.davhttp import (
    NS,
    inside_collection,
    leaves_machine,
    text_of,
    xml_document,
)
from cal_followup.stores.davhttp import escape as _escape
from cal_followup.stores.feed import is_url, redact, reject_password_in_url
from cal_followup.stores.httpbounds import bound_session, overall_seconds
from cal_followup.transport import (
    verify_setting,
    watch_session,
)
from cal_followup.utc import ical_utc

__all__ = ["CalDavStore", "inside_collection", "leaves_machine"]

#: Re-read the whole window now and then, so events that were far in the future
#: when the cache was filled come into view as time passes.
FULL_REFRESH = timedelta(days=7)


class CalDavStore(DavDiscovery, Store):
    """One calendar collection on a CalDAV server, remembered between runs in ``memory``."""

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        return is_url(spec)

    @classmethod
    def open(cls, spec: str, opening: Opening) -> CalDavStore:
        """The store with the password (or token) the user configured for this server."""
        from cal_followup.credentials import find_password, required_password

        reject_password_in_url(spec)
        account = opening.account
        user = account.user or urllib.parse.unquote(urllib.parse.urlsplit(spec).username or "")
        # With token_command the token replaces the password (OAuth2, e.g. Google).
        password: str | None = None
        if not account.token_command:
            password = (
                required_password(user, spec, account.password_command)
                if user
                else find_password(None, spec, account.password_command)
            )
        store = cls(
            spec,
            user=account.user,
            password=password,
            calendar=opening.calendar,
            create=opening.create,
            verify_tls=opening.verify_tls,
            ca_cert=account.ca_cert,
            timeout=opening.timeout,
        )
        if account.token_command:
            from cal_followup.oauth import run_secret_command, use_bearer_token

            use_bearer_token(store, run_secret_command(account.token_command, "token_command"))
        return store

    def __init__(
        self,
        url: str,
        *,
        user: str | None,
        password: str | None,
        calendar: str | None = None,
        create: bool = False,
        verify_tls: bool = True,
        ca_cert: str | None = None,
        timeout: float = 30.0,
        memory: Memory | None = None,
    ) -> None:
        from caldav import DAVClient

        self.url = url
        self.name = redact(url) + (f" (calendar {calendar!r})" if calendar else "")
        self.identity = "caldav:" + redact(url) + (f"#{calendar}" if calendar else "")
        self.calendar_name = calendar
        self.create_calendar = create
        self.memory = memory or Memory(None)
        parts = urllib.parse.urlsplit(url)
        if parts.username and not user:
            user = urllib.parse.unquote(parts.username)
        if parts.password and not password:
            password = urllib.parse.unquote(parts.password)
        clean = redact(url)
        self.client = DAVClient(  # type: ignore[operator]
            clean,
            username=user,
            password=password,
            auth_type="basic" if user else None,
            timeout=int(timeout),
            ssl_verify_cert=verify_setting(verify_tls, ca_cert),
        )
        watch_session(self.client.session)
        self._password_set = bool(password)
        self._status = 0
        #: Warnings for the run's output (hrefs ignored, writes skipped).
        self.warnings: list[str] = []
        #: Warnings shown even with --quiet (the first run's plain-http warning).
        self.loud_warnings: list[str] = []
        self.deadline = overall_seconds(timeout)
        bound_session(self.client.session, self.deadline, on_status=self._saw_status)
        self._collection: str | None = None
        self._uids: set[str] | None = None

    def _absolute(self, href: str) -> str:
        return urllib.parse.urljoin(self.collection, href)

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _inside(self, url: str, what: str = "an event") -> bool:
        """Whether ``url`` lies inside our calendar collection; warns (once) when not.

        Hrefs come from the server: one naming another host, another
        collection or ``../`` out of ours is never read, written or deleted.
        """
        if inside_collection(url, self.collection):
            return True
        self._warn(
            f"{self.name}: the server named {what} outside the calendar "
            f"({one_line(redact(url), 120)}); ignored"
        )
        return False

    # reading --------------------------------------------------------------
    def _collection_tokens(self) -> tuple[str | None, str | None]:
        body = xml_document(
            '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
            "<d:prop><d:sync-token/><cs:getctag/></d:prop></d:propfind>"
        )
        response = self._request(
            self.collection, "PROPFIND", body, {"Depth": "0", "Content-Type": "application/xml"}
        )
        if int(response.status) >= 400:
            raise self._fail(response, "reading the calendar's properties")
        tree = self._tree(response)
        token = None
        ctag = None
        for propstat in tree.iterfind(".//d:propstat", NS):
            if " 200 " not in (text_of(propstat.find("d:status", NS)) or " 200 "):
                continue
            token = token or text_of(propstat.find(".//d:sync-token", NS))
            ctag = ctag or text_of(propstat.find(".//cs:getctag", NS))
        return token, ctag

    def _query(self, window: Window) -> list[StoredObject]:
        body = xml_document(
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            f'<c:time-range start="{ical_utc(window.start)}" end="{ical_utc(window.end)}"/>'
            "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
        )
        objects = self._report(body, "1", "querying the calendar")
        todo_body = body.replace('name="VEVENT"', 'name="VTODO"')
        # Reminders written as VTODO are ours too; a server without VTODO support
        # answers with an error, which only means there are none.
        try:
            objects += self._report(todo_body, "1", "querying tasks")
        except SourceError:
            pass
        # One object may hold a VEVENT and a VTODO (Xandikos accepts it): both
        # queries return it, and it is still one object.
        return list({o.href: o for o in reversed(objects)}.values())[::-1]

    def _report(self, body: str, depth: str, what: str) -> list[StoredObject]:
        response = self._request(
            self.collection, "REPORT", body, {"Depth": depth, "Content-Type": "application/xml"}
        )
        if int(response.status) >= 400:
            raise self._fail(response, what)
        return self._objects(self._tree(response))

    def _objects(self, tree: ET.Element) -> list[StoredObject]:
        found = []
        for response in tree.iterfind("d:response", NS):
            href = text_of(response.find("d:href", NS))
            data = text_of(response.find(".//c:calendar-data", NS))
            if not href or data is None:
                continue
            etag = text_of(response.find(".//d:getetag", NS))
            absolute = self._absolute(href)
            if self._inside(absolute):
                found.append(StoredObject(absolute, etag, data.encode("utf-8")))
        return found

    def _multiget(self, hrefs: list[str]) -> list[StoredObject]:
        if not hrefs:
            return []
        paths = "".join(f"<d:href>{_escape(urllib.parse.urlsplit(h).path)}</d:href>" for h in hrefs)
        body = xml_document(
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{paths}</c:calendar-multiget>"
        )
        return self._report(body, "1", "fetching changed events")

    def _sync_collection(
        self, token: str
    ) -> tuple[str | None, list[tuple[str, str | None]], list[str]] | None:
        body = xml_document(
            '<d:sync-collection xmlns:d="DAV:">'
            f"<d:sync-token>{_escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
            "<d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        response = self._request(
            self.collection, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"}
        )
        if int(response.status) in (400, 403, 409, 412, 507):
            return None  # the token expired or is not supported: read the window again
        if int(response.status) >= 400:
            raise self._fail(response, "asking for changes")
        tree = self._tree(response)
        changed: list[tuple[str, str | None]] = []
        deleted: list[str] = []
        for item in tree.iterfind("d:response", NS):
            href = text_of(item.find("d:href", NS))
            if not href:
                continue
            status = text_of(item.find("d:status", NS)) or ""
            absolute = self._absolute(href)
            if not self._inside(absolute):
                continue
            if " 404 " in status:
                deleted.append(absolute)
            elif absolute.rstrip("/") != self.collection.rstrip("/"):
                changed.append((absolute, text_of(item.find(".//d:getetag", NS))))
        return text_of(tree.find("d:sync-token", NS)), changed, deleted

    def _plain_http_warning(self) -> None:
        """Basic auth over plain http shows the password to the network: say so once a run.

        Cron runs with --quiet: there it is said on the first run only, so the
        user sees it once when setting up and the nightly job stays silent.
        """
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme.lower() != "http" or not self._password_set:
            return
        if not leaves_machine(parts.hostname or ""):
            return
        message = (
            f"{self.name}: the password is sent over plain http, readable on the network; "
            "use an https URL"
        )
        first_run = self.memory.get_meta("filled_at") is None
        target = self.loud_warnings if first_run else self.warnings
        if message not in target:
            target.append(message)

    def _load(self, window: Window) -> list[StoredObject]:
        self._plain_http_warning()
        memory = self.memory
        token, ctag = memory.get_meta("sync_token"), memory.get_meta("ctag")
        filled = memory.get_meta("filled_at")
        fresh = (
            filled is not None
            and datetime.fromisoformat(filled) > datetime.now(UTC) - FULL_REFRESH
            and memory.get_meta("window_start") is not None
            and (datetime.fromisoformat(memory.get_meta("window_start") or "") <= window.start)
        )
        if fresh and token:
            result = self._sync_collection(token)
            if result is not None:
                new_token, changed, deleted = result
                # Our own writes come back as changes; their ETags are known already.
                known = {href: etag for href, etag, _ in memory.cached_objects()}
                wanted = [href for href, etag in changed if etag is None or known.get(href) != etag]
                objects = self._multiget(wanted)
                fetched = {o.href for o in objects}
                # An href listed as changed but not returned is gone.
                gone = deleted + [h for h in wanted if h not in fetched]
                memory.update_objects([(o.href, o.etag, o.data) for o in objects], gone)
                memory.set_meta("sync_token", new_token or token)
                return self._cached()
        elif fresh and ctag:
            _, current = self._collection_tokens()
            if current == ctag:
                return self._cached()
        return self._full(window)

    def _full(self, window: Window) -> list[StoredObject]:
        token, ctag = self._collection_tokens()
        # The query starts a little before the window so reminders of interviews at
        # its edge are seen; its end is as far past the window as any reminder can be due.
        wide = Window(window.start - timedelta(days=30), window.end + window.reach)
        objects = self._query(wide)
        memory = self.memory
        memory.replace_objects([(o.href, o.etag, o.data) for o in objects])
        memory.set_meta("sync_token", token)
        memory.set_meta("ctag", ctag)
        memory.set_meta("filled_at", datetime.now(UTC).isoformat())
        memory.set_meta("window_start", wide.start.isoformat())
        return objects

    def _cached(self) -> list[StoredObject]:
        return [StoredObject(h, e, d) for h, e, d in self.memory.cached_objects()]

    def fetch(self, href: str) -> StoredObject | None:
        if not self._inside(href):
            return None
        response = self._request(href, "GET")
        if int(response.status) == 404:
            return None
        if int(response.status) >= 400:
            raise self._fail(response, "reading an event")
        raw = response.raw
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        return StoredObject(href, response.headers.get("ETag"), data)

    def has_uid(self, uid: str) -> bool:
        body = xml_document(
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            '<c:filter><c:comp-filter name="VCALENDAR">'
            '<c:comp-filter name="VEVENT"><c:prop-filter name="UID">'
            f'<c:text-match collation="i;octet">{_escape(uid)}</c:text-match>'
            "</c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
        )
        response = self._request(
            self.collection, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"}
        )
        if int(response.status) >= 400:
            return True  # cannot tell: assume it exists, so nothing is withdrawn by mistake
        # text-match is a substring match ("iv-1" finds "iv-10"): compare exactly.
        for item in self._tree(response).iterfind("d:response", NS):
            if uid in uids(text_of(item.find(".//c:calendar-data", NS)) or ""):
                return True
        return False

    # writing --------------------------------------------------------------
    def href_for(self, uid: str) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in uid.replace("@", "-"))
        return self._absolute(f"{safe}.ics")

    def _put(self, href: str, data: bytes, condition: dict[str, str]) -> Any:
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        return self._request(href, "PUT", data.decode("utf-8"), headers)

    def _create(self, href: str, data: bytes) -> str | None:
        response = self._put(href, data, {"If-None-Match": "*"})
        status = int(response.status)
        if status == 412:
            raise AlreadyExists(f"{href}: already exists")
        if status in (403, 409):
            # A UID conflict (RFC 4791 no-uid-conflict), or Nextcloud keeping the UID
            # of a deleted event in its trash bin: the reminder cannot be created.
            raise AlreadyExists(
                f"{redact(href)}: the server refused to create it "
                f"(HTTP {status}; a reminder with this UID exists or was deleted)"
            )
        if status >= 400:
            raise self._fail(response, "creating a reminder")
        self.memory.update_objects([(href, response.headers.get("ETag"), data)], [])
        return response.headers.get("ETag")

    def _ours(self, href: str) -> None:
        """Hrefs outside our collection are never written (they came from the server)."""
        if not self._inside(href, "a reminder"):
            raise PreconditionFailed(f"{redact(href)}: outside the calendar; not changed")

    def latest_etag(self, href: str) -> str | None:
        """The ETag on the server now (one GET); None, and forgotten, when it is gone."""
        self._ours(href)
        current = self.fetch(href)
        if current is None:
            self.memory.update_objects([], [href])
            return None
        if not current.etag:
            raise PreconditionFailed(
                f"{redact(href)}: the server gives no ETag for it, so it cannot be changed "
                "safely; left as it is"
            )
        return current.etag

    def _update(self, href: str, data: bytes, etag: str) -> str | None:
        self._ours(href)
        response = self._put(href, data, {"If-Match": etag})
        status = int(response.status)
        if status in (409, 412):
            raise PreconditionFailed(f"{redact(href)}: changed on the server meanwhile")
        if status >= 400:
            raise self._fail(response, "updating a reminder")
        self.memory.update_objects([(href, response.headers.get("ETag"), data)], [])
        return response.headers.get("ETag")

    def _delete(self, href: str, etag: str) -> None:
        self._ours(href)
        response = self._request(href, "DELETE", "", {"If-Match": etag})
        status = int(response.status)
        if status == 412:
            raise PreconditionFailed(f"{redact(href)}: changed on the server meanwhile")
        if status >= 400 and status != 404:
            raise self._fail(response, "withdrawing a reminder")
        self.memory.update_objects([], [href])


