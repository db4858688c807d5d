"""Errors that used to end in a traceback or the wrong advice: one line, the right status.

Also the privacy of the state folder: 0700, files 0600, looser ones tightened.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "interviews.ics"


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cal_followup", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


def test_a_url_that_is_not_one(tmp_path: Path) -> None:
    result = run(tmp_path, "plan", "http://[::1/x")
    assert result.returncode == 2
    assert "not a valid URL" in one_line(result)


def test_an_uncreatable_state_folder(tmp_path: Path) -> None:
    calendar = tmp_path / "c.ics"
    calendar.write_bytes(SAMPLE.read_bytes())
    result = run(tmp_path, "sync", str(calendar), XDG_STATE_HOME="/dev/null")
    assert result.returncode == 2
    assert "cannot create the state folder" in one_line(result)


@pytest.mark.parametrize("now", ["9999-12-31T23:00", "0001-01-01"])
def test_dates_at_the_ends_of_time(tmp_path: Path, now: str) -> None:
    result = run(tmp_path, "plan", str(SAMPLE), "--now", now)
    assert result.returncode == 2
    assert "outside the years 1 to 9999" in one_line(result)


def test_a_huge_horizon(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("horizon_days = 99999999\n")
    result = run(tmp_path, "plan", str(SAMPLE), "--config", str(config), "--now", "2026-12-01")
    assert result.returncode == 2
    assert "outside the years" in one_line(result)


def _state_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "state" / "cal-followup").iterdir() if p.is_file()]


def test_the_state_is_private(tmp_path: Path) -> None:
    calendar = tmp_path / "c.ics"
    calendar.write_bytes(SAMPLE.read_bytes())
    os.umask(0o022)
    result = run(tmp_path, "sync", str(calendar), "--now", "2026-12-01T08:00")
    assert result.returncode in (0, 1), result.stderr
    folder = tmp_path / "state" / "cal-followup"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = _state_files(tmp_path)
    assert any(p.suffix == ".sqlite3" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_loose_existing_state_is_tightened(tmp_path: Path) -> None:
    calendar = tmp_path / "c.ics"
    calendar.write_bytes(SAMPLE.read_bytes())
    run(tmp_path, "sync", str(calendar), "--now", "2026-12-01T08:00")
    folder = tmp_path / "state" / "cal-followup"
    os.chmod(folder, 0o755)
    for path in _state_files(tmp_path):
        os.chmod(path, 0o644)
    run(tmp_path, "sync", str(calendar), "--now", "2026-12-01T08:00")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in _state_files(tmp_path):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_database_damaged_mid_run_is_one_line(tmp_path: Path) -> None:
    from cal_followup.state import database_trouble

    message = str(database_trouble(None, sqlite3.DatabaseError("database disk image is malformed")))
    assert "damaged" in message
    full = str(database_trouble(None, sqlite3.OperationalError("database or disk is full")))
    assert "damaged" not in full and "space" in full
    read_only = str(
        database_trouble(None, sqlite3.OperationalError("attempt to write a readonly database"))
    )
    assert "damaged" not in read_only and "read-only" in read_only


def test_a_database_error_in_mid_run_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cal_followup import cli

    def broken(args: object) -> int:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(cli, "_run", broken)
    assert cli.main(["plan", str(SAMPLE)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "damaged" in err and "internal" not in err


def test_a_library_warning_is_one_line(tmp_path: Path) -> None:
    calendar = tmp_path / "tz.ics"
    calendar.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x1\r\n"
        b"DTSTART;TZID=/etc/localtime:20261202T100000\r\nSUMMARY:Interview with Acme\r\n"
        b"ORGANIZER:mailto:a@acme.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = run(tmp_path, "plan", str(calendar), "--now", "2026-12-01T08:00", "--country", "FI")
    assert result.returncode in (0, 1)
    for line in result.stderr.splitlines():
        assert line.startswith("cal-followup: "), result.stderr
    assert "Traceback" not in result.stderr and "types.py" not in result.stderr


def test_sync_warnings_name_the_file_and_line_not_a_uid(tmp_path: Path) -> None:
    calendar = tmp_path / "c.ics"
    data = SAMPLE.read_bytes().replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:odd-one\r\nDTSTART;TZID=Mars/Olympus:20261202T100000\r\n"
        b"SUMMARY:Interview with Odd\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    calendar.write_bytes(data)
    planned = run(tmp_path, "plan", str(calendar), "--now", "2026-12-01T08:00")
    synced = run(tmp_path, "sync", str(calendar), "--now", "2026-12-01T08:00", "--dry-run")
    wanted = [line for line in planned.stderr.splitlines() if "Mars/Olympus" in line]
    got = [line for line in synced.stderr.splitlines() if "Mars/Olympus" in line]
    assert wanted and got == wanted
    assert got[0].startswith(f"cal-followup: warning: {calendar}:")
