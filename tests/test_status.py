"""`status`: every time in the user's zone with its label, each reminder once.

A weekly interview held in New York, followed by a user in Helsinki: its two
occurrences are two rounds of one application, listed under its heading. Each
round lists its own thank-you, the later round also the application's one
check-in and closing (rules section 9); the start, the due times and the last
sync are all Helsinki wall-clock times marked EET.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.synchelpers import SAMPLE, Runner


def _recurring_in_new_york(folder: Path) -> Path:
    text = SAMPLE.decode()
    event = text[text.index("BEGIN:VEVENT") : text.index("END:VEVENT") + len("END:VEVENT")]
    event = event.replace(
        "DTSTART;TZID=Europe/Helsinki:20261201T100000",
        "DTSTART;TZID=America/New_York:20261201T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2",
    ).replace(
        "DTEND;TZID=Europe/Helsinki:20261201T110000", "DTEND;TZID=America/New_York:20261201T110000"
    )
    path = folder / "recurring.ics"
    path.write_bytes(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{event}\r\nEND:VCALENDAR\r\n".replace(
            "\r\n", "\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )
    return path


def test_status_is_in_the_users_zone_and_lists_each_reminder_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _recurring_in_new_york(tmp_path)
    run = Runner(tmp_path, monkeypatch, capsys)
    status, out, err = run("sync", str(path))
    # Thank-you for each week's round; check-in, closing and keep-in-touch for the last.
    assert (status, out.strip()) == (0, "5 created"), err
    status, out, err = run("status", str(path))
    assert status == 0, err
    lines = out.splitlines()
    assert re.fullmatch(r"last sync: \d{4}-\d\d-\d\d \d\d:\d\d EET, ok: 5 created", lines[0])
    # 10:00 in New York is 17:00 in Helsinki, both weeks.
    headers = [line.strip() for line in lines if "Interview with Acme" in line]
    assert [h.split("  ")[0] for h in headers] == ["2026-12-01 17:00 EET", "2026-12-08 17:00 EET"]
    stages = [line for line in lines if line.startswith("    ")]
    assert len(stages) == 5 and all(" EET " in line for line in stages[:-1])
    first, second = out.split("2026-12-08 17:00 EET")
    assert first.count("pending") == 1 and second.count("pending") == 4
    # Keep-in-touch, shown last: 90 days after the closing (Thursday 31 December,
    # ten US business days after the check-in), Wednesday 31 March 2027, in summer time.
    assert "closing          2026-12-31 09:00 EET" in second
    assert stages[-1].split()[:4] == ["keep-in-touch", "2027-03-31", "09:00", "EEST"]
    assert "pending" in stages[-1] and "LinkedIn" in stages[-1]
    assert "2026-12-02 09:00 EET" in first and "2026-12-09 09:00 EET" in second

    status, out, _ = run("status", str(path), "--json")
    data = json.loads(out)
    assert [row["start"] for row in data["interviews"]] == [
        "2026-12-01T17:00:00+02:00",
        "2026-12-08T17:00:00+02:00",
    ]
    dues = [stage["due"] for row in data["interviews"] for stage in row["stages"]]
    assert len(dues) == len(set(dues)) == 5 and all(d.endswith("+02:00") for d in dues[:-1])
    assert dues[-1] == "2027-03-31T09:00:00+03:00"
