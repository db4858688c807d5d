"""What we write opens everywhere: icalendar, vobject, ics-py, Radicale, Xandikos, khal.

The exported .ics (VEVENT and VTODO) is read by three independent parsers and
must give the same reminders, at the same instants, with the same text. The
objects a sync writes (one reminder per calendar object, no METHOD) are PUT
over plain HTTP into real Radicale and Xandikos servers, which must accept
them, give them back unchanged and find them by time range (which makes the
server read our VTIMEZONE). khal must import the export and list every
reminder at the right local time, also for a user in another zone. ics-py
runs in a subprocess, so what else is installed (colorama) cannot break it.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from cal_followup import app
from cal_followup.config import Settings
from cal_followup.ical import description_text, reminder_component, single_object
from cal_followup.model import Reminder
from tests.helpers import settings as base_settings
from tests.servers import Server, new_calendar

ROOT = Path(__file__).resolve().parent.parent
HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=HELSINKI)
SOURCES = [
    ROOT / "samples" / "interviews.ics",
    ROOT / "tests" / "corpus" / "outlook_export.ics",
    ROOT / "tests" / "corpus" / "folded_multibyte.ics",
]


def settings(**extra: object) -> Settings:
    return base_settings(**{"me": ("sam.candidate@example.net",), **extra})


#: A summer interview: its reminders fall in daylight-saving time, the others in winter.
SUMMER = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//interop//EN\r
BEGIN:VEVENT\r
UID:summer-interview@example.com\r
DTSTAMP:20261120T100000Z\r
DTSTART;TZID=Europe/Helsinki:20270610T130000\r
DTEND;TZID=Europe/Helsinki:20270610T140000\r
SUMMARY:Interview with Vaisala – Firmware Engineer\r
ORGANIZER;CN=Kaisa Laine:mailto:kaisa.laine@vaisala.example\r
END:VEVENT\r
END:VCALENDAR\r
"""


def reminders(config: Settings) -> list[Reminder]:
    found: list[Reminder] = []
    with tempfile.TemporaryDirectory() as folder:
        summer = Path(folder) / "summer.ics"
        summer.write_text(SUMMER, encoding="utf-8", newline="")
        for source in [*SOURCES, summer]:
            outcome = app.plan(str(source), NOW, config)
            assert outcome.problems == []
            found.extend(outcome.reminders)
    assert len(found) >= 15
    assert {r.due.utcoffset() for r in found} == {timedelta(hours=2), timedelta(hours=3)}
    return found


def exported(config: Settings) -> tuple[list[Reminder], bytes]:
    planned = reminders(config)
    outcome = app.Outcome(reminders=planned)
    return planned, app.export_bytes(outcome, config, NOW)


#: ics-py runs in a process of its own, with colorama hidden from it: when colorama
#: is installed, ics 0.7's parser (TatSu) wraps stdout again on every parse and a
#: few parses end in a RecursionError, which would make this test depend on what
#: else is installed. Each call reads a list of calendars and prints what it saw.
_ICS_READER = """
import json, sys
sys.modules["colorama"] = None  # TatSu then skips its colour setup
import ics
found = []
for text in json.load(sys.stdin):
    calendar = ics.Calendar(text)
    for kind, items in (("VEVENT", calendar.events), ("VTODO", calendar.todos)):
        for item in items:
            found.append({
                "kind": kind, "uid": item.uid, "begin": item.begin.datetime.isoformat(),
                "name": item.name, "description": item.description or "",
                "alarms": len(item.alarms),
            })
    found.append(None)
json.dump(found, sys.stdout)
"""


def read_with_ics(calendars: list[bytes]) -> list[list[dict[str, object]]]:
    """What ics-py reads in each calendar, one list of items per calendar."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", _ICS_READER],
        input=json.dumps([c.decode("utf-8") for c in calendars]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    per_calendar: list[list[dict[str, object]]] = [[]]
    for entry in json.loads(done.stdout):
        if entry is None:
            per_calendar.append([])
        else:
            per_calendar[-1].append(entry)
    return per_calendar[:-1]


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


@pytest.mark.parametrize("component", ["VEVENT", "VTODO"])
def test_export_reads_the_same_in_icalendar_vobject_and_ics(component: str) -> None:
    config = settings(component=component)
    planned, data = exported(config)
    expected = {r.uid: r for r in planned}

    by_icalendar = {str(c["UID"]): c for c in icalendar.Calendar.from_ical(data).walk(component)}
    assert by_icalendar.keys() == expected.keys()
    for uid, item in by_icalendar.items():
        reminder = expected[uid]
        assert item.decoded("DTSTART") == reminder.due
        assert str(item["SUMMARY"]) == reminder.summary
        assert normalise(str(item["DESCRIPTION"])) == normalise(description_text(reminder))
        assert [a["ACTION"] for a in item.walk("VALARM")] == ["DISPLAY"]

    parsed = vobject.readOne(data.decode("utf-8"))
    items = parsed.vevent_list if component == "VEVENT" else parsed.vtodo_list
    by_vobject = {i.uid.value: i for i in items}
    assert by_vobject.keys() == expected.keys()
    for uid, item in by_vobject.items():
        reminder = expected[uid]
        assert item.dtstart.value == reminder.due
        assert item.dtstart.value.utcoffset() == reminder.due.utcoffset()
        assert item.summary.value == reminder.summary
        assert normalise(item.description.value) == normalise(description_text(reminder))

    (items_ics,) = read_with_ics([data])
    by_ics = {str(i["uid"]): i for i in items_ics if i["kind"] == component}
    assert by_ics.keys() == expected.keys()
    for uid, found in by_ics.items():
        reminder = expected[uid]
        assert datetime.fromisoformat(str(found["begin"])) == reminder.due
        assert found["name"] == reminder.summary
        assert normalise(str(found["description"])) == normalise(description_text(reminder))
        assert found["alarms"] == 1


def test_synced_objects_read_the_same_everywhere_and_export_folds_lines() -> None:
    _, data = exported(settings())
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    planned = reminders(settings())
    objects = [single_object(reminder_component(r, settings(), NOW)) for r in planned]
    for reminder, item, (by_ics,) in zip(planned, objects, read_with_ics(objects), strict=True):
        assert b"METHOD" not in item  # RFC 4791 4.1: never in data stored on a server
        (by_icalendar,) = icalendar.Calendar.from_ical(item).walk("VEVENT")
        assert by_icalendar.decoded("DTSTART") == reminder.due
        by_vobject = vobject.readOne(item.decode("utf-8")).vevent
        assert by_vobject.dtstart.value == reminder.due
        assert by_vobject.dtstart.value.utcoffset() == reminder.due.utcoffset()
        assert datetime.fromisoformat(str(by_ics["begin"])) == reminder.due
        assert by_ics["uid"] == reminder.uid


# --- Radicale and Xandikos ----------------------------------------------------------------------


def request(
    server: Server, method: str, url: str, body: bytes | None = None, **headers: str
) -> tuple[int, bytes]:
    if server.user:
        token = base64.b64encode(f"{server.user}:{server.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    call = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_synced_objects_are_accepted_and_found_by_time(server: Server) -> None:
    from caldav import DAVClient

    config = settings()
    calendar_url = new_calendar(server)
    planned = reminders(config)
    for reminder in planned:
        body = single_object(reminder_component(reminder, config, NOW))
        url = f"{calendar_url}{reminder.uid.replace('@', '-')}.ics"
        status, answer = request(
            server, "PUT", url, body,
            **{"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
        )  # fmt: skip
        assert status in (201, 204), (status, answer[:300])
        status, stored = request(server, "GET", url)
        assert status == 200
        event = icalendar.Calendar.from_ical(stored).walk("VEVENT")[0]
        assert str(event["UID"]) == reminder.uid
        assert event.decoded("DTSTART") == reminder.due
        assert normalise(str(event["DESCRIPTION"])) == normalise(description_text(reminder))

    client = DAVClient(  # type: ignore[operator]
        server.base + "/", username=server.user, password=server.password,
        auth_type="basic" if server.user else None,
    )  # fmt: skip
    remote = client.calendar(url=calendar_url)
    for reminder in planned:
        # The server reads DTSTART through our VTIMEZONE to answer this.
        found = remote.search(
            start=reminder.due - timedelta(minutes=1),
            end=reminder.due + timedelta(minutes=1),
            event=True,
        )
        uids = {str(f.icalendar_component["UID"]) for f in found}
        assert reminder.uid in uids, (reminder.due, uids)
        earlier = remote.search(
            start=reminder.due - timedelta(hours=3),
            end=reminder.due - timedelta(minutes=59),
            event=True,
        )
        assert reminder.uid not in {str(f.icalendar_component["UID"]) for f in earlier}


# --- khal ----------------------------------------------------------------------------------------


def khal_command() -> str:
    found = Path(sys.executable).with_name("khal")
    if found.exists():
        return str(found)
    which = shutil.which("khal")
    assert which, "khal is not installed (it is in the test extra: pip install -e '.[test]')"
    return which


def khal_config(folder: Path, zone: str) -> Path:
    (folder / "calendar").mkdir()
    config = folder / "config"
    config.write_text(
        "[calendars]\n[[reminders]]\n"
        f"path = {folder / 'calendar'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
        f"default_timezone = {zone}\nlocal_timezone = {zone}\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "America/New_York"])
def test_khal_imports_the_export(tmp_path: Path, zone: str) -> None:
    planned, data = exported(settings())
    source = tmp_path / "reminders.ics"
    source.write_bytes(data)
    config = khal_config(tmp_path, zone)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "TZ": zone}
    result = subprocess.run(
        [khal_command(), "-c", str(config), "import", "--batch", "-a", "reminders", str(source)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "calendar").glob("*.ics"))) == len(planned)
    listing = subprocess.run(
        [khal_command(), "-c", str(config), "list", "--format", "{start} {title}",
         "--day-format", "", "2026-11-25", "2027-12-31"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    shown = sorted(line for line in listing.stdout.splitlines() if line.strip())
    local = ZoneInfo(zone)
    expected = sorted(f"{r.due.astimezone(local):%Y-%m-%d %H:%M} {r.summary}" for r in planned)
    assert shown == expected
