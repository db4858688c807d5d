"""A small stdlib HTTP server that misbehaves on purpose, for what real servers never do.

Radicale and Xandikos cannot be made to list hrefs on other hosts, drop
ETags, trickle an answer a byte at a time, rate-limit or redirect a feed
elsewhere; this server does exactly what each test scripts. ``Fake.answer``
maps ``(method, path)`` to a function returning (status, headers, body),
and ``Fake.requests`` records every request with its headers.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[["Seen"], Reply]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Fake:
    base: str = ""
    answer: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    #: Seconds between bytes of the body: a server that trickles.
    trickle: float = 0.0

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]


def _handler(fake: Fake) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, dict(self.headers.items()), body)
            fake.requests.append(seen)
            handler = fake.answer.get((self.command, self.path)) or fake.answer.get(
                (self.command, "*")
            )
            status, headers, data = handler(seen) if handler else (404, {}, b"not here")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                if fake.trickle:
                    for index in range(len(data)):
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                        time.sleep(fake.trickle)
                else:
                    self.wfile.write(data)
            except OSError:
                pass

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_POST = _any

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(fake: Fake | None = None) -> Iterator[Fake]:
    fake = fake or Fake()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
