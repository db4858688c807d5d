"""The installed command on the samples, and reading an http feed."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from cal_followup.cli import main
from tests.synchelpers import EXPECTED_FIRST_RUN

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def installed_command() -> list[str]:
    script = Path(sys.executable).with_name("cal-followup")
    if script.exists():
        return [str(script)]
    found = shutil.which("cal-followup")
    assert found, "cal-followup is not installed (pip install -e '.[test]')"
    return [found]


def test_installed_command_exports_the_samples(tmp_path: Path) -> None:
    target = tmp_path / "reminders.ics"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")}
    result = subprocess.run(
        [
            *installed_command(),
            "export",
            str(SAMPLES / "interviews.ics"),
            "--config",
            str(SAMPLES / "config.toml"),
            "--now",
            "2026-11-25T12:00",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    parsed = icalendar.Calendar.from_ical(target.read_bytes())
    events = list(parsed.walk("VEVENT"))
    stages = sorted(str(e["X-CAL-FOLLOWUP-STAGE"]) for e in events)
    # Single interview: 1 thank-you, check-in, closing. Panel of two: 2 thank-yous,
    # check-in, closing. Decision date interview: the same three. Cancelled: none.
    per_application = ["check-in", "closing", "keep-in-touch"]
    assert stages == sorted(["thank-you"] * 4 + per_application * 3)


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cal_followup", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "plan" in result.stdout and "export" in result.stdout


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    seen_auth: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        _Handler.seen_auth.append(self.headers.get("Authorization"))
        if self.path == "/missing.ics":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(_Handler.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    _Handler.body = (SAMPLES / "interviews.ics").read_bytes()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_http_feed(feed_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "plan",
            f"http://{feed_server}/cal.ics",
            "--json",
            "--config",
            str(SAMPLES / "config.toml"),
            "--now",
            "2026-11-25T12:00",
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    assert len(json.loads(out)) == EXPECTED_FIRST_RUN


def test_http_feed_with_user_and_password_from_environment(
    feed_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    monkeypatch.setenv("CAL_FOLLOWUP_PASSWORD", "s3cret-feed")
    url = f"http://sam@{feed_server}/missing.ics"
    status = main(["plan", url, "--config", str(SAMPLES / "config.toml")])
    _, err = capsys.readouterr()
    assert status == 2 and "404" in err and "s3cret" not in err
    sent = base64.b64encode(b"sam:s3cret-feed").decode()
    assert _Handler.seen_auth[-1] == f"Basic {sent}"  # sent, never shown


def test_password_in_url_is_refused(feed_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "sync"):
        url = f"http://sam:s3cret@{feed_server}/cal"
        status = main([command, url, "--config", str(SAMPLES / "config.toml")])
        _, err = capsys.readouterr()
        assert status == 2 and "do not put the password in the URL" in err
        assert "s3cret" not in err


def test_unreachable_feed(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status = main(
        ["plan", f"http://127.0.0.1:{port}/x.ics", "--config", str(SAMPLES / "config.toml")]
    )
    _, err = capsys.readouterr()
    assert status == 2 and "cannot fetch" in err and len(err.strip().splitlines()) == 1
