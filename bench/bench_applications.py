"""What grouping interviews into applications costs on top of planning them.

The baseline is the per-interview plan (policy.plan_interview for every
interview, as before applications existed) on the same interviews in the same
run; ours is applications.plan_applications, which groups them first (2,000
interviews: 400 companies, roles known and unknown, multi-day series).
Prints seconds and the ratio; no absolute thresholds.
Run: python bench/bench_applications.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cal_followup.applications import plan_applications  # noqa: E402
from cal_followup.businessdays import business_calendar  # noqa: E402
from cal_followup.model import Interview, Person  # noqa: E402
from cal_followup.policy import plan_interview  # noqa: E402
from tests.helpers import settings  # noqa: E402

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=HELSINKI)


def interviews(count: int) -> list[Interview]:
    found = []
    for n in range(count):
        start = NOW + timedelta(hours=5 * n + 24)
        found.append(
            Interview(
                uid=f"iv-{n}@bench",
                recurrence_id=f"2026{n:06d}" if n % 10 == 0 else None,
                summary=f"Interview {n}",
                start=start,
                end=start + timedelta(hours=1),
                zone="Europe/Helsinki",
                interviewers=(Person(f"Person {n}", f"p{n}@co{n % 400}.example"),),
                organizer=Person("Recruiter", f"hr@co{n % 400}.example"),
                contact=Person("Recruiter", f"hr@co{n % 400}.example"),
                company=f"Company {n % 400} Oy",
                role=None if n % 3 == 0 else f"Role {n % 5}",
            )
        )
    return found


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    config = settings(country="FI")
    business = business_calendar("FI", "Europe/Helsinki")
    found = interviews(2000)

    def baseline() -> None:
        for interview in found:
            plan_interview(interview, NOW, config, business)

    def ours() -> None:
        plan_applications(found, NOW, config, lambda _: business, [])

    baseline()  # warm the caches both use (holidays, templates)
    base = best_of(3, baseline)
    took = best_of(3, ours)
    print(f"{len(found)} interviews; best of 3 runs")
    print(f"per-interview plan (baseline)  {base:6.2f} s")
    print(f"plan_applications              {took:6.2f} s   ratio {took / base:5.2f}x baseline")


if __name__ == "__main__":
    main()
