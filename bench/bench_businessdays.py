"""Compare workalendar's add_working_days with BusinessCalendar.add_business_days.

Both answer the same inputs in the same run (source="workalendar", so the answers are
equal too); prints time per call and the ratio. Run: python bench/bench_businessdays.py
"""

from __future__ import annotations

import random
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cal_followup.businessdays import business_calendar  # noqa: E402

COUNTRIES = ["FI", "DE", "US-CA", "GB", "JP", "IL"]
CALLS = 20_000


def best_of(runs: int, add: Callable[[date, int], date], cases: list[tuple[date, int]]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for day, n in cases:
            add(day, n)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    warnings.simplefilter("ignore")
    from workalendar.registry import registry

    rnd = random.Random(2026)
    first = date(2024, 1, 1)
    cases = [
        (first + timedelta(days=rnd.randrange(7 * 365)), rnd.randint(1, 30)) for _ in range(CALLS)
    ]
    print(f"{CALLS} calls per country, dates 2024-2030, n in 1..30; best of 3 runs")
    total_wk = total_ours = 0.0
    for code in COUNTRIES:
        wk = registry.get(code)()
        ours = business_calendar(code, source="workalendar")
        # Warm both up, which also checks that they agree.
        for day, n in cases:
            assert wk.add_working_days(day, n) == ours.add_business_days(day, n)
        t_wk = best_of(3, wk.add_working_days, cases)
        t_ours = best_of(3, ours.add_business_days, cases)
        total_wk += t_wk
        total_ours += t_ours
        print(
            f"{code:6} workalendar {t_wk / CALLS * 1e6:8.2f} us/call   "
            f"ours {t_ours / CALLS * 1e6:6.3f} us/call   ratio {t_wk / t_ours:7.0f}x"
        )
    print(f"overall ratio (workalendar time / ours): {total_wk / total_ours:.0f}x")


if __name__ == "__main__":
    main()
