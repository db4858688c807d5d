"""What expanding a recurrence rule costs, and how to skip the years before the window.

An invitation can carry ``FREQ=DAILY`` from 1900 or ``FREQ=YEARLY;BYDAY=MO,TU,
WE,TH,FR,SA,SU;BYHOUR=0,...,23`` from year 1; expanding it from its DTSTART
costs minutes and gigabytes although only the few instances in the planning
window matter. Two defences live here:

- ``fast_forward`` moves an open-ended rule's DTSTART to just before the
  window by a whole number of its periods, which leaves the set of instances
  from there on unchanged (a rule with COUNT must be counted from its real
  start, so it is left alone);
- ``rule_steps`` estimates the instances a rule generates up to the window's
  end, counting what BYDAY, BYMONTHDAY, BYYEARDAY, BYHOUR... expand to, so
  a rule too costly even after fast-forwarding is refused before any work.
"""

from __future__ import annotations

import copy
import math
from datetime import date, datetime, timedelta
from typing import Any

_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 604800,
}
_MONTHS = {"MONTHLY": 1, "YEARLY": 12}
_APPROX = {**_SECONDS, "MONTHLY": 2_629_746, "YEARLY": 31_556_952}
#: Whatever a rule's period, fast-forwarding stops this far before the window,
#: so instances of long events that began before it are still seen.
_MARGIN = timedelta(days=40)


def _parts(rule: Any) -> dict[str, list[Any]]:
    return {str(k).upper(): list(v) if isinstance(v, list) else [v] for k, v in dict(rule).items()}


def _freq(parts: dict[str, list[Any]]) -> str:
    return str((parts.get("FREQ") or ["YEARLY"])[0]).upper()


def _interval(parts: dict[str, list[Any]]) -> int:
    try:
        return max(int((parts.get("INTERVAL") or [1])[0]), 1)
    except (TypeError, ValueError):
        return 1


def per_period(parts: dict[str, list[Any]]) -> float:
    """Instances one period of the rule can generate once BYxxx parts are expanded."""
    freq = _freq(parts)

    def count(name: str) -> int:
        return len(parts.get(name) or [])

    months = count("BYMONTH") or 12
    days = 1.0
    if freq == "YEARLY":
        if count("BYYEARDAY"):
            days = count("BYYEARDAY")
        elif count("BYMONTHDAY"):
            days = count("BYMONTHDAY") * months
        elif count("BYWEEKNO"):
            days = 7 * count("BYWEEKNO")
        elif count("BYDAY"):
            days = count("BYDAY") * (5 * months if count("BYMONTH") else 53)
    elif freq == "MONTHLY":
        days = count("BYMONTHDAY") or (5 * count("BYDAY")) or 1
    elif freq == "WEEKLY":
        days = count("BYDAY") or 1
    unit = _APPROX.get(freq, 86400)
    for name, size in (("BYHOUR", 3600), ("BYMINUTE", 60), ("BYSECOND", 1)):
        if count(name) and size < unit:
            days *= count(name)
    return days


def rule_steps(rules: list[Any], start: datetime, until: datetime) -> float:
    """Roughly how many instances expanding ``rules`` from ``start`` to ``until`` generates."""
    total = 0.0
    for rule in rules:
        parts = _parts(rule)
        freq = _freq(parts)
        end = until
        for value in parts.get("UNTIL") or []:
            if isinstance(value, datetime):
                limit = value if value.tzinfo else value.replace(tzinfo=start.tzinfo)
            elif isinstance(value, date):
                limit = datetime.combine(value, datetime.min.time(), start.tzinfo)
            else:
                continue
            end = min(end, limit)
        span = max((end - start).total_seconds(), 0.0)
        periods = span / (_APPROX.get(freq, 86400) * _interval(parts)) + 1
        total += periods * per_period(parts)
    return total


def _add_months(value: date, months: int) -> date | None:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    try:
        return value.replace(year=year, month=month + 1)
    except ValueError:  # the 31st in a short month, or 29 February
        return None


def shift_for(rule: Any, start: date, window_start: datetime) -> timedelta | int | None:
    """How far the rule's DTSTART can move forward (a timedelta, or months); None: not at all."""
    parts = _parts(rule)
    if parts.get("COUNT"):
        return None
    freq = _freq(parts)
    if isinstance(start, datetime):
        first = start if start.tzinfo else start.replace(tzinfo=window_start.tzinfo)
    else:
        first = datetime.combine(start, datetime.min.time(), window_start.tzinfo)
    room = (window_start - _MARGIN - first).total_seconds()
    if freq in _SECONDS:
        period = _SECONDS[freq] * _interval(parts)
        steps = math.floor(room / period) if room > 0 else 0
        return timedelta(seconds=steps * period) if steps > 0 else None
    if freq in _MONTHS:
        # Whole years, so the month (and the day in it) of every default stays put.
        block = math.lcm(_MONTHS[freq] * _interval(parts), 12)
        steps = math.floor(room / (_APPROX["MONTHLY"] * block)) if room > 0 else 0
        while steps > 0 and _add_months(start, steps * block) is None:
            steps -= 1
        return steps * block if steps > 0 else None
    return None


def fast_forward(component: Any, window_start: datetime) -> Any:
    """A copy of ``component`` starting just before the window, or ``component`` itself.

    Only a component with exactly one RRULE, no COUNT and no RDATE moves.
    """
    rules = component.get("RRULE")
    if rules is None or isinstance(rules, list) or "RDATE" in component:
        return component
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return component
    start = start_prop.dt
    shift = shift_for(rules, start, window_start)
    if shift is None:
        return component
    if isinstance(shift, int):
        moved = _add_months(start, shift)
        if moved is None:
            return component
        # Wall-clock difference, so DTEND keeps its local time across DST.
        naive = (lambda v: v.replace(tzinfo=None)) if isinstance(start, datetime) else (lambda v: v)
        delta = naive(moved) - naive(start)
    else:
        delta = shift
        if not isinstance(start, datetime) and delta.seconds:
            return component
        moved = start + delta
    result = copy.deepcopy(component)
    params = dict(start_prop.params)
    result.pop("DTSTART")
    result.add("DTSTART", moved, parameters=params)
    end_prop = component.get("DTEND")
    if end_prop is not None:
        result.pop("DTEND")
        result.add("DTEND", end_prop.dt + delta, parameters=dict(end_prop.params))
    return result
