"""One IMAP connection, opened safely and spoken to through the stdlib ``imaplib``.

TLS always protects the credentials: ``imaps://`` connects with TLS, and
``imap://`` must upgrade with STARTTLS. A server that does not offer
STARTTLS is refused unless it runs on this machine (a loopback address),
where nothing travels over a network; that is what a local bridge such as
Proton Bridge or a test server looks like. Authentication is SASL XOAUTH2 or
OAUTHBEARER when ``imap_token_command`` is set, else LOGIN with the password
from ``$CAL_FOLLOWUP_IMAP_PASSWORD``, ``imap_password_command`` or the
keyring. Every failure becomes a ``MailError`` holding one line that names
the server and never the secret.
"""

from __future__ import annotations

import imaplib
import os
import socket
import ssl
from collections.abc import Callable

from cal_followup.config import AccountSettings, Settings
from cal_followup.errors import ConfigError, FollowupError
from cal_followup.imapurl import ImapAddress, parse_imap_url
from cal_followup.oauth import run_secret_command

PASSWORD_VARIABLE = "CAL_FOLLOWUP_IMAP_PASSWORD"
KEYRING_SERVICE = "cal-followup"


class MailError(FollowupError):
    """The mailbox part failed; the calendar part of the run is not affected."""

    exit_status = 1


def imap_user(settings: Settings) -> str:
    return settings.imap.user or (settings.me[0] if settings.me else "")


def _password(account: AccountSettings, address: ImapAddress, user: str) -> str:
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment:
        return from_environment
    if account.password_command:
        return run_secret_command(account.password_command, "imap_password_command")
    try:
        import keyring  # optional: only when the user installed it

        found = keyring.get_password(KEYRING_SERVICE, f"{user}@{address.host}")
    except Exception:  # noqa: BLE001 - no keyring, or one without a backend
        found = None
    if not found:
        raise MailError(
            f"{address.label}: no IMAP password; set {PASSWORD_VARIABLE}, "
            "imap_password_command, imap_token_command or the keyring"
        )
    return str(found)


def _tls_context(account: AccountSettings) -> ssl.SSLContext:
    try:
        # ~ expanded as for ca_cert (transport.checked_ca_cert does it for CalDAV).
        cafile = os.path.expanduser(account.ca_cert) if account.ca_cert else None
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError):
        raise ConfigError(f"imap_ca_cert: cannot read {account.ca_cert!r}") from None


def xoauth2_string(user: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (Google's and Microsoft's format)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer_string(user: str, token: str, address: ImapAddress) -> bytes:
    """The SASL OAUTHBEARER initial response (RFC 7628)."""
    gs2 = "n,a=" + user.replace("=", "=3D").replace(",", "=2C") + ","
    return (
        f"{gs2}\x01host={address.host}\x01port={address.port}\x01auth=Bearer {token}\x01\x01"
    ).encode()


def _once(payload: bytes) -> Callable[[bytes], bytes]:
    # After a refused token the server sends an error challenge and waits for an
    # empty answer; answering the token again would loop.
    sent = [False]

    def answer(_challenge: bytes) -> bytes:
        if sent[0]:
            return b""
        sent[0] = True
        return payload

    return answer


class Account:
    """A logged-in IMAP connection; use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.imap = settings.imap
        assert self.imap.url
        self.address = parse_imap_url(self.imap.url)
        self.settings = settings
        self.user = imap_user(settings)
        self.conn: imaplib.IMAP4 = self._connect()
        try:
            self._authenticate()
            self._refresh_capabilities()
        except BaseException:
            self._close()
            raise

    def __enter__(self) -> Account:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._close()

    @property
    def capabilities(self) -> set[str]:
        return {str(c).upper() for c in self.conn.capabilities}

    def _connect(self) -> imaplib.IMAP4:
        address, timeout = self.address, self.settings.timeout
        context = _tls_context(self.imap)
        try:
            if address.secure:
                return imaplib.IMAP4_SSL(
                    address.host, address.port, ssl_context=context, timeout=timeout
                )
            conn = imaplib.IMAP4(address.host, address.port, timeout=timeout)
            if "STARTTLS" in {str(c).upper() for c in conn.capabilities}:
                conn.starttls(context)
            elif not address.loopback:
                conn.shutdown()
                raise MailError(
                    f"{address.label}: the server offers no STARTTLS; refusing to send "
                    "credentials unencrypted (use imaps://)"
                )
            return conn
        except MailError:
            raise
        except Exception as error:  # noqa: BLE001 - socket, ssl and imaplib errors
            raise MailError(connection_message(address, error)) from None

    def _authenticate(self) -> None:
        label = self.address.label
        try:
            if self.imap.token_command:
                token = run_secret_command(self.imap.token_command, "imap_token_command")
                if "AUTH=OAUTHBEARER" in self.capabilities:
                    payload = oauthbearer_string(self.user, token, self.address)
                    self.conn.authenticate("OAUTHBEARER", _once(payload))
                else:
                    self.conn.authenticate("XOAUTH2", _once(xoauth2_string(self.user, token)))
                return
            password = _password(self.imap, self.address, self.user)
            if password.isascii():
                self.conn.login(self.user, password)
            else:
                # LOGIN cannot carry non-ASCII; SASL PLAIN carries UTF-8.
                payload = f"\0{self.user}\0{password}".encode()
                self.conn.authenticate("PLAIN", _once(payload))
        except FollowupError:
            raise
        except imaplib.IMAP4.error:
            what = "access token" if self.imap.token_command else "user name or password"
            raise MailError(f"{label}: the IMAP server refused the {what}") from None
        except Exception as error:  # noqa: BLE001 - a connection lost while logging in
            raise MailError(connection_message(self.address, error)) from None

    def _refresh_capabilities(self) -> None:
        # Servers announce more after login (UIDPLUS, SPECIAL-USE); imaplib keeps
        # only the list it got before.
        status, data = self.conn.capability()
        if status == "OK" and data and data[-1]:
            words = bytes(data[-1]).decode("ascii", "replace").upper().split()
            self.conn.capabilities = tuple(words)

    def leave_folder(self) -> None:
        """Deselect without CLOSE, which would expunge what the user marked deleted."""
        if self.conn.state != "SELECTED":
            return
        if "UNSELECT" in self.capabilities:
            self.conn.unselect()
        else:
            # Selecting a folder that does not exist leaves none selected (RFC 3501 6.3.1).
            self.conn.select('"cal-followup-none"', readonly=True)

    def _close(self) -> None:
        try:
            # LOGOUT never expunges; CLOSE would.
            self.conn.logout()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def connection_message(address: ImapAddress, error: BaseException) -> str:
    """One line for a network failure, without anything the server or user sent."""
    label = address.label
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"{label}: TLS certificate verification failed (see imap_ca_cert)"
    if isinstance(error, ssl.SSLError):
        return f"{label}: TLS failed ({error.reason or 'handshake'})"
    if isinstance(error, ConnectionRefusedError):
        return f"{label}: cannot connect (connection refused)"
    if isinstance(error, socket.gaierror):
        return f"{label}: cannot resolve the server's name"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{label}: the server did not answer in time"
    if isinstance(error, imaplib.IMAP4.abort | EOFError | ConnectionError):
        return f"{label}: the server closed the connection"
    if isinstance(error, OSError):
        return f"{label}: cannot connect ({error.strerror or type(error).__name__})"
    return f"{label}: IMAP failed ({type(error).__name__})"
