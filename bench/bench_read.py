"""How much reading costs on top of icalendar itself, clean and broken.

The baseline is icalendar.Calendar.from_ical on the same bytes in the same
run; ours is reading.parse_calendar plus iter_occurrences over a 400-day
window (the line scanner, recovery, X-WR-TIMEZONE, recurrence expansion).
The broken case cuts one event short in the middle (the scanner drops it and
reports it); the last line forces the block-by-block parse that reading falls
back to when icalendar rejects the whole. Prints seconds and ratios; no
absolute thresholds.
Run: python bench/bench_read.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import icalendar  # noqa: E402

from cal_followup.ics import Window, iter_occurrences, parse_calendar  # noqa: E402
from cal_followup.ics.parse import _parse_one_by_one  # noqa: E402
from cal_followup.ics.scan import scan_text  # noqa: E402
from tests.test_corpus import big_calendar  # noqa: E402

HELSINKI = ZoneInfo("Europe/Helsinki")
WINDOW = Window(datetime(2026, 9, 26, tzinfo=HELSINKI), datetime(2027, 11, 25, tzinfo=HELSINKI))


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def ours(data: bytes) -> int:
    calendar = parse_calendar(data, "big.ics")
    return sum(1 for _ in iter_occurrences(calendar, WINDOW, HELSINKI, "big.ics"))


def main() -> None:
    data, _ = big_calendar()
    middle = data.index(b"BEGIN:VEVENT", len(data) // 2)
    end = data.index(b"END:VEVENT", middle)
    broken = data[:middle] + data[middle:end] + data[end + len(b"END:VEVENT\r\n") :]
    print(f"{len(data) / 1e6:.1f} MB, {data.count(b'BEGIN:VEVENT')} events; best of 3 runs")
    baseline = best_of(3, lambda: icalendar.Calendar.from_ical(data, multiple=True))
    print(f"icalendar.from_ical (baseline)     {baseline:6.2f} s")
    for label, payload in (("clean", data), ("one event cut off", broken)):
        took = best_of(3, lambda payload=payload: ours(payload))  # type: ignore[misc]
        print(f"reading, {label:18} {took:6.2f} s   ratio {took / baseline:5.2f}x baseline")
    scan = scan_text(data)
    good = [b for b in scan.blocks if b.trouble is None]
    took = best_of(3, lambda: _parse_one_by_one(scan, good))
    print(f"block by block (fallback)  {took:6.2f} s   ratio {took / baseline:5.2f}x baseline")


if __name__ == "__main__":
    main()
