"""One memory per calendar, and what the servers keep of what we write.

The memory between runs is keyed by the calendar's resolved collection URL
and the user, so every spelling of one calendar shares it; a failed run
leaves no database behind; a database kept under the old key is taken over.
The VTIMEZONE we write comes back from Radicale and Xandikos still knowing
the clock changes years ahead.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from pathlib import Path

import icalendar
import pytest

from cal_followup.state import collection_key, database_path
from tests.servers import Server, free_port, new_calendar
from tests.synchelpers import EXPECTED_FIRST_RUN, SAMPLE, Runner, reminders_in, split_by_uid
from tests.test_sync_caldav import Calendar


def _runner(
    server: Server, folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: object
) -> Runner:
    run = Runner(folder, monkeypatch, capsys, server.password)  # type: ignore[arg-type]
    if server.user:
        run.config.write_text(run.config.read_text() + f'user = "{server.user}"\n')
    return run


def _filled(server: Server) -> tuple[str, Calendar]:
    url = new_calendar(server)
    calendar = Calendar(server, url)
    for uid, data in split_by_uid(SAMPLE).items():
        calendar.put(uid, data)
    return url, calendar


def _databases(folder: Path) -> list[Path]:
    return sorted((folder / "state").rglob("*.sqlite3"))


def test_three_spellings_of_one_calendar_share_one_memory(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, calendar = _filled(radicale)
    run = _runner(radicale, tmp_path, monkeypatch, capsys)
    status, out, err = run("sync", url)
    assert status == 0 and out.strip() == f"{EXPECTED_FIRST_RUN} created", err
    deleted = next(h for h, d in calendar.objects().items() if b"X-CAL-FOLLOWUP-" in d)
    calendar.delete(deleted)
    name = url.rstrip("/").rsplit("/", 1)[1]
    upper = url.replace("http://127.0.0.1", "HTTP://127.0.0.1")
    for spelling in ([url.rstrip("/")], [radicale.base + "/", "--calendar", name], [upper]):
        status, out, err = run("sync", *spelling)
        assert (status, out, err) == (0, "", ""), spelling
    assert deleted not in calendar.objects()
    assert len(_databases(tmp_path)) == 1


def test_failed_runs_leave_no_database(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = _runner(radicale, tmp_path, monkeypatch, capsys)
    status, _, err = run("sync", radicale.base + "/", "--calendar", "no-such-calendar")
    assert status == 2 and "no-such-calendar" in err
    status, _, err = run("sync", f"http://127.0.0.1:{free_port()}/sam/cal/")
    assert status == 2 and "connect" in err
    assert _databases(tmp_path) == []


def test_a_memory_kept_under_the_old_key_is_taken_over(
    radicale: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, calendar = _filled(radicale)
    run = _runner(radicale, tmp_path, monkeypatch, capsys)
    assert run("sync", url)[0] == 0
    (current,) = _databases(tmp_path)
    # Make it look like an older version's state: named after the literal URL.
    old = database_path(current.parent, "caldav:" + url)
    current.rename(old)
    (current.parent / "calendars.json").unlink()
    deleted = next(h for h, d in calendar.objects().items() if b"X-CAL-FOLLOWUP-" in d)
    calendar.delete(deleted)
    status, out, err = run("sync", url)
    assert (status, out, err) == (0, "", "")
    assert deleted not in calendar.objects()
    assert _databases(tmp_path) == [current]


def test_collection_key_normalises_the_url() -> None:
    same = [
        "http://example.com/dav/sam/direct/",
        "http://example.com/dav/sam/direct",
        "HTTP://Example.COM:80/dav/sam/direct/",
        "http://example.com/dav/sam/%64irect/",
    ]
    assert len({collection_key(url, "sam") for url in same}) == 1
    assert collection_key(same[0], "sam") != collection_key(same[0], "kim")
    assert collection_key(same[0], "sam") != collection_key(
        "https://example.com/dav/sam/direct/", "sam"
    )
    assert collection_key("https://h:443/a/", None) == collection_key("https://h/a", None)


def _offsets_in_2035(data: bytes) -> set[tuple[str, float]]:
    parsed = icalendar.Calendar.from_ical(data)
    found = set()
    for timezone in parsed.walk("VTIMEZONE"):
        zone = timezone.to_tz()
        for month in (1, 7):
            moment = datetime(2035, month, 15, 12, 0).replace(tzinfo=zone)
            offset = moment.utcoffset()
            assert offset is not None
            found.add((f"{timezone['TZID']}-{month}", offset.total_seconds() / 3600))
    return found


def test_stored_vtimezone_still_covers_2035(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, calendar = _filled(server)
    run = _runner(server, tmp_path, monkeypatch, capsys)
    assert run("sync", url)[0] == 0
    stored = {h: d for h, d in calendar.objects().items() if b"X-CAL-FOLLOWUP-" in d}
    assert len(reminders_in(stored)) == EXPECTED_FIRST_RUN
    for href, data in stored.items():
        assert data.count(b"BEGIN:VTIMEZONE") == 1, href
        # Helsinki: +2 in winter, +3 in summer, as long as the definition reaches.
        assert _offsets_in_2035(data) == {
            ("Europe/Helsinki-1", 2.0),
            ("Europe/Helsinki-7", 3.0),
        }, urllib.parse.unquote(href)
        unfolded = data.replace(b"\r\n ", b"").replace(b"\n ", b"")
        rdates = [line for line in unfolded.splitlines() if line.startswith(b"RDATE")]
        assert rdates and all(b"," not in line for line in rdates), href
