"""The HTTP side of the CalDAV store: one request with retries, and every failure as one line.

``DavSession`` sends a WebDAV request through the caldav library's client
and turns what can go wrong into our own errors, without the password:
transient failures (5xx, timeouts, dropped connections) are retried a few
times with backoff, a 429 or 503 waits as long as the server asks within a
bound, and a 401 names the setting to fix. The helpers below it decide
whether an href the server sent lies inside our calendar, and whether a
host is reached over the network at all.
"""

from __future__ import annotations

import ipaddress
import posixpath
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from cal_followup.errors import AuthError, SourceError
from cal_followup.stores.httpbounds import AnswerTooLarge, DeadlinePassed
from cal_followup.transport import certificate_message, is_certificate_error

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
NS = {"d": DAV, "c": CALDAV, "cs": CS}
RETRIES = 3
TRANSIENT = {500, 502, 503, 504, 507}
#: The longest wait a server's Retry-After is honoured for; a longer one ends the run.
MAX_RETRY_AFTER = 60.0


def xml_document(body: str) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def text_of(element: ET.Element | None) -> str | None:
    return element.text if element is not None and element.text is not None else None


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Answer:
    """A response the library turned into an exception, turned back into a response."""

    status: int
    raw: str | bytes
    headers: dict[str, str] = field(default_factory=dict)


class _Retry(Exception):
    """Internal: wait this many seconds, then send the request again."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _backoff(attempt: int) -> float:
    return 0.5 * 2 ** (attempt - 1)


class DavSession:
    """Requests to one CalDAV server, with retries and one-line errors."""

    name: str
    client: Any
    deadline: float
    _status: int = 0
    _password_set: bool = False

    def _saw_status(self, status: int) -> None:
        self._status = status

    def _retry_wait(self, error: Any, attempt: int) -> float:
        """Seconds to wait before retrying a 429/503 (Retry-After honoured, bounded)."""
        wanted = getattr(error, "retry_after_seconds", None)
        wait = _backoff(attempt) if wanted is None else max(float(wanted), 0.0)
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
        attempt = 0
        while True:
            attempt += 1
            self._status = 0
            try:
                response = self._send_once(url, method, body, headers or {}, attempt)
            except _Retry as retry:
                time.sleep(retry.seconds)
                continue
            status = int(response.status)
            if status in TRANSIENT and attempt < RETRIES:
                time.sleep(_backoff(attempt))
                continue
            if status == 401:
                raise AuthError(self._auth_message(401))
            return response

    def _send_once(
        self, url: str, method: str, body: str, headers: dict[str, str], attempt: int
    ) -> Any:
        """One try: the response, ``_Retry`` to try again, or our own error."""
        from caldav.lib import error as caldav_error

        try:
            return self.client.request(url, method, body, headers)
        except caldav_error.RateLimitError as error:
            raise _Retry(self._retry_wait(error, attempt)) from None
        except DeadlinePassed:
            raise SourceError(
                f"{self.name}: the server did not finish answering within {self.deadline:g} seconds"
            ) from None
        except AnswerTooLarge as error:
            raise SourceError(f"{self.name}: {error}; not read") from None
        except caldav_error.AuthorizationError as error:
            # The library raises for 403 too; a 403 is an answer the callers
            # decide on (an expired sync token, a UID conflict, no permission).
            if getattr(error, "status", None) == 403:
                return Answer(403, getattr(error, "body", None) or "")
            raise AuthError(self._auth_message(401)) from None
        except Exception as error:  # noqa: BLE001 - niquests raises many kinds
            raise self._transport_failure(error, attempt) from None

    def _transport_failure(self, error: Exception, attempt: int) -> Exception:
        """What to raise for a failure below HTTP: ``_Retry`` when it is worth another try."""
        kind = type(error).__name__
        text = str(error)
        if self._status >= 500:
            # An error page instead of XML: the status says more than the parser.
            if self._status in TRANSIENT and attempt < RETRIES:
                return _Retry(_backoff(attempt))
            return SourceError(f"{self.name}: the server answered HTTP {self._status}")
        if "XMLSyntax" in kind or "ParseError" in kind:
            return SourceError(f"{self.name}: the answer is not valid XML")
        if "SSL" in kind or "Certificate" in kind or is_certificate_error(error):
            return SourceError(certificate_message(self.name))
        transient = "Timeout" in kind or "ConnectionError" in kind
        if transient and attempt < RETRIES and "refused" not in text.lower():
            return _Retry(_backoff(attempt))
        if "Timeout" in kind:
            return SourceError(f"{self.name}: the server did not answer in time")
        if "refused" in text.lower() or "NewConnectionError" in text:
            return SourceError(f"{self.name}: cannot connect (connection refused)")
        if "NameResolution" in text or "getaddrinfo" in text:
            return SourceError(f"{self.name}: cannot resolve the server's name")
        return SourceError(f"{self.name}: cannot reach the server ({kind})")

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


def _normal_path(path: str) -> str:
    """A URL path with percent-escapes decoded and dot-segments resolved."""
    decoded = urllib.parse.unquote(path)
    resolved = posixpath.normpath("/" + decoded.lstrip("/"))
    return resolved + ("/" if decoded.endswith("/") and resolved != "/" else "")


_PORTS = {"http": 80, "https": 443}


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


def leaves_machine(host: str) -> bool:
    """Whether traffic to ``host`` goes over a network (loopback never does)."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True
