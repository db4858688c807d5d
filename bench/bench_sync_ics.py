"""``sync`` against ``plan`` on the same large .ics file: linear, and close to plan.

Both read every event; sync also wraps each event as one object, reads the
state and writes the few reminders back into the file. The baseline is
``plan`` on the same file in the same run. Printed: seconds for 10k and 50k
events, sync/plan at each size (the target is at most 1.5x), and how each
grows from 10k to 50k (5x is linear; quadratic would be about 25x).
Run: python bench/bench_sync_ics.py [--sizes 10000,50000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cal_followup.cli import main as cli_main  # noqa: E402

ZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Helsinki\r
BEGIN:STANDARD\r
DTSTART:19701025T040000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0300\r
TZOFFSETTO:+0200\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T030000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0300\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""
NOW = datetime(2026, 12, 1, 8, 0)


def calendar(events: int) -> bytes:
    """``events`` events, one an hour back from NOW; every 500th is an interview."""
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//sync//EN\r\n", ZONE]
    for n in range(events):
        start = NOW + timedelta(days=20) - timedelta(hours=3 * n)
        stamp = start.strftime("%Y%m%dT%H%M%S")
        interview = n % 500 == 0
        summary = f"Interview with Company{n} for Analyst" if interview else f"Meeting {n}"
        people = (
            f"ORGANIZER;CN=Recruiter {n}:mailto:r{n}@company{n}.example\r\n"
            f"ATTENDEE;CN=Sam:mailto:sam@example.org\r\n"
            if interview
            else ""
        )
        parts.append(
            f"BEGIN:VEVENT\r\nUID:bench-{n}@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID=Europe/Helsinki:{stamp}\r\nDURATION:PT1H\r\n"
            f"SUMMARY:{summary}\r\n{people}DESCRIPTION:Notes for {n}\r\nEND:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


def timed(args: list[str]) -> float:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli_main(args)
    took = time.perf_counter() - start
    if status not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({status}): {err.getvalue()[-500:]}")
    return took


def measure(events: int, folder: Path) -> tuple[float, float]:
    original = folder / f"cal-{events}.ics"
    original.write_bytes(calendar(events))
    common = ["--now", NOW.isoformat(), "--tz", "Europe/Helsinki", "--me", "sam@example.org"]
    plan = min(timed(["plan", str(original), "--json", *common]) for _ in range(2))
    syncs = []
    for attempt in range(2):
        copy = folder / f"sync-{events}-{attempt}.ics"
        shutil.copy(original, copy)
        os.environ["XDG_STATE_HOME"] = str(folder / f"state-{events}-{attempt}")
        syncs.append(timed(["sync", str(copy), *common]))
    return plan, min(syncs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        results = {}
        print(f"{'events':>8} {'plan s':>8} {'sync s':>8} {'sync/plan':>10}")
        for size in sizes:
            plan, sync = measure(size, folder)
            results[size] = (plan, sync)
            print(f"{size:>8} {plan:8.2f} {sync:8.2f} {sync / plan:9.2f}x")
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[-1]
            grow = large / small
            for index, label in ((0, "plan"), (1, "sync")):
                ratio = results[large][index] / results[small][index]
                print(
                    f"{label}: {large} vs {small} events took {ratio:.1f}x ({grow:.0f}x is linear)"
                )


if __name__ == "__main__":
    main()
