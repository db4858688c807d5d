"""The ``imap_url`` setting: which IMAP server, over TLS or not, on which port.

Kept apart from ``cal_followup.mail`` so that ``config`` can check the URL
when the settings are loaded without importing the mailbox code (which
imports ``config``).
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from dataclasses import dataclass

from cal_followup.errors import ConfigError


@dataclass(frozen=True)
class ImapAddress:
    secure: bool  # imaps: TLS from the first byte
    host: str
    port: int

    @property
    def label(self) -> str:
        return f"{'imaps' if self.secure else 'imap'}://{self.host}:{self.port}"

    @property
    def loopback(self) -> bool:
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_imap_url(url: str) -> ImapAddress:
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("imap", "imaps"):
        raise ConfigError(f"imap_url must start with imaps:// or imap://, not {url!r}")
    if parts.username or parts.password:
        raise ConfigError("imap_url must not hold a user name or password; use imap_user")
    if not parts.hostname:
        raise ConfigError(f"imap_url has no host name: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"imap_url has a bad port: {url!r}") from None
    secure = scheme == "imaps"
    return ImapAddress(secure, parts.hostname, port or (993 if secure else 143))
