"""Zone and recurrence bombs: read at bounded cost, in a subprocess under hard limits.

Each bomb is planned by ``cal-followup plan`` in a child process whose
address space and CPU time are capped with ``resource.setrlimit``: a bomb
that regresses is killed by the kernel (a failed test), not left to eat the
machine. The run must end with one problem line naming the zone or event,
and the ordinary interview next to the bomb must still be planned.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

#: Far above what reading a small calendar needs, far below what the bombs took.
MEMORY_BYTES = 700 * 1024 * 1024
CPU_SECONDS = 40

NORMAL = """BEGIN:VEVENT
UID:normal-1
DTSTART;TZID=Europe/Berlin:20261202T100000
DTEND;TZID=Europe/Berlin:20261202T110000
SUMMARY:Interview with Globex
ORGANIZER;CN=Pat Lee:mailto:pat@globex.example
ATTENDEE;CN=Sam:mailto:sam@example.org
END:VEVENT
"""


def zone_bomb(freq: str, tzid: str = "Bomb Time") -> str:
    return f"""BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:00010101T000000
RRULE:FREQ={freq}
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:00010301T000000
RRULE:FREQ=YEARLY
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:any-event
DTSTART;TZID={tzid}:20261203T100000
SUMMARY:Lunch
END:VEVENT
"""


def rule_bomb(rule: str, start: str, uid: str = "bomb-1") -> str:
    return f"""BEGIN:VEVENT
UID:{uid}
DTSTART;TZID=Europe/Berlin:{start}
DTEND;TZID=Europe/Berlin:{start[:9]}230000
RRULE:{rule}
SUMMARY:Standup
END:VEVENT
"""


def calendar(*parts: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        + "".join(parts).replace("\n", "\r\n")
        + "END:VCALENDAR\r\n"
    )


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def plan_limited(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "bomb.ics"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "cal_followup", "plan", str(path), "--json",
         "--now", "2026-12-01T08:00", "--tz", "Europe/Berlin", "--country", "DE",
         "--me", "sam@example.org", "--name", "Sam"],
        capture_output=True, text=True, env=env, preexec_fn=_limits, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY"])
def test_zone_bomb_is_refused_in_one_line_and_the_rest_is_read(tmp_path: Path, freq: str) -> None:
    result = plan_limited(tmp_path, calendar(zone_bomb(freq), NORMAL))
    assert result.returncode in (0, 1), result.stderr[-2000:]
    zone_lines = [line for line in result.stderr.splitlines() if "'Bomb Time'" in line]
    assert zone_lines and "time zone 'Bomb Time'" in zone_lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert "normal-1" in result.stdout


def test_zone_with_many_changes_a_year_is_refused(tmp_path: Path) -> None:
    days = ",".join(str(d) for d in range(1, 32))
    bomb = zone_bomb(f"MONTHLY;BYMONTHDAY={days}")
    result = plan_limited(tmp_path, calendar(bomb, NORMAL))
    assert "times a year" in result.stderr
    assert "normal-1" in result.stdout


@pytest.mark.parametrize(
    "rule",
    [
        "YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",  # every day of the year: plain weekdays expand
        "YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYDAY=MO,TU,WE,TH,FR",
    ],
)
def test_zone_whose_weekdays_expand_is_refused(tmp_path: Path, rule: str) -> None:
    result = plan_limited(tmp_path, calendar(zone_bomb(rule), NORMAL))
    assert "times a year" in result.stderr, result.stderr[-2000:]
    assert "normal-1" in result.stdout


def test_real_zone_rules_are_read() -> None:
    from cal_followup.ics.zones import zone_changes_per_year as _zone_changes_per_year

    assert _zone_changes_per_year("YEARLY", {"BYMONTH": "3", "BYDAY": "-1SU"}) == 1
    assert _zone_changes_per_year("YEARLY", {"BYMONTH": "10", "BYDAY": "1SU"}) == 1
    assert _zone_changes_per_year("YEARLY", {}) == 1


ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"
ALL_HOURS = ",".join(str(h) for h in range(24))
ALL_MONTH_DAYS = ",".join(str(d) for d in range(1, 32))


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        (f"FREQ=YEARLY;BYDAY={ALL_DAYS};BYHOUR={ALL_HOURS}", "20000101T100000"),
        ("FREQ=DAILY", "19000101T100000"),
        (f"FREQ=MONTHLY;BYMONTHDAY={ALL_MONTH_DAYS}", "00010101T100000"),
        ("FREQ=MINUTELY", "19000101T100000"),
        ("FREQ=SECONDLY", "00010101T000000"),
        (f"FREQ=HOURLY;BYMINUTE={ALL_HOURS};BYSECOND={ALL_HOURS}", "20000101T000000"),
    ],
)
def test_recurrence_bombs_end_quickly_and_the_rest_is_read(
    tmp_path: Path, rule: str, start: str
) -> None:
    bombs = [rule_bomb(rule, start, uid=f"bomb-{n}") for n in range(5)]
    result = plan_limited(tmp_path, calendar(*bombs, NORMAL))
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "normal-1" in result.stdout


def test_a_daily_rule_from_1900_yields_the_window_instances() -> None:
    """Fast-forwarding must not change which instances fall in the window."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from cal_followup.ics import Occurrence, Window, iter_occurrences, parse_calendar

    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    found = {}
    for rule, start in [("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH", "19000102T100000"),
                        ("FREQ=MONTHLY;BYDAY=-1FR", "19000131T100000"),
                        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=2", "19001202T100000")]:  # fmt: skip
        for recent in (False, True):
            # The same series with DTSTART in 2026 (aligned on the same period) is the reference.
            first = start if not recent else _aligned(rule, start)
            text = calendar(rule_bomb(rule, first))
            got = [
                o.start.isoformat()
                for o in iter_occurrences(
                    parse_calendar(text, "x.ics"), window, ZoneInfo("UTC"), "x.ics"
                )
                if isinstance(o, Occurrence)
            ]
            found[(rule, recent)] = got
        assert found[(rule, False)] == found[(rule, True)], rule
        assert found[(rule, False)]


def _aligned(rule: str, start: str) -> str:
    from datetime import datetime, timedelta

    first = datetime.strptime(start, "%Y%m%dT%H%M%S")
    if "WEEKLY" in rule:
        weeks = (datetime(2026, 6, 1) - first).days // 21 * 21
        return (first + timedelta(days=weeks)).strftime("%Y%m%dT%H%M%S")
    if "MONTHLY" in rule:
        return first.replace(year=2026, month=1).strftime("%Y%m%dT%H%M%S")
    return first.replace(year=2026).strftime("%Y%m%dT%H%M%S")
