"""`sync` on an .ics file (updated in place) and on a vdir folder."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import icalendar
import pytest

from cal_followup import state
from cal_followup.config import state_dir
from cal_followup.state import database_path
from cal_followup.stores.files import VdirStore
from tests.synchelpers import (
    EXPECTED_FIRST_RUN,
    SAMPLE,
    Runner,
    moved,
    reminders_in,
    safe_name,
    split_by_uid,
)

ACME = "2b7c1f0e-6d1a-4c47-9a0e-acme-interview@example.com"


def _components_text(data: bytes) -> list[bytes]:
    """The file's top-level components that are not ours, as raw text."""
    blocks, current, depth = [], [], 0
    for line in data.splitlines(keepends=True):
        if line.startswith(b"BEGIN:"):
            depth += 1
        if depth >= 2:
            current.append(line)
        if line.startswith(b"END:"):
            depth -= 1
            if depth == 1:
                blocks.append(b"".join(current))
                current = []
    return [b for b in blocks if b"X-CAL-FOLLOWUP-" not in b]


@pytest.fixture
def ics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Runner]:
    path = tmp_path / "calendar.ics"
    path.write_bytes(SAMPLE)
    return path, Runner(tmp_path, monkeypatch, capsys)


@pytest.fixture
def vdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Runner]:
    folder = tmp_path / "vdir"
    folder.mkdir()
    for uid, data in split_by_uid(SAMPLE).items():
        (folder / safe_name(uid)).write_bytes(data)
    return folder, Runner(tmp_path, monkeypatch, capsys)


def vdir_objects(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".ics"}


def test_ics_first_run_then_nothing(ics: tuple[Path, Runner]) -> None:
    path, run = ics
    status, out, err = run("sync", str(path))
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    data = path.read_bytes()
    assert _components_text(data) == _components_text(SAMPLE)
    assert data.startswith(SAMPLE[: SAMPLE.index(b"BEGIN:VEVENT")])
    assert len(reminders_in({"f": data})) == EXPECTED_FIRST_RUN
    icalendar.Calendar.from_ical(data)
    stat = path.stat()
    status, out, err = run("sync", str(path))
    assert (status, out, err) == (0, "", "")
    assert path.read_bytes() == data and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_ics_moved_cancelled_deleted_and_user_changes(ics: tuple[Path, Runner]) -> None:
    path, run = ics
    run("sync", str(path))
    data = path.read_bytes()
    # Move the Acme interview a week later.
    data = moved(
        moved(data, "20261201T100000", "20261209T100000"), "20261201T110000", "20261209T110000"
    )
    path.write_bytes(data)
    status, out, _ = run("sync", str(path))
    assert out.strip() == "4 moved"
    # Cancel Initech; delete one of our reminders; rewrite another.
    data = path.read_bytes()
    data = data.replace(
        b"SUMMARY:Initech - Product Manager interview",
        b"SUMMARY:Initech - Product Manager interview\r\nSTATUS:CANCELLED",
    )
    calendar = icalendar.Calendar.from_ical(data)
    ours = [
        c
        for c in calendar.walk("VEVENT")
        if c.get("X-CAL-FOLLOWUP-STAGE") and str(c["X-CAL-FOLLOWUP-INTERVIEW"]).startswith("panel")
    ]
    deleted_uid, edited_uid = str(ours[0]["UID"]), str(ours[1]["UID"])
    blocks = data.split(b"BEGIN:VEVENT")
    kept = []
    for block in blocks:
        if deleted_uid.encode() in block:
            continue
        if edited_uid.encode() in block:
            block = block.replace(b"SUMMARY:", b"SUMMARY:Mine - ", 1)
        kept.append(block)
    data = b"BEGIN:VEVENT".join(kept)
    path.write_bytes(data)
    status, out, err = run("sync", str(path))
    assert status == 0, err
    assert out.strip() == "4 withdrawn"
    after = path.read_bytes()
    reminders = reminders_in({"f": after})
    assert deleted_uid not in reminders
    assert str(reminders[edited_uid]["SUMMARY"]).startswith("Mine - ")
    assert _components_text(after) == _components_text(data)
    # And again: the deleted one stays deleted, the edited one stays as the user wrote it.
    assert run("sync", str(path))[1] == ""


def test_ics_dry_run_and_atomic_write(ics: tuple[Path, Runner]) -> None:
    path, run = ics
    status, out, _ = run("sync", str(path), "--dry-run")
    assert status == 0 and "would create" in out and path.read_bytes() == SAMPLE
    run("sync", str(path))
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".cal-followup-")]
    assert leftovers == []


def test_vdir_sync(vdir: tuple[Path, Runner]) -> None:
    folder, run = vdir
    before = vdir_objects(folder)
    status, out, err = run("sync", str(folder))
    assert status == 0, err
    assert out.strip() == f"{EXPECTED_FIRST_RUN} created"
    after = vdir_objects(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(reminders_in(after)) == EXPECTED_FIRST_RUN
    assert run("sync", str(folder))[1] == ""
    # The user deletes one reminder file and edits another.
    new = sorted(set(after) - set(before))
    (folder / new[0]).unlink()
    edited = (folder / new[1]).read_bytes().replace(b"SUMMARY:", b"SUMMARY:Mine - ", 1)
    (folder / new[1]).write_bytes(edited)
    acme = folder / safe_name(ACME)
    acme.write_bytes(acme.read_bytes().replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED"))
    status, out, err = run("sync", str(folder))
    assert status == 0, err
    final = vdir_objects(folder)
    assert new[0] not in final and final[new[1]] == edited
    assert {k: v for k, v in final.items() if k in before and k != safe_name(ACME)} == {
        k: v for k, v in before.items() if k != safe_name(ACME)
    }


def test_vdir_killed_half_way_then_finished(
    vdir: tuple[Path, Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, run = vdir
    original = VdirStore.create
    calls = {"n": 0}

    def dying(self: VdirStore, href: str, data: bytes) -> str | None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, href, data)

    monkeypatch.setattr(VdirStore, "create", dying)
    assert run("sync", str(folder))[0] == 130
    assert len(reminders_in(vdir_objects(folder))) == 4
    monkeypatch.setattr(VdirStore, "create", original)
    status, out, _ = run("sync", str(folder))
    assert status == 0 and out.strip() == f"{EXPECTED_FIRST_RUN - 4} created"
    assert len(reminders_in(vdir_objects(folder))) == EXPECTED_FIRST_RUN


def test_second_run_waits_for_the_lock_then_gives_up(
    ics: tuple[Path, Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, run = ics
    identity = "file:" + os.path.abspath(path)
    lock_path = str(database_path(state_dir(), identity)) + ".lock"
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    original = state.run_lock
    monkeypatch.setattr(state, "run_lock", lambda p, wait_seconds=10.0: original(p, 0.3))
    with open(lock_path, "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        status, out, err = run("sync", str(path))
    assert status != 0 and "another cal-followup run" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == SAMPLE


def test_status_shows_last_run(ics: tuple[Path, Runner]) -> None:
    path, run = ics
    run("sync", str(path))
    status, out, _ = run("status", str(path))
    assert status == 0 and "last sync:" in out and "pending" in out
    assert f"{EXPECTED_FIRST_RUN} created" in out


def test_feed_needs_a_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Runner(tmp_path, monkeypatch, capsys)
    status, _, err = run("sync", "https://example.invalid/calendar.ics")
    assert status == 2 and "--target" in err


def test_new_timezone_goes_after_the_calendar_properties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Google export: UTC times, no VTIMEZONE; the reminders need Europe/Helsinki's.
    path = tmp_path / "google.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        b"X-WR-TIMEZONE:Europe/Helsinki\r\nBEGIN:VEVENT\r\nUID:g1@google.com\r\n"
        b"DTSTAMP:20261120T000000Z\r\nDTSTART:20261201T080000Z\r\nDTEND:20261201T090000Z\r\n"
        b"SUMMARY:Interview with Acme\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    run = Runner(tmp_path, monkeypatch, capsys)
    status, out, err = run("sync", str(path))
    assert status == 0, err
    lines = path.read_bytes().split(b"\r\n")
    first_component = next(i for i, line in enumerate(lines[1:], 1) if line.startswith(b"BEGIN:"))
    assert lines[first_component] == b"BEGIN:VTIMEZONE"
    assert {b"VERSION:2.0", b"X-WR-TIMEZONE:Europe/Helsinki"} <= set(lines[:first_component])


def test_status_shows_a_reminder_deleted_by_the_user(ics: tuple[Path, Runner]) -> None:
    path, run = ics
    run("sync", str(path))
    data = path.read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    closing = next(
        c for c in calendar.walk("VEVENT") if str(c.get("X-CAL-FOLLOWUP-STAGE")) == "closing"
    )
    blocks = data.split(b"BEGIN:VEVENT")
    path.write_bytes(
        b"BEGIN:VEVENT".join(b for b in blocks if str(closing["UID"]).encode() not in b)
    )
    status, out, _ = run("status", str(path))
    assert status == 0 and "deleted by you" in out


def test_user_moved_check_in_moves_the_closing_at_once_and_only_once(
    vdir: tuple[Path, Runner],
) -> None:
    folder, run = vdir
    run("sync", str(folder))
    check_in = next(
        p
        for p in folder.iterdir()
        if b"X-CAL-FOLLOWUP-STAGE:check-in" in p.read_bytes() and ACME.encode() in p.read_bytes()
    )
    # The Acme check-in is due Tue 8 Dec 09:00; the user moves it to Mon 14 Dec 14:00.
    check_in.write_bytes(check_in.read_bytes().replace(b"20261208T09", b"20261214T14"))

    def closing_due() -> str:
        for file in folder.iterdir():
            data = file.read_bytes()
            if b"X-CAL-FOLLOWUP-STAGE:closing" in data and ACME.encode() in data:
                return str(next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT"))).start)
        raise AssertionError("no closing")

    # The closing moves with it, and keep-in-touch with the closing.
    assert run("sync", str(folder))[1].strip() == "2 moved"
    after_edit = closing_due()
    from datetime import date

    from cal_followup.businessdays import business_calendar

    expected = business_calendar("FI").add_business_days(date(2026, 12, 14), 10)
    assert after_edit.startswith(f"{expected.isoformat()} 09:00")
    for night in ("2026-12-09T06:00", "2026-12-15T06:00", "2026-12-16T06:00"):
        assert run("sync", str(folder), now=night)[1] == ""
    assert closing_due() == after_edit


def test_export_into_a_missing_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.ics"
    source.write_bytes(SAMPLE)
    run = Runner(tmp_path, monkeypatch, capsys)
    target = tmp_path / "missing" / "out.ics"
    status, _, err = run("export", str(source), "-o", str(target))
    assert status == 2 and f"{target}: cannot write" in err and "internal error" not in err
    assert ".cal-followup-" not in err


def test_interview_deleted_from_a_feed_withdraws_its_reminders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import http.server
    import threading

    served = {"body": SAMPLE}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(served["body"])

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/calendar.ics"
        target = tmp_path / "reminders"
        target.mkdir()
        run = Runner(tmp_path, monkeypatch, capsys)
        assert (
            run("sync", url, "--target", str(target))[1].strip() == f"{EXPECTED_FIRST_RUN} created"
        )
        blocks = SAMPLE.split(b"BEGIN:VEVENT")
        served["body"] = b"BEGIN:VEVENT".join(b for b in blocks if ACME.encode() not in b)
        status, out, err = run("sync", url, "--target", str(target))
        assert status == 0, err
        assert out.strip() == "4 withdrawn"
    finally:
        httpd.shutdown()
        httpd.server_close()
