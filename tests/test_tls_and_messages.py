"""Credentials, TLS and the request log: the lines a user sees, against real Radicale.

A Radicale behind TLS with a self-signed certificate made here (openssl)
checks ``ca_cert``, ``verify_tls = false`` staying silent on a quiet night,
and the one certificate message shared by plan, export and sync. The
``--debug`` request log is compared with what a counting proxy saw.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import (
    PASSWORD,
    USER,
    Proxy,
    Server,
    free_port,
    new_calendar,
    running_radicale,
    start_proxy,
)
from tests.synchelpers import EXPECTED_FIRST_RUN, SAMPLE, Runner, split_by_uid
from tests.test_sync_caldav import Calendar

ROOT = Path(__file__).resolve().parent.parent


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    folder = tmp_path_factory.mktemp("radicale-tls")
    cert, key = _certificate(folder)
    with running_radicale(folder, (cert, key)) as server:
        yield server, cert


def _tls_calendar(server: Server, cert: Path) -> str:
    from caldav import DAVClient

    client = DAVClient(
        server.base + "/", username=USER, password=PASSWORD, auth_type="basic",
        ssl_verify_cert=str(cert),
    )  # fmt: skip
    url = f"{server.base}/{USER}/tls-{os.urandom(4).hex()}/"
    assert int(client.request(url, "MKCALENDAR", "").status) in (200, 201)
    for uid, data in split_by_uid(SAMPLE).items():
        name = re.sub(r"[^A-Za-z0-9._-]", "_", uid) + ".ics"
        response = client.request(
            url + name, "PUT", data.decode(), {"Content-Type": "text/calendar"}
        )
        assert int(response.status) in (201, 204)
    return url


def _cli(folder: Path, config_extra: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own: warnings go where a cron job sees them."""
    config = folder / "config.toml"
    config.write_text(
        'timezone = "Europe/Helsinki"\ncountry = "FI"\nme = ["sam.candidate@example.net"]\n'
        f'name = "Sam Candidate"\nuser = "{USER}"\n' + config_extra
    )
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CONFIG_HOME": str(folder / "none"),
        "CAL_FOLLOWUP_PASSWORD": PASSWORD,
        "PYTHONWARNINGS": "default",
    }
    return subprocess.run(
        [sys.executable, "-m", "cal_followup", *argv, "--config", str(config),
         "--now", "2026-11-25T12:00"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_bad_certificate_is_the_same_line_in_plan_export_and_sync(
    tls_radicale: tuple[Server, Path], tmp_path: Path
) -> None:
    server, cert = tls_radicale
    url = _tls_calendar(server, cert)
    lines = []
    for argv in (["plan", url], ["export", url, "-o", str(tmp_path / "x.ics")], ["sync", url]):
        done = _cli(tmp_path, "", *argv)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        lines.append(done.stderr.strip())
    assert len(set(lines)) == 1, lines
    assert "certificate cannot be verified" in lines[0] and "ca_cert" in lines[0]
    assert not list((tmp_path / "state").rglob("*.sqlite3"))


def test_ca_cert_trusts_a_self_signed_server(
    tls_radicale: tuple[Server, Path], tmp_path: Path
) -> None:
    server, cert = tls_radicale
    url = _tls_calendar(server, cert)
    done = _cli(tmp_path, f'ca_cert = "{cert}"\n', "sync", url)
    created = f"{EXPECTED_FIRST_RUN} created"
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, created, "")
    done = _cli(tmp_path, f'ca_cert = "{cert}"\n', "plan", url, "--json")
    assert done.returncode == 0 and done.stdout.count('"uid"') == EXPECTED_FIRST_RUN, done.stderr
    done = _cli(tmp_path, 'ca_cert = "/no/such/ca.pem"\n', "sync", url)
    assert done.returncode == 2 and "ca_cert" in done.stderr and "no such file" in done.stderr


def test_verify_tls_false_keeps_a_quiet_night_silent(
    tls_radicale: tuple[Server, Path], tmp_path: Path
) -> None:
    server, cert = tls_radicale
    url = _tls_calendar(server, cert)
    done = _cli(tmp_path, "verify_tls = false\n", "sync", url)
    created = f"{EXPECTED_FIRST_RUN} created"
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, created, "")
    done = _cli(tmp_path, "verify_tls = false\n", "sync", url)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_user_without_password_says_how_to_give_one(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_calendar(radicale)
    run = Runner(tmp_path, monkeypatch, capsys, None)
    feed = f"http://127.0.0.1:{free_port()}/calendar.ics"
    for argv in (
        ["sync", url, "--user", USER],
        ["plan", url, "--calendar", "x", "--user", USER],
        ["plan", url, "--user", USER],
        ["plan", feed, "--user", USER],
    ):
        status, _, err = run(*argv)
        assert status == 2 and len(err.strip().splitlines()) == 1, err
        for hint in ("CAL_FOLLOWUP_PASSWORD", "password_command", "keyring"):
            assert hint in err
        assert "TypeError" not in err


def test_password_command_runs_like_the_users_shell(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_calendar(radicale)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/sh")
    (home / "pw file").write_text(PASSWORD + "\n")
    run = Runner(tmp_path, monkeypatch, capsys, None)
    base = run.config.read_text() + f'user = "{USER}"\n'
    run.config.write_text(base + "password_command = \"cat ~/'pw file'\"\n")
    status, out, err = run("sync", url)
    assert status == 0, err
    (home / "pw file").unlink()
    status, out, err = run("sync", url)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "exit status 1" in err and "No such file" in err and "pw file" in err
    assert PASSWORD not in out + err


def _logged(err: str) -> list[tuple[str, str, str]]:
    found = re.findall(r"^cal-followup: request: (\S+) (\S+) (\S+)(?: \d+ ms)?$", err, re.M)
    return [(m, p, s) for m, p, s in found]


@pytest.fixture
def radicale_proxy(radicale: Server) -> Iterator[Proxy]:
    proxy, httpd = start_proxy(radicale.base)
    try:
        yield proxy
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_debug_request_log_shows_exactly_the_requests_and_no_secret(
    radicale: Server,
    radicale_proxy: Proxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    counting_proxy = radicale_proxy
    url = new_calendar(radicale, base=counting_proxy.url)
    calendar = Calendar(radicale, url.replace(counting_proxy.url, radicale.base))
    for uid, data in split_by_uid(SAMPLE).items():
        calendar.put(uid, data)
    run = Runner(tmp_path, monkeypatch, capsys, PASSWORD)
    run.config.write_text(run.config.read_text() + f'user = "{USER}"\n')
    for argv, quiet in ((["sync", url], False), (["sync", url], True), (["plan", url], False)):
        counting_proxy.reset()
        status, _, err = run(*argv, "--debug")
        assert status == 0, err
        logged = _logged(err)
        assert Counter(method for method, _, _ in logged) == counting_proxy.counts
        # CalDAV paths are shown; a feed GET (plan tries the URL as a feed first) names
        # only the host, since a feed's path can be its secret.
        assert all(
            path.startswith(f"/{USER}/") or path == "/" or path == "//127.0.0.1/…"
            for _, path, _ in logged
        ), logged
        if quiet:
            assert len(logged) == 1, err
        import base64

        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        assert PASSWORD not in err and token not in err and "Authorization" not in err
    # Without --debug there is no log at all.
    counting_proxy.reset()
    status, out, err = run("sync", url)
    assert (status, out, err) == (0, "", "")
    assert counting_proxy.total == 1


def test_shell_is_the_users_and_falls_back_to_sh(monkeypatch: pytest.MonkeyPatch) -> None:
    from cal_followup import credentials

    monkeypatch.setenv("SHELL", "/no/such/shell")
    assert credentials.user_shell() == "/bin/sh"
    monkeypatch.setenv("SHELL", "/bin/sh")
    assert credentials._run_command("printf '%s\\n' 'two words'") == "two words"
