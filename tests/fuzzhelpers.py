"""Hypothesis strategies that break valid calendars the way the world does.

A seed is a real calendar from ``tests/corpus`` or ``samples``; a mutation
cuts it short, drops, duplicates or swaps lines, puts garbage or enormous
values into properties, nests components absurdly deep, flips bytes or drops
in tokens that confuse parsers (``BEGIN:VEVENT`` mid-event, lone CRs, NULs,
bytes that are not UTF-8, recurrence rules that never end).

``examples(request, short)`` is how many examples a fuzz test runs: ``short``
in CI, many more with ``pytest --fuzz-long``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"

#: How many more examples ``--fuzz-long`` runs than CI does.
LONG_FACTOR = 50
#: Mutations may grow a calendar this far (a huge value repeated must not become 400 MB).
MAX_SIZE = 4 * 1024 * 1024


def examples(request: pytest.FixtureRequest, short: int) -> int:
    return short * LONG_FACTOR if request.config.getoption("--fuzz-long") else short


def seed_files() -> list[Path]:
    files = sorted(p for p in CORPUS.rglob("*.ics") if "broken" not in p.parts)
    return [ROOT / "samples" / "interviews.ics", *files]


SEEDS: list[bytes] = [path.read_bytes() for path in seed_files()]

#: Tokens that have broken calendar parsers before.
TOKENS: list[bytes] = [
    b"BEGIN:VEVENT", b"END:VEVENT", b"BEGIN:VCALENDAR", b"END:VCALENDAR", b"BEGIN:VALARM",
    b"END:VALARM", b"BEGIN:VTIMEZONE", b"END:", b"BEGIN:", b":", b";", b"\\", b'"', b",", b"=",
    b"\x00", b"\r", b"\n", b"\r\n ", b"\t", b"\xff\xfe", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf",
    b"TZID=", b";TZID=Mars/Olympus:", b"VALUE=DATE:", b"RRULE:FREQ=SECONDLY",
    b"RRULE:FREQ=MINUTELY;INTERVAL=0", b"RRULE:FREQ=DAILY;COUNT=-1", b"RRULE:FREQ=YEARLY;BYDAY=",
    b"RRULE:FREQ=HOURLY;BYSECOND=0,1,2,3,4,5,6,7,8,9;BYMINUTE=0,1,2,3,4,5,6,7,8,9",
    b"DTSTART:00010101T000000Z", b"DTSTART:99991231T235959Z", b"DTSTART:20261301T250000",
    b"DTSTART;VALUE=DATE:20260230", b"DURATION:P99999999W", b"DURATION:-PT1H", b"DURATION:",
    b"EXDATE:", b"RDATE;VALUE=PERIOD:20261201T100000Z/PT1H", b"RECURRENCE-ID:garbage",
    b"UID:", b"SUMMARY:Interview", b"ORGANIZER;CN=\"x\":mailto:", b"ATTENDEE:mailto:@",
    b"CATEGORIES:interview,,,", b"STATUS:CANCELLED", b"SEQUENCE:99999999999999999999",
    b"X-WR-TIMEZONE:Nowhere/Land", b"METHOD:CANCEL", b"^n", b"%0D%0A", "面试".encode(),
    "\u202e".encode(),
]  # fmt: skip


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One change to ``data``."""
    lines = _lines(data)
    kind = draw(
        st.sampled_from(
            ["truncate", "drop", "duplicate", "swap", "garbage", "huge", "nest", "token",
             "flip", "repeat"]
        )
    )  # fmt: skip
    index = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "drop" and lines:
        count = draw(st.integers(1, 5))
        return _join(lines[:index] + lines[index + count :])
    if kind == "duplicate" and lines:
        count = draw(st.integers(1, 12))
        return _join(lines[: index + count] + lines[index : index + count] + lines[index + count :])
    if kind == "swap" and len(lines) > 1:
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
        return _join(lines)
    if kind == "garbage" and lines:
        name = lines[index].split(b":", 1)[0]
        junk = draw(st.binary(max_size=80) | st.text(max_size=80).map(str.encode))
        lines[index] = name + b":" + junk
        return _join(lines)
    if kind == "huge" and lines:
        name = lines[index].split(b":", 1)[0]
        size = draw(st.sampled_from([10_000, 100_000, 1_000_000]))
        filler = draw(st.sampled_from([b"x", b"\xc3\xa4", b"; ", b",", b"\\n", b"a@b.example "]))
        lines[index] = name + b":" + filler * (size // len(filler))
        return _join(lines)
    if kind == "nest":
        depth = draw(st.sampled_from([3, 10, 100, 2_000]))
        name = draw(st.sampled_from([b"VEVENT", b"VALARM", b"X-DEEP", b"VCALENDAR"]))
        closed = draw(st.booleans())
        block = [b"BEGIN:" + name] * depth + ([b"END:" + name] * depth if closed else [])
        return _join(lines[:index] + block + lines[index:])
    if kind == "token":
        token = draw(st.sampled_from(TOKENS))
        at = draw(st.integers(0, len(data)))
        return data[:at] + token + data[at:]
    if kind == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    if kind == "repeat" and lines:
        # The same event many times over: duplicate UIDs, big files.
        start = max(index - 8, 0)
        chunk = lines[start:index]
        times = min(draw(st.integers(2, 400)), MAX_SIZE // (sum(map(len, chunk)) + 1))
        return _join(lines[:start] + chunk * times + lines[start:])
    return data


@st.composite
def broken_calendar(draw: st.DrawFn) -> bytes:
    """A real calendar with one to four things wrong with it (at most ``MAX_SIZE`` bytes)."""
    data = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(mutation(data))[:MAX_SIZE]
    return data


# --- Hostile calendars and servers (issue 11) ---------------------------------

_FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
_BY = {
    "BYSECOND": range(60),
    "BYMINUTE": range(60),
    "BYHOUR": range(24),
    "BYMONTHDAY": range(1, 32),
    "BYYEARDAY": range(1, 367),
    "BYMONTH": range(1, 13),
}
_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rule_bomb(draw: st.DrawFn) -> str:
    """An RRULE that expands to very many instances (BYxxx lists, fine frequencies)."""
    parts = [f"FREQ={draw(st.sampled_from(_FREQS))}"]
    for name, values in _BY.items():
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(list(values)), min_size=1, max_size=40))
            parts.append(f"{name}={','.join(str(v) for v in sorted(set(chosen)))}")
    if draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(_DAYS), min_size=1))))
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 10**9))}")
    return ";".join(parts)


@st.composite
def zone_bomb(draw: st.DrawFn) -> str:
    """A VTIMEZONE whose STANDARD/DAYLIGHT rules change the offset absurdly often."""
    year = draw(st.sampled_from(["0001", "1601", "1900", "1970", "2020"]))
    rule = draw(rule_bomb())
    rdates = ",".join(
        f"{2000 + n // 12:04d}{n % 12 + 1:02d}01T000000" for n in range(draw(st.integers(0, 3000)))
    )
    extra = f"RDATE:{rdates}\r\n" if rdates else ""
    return (
        "BEGIN:VTIMEZONE\r\nTZID:Bomb\r\nBEGIN:STANDARD\r\n"
        f"DTSTART:{year}0101T000000\r\nRRULE:{rule}\r\n{extra}"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
        f"DTSTART:{year}0301T000000\r\nRRULE:FREQ=YEARLY\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )


@st.composite
def bomb_calendar(draw: st.DrawFn) -> bytes:
    """A calendar holding a zone bomb, a recurrence bomb and one ordinary event."""
    start = draw(st.sampled_from(["00010101T000000", "19000101T100000", "20000101T100000"]))
    rule = draw(rule_bomb())
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n"
        + draw(zone_bomb())
        + f"BEGIN:VEVENT\r\nUID:bomb\r\nDTSTART;TZID=Bomb:{start}\r\nRRULE:{rule}\r\n"
        "SUMMARY:Bomb\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ordinary\r\nDTSTART:20261201T100000Z\r\nSUMMARY:Lunch\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


_ESCAPES = ["../", "..%2f", "%2e%2e/", "%2E%2E%2F", "./../", "..\\", "/..", "//"]


@st.composite
def hostile_href(draw: st.DrawFn, collection_path: str = "/cal/") -> tuple[str, bool]:
    """(href, whether it is really inside ``collection_path``) as a server could send it."""
    kind = draw(st.sampled_from(["inside", "up", "absolute-path", "other-host", "scheme", "port"]))
    name = draw(st.from_regex(r"[A-Za-z0-9_-]{1,12}\.ics", fullmatch=True))
    if kind == "inside":
        return f"{collection_path}{name}", True
    if kind == "up":
        # One kind of escape, repeated past the root (mixing literal and encoded
        # dots can cancel out into a path that really is inside).
        escape = draw(st.sampled_from(_ESCAPES[:5]))
        return f"{collection_path}{escape * 4}x/{name}", False
    if kind == "absolute-path":
        return f"/other{draw(st.integers(0, 99))}/{name}", False
    if kind == "other-host":
        host = draw(st.sampled_from(["127.0.0.2", "localhost", "evil.example", "[::1]"]))
        return f"http://{host}{collection_path}{name}", False
    if kind == "scheme":
        return f"https://h{collection_path}{name}", False
    return (
        f"http://h:{draw(st.integers(1, 65535).filter(lambda p: p != 80))}{collection_path}{name}",
        False,
    )


@st.composite
def redirect_target(draw: st.DrawFn, home: str = "http://feed.example:8080") -> tuple[str, bool]:
    """(Location a feed server answers with, whether it stays on the same origin)."""
    path = "/" + draw(st.from_regex(r"(?:[a-z0-9][a-z0-9/]{0,20})?", fullmatch=True))
    kind = draw(st.sampled_from(["same", "relative", "host", "port", "scheme", "userinfo"]))
    if kind == "same":
        return home + path, True
    if kind == "relative":
        return path, True
    if kind == "host":
        host = draw(
            st.sampled_from(["evil.example", "feed.example.evil", "127.0.0.1", "FEED.example.org"])
        )
        return f"http://{host}:8080{path}", False
    if kind == "port":
        return (
            f"http://feed.example:{draw(st.integers(1, 65535).filter(lambda p: p != 8080))}{path}",
            False,
        )
    if kind == "scheme":
        return f"https://feed.example:8080{path}", False
    return f"http://feed.example:8080@evil.example{path}", False
