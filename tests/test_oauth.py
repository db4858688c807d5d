"""OAuth2 bearer tokens: CalDAV through a proxy that accepts only the right token.

``token_command`` prints the token; the proxy in front of Radicale answers
401 to anything but ``Authorization: Bearer <that token>`` and passes the
good requests on with Radicale's own credentials. The token must never show
up in what cal-followup prints, with or without --debug, nor in its state.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import shlex
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cal_followup.cli import main
from cal_followup.mail.account import ImapAddress, oauthbearer_string, xoauth2_string
from tests.servers import Server, new_calendar, radicale
from tests.synchelpers import EXPECTED_FIRST_RUN, SAMPLE, safe_name, split_by_uid

__all__ = ["radicale"]

TOKEN = "ya29.test-token-Zk3q9"


class BearerProxy:
    def __init__(self, upstream: Server) -> None:
        self.seen: list[str] = []
        target = urllib.parse.urlsplit(upstream.base)
        basic = base64.b64encode(f"{upstream.user}:{upstream.password}".encode()).decode()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                given = self.headers.get("Authorization", "")
                proxy.seen.append(given.split(" ", 1)[0])
                if given != f"Bearer {TOKEN}":
                    self.send_response(401, "Unauthorized")
                    self.send_header("WWW-Authenticate", 'Bearer realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection", "accept-encoding", "authorization")
                }
                headers["Authorization"] = f"Basic {basic}"
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward
            do_HEAD = do_POST = do_PROPPATCH = do_MKCALENDAR = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def bearer_proxy(radicale: Server) -> Iterator[BearerProxy]:
    proxy = BearerProxy(radicale)
    try:
        yield proxy
    finally:
        proxy.httpd.shutdown()
        proxy.httpd.server_close()


def _calendar_with_samples(server: Server, proxy: BearerProxy) -> str:
    from caldav import DAVClient

    url = new_calendar(server)
    client = DAVClient(server.base + "/", username=server.user, password=server.password)
    for uid, data in split_by_uid(SAMPLE).items():
        response = client.request(url + safe_name(uid), "PUT", data.decode(), {})
        assert int(response.status) in (201, 204)
    return proxy.base + urllib.parse.urlsplit(url).path


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    printer = tmp_path / "token.py"
    printer.write_text(script)
    config = tmp_path / "config.toml"
    command = shlex.join([sys.executable, str(printer)])
    config.write_text(
        'timezone = "Europe/Helsinki"\ncountry = "FI"\nme = ["sam.candidate@example.net"]\n'
        f'name = "Sam Candidate"\ntoken_command = {json.dumps(command)}\n'
    )
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.delenv("CAL_FOLLOWUP_PASSWORD", raising=False)
    return config


def _run(config: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main([*argv, "--config", str(config), "--now", "2026-11-25T12:00"])
    out, err = capsys.readouterr()
    return status, out, err


def _state_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (tmp_path / "state").rglob("*") if p.is_file())


def test_sync_with_token_command(
    tmp_path: Path, radicale: Server, bearer_proxy: BearerProxy, monkeypatch, capsys
) -> None:
    url = _calendar_with_samples(radicale, bearer_proxy)
    config = _setup(tmp_path, monkeypatch, f"print({TOKEN!r})\n")
    status, out, err = _run(config, capsys, "sync", url, "--debug")
    assert status == 0, err
    assert f"{EXPECTED_FIRST_RUN} created" in out
    assert bearer_proxy.seen and set(bearer_proxy.seen) == {"Bearer"}
    status, out2, err2 = _run(config, capsys, "status", url, "--debug")
    assert status == 0
    for text in (out, err, out2, err2):
        assert TOKEN not in text
    assert TOKEN.encode() not in _state_bytes(tmp_path)


def test_plan_reads_a_calendar_with_token_command(
    tmp_path: Path, radicale: Server, bearer_proxy: BearerProxy, monkeypatch, capsys
) -> None:
    url = _calendar_with_samples(radicale, bearer_proxy)
    config = _setup(tmp_path, monkeypatch, f"print({TOKEN!r})\n")
    status, out, err = _run(config, capsys, "plan", url, "--json", "--debug")
    assert status == 0, err
    assert len(json.loads(out)) == EXPECTED_FIRST_RUN
    assert bearer_proxy.seen and set(bearer_proxy.seen) == {"Bearer"}
    assert TOKEN not in out + err


def test_failing_token_command_is_one_line(
    tmp_path: Path, radicale: Server, bearer_proxy: BearerProxy, monkeypatch, capsys
) -> None:
    url = _calendar_with_samples(radicale, bearer_proxy)
    script = f"import sys\nprint({TOKEN!r}, file=sys.stderr)\nsys.exit(3)\n"
    config = _setup(tmp_path, monkeypatch, script)
    status, out, err = _run(config, capsys, "sync", url)
    assert status == 2
    assert err.strip() == "cal-followup: token_command failed with exit status 3"
    assert TOKEN not in out + err
    assert bearer_proxy.seen == []


def test_refused_token_is_one_line_without_the_token(
    tmp_path: Path, radicale: Server, bearer_proxy: BearerProxy, monkeypatch, capsys
) -> None:
    url = _calendar_with_samples(radicale, bearer_proxy)
    config = _setup(tmp_path, monkeypatch, "print('expired-token-77')\n")
    status, out, err = _run(config, capsys, "sync", url, "--debug")
    assert status == 2
    assert "refused the access token" in err
    assert "expired-token-77" not in out + err


def test_sasl_initial_responses() -> None:
    assert xoauth2_string("sam@example.com", "tok") == (
        b"user=sam@example.com\x01auth=Bearer tok\x01\x01"
    )
    address = ImapAddress(True, "imap.example.com", 993)
    assert oauthbearer_string("a,b=c@example.com", "tok", address) == (
        b"n,a=a=2Cb=3Dc@example.com,\x01host=imap.example.com\x01port=993"
        b"\x01auth=Bearer tok\x01\x01"
    )


def test_token_and_imap_password_commands_run_like_password_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cal_followup.errors import AuthError
    from cal_followup.oauth import run_secret_command

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SHELL", "/bin/sh")
    (tmp_path / "my token").write_text("first-line\nsecond-line\n")
    assert run_secret_command("cat ~/'my token' | head -1", "token_command") == "first-line"
    with pytest.raises(AuthError, match="^token_command: command not found$"):
        run_secret_command("no-such-program-here", "token_command")
