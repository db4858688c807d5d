"""Shared pieces of the sync tests: sample events, running the CLI, reading back."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest

from cal_followup.cli import main
from cal_followup.stages import STAGES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "samples" / "interviews.ics").read_bytes()
NOW = "2026-11-25T12:00"
#: The samples hold three open applications and four interviewers to thank: each
#: application gets one of each stage planned once per application while it is open.
PER_APPLICATION = sum(1 for row in STAGES if None in row.when and not row.per_round)
EXPECTED_FIRST_RUN = 4 + 3 * PER_APPLICATION


def config_file(folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(
        'timezone = "Europe/Helsinki"\ncountry = "FI"\n'
        'me = ["sam.candidate@example.net"]\nname = "Sam Candidate"\n'
    )
    return path


def split_by_uid(data: bytes) -> dict[str, bytes]:
    """The sample calendar as one object per UID, as a CalDAV server stores it."""
    calendar = icalendar.Calendar.from_ical(data)
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    grouped: dict[str, list[icalendar.cal.Component]] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            grouped.setdefault(str(component["UID"]), []).append(component)
    objects = {}
    for uid, components in grouped.items():
        single = icalendar.Calendar()
        single.add("PRODID", "-//tests//EN")
        single.add("VERSION", "2.0")
        for timezone in timezones:
            single.add_component(timezone)
        for component in components:
            single.add_component(component)
        objects[uid] = single.to_ical()
    return objects


def safe_name(uid: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", uid) + ".ics"


class Runner:
    """Runs the CLI in-process with its own state folder and password."""

    def __init__(
        self,
        folder: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        password: str | None = None,
    ) -> None:
        self.config = config_file(folder)
        self.capsys = capsys
        monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "no-config"))
        if password:
            monkeypatch.setenv("CAL_FOLLOWUP_PASSWORD", password)
        else:
            monkeypatch.delenv("CAL_FOLLOWUP_PASSWORD", raising=False)

    def __call__(self, *argv: str, now: str = NOW) -> tuple[int, str, str]:
        status = main([*argv, "--config", str(self.config), "--now", now])
        out, err = self.capsys.readouterr()
        return status, out, err


def reminders_in(objects: dict[str, bytes]) -> dict[str, icalendar.cal.Component]:
    """Our reminders among raw objects, by UID (a duplicate UID fails the test)."""
    found: dict[str, icalendar.cal.Component] = {}
    for data in objects.values():
        for component in icalendar.Calendar.from_ical(data).walk():
            if component.name in ("VEVENT", "VTODO") and component.get("X-CAL-FOLLOWUP-STAGE"):
                uid = str(component["UID"])
                assert uid not in found, f"duplicate reminder {uid}"
                found[uid] = component
    return found


def others_in(objects: dict[str, bytes]) -> dict[str, bytes]:
    return {href: data for href, data in objects.items() if b"X-CAL-FOLLOWUP-" not in data}


def moved(data: bytes, old: str, new: str) -> bytes:
    return data.replace(old.encode(), new.encode())
