"""Small builders for tests: calendars as text, settings, and the pipeline in memory."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from cal_followup.config import Settings
from cal_followup.detect import examine
from cal_followup.ics import Occurrence, Window, iter_occurrences, parse_calendar
from cal_followup.model import Interview


def vevent(
    uid: str = "iv-1@example.com",
    summary: str = "Interview with Acme – Data Engineer",
    start: str = "DTSTART;TZID=Europe/Helsinki:20261201T100000",
    end: str | None = "DTEND;TZID=Europe/Helsinki:20261201T110000",
    extra: str = "",
) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261120T100000Z", start]
    if end:
        lines.append(end)
    lines.append(f"SUMMARY:{summary}")
    lines.extend(line for line in extra.strip().splitlines() if line.strip())
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def calendar(*events: str, header: str = "") -> str:
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN"]
    parts.extend(line for line in header.strip().splitlines() if line.strip())
    parts.extend(events)
    parts.append("END:VCALENDAR")
    return "\r\n".join(parts) + "\r\n"


def settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "timezone": "Europe/Helsinki",
        "me": ("me@example.net",),
        "name": "Sam Candidate",
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


WIDE = Window(
    datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC")), datetime(2035, 1, 1, tzinfo=ZoneInfo("UTC"))
)


def occurrences(
    text: str, config: Settings | None = None, window: Window = WIDE
) -> list[Occurrence]:
    config = config or settings()
    found = iter_occurrences(
        parse_calendar(text.encode(), "test.ics"), window, config.zone, "test.ics"
    )
    return [o for o in found if isinstance(o, Occurrence)]


def interviews(text: str, config: Settings | None = None) -> list[Interview]:
    config = config or settings()
    result = []
    for occurrence in occurrences(text, config):
        verdict = examine(occurrence, config)
        if verdict.interview is not None:
            result.append(verdict.interview)
    return result


def one_interview(event: str, config: Settings | None = None) -> Interview:
    found = interviews(calendar(event), config)
    assert len(found) == 1, found
    return found[0]
