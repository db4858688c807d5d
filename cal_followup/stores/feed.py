"""An http(s) or webcal feed serving an .ics file, read-only.

Credentials in the URL are used but never shown: every message names the
URL without its user-info part. ``ReadOnlyCalendar`` is what a feed and
standard input share: one whole calendar, read once, never written.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from cal_followup import __version__
from cal_followup.errors import AuthError, SourceError
from cal_followup.ics import Window, uids
from cal_followup.stores.base import Opening, Store, StoredObject
from cal_followup.stores.httpbounds import (
    AnswerTooLarge,
    DeadlinePassed,
    deadline,
    overall_seconds,
    read_capped,
)

MAX_FEED_BYTES = 64 * 1024 * 1024


def redact(url: str) -> str:
    """The URL without a user name or password."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # not a URL at all: show nothing that could be a secret
        return "<the feed URL>"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=netloc)
    return urllib.parse.urlunsplit(parts)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower(),
        parts.port or {"http": 80, "https": 443}.get(scheme),
    )


class _KeepCredentialsHome(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry the password to another scheme, host or port.

    urllib copies ``Authorization`` onto every redirect; a feed that answers
    307 to another host would hand it the user's password.
    """

    max_redirections = 5

    def redirect_request(  # type: ignore[override]
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            for name in list(new.headers):
                if name.lower() == "authorization":
                    del new.headers[name]
            new.unredirected_hdrs.pop("Authorization", None)
        return new


def _read(response: Any) -> bytes:
    return read_capped(iter(lambda: response.read(64 * 1024), b""), MAX_FEED_BYTES)


class FeedHTTPError(SourceError):
    """The server answered, but not with the feed: it may be a CalDAV collection."""


def reject_password_in_url(url: str) -> None:
    """Passwords never travel on the command line, so never inside a URL either."""
    from cal_followup.errors import ConfigError

    try:
        password = urllib.parse.urlsplit(url).password
    except ValueError as error:  # "http://[::1/x": no URL at all, and no secret to show
        raise ConfigError(f"{redact(url)}: not a valid URL ({error})") from None
    if password is not None:
        raise ConfigError(
            f"{redact(url)}: do not put the password in the URL; use $CAL_FOLLOWUP_PASSWORD, "
            "password_command or the system keyring"
        )


_SCHEMES = ("http://", "https://", "webcal://", "webcals://")


def is_url(spec: str) -> bool:
    """Whether ``spec`` is an http(s) or webcal URL rather than a path."""
    return spec.lower().startswith(_SCHEMES)


def is_feed_url(spec: str) -> bool:
    """A webcal URL, or an http(s) URL whose path ends in .ics: a feed, not a CalDAV server."""
    lowered = spec.lower()
    path = lowered.split("?", 1)[0]
    return is_url(spec) and (
        lowered.startswith(("webcal://", "webcals://")) or path.endswith(".ics")
    )


class ReadOnlyCalendar(Store):
    """One whole calendar read at once and never written: a feed, or standard input."""

    read_only = True

    def __init__(self, name: str, identity: str) -> None:
        self.name = name
        self.identity = identity
        self._data: bytes | None = None
        self._uids: set[str] | None = None

    def download(self) -> bytes:
        """The calendar's bytes, read once."""
        raise NotImplementedError

    def _load(self, window: Window) -> list[StoredObject]:
        if self._data is None:
            self._data = self.download()
            self._uids = uids_in(self._data)
        return [StoredObject(self.name, None, self._data)]

    def fetch(self, href: str) -> StoredObject | None:
        if href != self.name or self._data is None:
            return None
        return StoredObject(self.name, None, self._data)

    def has_uid(self, uid: str) -> bool:
        # Before the first read nothing is known: say yes, so nothing is withdrawn by mistake.
        return self._uids is None or uid in self._uids


def uids_in(data: bytes) -> set[str]:
    # The whole calendar is here, so which interviews exist is known exactly.
    return set(uids(data))


class FeedStore(ReadOnlyCalendar):
    """A feed, with the user from the URL or ``user`` and the password looked up for it."""

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        return is_feed_url(spec)

    @classmethod
    def open(cls, spec: str, opening: Opening) -> FeedStore:
        feed = cls(spec, timeout=opening.timeout, user=opening.account.user)
        if feed.user:
            from cal_followup.credentials import required_password

            feed.password = required_password(feed.user, spec, opening.account.password_command)
        return feed

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        user: str | None = None,
        password: str | None = None,
    ) -> None:
        if url.lower().startswith("webcal"):
            url = "http" + url[len("webcal") :]
        reject_password_in_url(url)
        super().__init__(redact(url), "feed:" + redact(url))
        self.url = url
        self.timeout = timeout
        parts = urllib.parse.urlsplit(url)
        self.user = urllib.parse.unquote(parts.username) if parts.username else user
        self.password = password

    def _request(self) -> urllib.request.Request:
        headers = {"User-Agent": f"cal-followup/{__version__}", "Accept": "text/calendar, */*"}
        if self.user:
            import base64

            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return urllib.request.Request(redact(self.url), headers=headers)

    def download(self) -> bytes:
        from cal_followup.transport import Timer, feed_context, log_request

        opener = urllib.request.build_opener(
            _KeepCredentialsHome(), urllib.request.HTTPSHandler(context=feed_context())
        )
        seconds = overall_seconds(self.timeout)
        timer = Timer()
        try:
            with deadline(seconds), opener.open(self._request(), timeout=self.timeout) as response:
                log_request("GET", self.name, response.status, timer.seconds, secret_path=True)
                data = _read(response)
        except DeadlinePassed:
            raise SourceError(
                f"{self.name}: the feed did not arrive within {seconds:g} seconds"
            ) from None
        except AnswerTooLarge:
            raise SourceError(
                f"{self.name}: the feed is larger than {MAX_FEED_BYTES >> 20} MB; not read"
            ) from None
        except urllib.error.HTTPError as error:
            log_request("GET", self.name, error.code, timer.seconds, secret_path=True)
            if error.code in (401, 403):
                raise AuthError(f"{self.name}: access refused (HTTP {error.code})") from None
            raise FeedHTTPError(f"{self.name}: HTTP {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            from cal_followup.transport import certificate_message, is_certificate_error

            log_request("GET", self.name, "failed", timer.seconds, secret_path=True)
            if is_certificate_error(error):
                raise SourceError(certificate_message(self.name)) from None
            reason = getattr(error, "reason", error)
            raise SourceError(f"{self.name}: cannot fetch the feed: {reason}") from None
        except TimeoutError:
            raise SourceError(f"{self.name}: no answer within {self.timeout:g} seconds") from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # HTTPException: the server broke off mid-answer (IncompleteRead and
            # friends); ValueError: a URL that is not one (a bad port, a bad host).
            detail = str(error).replace(self.url, self.name)
            raise SourceError(f"{self.name}: cannot fetch the feed: {detail}") from None
        return data
