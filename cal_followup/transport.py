"""What every HTTP request shares: whom to trust, one certificate message, the request log.

CalDAV goes through the caldav library's niquests session and feeds through
urllib; both take their TLS trust from here (``verify_tls``, ``ca_cert``),
both say the same line when a certificate cannot be verified, and both
report each request to the ``--debug`` log: method, URL path, status and
time taken. The log never holds headers, bodies, query strings or the
userinfo part of a URL, and a feed's path (which can be its secret) is
replaced by its host, so no password or token can reach it. A CalDAV path
does show the collection's name, often the user name.
"""

from __future__ import annotations

import logging
import os
import ssl
import sys
import time
import urllib.parse
import warnings
from typing import Any

from cal_followup.errors import ConfigError

REQUEST_LOG = logging.getLogger("cal_followup.requests")


def enable_request_log(stream: Any = None) -> None:
    """Print one line per HTTP request on ``stream`` (stderr): the --debug request log."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("cal-followup: request: %(message)s"))
    REQUEST_LOG.handlers = [handler]
    REQUEST_LOG.setLevel(logging.DEBUG)
    REQUEST_LOG.propagate = False


def disable_request_log() -> None:
    REQUEST_LOG.handlers = []
    REQUEST_LOG.setLevel(logging.WARNING)


def log_request(
    method: str, url: str, status: int | str, seconds: float | None, *, secret_path: bool = False
) -> None:
    """One log line: ``PROPFIND /sam/cal/ 207 12 ms``; only the path of the URL.

    ``secret_path``: the path itself may be the secret (a private feed address,
    Google's ``/private-<key>/basic.ics``), so only the host is named.
    """
    if not REQUEST_LOG.isEnabledFor(logging.DEBUG):
        return
    try:
        parts = urllib.parse.urlsplit(url)
        path = f"//{parts.hostname or '?'}/…" if secret_path else parts.path or "/"
    except ValueError:
        path = "?"
    elapsed = f" {seconds * 1000:.0f} ms" if seconds is not None else ""
    REQUEST_LOG.debug("%s %s %s%s", method.upper(), path, status, elapsed)


def watch_session(session: Any) -> None:
    """Log every response of a requests/niquests session (the caldav library's)."""
    hooks = getattr(session, "hooks", None)
    if not isinstance(hooks, dict):
        return

    def on_response(response: Any, *args: Any, **kwargs: Any) -> Any:
        request = getattr(response, "request", None)
        elapsed = getattr(response, "elapsed", None)
        log_request(
            str(getattr(request, "method", "?")),
            str(getattr(request, "url", "") or getattr(response, "url", "")),
            getattr(response, "status_code", "?"),
            elapsed.total_seconds() if elapsed is not None else None,
        )
        return response

    hooks.setdefault("response", []).append(on_response)


class Timer:
    """Seconds since creation, for the request log of urllib requests."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start


# TLS --------------------------------------------------------------------------------


def certificate_message(name: str) -> str:
    """The one line every command prints when a server's certificate is not trusted."""
    return (
        f"{name}: the server's TLS certificate cannot be verified; set ca_cert to the PEM "
        "file of the certificate (or of its authority), or verify_tls = false only for a "
        "server you trust"
    )


def is_certificate_error(error: BaseException) -> bool:
    """Does this exception (urllib, niquests, urllib3, ssl) mean a certificate failure?"""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        kind = type(current).__name__
        text = str(current)
        if "Certificate" in kind or "CERTIFICATE_VERIFY_FAILED" in text:
            return True
        if "SSLError" in kind and "certificate" in text.lower():
            return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            if is_certificate_error(reason):
                return True
        current = current.__cause__ or current.__context__
    return False


def checked_ca_cert(path: str | None) -> str | None:
    """The ``ca_cert`` file, with ~ expanded; one clear line when it cannot be read."""
    if not path:
        return None
    expanded = os.path.expanduser(path)
    try:
        ssl.create_default_context(cafile=expanded)
    except FileNotFoundError:
        raise ConfigError(f"ca_cert: {path}: no such file") from None
    except (ssl.SSLError, OSError, ValueError):
        raise ConfigError(f"ca_cert: {path}: not a PEM certificate file") from None
    return expanded


def verify_setting(verify_tls: bool, ca_cert: str | None) -> bool | str:
    """What requests/niquests take as ``verify``: False, True or the CA file."""
    if not verify_tls:
        quiet_insecure_warnings()
        return False
    return checked_ca_cert(ca_cert) or True


def ssl_context(verify_tls: bool, ca_cert: str | None) -> ssl.SSLContext | None:
    """The context for urllib (feeds); None means the default trust."""
    if not verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = checked_ca_cert(ca_cert)
    return ssl.create_default_context(cafile=cafile) if cafile else None


def quiet_insecure_warnings() -> None:
    """The user chose verify_tls = false: no warning per request (cron would mail each one)."""
    warnings.filterwarnings("ignore", message=".*[Uu]nverified HTTPS request.*")
    for module in ("urllib3", "urllib3_future"):
        try:
            exceptions = __import__(f"{module}.exceptions", fromlist=["InsecureRequestWarning"])
        except ImportError:
            continue
        category = getattr(exceptions, "InsecureRequestWarning", None)
        if category is not None:
            warnings.filterwarnings("ignore", category=category)


#: Trust for feeds, set once per run from the settings (see ``configure``).
_feed_trust: dict[str, Any] = {"verify_tls": True, "ca_cert": None}


def configure(verify_tls: bool, ca_cert: str | None) -> None:
    """Take the run's TLS settings, for the requests that are not CalDAV."""
    _feed_trust.update(verify_tls=verify_tls, ca_cert=ca_cert)
    if not verify_tls:
        quiet_insecure_warnings()


def feed_context() -> ssl.SSLContext | None:
    return ssl_context(bool(_feed_trust["verify_tls"]), _feed_trust["ca_cert"])
