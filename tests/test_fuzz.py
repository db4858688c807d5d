"""Broken input never crashes the tool, corrupts its output or changes anything.

Real calendars are mutated by ``tests/fuzzhelpers.py`` (truncation, dropped or
duplicated lines, garbage and enormous values, deep nesting, stray tokens)
and run through the command in-process. Whatever comes in: the exit status is
one of the documented ones (0, 1, 2), no traceback or internal error escapes,
every message is one line, the input is never touched, and the output file is
either exactly what it was or a complete calendar of reminders, with no
temporary file left behind.

A short run is part of the normal suite; ``pytest --fuzz-long`` runs fifty
times as many examples.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cal_followup.cli import main
from cal_followup.errors import SourceError
from cal_followup.ics import Occurrence, Problem, Window, iter_occurrences, parse_calendar
from tests.fuzzhelpers import SEEDS, broken_calendar, examples

HELSINKI = ZoneInfo("Europe/Helsinki")
WINDOW = Window(datetime(2026, 9, 26, tzinfo=HELSINKI), datetime(2027, 11, 25, tzinfo=HELSINKI))
OLD_OUTPUT = b"BEGIN:VCALENDAR\r\nPRODID:-//previous run//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
ARGS = ["--tz", "Europe/Helsinki", "--now", "2026-11-25T12:00", "--me", "sam.candidate@example.net",
        "--name", "Sam Candidate"]  # fmt: skip
FUZZ = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


def check_run(
    folder: Path, data: bytes, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    """Export ``data`` over an existing file and check every promise; returns (status, stderr)."""
    source = folder / "input.ics"
    target = folder / "reminders.ics"
    source.write_bytes(data)
    target.write_bytes(OLD_OUTPUT)
    before = hashlib.sha256(data).hexdigest()
    status = main(["export", str(source), "-o", str(target), *ARGS, *extra])
    _, err = capsys.readouterr()
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for line in err.splitlines():
        assert line.startswith("cal-followup: "), repr(line)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    written = target.read_bytes()
    if written != OLD_OUTPUT:
        calendar = icalendar.Calendar.from_ical(written)
        assert written.endswith(b"END:VCALENDAR\r\n")
        for event in calendar.walk("VEVENT"):
            assert "X-CAL-FOLLOWUP-STAGE" in event
    leftovers = [p.name for p in folder.iterdir() if p.name not in ("input.ics", "reminders.ics")]
    assert leftovers == [] or all(not n.startswith(".cal-followup-") for n in leftovers), leftovers
    return status, err


def test_every_seed_exports_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The fuzzer only means something if the unbroken seeds pass with status 0.
    for number, seed in enumerate(SEEDS):
        folder = tmp_path / str(number)
        folder.mkdir()
        status, err = check_run(folder, seed, capsys)
        assert status == 0, err


def test_mutated_calendars_never_crash_or_corrupt(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    @settings(max_examples=examples(request, 200), **FUZZ)  # type: ignore[arg-type]
    @given(data=broken_calendar())
    def run(data: bytes) -> None:
        check_run(tmp_path_factory.mktemp("fuzz"), data, capsys)

    run()


def test_random_bytes_never_crash(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    @settings(max_examples=examples(request, 60), **FUZZ)  # type: ignore[arg-type]
    @given(data=st.binary(max_size=2_000) | st.text(max_size=2_000).map(str.encode))
    def run(data: bytes) -> None:
        check_run(tmp_path_factory.mktemp("bytes"), b"BEGIN:VCALENDAR\r\n" + data, capsys)
        check_run(tmp_path_factory.mktemp("bytes"), data, capsys)

    run()


def test_reading_yields_occurrences_or_problems_only(request: pytest.FixtureRequest) -> None:
    @settings(max_examples=examples(request, 200), **FUZZ)  # type: ignore[arg-type]
    @given(data=broken_calendar())
    def run(data: bytes) -> None:
        try:
            calendar = parse_calendar(data, "fuzz.ics")
        except SourceError as error:
            assert str(error).startswith("fuzz.ics") and "\n" not in str(error)
            return
        for found in iter_occurrences(calendar, WINDOW, HELSINKI, "fuzz.ics"):
            assert isinstance(found, Occurrence | Problem)
            if isinstance(found, Problem):
                assert str(found).startswith("fuzz.ics") and "\n" not in str(found)
            else:
                assert found.start.tzinfo is not None and found.end >= found.start

    run()


def test_one_broken_event_never_hides_the_others(request: pytest.FixtureRequest) -> None:
    """Break one event of the samples; every other interview is still found."""
    seed = SEEDS[0]
    events = seed.count(b"BEGIN:VEVENT")

    @settings(max_examples=examples(request, 40), **FUZZ)  # type: ignore[arg-type]
    @given(which=st.integers(0, events - 1), how=st.sampled_from(
        ["cut", "nest", "garbage-start", "no-end", "binary"]
    ))  # fmt: skip
    def run(which: int, how: str) -> None:
        parts = seed.split(b"BEGIN:VEVENT")
        head, bodies = parts[0], parts[1:]
        uids = [b.split(b"UID:", 1)[1].split(b"\r\n", 1)[0].decode() for b in bodies]
        body = bodies[which]
        if how == "cut":
            body = body[: len(body) // 2] + b"\r\n"
            body = body.replace(b"END:VEVENT", b"")
        elif how == "nest":
            body = body.replace(b"\r\nSUMMARY", b"\r\n" + b"BEGIN:X\r\n" * 50 + b"SUMMARY", 1)
        elif how == "garbage-start":
            body = body.replace(b"DTSTART", b"DTSTART:not-a-date\r\nX-OLD-DTSTART", 1)
        elif how == "no-end":
            body = body.replace(b"END:VEVENT", b"")
        else:
            body = body.replace(b"SUMMARY:", b"SUMMARY:\xff\xfe\x00", 1)
        text = b"BEGIN:VEVENT".join([head, *bodies[:which], body, *bodies[which + 1 :]])
        found = {
            o.uid
            for o in iter_occurrences(parse_calendar(text, "s.ics"), WINDOW, HELSINKI, "s.ics")
            if isinstance(o, Occurrence)
        }
        others = set(uids) - {uids[which]}
        assert others <= found, (how, uids[which], others - found)

    run()


def test_zone_and_rule_bombs_never_stop_the_rest(request: pytest.FixtureRequest) -> None:
    """Any bomb ends (refused or cut short in one line) and the ordinary event is read."""
    from tests.fuzzhelpers import bomb_calendar

    @settings(max_examples=examples(request, 15), **FUZZ)  # type: ignore[arg-type]
    @given(data=bomb_calendar())
    def run(data: bytes) -> None:
        calendar = parse_calendar(data, "bomb.ics")
        found = list(iter_occurrences(calendar, WINDOW, HELSINKI, "bomb.ics"))
        assert any(isinstance(f, Occurrence) and f.uid == "ordinary" for f in found)
        bombs = [f for f in found if isinstance(f, Occurrence) and f.uid == "bomb"]
        assert len(bombs) <= 1000
        for problem in (f for f in found if isinstance(f, Problem)):
            assert "\n" not in str(problem)

    run()


def test_hostile_hrefs_never_resolve_inside_the_collection(request: pytest.FixtureRequest) -> None:
    from urllib.parse import urljoin

    from cal_followup.stores.caldav import inside_collection
    from tests.fuzzhelpers import hostile_href

    collection = "http://h/cal/"

    @settings(max_examples=examples(request, 200), **FUZZ)  # type: ignore[arg-type]
    @given(case=hostile_href())
    def run(case: tuple[str, bool]) -> None:
        href, inside = case
        assert inside_collection(urljoin(collection, href), collection) is inside, href

    run()


def test_redirects_never_carry_credentials_elsewhere(request: pytest.FixtureRequest) -> None:
    import urllib.request
    from urllib.parse import urljoin

    from cal_followup.stores.feed import _KeepCredentialsHome
    from tests.fuzzhelpers import redirect_target

    home = "http://feed.example:8080/private/feed.ics"

    @settings(max_examples=examples(request, 200), **FUZZ)  # type: ignore[arg-type]
    @given(case=redirect_target(), code=st.sampled_from([301, 302, 303, 307, 308]))
    def run(case: tuple[str, bool], code: int) -> None:
        location, same = case
        request = urllib.request.Request(home, headers={"Authorization": "Basic c2FtOnB3"})
        new = _KeepCredentialsHome().redirect_request(
            request, None, code, "moved", {}, urljoin(home, location)
        )
        assert new is not None
        carried = new.has_header("Authorization") or "Authorization" in new.unredirected_hdrs
        assert carried is same, location

    run()
