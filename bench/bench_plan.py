"""``plan`` and ``export`` against icalendar's own parse of the same file, 1k to 100k events.

Generates calendars of about 240 bytes an event, one event in ten an
interview (in every draft language), the rest a realistic mix: other people's
meetings, all-day events, weekly series with a moved occurrence, three
VTIMEZONEs; spread over four years around "now", so the planning window holds
a fixed share of them at every size.

Every figure is measured in a fresh subprocess, both sides the same way,
after the imports: CPU seconds of the process (best of a few runs; CPU time,
so that other work on a shared machine does not blur the ratios), and peak
memory as the growth of the process's peak resident size (ru_maxrss) over
what it was once everything was imported. Printed per size:

- parse: ``icalendar.Calendar.from_ical`` of the file (the baseline);
- plan: ``cal-followup plan FILE --json``; ratio target <= 0.5x parse;
- export: ``cal-followup export FILE``; baseline is the parse plus
  icalendar serialising the very calendar export wrote; target <= 1.0x;
- peak memory of plan and export over the parse's; target <= 1.0;
- per-event cost from the smallest to the largest size (1.0 is linear).

Run: python bench/bench_plan.py [--sizes 1000,10000,100000] [--write DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 8, 0)
ME = "sam@example.org"
COMMON = ["--now", NOW.isoformat(), "--tz", "Europe/Helsinki", "--me", ME]
#: (summary, language) of the interviews, by turns.
INTERVIEWS = (
    "Interview with Company{n} – Analyst",
    "Vorstellungsgespräch bei Firma{n}",
    "Haastattelu: Yritys{n}",
    "Entretien avec Société{n}",
    "Entrevista con Empresa{n}",
    "Colloquio con Azienda{n}",
    "Anställningsintervju Bolag{n}",
    "面试 公司{n}",
)
OTHERS = ("Team sync", "Lunch", "1:1 with Kim", "Planning", "Dentist", "Review", "Gym")
ZONES = ("Europe/Helsinki", "America/New_York", "Europe/Berlin")


def _zone(tzid: str, standard: str, daylight: str, std_rule: str, dst_rule: str) -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
        f"RRULE:FREQ=YEARLY;{std_rule}\r\nTZOFFSETFROM:{daylight}\r\nTZOFFSETTO:{standard}\r\n"
        f"END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n"
        f"RRULE:FREQ=YEARLY;{dst_rule}\r\nTZOFFSETFROM:{standard}\r\nTZOFFSETTO:{daylight}\r\n"
        "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )


VTIMEZONES = (
    _zone("Europe/Helsinki", "+0200", "+0300", "BYMONTH=10;BYDAY=-1SU", "BYMONTH=3;BYDAY=-1SU")
    + _zone("America/New_York", "-0500", "-0400", "BYMONTH=11;BYDAY=1SU", "BYMONTH=3;BYDAY=2SU")
    + _zone("Europe/Berlin", "+0100", "+0200", "BYMONTH=10;BYDAY=-1SU", "BYMONTH=3;BYDAY=-1SU")
)


def _event(n: int, start: datetime) -> str:
    """Event ``n``: an interview one time in ten, else another kind of entry."""
    zone = ZONES[n % 3]
    stamp = f"{start:%Y%m%dT%H%M%S}"
    end = f"{start + timedelta(minutes=45):%Y%m%dT%H%M%S}"
    head = f"BEGIN:VEVENT\r\nUID:e{n}@bench.example\r\nDTSTAMP:20260101T000000Z\r\n"
    if n % 10 == 0:
        summary = INTERVIEWS[(n // 10) % len(INTERVIEWS)].format(n=n)
        return (
            f"{head}DTSTART;TZID={zone}:{stamp}\r\nDTEND;TZID={zone}:{end}\r\n"
            f"SUMMARY:{summary}\r\nORGANIZER;CN=Rita {n}:mailto:rita{n}@co{n}.example\r\n"
            f"ATTENDEE:mailto:{ME}\r\nEND:VEVENT\r\n"
        )
    kind = n % 10
    title = f"{OTHERS[n % len(OTHERS)]} {n}"
    if kind == 3:  # all-day
        return (
            f"{head}DTSTART;VALUE=DATE:{start:%Y%m%d}\r\n"
            f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}\r\n"
            f"SUMMARY:{title}\r\nTRANSP:TRANSPARENT\r\nCATEGORIES:Holiday\r\nEND:VEVENT\r\n"
        )
    if kind == 5:  # a weekly series, and one of its occurrences moved
        moved = start + timedelta(days=14)
        return (
            f"{head}DTSTART;TZID={zone}:{stamp}\r\nDTEND;TZID={zone}:{end}\r\n"
            f"RRULE:FREQ=WEEKLY;COUNT=8\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
            f"{head}RECURRENCE-ID;TZID={zone}:{moved:%Y%m%dT%H%M%S}\r\n"
            f"DTSTART;TZID={zone}:{moved + timedelta(hours=2):%Y%m%dT%H%M%S}\r\n"
            f"DURATION:PT45M\r\nSUMMARY:{title} (moved)\r\nEND:VEVENT\r\n"
        )
    return (  # someone else's meeting the user is invited to
        f"{head}DTSTART;TZID={zone}:{stamp}\r\nDTEND;TZID={zone}:{end}\r\n"
        f"SUMMARY:{title}\r\nORGANIZER;CN=Pat {n}:mailto:pat{n}@work.example\r\n"
        f"ATTENDEE:mailto:{ME}\r\nEND:VEVENT\r\n"
    )


def calendar(events: int) -> bytes:
    """``events`` events spread evenly over three years back and one ahead of NOW."""
    span = timedelta(days=4 * 365)
    first = NOW - timedelta(days=3 * 365)
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//plan//EN\r\n", VTIMEZONES]
    written = 0
    n = 0
    while written < events:
        start = first + span * n / events
        parts.append(_event(n, start.replace(minute=0, second=0, microsecond=0)))
        written += 2 if n % 10 == 5 else 1
        n += 1
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


# --- Measuring, in a fresh interpreter each time ----------------------------

#: Runs in the child: prints {"seconds": ..., "peak": ...} for one job.
CHILD = r"""
import contextlib, io, json, resource, sys, time
job, path = sys.argv[1], sys.argv[2]
args = json.loads(sys.argv[3])
import importlib, pkgutil
import icalendar
import cal_followup
for module in pkgutil.walk_packages(cal_followup.__path__, "cal_followup."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)  # every import first: startup is not the work
# The libraries cal_followup imports only when a command needs them are startup too
# (holidays loads every country's module at once): import them as well.
for name in ("holidays", "holidays.countries", "workalendar.registry", "voikko"):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
from cal_followup.cli import main

def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

if job == "serialise":  # the output calendar is parsed first: only serialising is measured
    with open(path, "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
before = peak_kb()
start = time.process_time()
if job == "parse":
    with open(path, "rb") as handle:
        icalendar.Calendar.from_ical(handle.read())
elif job == "serialise":
    calendar.to_ical()
else:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([job, path, *args])
    if status not in (0, 1):
        raise SystemExit(f"{job} failed ({status}): {err.getvalue()[-500:]}")
took = time.process_time() - start
print(json.dumps({"seconds": took, "peak": (peak_kb() - before) * 1024}))
"""


def run(job: str, path: Path, args: list[str]) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, job, str(path), json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if result.returncode != 0:
        raise SystemExit(f"{job} on {path.name} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def one_size(events: int, folder: Path, runs: int) -> dict[str, float]:
    """Each figure's best of ``runs``; the jobs take turns, so a busy spell on a shared
    machine falls on all of them alike rather than on one."""
    source = folder / f"cal-{events}.ics"
    source.write_bytes(calendar(events))
    exported = folder / f"out-{events}.ics"
    jobs = {  # export writes the calendar that serialise then reads
        "parse": (source, []),
        "plan": (source, ["--json", *COMMON]),
        "export": (source, ["-o", str(exported), *COMMON]),
        "serialise": (exported, []),
    }
    found: dict[str, list[dict[str, float]]] = {job: [] for job in jobs}
    for _ in range(runs):
        for job, (path, args) in jobs.items():
            found[job].append(run(job, path, args))
    best = {job: min(f["seconds"] for f in figures) for job, figures in found.items()}
    peak = {job: min(f["peak"] for f in figures) for job, figures in found.items()}
    return {
        "bytes": source.stat().st_size,
        "parse": best["parse"],
        "parse_peak": peak["parse"],
        "plan": best["plan"],
        "plan_peak": peak["plan"],
        "export": best["export"],
        "export_peak": peak["export"],
        "serialise": best["serialise"],
        "export_baseline": best["parse"] + best["serialise"],
    }


def print_table(results: dict[int, dict[str, float]]) -> None:
    print(
        f"{'events':>7} {'MB':>5} {'parse s':>8} {'parse MB':>8} {'plan s':>7} {'plan/p':>7}"
        f" {'export s':>8} {'exp/(p+s)':>9} {'plan mem':>8} {'exp mem':>8}"
    )
    for size, r in results.items():
        print(
            f"{size:>7} {r['bytes'] / 1e6:5.1f} {r['parse']:8.2f} {r['parse_peak'] / 1e6:8.1f}"
            f" {r['plan']:7.2f} {r['plan'] / r['parse']:6.2f}x"
            f" {r['export']:8.2f} {r['export'] / r['export_baseline']:8.2f}x"
            f" {r['plan_peak'] / r['parse_peak']:7.2f}x {r['export_peak'] / r['parse_peak']:7.2f}x"
        )
    print("targets: plan/p <= 0.5x, exp/(p+s) <= 1.0x, memory <= 1.0x of the parse's peak")
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for job in ("parse", "plan", "export"):
            per_small = results[small][job] / small
            per_large = results[large][job] / large
            print(
                f"{job:>6}: per-event cost at {large} is {per_large / per_small:.2f}x"
                f" that at {small} (1.0 is linear)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (best kept)")
    parser.add_argument("--write", metavar="DIR", help="only write the calendars into DIR")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    if options.write:
        for size in sizes:
            (Path(options.write) / f"cal-{size}.ics").write_bytes(calendar(size))
        return
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_STATE_HOME"] = str(folder / "state")
        for size in sizes:
            results[size] = one_size(size, folder, 1 if size >= 50_000 else options.runs)
            print(f"measured {size} events", file=sys.stderr)
    print_table(results)


if __name__ == "__main__":
    main()
