"""Local files treated as a careful Unix tool treats them.

Symlinks are written through, FIFOs and devices never replaced, read-only
files left alone, FIFOs in a vdir skipped; and ``sync`` reads every file
(BOM, UTF-16, CR-only, two VCALENDARs) exactly as ``plan`` does.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from pathlib import Path

import pytest

from tests.test_hostile_cli import SAMPLE, one_line, run

NOW = ("--now", "2026-12-01T08:00")


def planned(tmp_path: Path, path: Path) -> set[str]:
    result = run(tmp_path, "plan", str(path), "--json", *NOW)
    assert result.returncode in (0, 1), result.stderr
    return {item["uid"] for item in json.loads(result.stdout)}


def written(path: Path) -> set[str]:
    text = path.read_bytes()
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if text.startswith(bom):
            text = text[2:].decode(codec).encode()
    return {m.decode() for m in re.findall(rb"UID:([0-9a-f]{32}@cal-followup)", text)}


def test_sync_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real" / "calendar.ics"
    real.parent.mkdir()
    real.write_bytes(SAMPLE.read_bytes())
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    result = run(tmp_path, "sync", str(link), *NOW)
    assert result.returncode in (0, 1), result.stderr
    assert link.is_symlink()
    assert written(real) == planned(tmp_path, SAMPLE)


def test_export_refuses_to_replace_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out.ics"
    os.mkfifo(fifo)
    result = run(tmp_path, "export", str(SAMPLE), "-o", str(fifo), *NOW)
    assert result.returncode == 2
    assert "not a regular file" in one_line(result)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_sync_leaves_a_read_only_calendar_alone(tmp_path: Path) -> None:
    calendar = tmp_path / "c.ics"
    calendar.write_bytes(SAMPLE.read_bytes())
    calendar.chmod(0o444)
    result = run(tmp_path, "sync", str(calendar), *NOW)
    assert result.returncode != 0
    assert "read-only" in result.stderr
    assert calendar.read_bytes() == SAMPLE.read_bytes()


def _variants() -> dict[str, bytes]:
    text = SAMPLE.read_bytes().replace(b"\r\n", b"\n")
    crlf = text.replace(b"\n", b"\r\n")
    body = crlf.split(b"BEGIN:VEVENT", 1)
    head, events = body[0], b"BEGIN:VEVENT" + body[1]
    first, rest = events.split(b"END:VEVENT\r\n", 1)
    two = head + first + b"END:VEVENT\r\nEND:VCALENDAR\r\n" + head + rest
    return {
        "bom": codecs.BOM_UTF8 + crlf,
        "utf16le": codecs.BOM_UTF16_LE + crlf.decode().encode("utf-16-le"),
        "utf16be": codecs.BOM_UTF16_BE + crlf.decode().encode("utf-16-be"),
        "cr-only": text.replace(b"\n", b"\r"),
        "two-calendars": two,
    }


@pytest.mark.parametrize("kind", list(_variants()))
def test_sync_reads_the_file_as_plan_does(tmp_path: Path, kind: str) -> None:
    calendar = tmp_path / "c.ics"
    calendar.write_bytes(_variants()[kind])
    expected = planned(tmp_path, calendar)
    assert expected
    result = run(tmp_path, "sync", str(calendar), *NOW)
    assert result.returncode in (0, 1), result.stderr
    assert written(calendar) == expected
    after = calendar.read_bytes()
    if kind.startswith("utf16"):
        assert after[:2] == _variants()[kind][:2]
        after = after[2:].decode("utf-16-le" if kind == "utf16le" else "utf-16-be").encode()
    if kind == "bom":
        assert after.startswith(codecs.BOM_UTF8)
    zones = re.findall(rb"BEGIN:VTIMEZONE.*?TZID:([^\r\n]+)", after, re.S)
    before = re.findall(rb"BEGIN:VTIMEZONE.*?TZID:([^\r\n]+)", _variants()["bom"], re.S)
    copies = 2 if kind == "two-calendars" else 1  # each calendar brought its own
    assert all(zones.count(z) <= copies for z in zones), zones
    assert set(before) <= set(zones)
    # A second run changes nothing.
    again = run(tmp_path, "sync", str(calendar), *NOW)
    assert again.returncode in (0, 1), again.stderr
    assert written(calendar) == expected


def test_a_fifo_in_a_vdir_is_skipped_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "a.ics").write_bytes(SAMPLE.read_bytes())
    os.mkfifo(folder / "trap.ics")
    result = run(tmp_path, "plan", str(folder), *NOW)
    assert "trap.ics" in result.stderr and "not a regular file" in result.stderr
    assert result.stdout.strip()


def test_check_on_an_endless_device_ends_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "check", "/dev/zero")
    assert result.returncode == 2
    assert "larger than 64 MB" in one_line(result)
