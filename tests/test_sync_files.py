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
    assert out.strip() == "3 moved"
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
    assert out.strip() == "3 withdrawn"
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
    assert status == 0 and "last sync:" in out and "10 created" in out and "pending" in out


def test_feed_needs_a_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Runner(tmp_path, monkeypatch, capsys)
    status, _, err = run("sync", "https://example.invalid/calendar.ics")
    assert status == 2 and "--target" in err
