"""A real IMAP server for the tests: pymap with its in-memory backend.

``imap_server`` starts ``pymap dict --demo-data`` on 127.0.0.1 with a free
port (a plain connection: the client allows that only on loopback), one
fresh server per test, and stops it afterwards. The demo account has an
INBOX with four messages, Sent and Trash, and no Drafts folder. ``Mailbox``
is raw access for the tests, bypassing cal-followup.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import imaplib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.servers import _stop, _wait, free_port

IMAP_USER, IMAP_PASSWORD = "demouser", "demopass"


@dataclass
class ImapServer:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"imap://127.0.0.1:{self.port}"


#: A self-signed certificate for 127.0.0.1 and localhost (valid for a century),
#: so STARTTLS and imap_ca_cert are tested without generating keys per run.
TLS_CERT = Path(__file__).parent / "tls" / "localhost-cert.pem"
TLS_KEY = Path(__file__).parent / "tls" / "localhost-key.pem"


def _pymap(tmp_path: Path, tls: bool, token: str | None = None) -> Iterator[ImapServer]:
    port = free_port()
    log = tmp_path / "pymap.log"
    code = "import sys; from pymap.main import main; sys.exit(main())"
    launcher = [str(Path(__file__).parent / "oauth_pymap.py"), token] if token else ["-c", code]
    security = ["--cert", str(TLS_CERT), "--key", str(TLS_KEY)] if tls else ["--no-tls"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *launcher, "--host", "127.0.0.1", "--port", str(port), *security]
            + ["--no-service", "admin", "dict", "--demo-data"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(port, process, log)
        yield ImapServer(port, log)
    finally:
        _stop(process)


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[ImapServer]:
    """Plain IMAP (no STARTTLS offered), which the client accepts on loopback only."""
    yield from _pymap(tmp_path, tls=False)


@pytest.fixture
def starttls_imap_server(tmp_path: Path) -> Iterator[ImapServer]:
    """IMAP offering STARTTLS with the test certificate."""
    yield from _pymap(tmp_path, tls=True)


class Mailbox:
    """Raw IMAP access to the demo account."""

    def __init__(self, server: ImapServer) -> None:
        self.conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        self.conn.login(IMAP_USER, IMAP_PASSWORD)

    def close(self) -> None:
        self.conn.logout()

    def folders(self) -> list[str]:
        _, lines = self.conn.list()
        return [bytes(line).rsplit(b" ", 1)[-1].strip(b'"').decode() for line in lines if line]

    def create(self, name: str) -> None:
        assert self.conn.create(f'"{name}"')[0] == "OK"

    def deliver(
        self,
        folder: str,
        sender: str,
        date: str,
        subject: str = "Re: interview",
        flags: str = "()",
        in_reply_to: str | None = None,
    ) -> None:
        message = EmailMessage(policy=email.policy.SMTP)
        message["From"] = sender
        message["To"] = "sam.candidate@example.net"
        message["Subject"] = subject
        message["Date"] = date
        message["Message-ID"] = f"<{time.monotonic_ns()}@test.example>"
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
        message.set_content("Thanks, we will be in touch.")
        # The server's arrival time is the message's time, as after a real delivery.
        arrival = email.utils.parsedate_to_datetime(date)
        status, _ = self.conn.append(
            f'"{folder}"', flags, imaplib.Time2Internaldate(arrival), message.as_bytes()
        )
        assert status == "OK"

    def messages(self, folder: str) -> dict[str, tuple[bytes, bytes]]:
        """UID -> (FLAGS item, whole message), read without changing anything."""
        assert self.conn.select(f'"{folder}"', readonly=True)[0] == "OK"
        _, data = self.conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        found = {}
        for index, row in enumerate(data):
            if isinstance(row, tuple):
                # pymap sends UID after the literal, in the next piece imaplib returns.
                following = data[index + 1] if index + 1 < len(data) else b""
                meta = bytes(row[0]) + (following if isinstance(following, bytes) else b"")
                uid = meta.split(b"UID ", 1)[1].split()[0].strip(b")")
                flags = meta.split(b"FLAGS (", 1)[1].split(b")", 1)[0]
                found[uid.decode()] = (flags, bytes(row[1]))
        self.conn.close()
        return found

    def flags(self, folder: str) -> dict[str, bytes]:
        return {uid: flags for uid, (flags, _) in self.messages(folder).items()}

    def parsed(self, folder: str) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
            for _, raw in self.messages(folder).values()
        ]

    def replace_body(self, folder: str, uid: str, new_body: str) -> None:
        """What a mail program does when the user edits a draft: a new message, same ID."""
        flags, raw = self.messages(folder)[uid]
        message = email.message_from_bytes(raw, policy=email.policy.SMTP)
        message.set_content(new_body)
        assert self.conn.select(f'"{folder}"')[0] == "OK"
        self.conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        self.conn.expunge()
        self.conn.append(f'"{folder}"', r"(\Draft)", None, message.as_bytes())
        self.conn.close()

    def delete(self, folder: str, uid: str) -> None:
        assert self.conn.select(f'"{folder}"')[0] == "OK"
        self.conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        self.conn.expunge()
        self.conn.close()


IMAP_TOKEN = "imap-token-Q7x2"


@pytest.fixture
def xoauth2_imap_server(tmp_path: Path) -> Iterator[ImapServer]:
    """IMAP offering SASL XOAUTH2 that accepts only ``IMAP_TOKEN`` (tests/oauth_pymap.py)."""
    yield from _pymap(tmp_path, tls=False, token=IMAP_TOKEN)
