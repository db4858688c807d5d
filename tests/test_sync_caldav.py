"""`sync`, `stop` and `status` against real CalDAV servers (Radicale and Xandikos)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from caldav import DAVClient

from cal_followup.stores.caldav import CalDavStore
from tests.servers import Proxy, Server, new_calendar, start_proxy
from tests.synchelpers import (
    EXPECTED_FIRST_RUN,
    SAMPLE,
    Runner,
    moved,
    others_in,
    reminders_in,
    safe_name,
    split_by_uid,
)

ACME = "2b7c1f0e-6d1a-4c47-9a0e-acme-interview@example.com"
INITECH = "initech-pm-5530@example.com"


class Calendar:
    """Raw access to one calendar on the server, bypassing cal-followup."""

    def __init__(self, server: Server, url: str) -> None:
        self.server = server
        self.url = url
        self.client = DAVClient(
            server.base + "/",
            username=server.user,
            password=server.password,
            auth_type="basic" if server.user else None,
        )

    def put(self, uid: str, data: bytes) -> None:
        response = self.client.request(
            self.url + safe_name(uid),
            "PUT",
            data.decode(),
            {"Content-Type": "text/calendar; charset=utf-8"},
        )
        assert int(response.status) in (201, 204), response.status

    def delete(self, href: str) -> None:
        response = self.client.request(href, "DELETE")
        assert int(response.status) in (200, 204), response.status

    def hrefs(self) -> list[str]:
        body = (
            '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>'
            "</d:prop></d:propfind>"
        )
        response = self.client.request(self.url, "PROPFIND", body, {"Depth": "1"})
        import xml.etree.ElementTree as ET

        tree = ET.fromstring(
            response.raw.encode() if isinstance(response.raw, str) else response.raw
        )
        return [h.text for h in tree.iter("{DAV:}href") if h.text and h.text.endswith(".ics")]

    def objects(self) -> dict[str, bytes]:
        """Every object's raw bytes, by href, exactly as the server returns them."""
        found = {}
        for href in self.hrefs():
            absolute = urllib.parse.urljoin(self.url, href)
            got = self.client.request(absolute, "GET")
            raw = got.raw.encode() if isinstance(got.raw, str) else got.raw
            found[absolute] = raw
        return found


@pytest.fixture
def setup(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[Calendar, Runner, Proxy]]:
    proxy, httpd = start_proxy(server.base)
    url = new_calendar(server, base=proxy.url)
    direct = Calendar(server, new_calendar_url := url.replace(proxy.url, server.base))
    assert new_calendar_url
    for uid, data in split_by_uid(SAMPLE).items():
        direct.put(uid, data)
    runner = Runner(tmp_path, monkeypatch, capsys, server.password)
    if server.user:
        runner.config.write_text(runner.config.read_text() + f'user = "{server.user}"\n')
    runner.url = url  # type: ignore[attr-defined]
    try:
        yield direct, runner, proxy
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_first_run_creates_and_second_changes_nothing(
    setup: tuple[Calendar, Runner, Proxy],
) -> None:
    calendar, run, proxy = setup
    before = others_in(calendar.objects())
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    after = calendar.objects()
    assert len(reminders_in(after)) == EXPECTED_FIRST_RUN
    # Every object that is not ours is byte for byte what it was (RELATED-TO
    # must not have made the library rewrite the interviews).
    assert others_in(after) == before
    proxy.reset()
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert (status, out, err) == (0, "", "")
    assert proxy.counts["PUT"] == 0 and proxy.counts["DELETE"] == 0
    assert calendar.objects() == after


def test_moved_interview_moves_its_pending_reminders(setup: tuple[Calendar, Runner, Proxy]) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    acme = split_by_uid(SAMPLE)[ACME]
    later = moved(
        moved(acme, "20261201T100000", "20261209T100000"), "20261201T110000", "20261209T110000"
    )
    calendar.put(ACME, later)
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == "3 moved"
    reminders = reminders_in(calendar.objects())
    acme_dues = sorted(
        r.start.isoformat()
        for r in reminders.values()
        if str(r["X-CAL-FOLLOWUP-INTERVIEW"]) == ACME
    )
    assert acme_dues[0].startswith("2026-12-09T12:00")
    assert len(reminders) == EXPECTED_FIRST_RUN


def test_cancelled_and_deleted_interviews_withdraw_reminders(
    setup: tuple[Calendar, Runner, Proxy],
) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    acme = split_by_uid(SAMPLE)[ACME]
    calendar.put(ACME, acme.replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED"))
    initech_href = calendar.url + safe_name(INITECH)
    calendar.delete(initech_href)
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == "6 withdrawn"
    left = reminders_in(calendar.objects())
    assert {str(r["X-CAL-FOLLOWUP-INTERVIEW"]) for r in left.values()} == {
        "panel-4f1e9b7a-globex@example.com"
    }


def test_user_deleted_reminder_stays_deleted_and_edited_one_is_kept(
    setup: tuple[Calendar, Runner, Proxy],
) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    objects = calendar.objects()
    reminder_hrefs = [h for h, d in objects.items() if b"X-CAL-FOLLOWUP-" in d]
    deleted, edited = reminder_hrefs[0], reminder_hrefs[1]
    calendar.delete(deleted)
    rewritten = objects[edited].replace(b"SUMMARY:", b"SUMMARY:My own words - ")
    calendar.client.request(edited, "PUT", rewritten.decode(), {"Content-Type": "text/calendar"})
    # Move the interview too: the edited reminder must still not be overwritten.
    acme = split_by_uid(SAMPLE)[ACME]
    calendar.put(ACME, acme.replace(b"SEQUENCE:1", b"SEQUENCE:2"))
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out == ""
    after = calendar.objects()
    assert deleted not in after
    assert after[edited] == rewritten or b"My own words" in after[edited]
    assert len(reminders_in(after)) == EXPECTED_FIRST_RUN - 1


def stages_of(reminders: dict[str, icalendar.cal.Component], interview_uid: str) -> list[str]:
    """The sorted stages of one interview's reminders."""
    return sorted(
        str(r["X-CAL-FOLLOWUP-STAGE"])
        for r in reminders.values()
        if str(r["X-CAL-FOLLOWUP-INTERVIEW"]) == interview_uid
    )


def test_stop_and_categories(setup: tuple[Calendar, Runner, Proxy]) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    # Ambiguous: both Globex and Initech summaries contain "interview".
    status, _, err = run("stop", "interview", "--reason", "replied", "--source", run.url)  # type: ignore[attr-defined]
    assert status == 2 and "matches" in err and INITECH in err
    status, out, err = run("stop", "Initech", "--reason", "rejected", "--source", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    reminders = reminders_in(calendar.objects())
    initech = stages_of(reminders, INITECH)
    # The thank-you was already due? No: it is pending, and a rejection replaces
    # every pending follow-up with one gracious reply.
    assert initech == ["after-rejection"]
    # The category route: "offer" on the Acme interview stops its follow-ups.
    acme = split_by_uid(SAMPLE)[ACME]
    calendar.put(ACME, acme.replace(b"STATUS:CONFIRMED", b"STATUS:CONFIRMED\r\nCATEGORIES:Offer"))
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    reminders = reminders_in(calendar.objects())
    acme_stages = stages_of(reminders, ACME)
    assert acme_stages == ["thank-you"]
    status, out, _ = run("status", run.url)  # type: ignore[attr-defined]
    assert status == 0 and "stopped: rejected" in out and "stopped: offer" in out


def test_run_killed_half_way_is_finished_without_duplicates(
    setup: tuple[Calendar, Runner, Proxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar, run, _ = setup
    original = CalDavStore.create
    calls = {"n": 0}

    def dying_create(self: CalDavStore, href: str, data: bytes) -> str | None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the process is killed between two writes
        return original(self, href, data)

    monkeypatch.setattr(CalDavStore, "create", dying_create)
    status, _, _ = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 130
    assert len(reminders_in(calendar.objects())) == 3
    monkeypatch.setattr(CalDavStore, "create", original)
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN - 3} created"
    assert len(reminders_in(calendar.objects())) == EXPECTED_FIRST_RUN


def test_losing_the_state_database_makes_no_duplicates(
    setup: tuple[Calendar, Runner, Proxy], tmp_path: Path
) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    import shutil

    shutil.rmtree(tmp_path / "state")
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert len(reminders_in(calendar.objects())) == EXPECTED_FIRST_RUN


def test_dry_run_writes_nothing(setup: tuple[Calendar, Runner, Proxy]) -> None:
    calendar, run, proxy = setup
    before = calendar.objects()
    proxy.reset()
    status, out, _ = run("sync", run.url, "--dry-run")  # type: ignore[attr-defined]
    assert status == 0 and "would create" in out
    assert proxy.counts["PUT"] == 0 and proxy.counts["DELETE"] == 0
    assert calendar.objects() == before


def test_server_url_with_calendar_name_and_listing(
    setup: tuple[Calendar, Runner, Proxy], server: Server
) -> None:
    _, run, _ = setup
    name = run.url.rstrip("/").rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    base = run.url.rsplit("/", 2)[0] + "/"  # type: ignore[attr-defined]
    status, out, err = run("sync", base, "--calendar", name)
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    status, _, err = run("sync", base, "--calendar", "no-such-calendar")
    assert status == 2 and "no calendar named 'no-such-calendar'" in err and name in err


def test_wrong_password_is_one_line(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_calendar(radicale)
    run = Runner(tmp_path, monkeypatch, capsys, "not-the-password-42")
    run.config.write_text(run.config.read_text() + f'user = "{radicale.user}"\n')
    status, out, err = run("sync", url)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "refused the user name or password" in err
    assert "not-the-password-42" not in out + err and "Traceback" not in err


def test_unreachable_server_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.servers import free_port

    run = Runner(tmp_path, monkeypatch, capsys, "pw")
    status, _, err = run("sync", f"http://127.0.0.1:{free_port()}/sam/cal/")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "cannot connect" in err


def _filler(number: int) -> str:
    day = 1 + number % 28
    return (
        f"BEGIN:VEVENT\r\nUID:filler-{number}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:202612{day:02d}T{8 + number % 9:02d}0000Z\r\nDURATION:PT30M\r\n"
        f"SUMMARY:Meeting {number}\r\nEND:VEVENT\r\n"
    )


def _fill(server: Server, calendar: Calendar, size: int) -> None:
    if server.kind == "radicale" and size:
        # Radicale takes a whole calendar in one PUT on the collection: thousands of
        # events in seconds instead of minutes.
        text = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
            + "".join(map(_filler, range(size)))
            + "END:VCALENDAR\r\n"
        )
        response = calendar.client.request(
            calendar.url, "PUT", text, {"Content-Type": "text/calendar"}
        )
        assert int(response.status) in (201, 204), response.status
    else:
        for number in range(size):
            calendar.put(
                f"filler-{number}",
                (
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                    "PRODID:-//t//EN\r\n" + _filler(number) + "END:VCALENDAR\r\n"
                ).encode(),
            )
    for uid, data in split_by_uid(SAMPLE).items():
        calendar.put(uid, data)


def test_no_change_run_costs_the_same_for_a_big_calendar(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Xandikos commits every PUT to git, so its big calendar is smaller.
    big = 3000 if server.kind == "radicale" else 300
    counts = []
    for size in (0, big):
        proxy, httpd = start_proxy(server.base)
        try:
            url = new_calendar(server, base=proxy.url)
            direct = Calendar(server, url.replace(proxy.url, server.base))
            _fill(server, direct, size)
            assert len(direct.hrefs()) == len(split_by_uid(SAMPLE)) + size
            folder = tmp_path / str(size)
            folder.mkdir()
            run = Runner(folder, monkeypatch, capsys, server.password)
            if server.user:
                run.config.write_text(run.config.read_text() + f'user = "{server.user}"\n')
            status, out, err = run("sync", url)
            assert out.strip() == f"{EXPECTED_FIRST_RUN} created", err
            run("sync", url)
            proxy.reset()
            status, out, err = run("sync", url)
            assert (status, out) == (0, ""), err
            counts.append(dict(proxy.counts))
        finally:
            httpd.shutdown()
            httpd.server_close()
    assert counts[0] == counts[1]
    assert sum(counts[1].values()) <= 2


def test_transient_server_errors_are_retried(setup: tuple[Calendar, Runner, Proxy]) -> None:
    calendar, run, proxy = setup
    proxy.fail_next = 2
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    assert proxy.fail_next == 0


def test_edit_between_read_and_write_is_not_overwritten(
    setup: tuple[Calendar, Runner, Proxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    acme = split_by_uid(SAMPLE)[ACME]
    calendar.put(
        ACME,
        moved(
            moved(acme, "20261201T100000", "20261202T100000"), "20261201T110000", "20261202T110000"
        ),
    )
    original = CalDavStore.update
    edits: list[bytes] = []

    def racing_update(self: CalDavStore, href: str, data: bytes, etag: str | None) -> str | None:
        if not edits:
            # The user edits this very reminder just before our PUT arrives.
            current = calendar.client.request(href.replace(run.url, calendar.url), "GET")  # type: ignore[attr-defined]
            raw = current.raw.encode() if isinstance(current.raw, str) else current.raw
            edited = raw.replace(b"SUMMARY:", b"SUMMARY:Edited meanwhile - ", 1)
            calendar.client.request(
                href.replace(run.url, calendar.url),
                "PUT",  # type: ignore[attr-defined]
                edited.decode(),
                {"Content-Type": "text/calendar"},
            )
            edits.append(edited)
        return original(self, href, data, etag)

    monkeypatch.setattr(CalDavStore, "update", racing_update)
    status, out, err = run("sync", run.url)  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == "2 moved"  # the third was edited meanwhile and is left alone
    texts = [data for data in calendar.objects().values() if b"Edited meanwhile" in data]
    assert texts == edits


def test_reminders_on_the_server_carry_no_method_and_our_markers(
    setup: tuple[Calendar, Runner, Proxy],
) -> None:
    calendar, run, _ = setup
    run("sync", run.url)  # type: ignore[attr-defined]
    for data in calendar.objects().values():
        if b"X-CAL-FOLLOWUP-" in data:
            assert b"METHOD:" not in data
            parsed = icalendar.Calendar.from_ical(data)
            event = next(iter(parsed.walk("VEVENT")))
            assert event["TRANSP"] == "TRANSPARENT" and event["CLASS"] == "PRIVATE"
            assert str(event["RELATED-TO"]) == str(event["X-CAL-FOLLOWUP-INTERVIEW"])


def test_target_calendar_created_on_request(
    setup: tuple[Calendar, Runner, Proxy], server: Server
) -> None:
    calendar, run, _ = setup
    before = calendar.objects()
    status, out, err = run("sync", run.url, "--target", "followups-x", "--create-target")  # type: ignore[attr-defined]
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    assert calendar.objects() == before  # nothing written into the source calendar
    status, out, _ = run("sync", run.url, "--target", "followups-x")  # type: ignore[attr-defined]
    assert (status, out) == (0, "")


def test_missing_calendar_and_forbidden_calendar(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = Runner(tmp_path, monkeypatch, capsys, radicale.password)
    run.config.write_text(run.config.read_text() + f'user = "{radicale.user}"\n')
    status, _, err = run("sync", f"{radicale.base}/{radicale.user}/no-such-calendar/")
    assert status == 2 and "404" in err and len(err.strip().splitlines()) == 1
    status, _, err = run("sync", f"{radicale.base}/someone-else/calendar/")
    assert status == 2 and "403" in err and len(err.strip().splitlines()) == 1


def test_password_from_command_and_failing_command(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = new_calendar(radicale)
    run = Runner(tmp_path, monkeypatch, capsys, None)
    script = tmp_path / "secret.sh"
    script.write_text(f"#!/bin/sh\necho '{radicale.password}'\n")
    script.chmod(0o700)
    base = run.config.read_text() + f'user = "{radicale.user}"\n'
    run.config.write_text(base + f'password_command = "{script}"\n')
    status, out, err = run("sync", url)
    assert status == 0, err
    run.config.write_text(base + "password_command = \"sh -c 'echo hunter2-leak; exit 3'\"\n")
    status, out, err = run("sync", url)
    assert status == 2 and "exit status 3" in err and "hunter2-leak" not in out + err


def test_timeout_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never answers
    try:
        run = Runner(tmp_path, monkeypatch, capsys, "pw")
        run.config.write_text(run.config.read_text() + 'user = "sam"\ntimeout = 1\n')
        monkeypatch.setattr("cal_followup.stores.davhttp.time.sleep", lambda seconds: None)
        status, _, err = run("sync", f"http://127.0.0.1:{listener.getsockname()[1]}/sam/cal/")
    finally:
        listener.close()
    assert status == 2 and "did not answer in time" in err and len(err.strip().splitlines()) == 1


def test_certificate_failure_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ssl
    import subprocess
    import threading

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    import http.server

    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        run = Runner(tmp_path, monkeypatch, capsys, "pw")
        run.config.write_text(run.config.read_text() + 'user = "sam"\n')
        status, _, err = run("sync", f"https://127.0.0.1:{httpd.server_address[1]}/sam/cal/")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert status == 2 and "certificate" in err and len(err.strip().splitlines()) == 1


def test_server_without_sync_tokens_uses_the_ctag(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    counts = []
    for size in (0, 200):
        proxy, httpd = start_proxy(server.base)
        proxy.no_sync_tokens = True
        try:
            url = new_calendar(server, base=proxy.url)
            direct = Calendar(server, url.replace(proxy.url, server.base))
            _fill(server, direct, size)
            folder = tmp_path / f"ctag-{size}"
            folder.mkdir()
            run = Runner(folder, monkeypatch, capsys, server.password)
            if server.user:
                run.config.write_text(run.config.read_text() + f'user = "{server.user}"\n')
            assert run("sync", url)[1].strip() == f"{EXPECTED_FIRST_RUN} created"
            run("sync", url)
            proxy.reset()
            assert run("sync", url)[:2] == (0, "")
            counts.append(dict(proxy.counts))
            # A change the ctag reveals is still seen.
            acme = split_by_uid(SAMPLE)[ACME]
            direct.put(
                ACME,
                moved(
                    moved(acme, "20261201T100000", "20261203T100000"),
                    "20261201T110000",
                    "20261203T110000",
                ),
            )
            assert run("sync", url)[1].strip() == "3 moved"
        finally:
            httpd.shutdown()
            httpd.server_close()
    assert counts[0] == counts[1] == {"PROPFIND": 1}


def test_plan_and_export_read_a_caldav_calendar(
    setup: tuple[Calendar, Runner, Proxy], tmp_path: Path
) -> None:
    calendar, run, proxy = setup
    before = calendar.objects()
    status, out, err = run("plan", run.url, "--json")  # type: ignore[attr-defined]
    assert status == 0, err
    import json

    assert len(json.loads(out)) == EXPECTED_FIRST_RUN
    name = run.url.rstrip("/").rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    base = run.url.rsplit("/", 2)[0] + "/"  # type: ignore[attr-defined]
    target = tmp_path / "out.ics"
    status, _, err = run("export", base, "--calendar", name, "-o", str(target))
    assert status == 0, err
    assert len(reminders_in({"x": target.read_bytes()})) == EXPECTED_FIRST_RUN
    assert calendar.objects() == before
    assert proxy.counts["PUT"] == 0 and proxy.counts["DELETE"] == 0
