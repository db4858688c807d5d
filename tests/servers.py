"""Real CalDAV servers for the tests: Radicale (with authentication) and Xandikos.

Each fixture starts the server from PyPI in a subprocess on 127.0.0.1 with a
free port and a temporary storage folder, waits until it answers, and stops
it afterwards. ``counting_proxy`` sits in front of a server and counts the
requests by method, so tests can see exactly what a run costs.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

USER, PASSWORD = "sam", "correct-horse-battery-staple"


@dataclass
class Server:
    kind: str
    base: str  # http://127.0.0.1:PORT
    user: str | None
    password: str | None
    home: str  # path of the user's calendar home, e.g. /sam/
    log: Path

    def calendar_url(self, name: str) -> str:
        return f"{self.base}{self.home}{name}/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_radicale(folder: Path, tls: tuple[Path, Path] | None = None) -> Iterator[Server]:
    """Radicale with basic auth in ``folder`` on a free port; over HTTPS with ``tls``
    (certificate, key)."""
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    ssl = f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n" if tls else ""
    config = folder / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n{ssl}"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\ndelay = 0\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "[rights]\ntype = owner_only\n"
        "[logging]\nlevel = info\nmask_passwords = True\n"
    )
    log = folder / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(port, process, log)
        scheme = "https" if tls else "http"
        yield Server("radicale", f"{scheme}://127.0.0.1:{port}", USER, PASSWORD, f"/{USER}/", log)
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server


@pytest.fixture(scope="module")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("xandikos")
    port = free_port()
    log = folder / "log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xandikos.web",
                "--defaults",
                "--current-user-principal",
                f"/{USER}/",
                "-d",
                str(folder / "data"),
                "-l",
                "127.0.0.1",
                "-p",
                str(port),
                "--no-detect-systemd",
                "--state-dir",
                str(folder / "state"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(port, process, log)
        # Xandikos' basic auth needs TLS, so it runs without authentication here.
        yield Server("xandikos", f"http://127.0.0.1:{port}", None, None, f"/{USER}/calendars/", log)
    finally:
        _stop(process)


@pytest.fixture(params=["radicale", "xandikos"])
def server(request: pytest.FixtureRequest) -> Server:
    """The same test against both servers."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@dataclass
class Proxy:
    url: str
    counts: Counter[str] = field(default_factory=Counter)
    #: Answer this many requests with 503 before passing requests on again.
    fail_next: int = 0
    #: Play a server without RFC 6578: no sync-token property, sync-collection refused.
    no_sync_tokens: bool = False

    def reset(self) -> None:
        self.counts.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def start_proxy(upstream: str) -> tuple[Proxy, http.server.ThreadingHTTPServer]:
    target = urllib.parse.urlsplit(upstream)
    proxy = Proxy("")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            proxy.counts[self.command] += 1
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if proxy.fail_next > 0:
                proxy.fail_next -= 1
                self.send_response(503, "Service Unavailable")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if (
                proxy.no_sync_tokens
                and self.command == "REPORT"
                and b"sync-collection" in (body or b"")
            ):
                refusal = b'<?xml version="1.0"?><error xmlns="DAV:"><supported-report/></error>'
                self.send_response(403, "Forbidden")
                self.send_header("Content-Length", str(len(refusal)))
                self.end_headers()
                self.wfile.write(refusal)
                return
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "connection", "accept-encoding")
            }
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            if proxy.no_sync_tokens and self.command == "PROPFIND":
                data = re.sub(rb"<(\w+:)?sync-token[^>]*>[^<]*</(\w+:)?sync-token>", b"", data)
            self.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in (
                    "transfer-encoding",
                    "connection",
                    "content-length",
                    "content-encoding",
                ):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_MKCALENDAR = _forward
        do_OPTIONS = do_POST = do_PROPPATCH = do_MKCOL = do_HEAD = _forward

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return proxy, httpd


@pytest.fixture
def counting_proxy(server: Server) -> Iterator[Proxy]:
    proxy, httpd = start_proxy(server.base)
    try:
        yield proxy
    finally:
        httpd.shutdown()
        httpd.server_close()


def new_calendar(server: Server, base: str | None = None) -> str:
    """A fresh, empty calendar on ``server``; returns its URL (through ``base`` if given)."""
    from caldav import DAVClient

    client = DAVClient(
        server.base + "/",
        username=server.user,
        password=server.password,
        auth_type="basic" if server.user else None,
    )
    name = "cal-" + uuid.uuid4().hex[:10]
    url = server.calendar_url(name)
    response = client.request(url, "MKCALENDAR", "")
    assert int(response.status) in (200, 201), response.status
    return (base or server.base) + server.home + name + "/"
