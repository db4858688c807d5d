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

Transient failures (5xx, timeouts, dropped connections) are retried a few
times with backoff. Every error becomes one line without the password.
"""

from __future__ import annotations

import posixpath
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cal_followup.errors import AuthError, SourceError
from cal_followup.ics import Window, one_line, uids
from cal_followup.state import Memory
from cal_followup.stores.base import AlreadyExists, PreconditionFailed, StoredObject
from cal_followup.stores.feed import redact
from cal_followup.stores.httpbounds import (
    AnswerTooLarge,
    DeadlinePassed,
    bound_session,
    overall_seconds,
)
from cal_followup.transport import (
    certificate_message,
    is_certificate_error,
    verify_setting,
    watch_session,
)

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
NS = {"d": DAV, "c": CALDAV, "cs": CS}
RETRIES = 3
#: Re-read the whole window now and then, so events that were far in the future
#: when the cache was filled come into view as time passes.
FULL_REFRESH = timedelta(days=7)
TRANSIENT = {500, 502, 503, 504, 507}
#: The longest wait a server's Retry-After is honoured for; a longer one ends the run.
MAX_RETRY_AFTER = 60.0


def _xml(body: str) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(element: ET.Element | None) -> str | None:
    return element.text if element is not None and element.text is not None else None


class CalDavStore:
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

    # HTTP -----------------------------------------------------------------
    def _saw_status(self, status: int) -> None:
        self._status = status

    def _retry_wait(self, error: Any, attempt: int) -> float:
        """Seconds to wait before retrying a 429/503 (Retry-After honoured, bounded)."""
        wanted = getattr(error, "retry_after_seconds", None)
        wait = 0.5 * 2 ** (attempt - 1) if wanted is None else max(float(wanted), 0.0)
        if wait > MAX_RETRY_AFTER or attempt >= RETRIES:
            status = getattr(error, "status", None) or self._status or 429
            later = f" (it asks to wait {wait:.0f} seconds)" if wanted is not None else ""
            raise SourceError(
                f"{self.name}: the server is busy (HTTP {status}){later}; try again later"
            )
        return wait

    def _request(
        self, url: str, method: str, body: str = "", headers: dict[str, str] | None = None
    ) -> Any:
        from caldav.lib import error as caldav_error

        attempt = 0
        while True:
            attempt += 1
            self._status = 0
            try:
                response = self.client.request(url, method, body, headers or {})
            except caldav_error.RateLimitError as error:
                time.sleep(self._retry_wait(error, attempt))
                continue
            except DeadlinePassed:
                raise SourceError(
                    f"{self.name}: the server did not finish answering within "
                    f"{self.deadline:g} seconds"
                ) from None
            except AnswerTooLarge as error:
                raise SourceError(f"{self.name}: {error}; not read") from None
            except caldav_error.AuthorizationError as error:
                # The library raises for 403 too; a 403 is an answer the callers
                # decide on (an expired sync token, a UID conflict, no permission).
                if getattr(error, "status", None) == 403:
                    return _Answer(403, getattr(error, "body", None) or "")
                raise AuthError(self._auth_message(401)) from None
            except Exception as error:  # noqa: BLE001 - niquests raises many kinds
                kind = type(error).__name__
                if self._status >= 500:
                    # An error page instead of XML: the status says more than the parser.
                    if self._status in TRANSIENT and attempt < RETRIES:
                        time.sleep(0.5 * 2 ** (attempt - 1))
                        continue
                    status = self._status
                    raise SourceError(f"{self.name}: the server answered HTTP {status}") from None
                if "XMLSyntax" in kind or "ParseError" in kind:
                    raise SourceError(f"{self.name}: the answer is not valid XML") from None
                if "SSL" in kind or "Certificate" in kind or is_certificate_error(error):
                    raise SourceError(certificate_message(self.name)) from None
                transient = "Timeout" in kind or "ConnectionError" in kind
                if transient and attempt < RETRIES and "refused" not in str(error).lower():
                    time.sleep(0.5 * 2 ** (attempt - 1))
                    continue
                if "Timeout" in kind:
                    raise SourceError(f"{self.name}: the server did not answer in time") from None
                if "refused" in str(error).lower() or "NewConnectionError" in str(error):
                    raise SourceError(f"{self.name}: cannot connect (connection refused)") from None
                if "NameResolution" in str(error) or "getaddrinfo" in str(error):
                    raise SourceError(f"{self.name}: cannot resolve the server's name") from None
                raise SourceError(f"{self.name}: cannot reach the server ({kind})") from None
            status = int(response.status)
            if status in TRANSIENT and attempt < RETRIES:
                time.sleep(0.5 * 2 ** (attempt - 1))
                continue
            if status == 401:
                raise AuthError(self._auth_message(401))
            return response

    def _auth_message(self, status: int) -> str:
        if not self._password_set:
            return (
                f"{self.name}: the server asks for a password (HTTP {status}); set "
                "CAL_FOLLOWUP_PASSWORD, password_command or the keyring"
            )
        return f"{self.name}: the server refused the user name or password (HTTP {status})"

    def _fail(self, response: Any, what: str) -> SourceError:
        status = int(response.status)
        if status == 403:
            return AuthError(f"{self.name}: access forbidden while {what} (HTTP 403)")
        if status == 404:
            return SourceError(f"{self.name}: not found while {what} (HTTP 404)")
        return SourceError(f"{self.name}: the server answered HTTP {status} while {what}")

    @staticmethod
    def _tree(response: Any) -> ET.Element:
        raw = response.raw
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        try:
            return ET.fromstring(data)
        except ET.ParseError:
            return ET.Element("empty")

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

    # discovery ------------------------------------------------------------
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
        body = _xml('<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>')
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

    # reading --------------------------------------------------------------
    def _collection_tokens(self) -> tuple[str | None, str | None]:
        body = _xml(
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
            if " 200 " not in (_text(propstat.find("d:status", NS)) or " 200 "):
                continue
            token = token or _text(propstat.find(".//d:sync-token", NS))
            ctag = ctag or _text(propstat.find(".//cs:getctag", NS))
        return token, ctag

    def _query(self, window: Window) -> list[StoredObject]:
        body = _xml(
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            f'<c:time-range start="{_utc(window.start)}" end="{_utc(window.end)}"/>'
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
            href = _text(response.find("d:href", NS))
            data = _text(response.find(".//c:calendar-data", NS))
            if not href or data is None:
                continue
            etag = _text(response.find(".//d:getetag", NS))
            absolute = self._absolute(href)
            if self._inside(absolute):
                found.append(StoredObject(absolute, etag, data.encode("utf-8")))
        return found

    def _multiget(self, hrefs: list[str]) -> list[StoredObject]:
        if not hrefs:
            return []
        paths = "".join(f"<d:href>{_escape(urllib.parse.urlsplit(h).path)}</d:href>" for h in hrefs)
        body = _xml(
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{paths}</c:calendar-multiget>"
        )
        return self._report(body, "1", "fetching changed events")

    def _sync_collection(
        self, token: str
    ) -> tuple[str | None, list[tuple[str, str | None]], list[str]] | None:
        body = _xml(
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
            href = _text(item.find("d:href", NS))
            if not href:
                continue
            status = _text(item.find("d:status", NS)) or ""
            absolute = self._absolute(href)
            if not self._inside(absolute):
                continue
            if " 404 " in status:
                deleted.append(absolute)
            elif absolute.rstrip("/") != self.collection.rstrip("/"):
                changed.append((absolute, _text(item.find(".//d:getetag", NS))))
        return _text(tree.find("d:sync-token", NS)), changed, deleted

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

    def load(self, window: Window) -> list[StoredObject]:
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
        # its edge are seen; it has no upper bound that reminders could pass.
        wide = Window(window.start - timedelta(days=30), window.end + timedelta(days=400))
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
        body = _xml(
            '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            '<d:prop><d:getetag/><c:calendar-data/></d:prop>'
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
            if uid in uids(_text(item.find(".//c:calendar-data", NS)) or ""):
                return True
        return False

    # writing --------------------------------------------------------------
    def href_for(self, uid: str) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in uid.replace("@", "-"))
        return self._absolute(f"{safe}.ics")

    def _put(self, href: str, data: bytes, condition: dict[str, str]) -> Any:
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        return self._request(href, "PUT", data.decode("utf-8"), headers)

    def create(self, href: str, data: bytes) -> str | None:
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

    def _known_etag(self, href: str, etag: str | None) -> str | None:
        """The ETag to write with: the one given, else fetched first (one request).

        Without one a write would be blind and could overwrite an edit made
        meanwhile, so None here means: do not write.
        """
        if not self._inside(href, "a reminder"):
            raise PreconditionFailed(f"{redact(href)}: outside the calendar; not changed")
        if etag:
            return etag
        current = self.fetch(href)
        if current is None:
            return None
        if not current.etag:
            raise PreconditionFailed(
                f"{redact(href)}: the server gives no ETag for it, so it cannot be changed "
                "safely; left as it is"
            )
        return current.etag

    def update(self, href: str, data: bytes, etag: str | None) -> str | None:
        etag = self._known_etag(href, etag)
        if etag is None:
            raise PreconditionFailed(f"{redact(href)}: deleted on the server meanwhile")
        response = self._put(href, data, {"If-Match": etag})
        status = int(response.status)
        if status in (409, 412):
            raise PreconditionFailed(f"{redact(href)}: changed on the server meanwhile")
        if status >= 400:
            raise self._fail(response, "updating a reminder")
        self.memory.update_objects([(href, response.headers.get("ETag"), data)], [])
        return response.headers.get("ETag")

    def delete(self, href: str, etag: str | None) -> None:
        etag = self._known_etag(href, etag)
        if etag is None:
            self.memory.update_objects([], [href])
            return
        response = self._request(href, "DELETE", "", {"If-Match": etag})
        status = int(response.status)
        if status == 412:
            raise PreconditionFailed(f"{redact(href)}: changed on the server meanwhile")
        if status >= 400 and status != 404:
            raise self._fail(response, "withdrawing a reminder")
        self.memory.update_objects([], [href])

    def commit(self) -> None:
        return None


@dataclass
class _Answer:
    """A response the library turned into an exception, turned back into a response."""

    status: int
    raw: str | bytes
    headers: dict[str, str] = field(default_factory=dict)




def _normal_path(path: str) -> str:
    """A URL path with percent-escapes decoded and dot-segments resolved."""
    decoded = urllib.parse.unquote(path)
    resolved = posixpath.normpath("/" + decoded.lstrip("/"))
    return resolved + ("/" if decoded.endswith("/") and resolved != "/" else "")


def inside_collection(url: str, collection: str) -> bool:
    """Whether ``url`` names something inside ``collection``: same origin, path below it."""
    try:
        target, base = urllib.parse.urlsplit(url), urllib.parse.urlsplit(collection)
        same_origin = (
            target.scheme.lower() == base.scheme.lower()
            and (target.hostname or "") == (base.hostname or "")
            and (target.port or _PORTS.get(target.scheme.lower()))
            == (base.port or _PORTS.get(base.scheme.lower()))
            and "@" not in target.netloc
        )
    except ValueError:
        return False
    if not same_origin:
        return False
    prefix = _normal_path(base.path).rstrip("/") + "/"
    path = _normal_path(target.path)
    return path.startswith(prefix) or path.rstrip("/") + "/" == prefix


_PORTS = {"http": 80, "https": 443}


def leaves_machine(host: str) -> bool:
    """Whether traffic to ``host`` goes over a network (loopback never does)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
