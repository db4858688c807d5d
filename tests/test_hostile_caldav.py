"""CalDAV servers that answer strangely: hrefs elsewhere, no ETags, trickles, floods, 429/500.

A real server cannot be made to misbehave like this, so these tests use the
stdlib server of ``tests/fakehttp.py``; the normal paths are covered against
Radicale and Xandikos in test_sync_caldav.py (and ``has_uid`` below).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from cal_followup.errors import SourceError
from cal_followup.ics import Window
from cal_followup.stores import httpbounds
from cal_followup.stores.base import PreconditionFailed
from cal_followup.stores.caldav import CalDavStore, inside_collection
from tests.fakehttp import Fake, Seen, serve

CALENDAR_PROPS = b"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"
 xmlns:c="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/cal/</d:href><d:propstat>
<d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
<d:sync-token>tok-1</d:sync-token></d:prop><d:status>HTTP/1.1 200 OK</d:status>
</d:propstat></d:response></d:multistatus>"""

EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
    "DTSTART:20261202T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def multistatus(*items: tuple[str, str | None, str]) -> bytes:
    parts = []
    for href, etag, uid in items:
        tag = f"<d:getetag>{etag}</d:getetag>" if etag else ""
        parts.append(
            f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>{tag}"
            f"<c:calendar-data>{EVENT.format(uid=uid)}</c:calendar-data></d:prop>"
            "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )
    return (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" '
        'xmlns:c="urn:ietf:params:xml:ns:caldav">' + "".join(parts) + "</d:multistatus>"
    ).encode()


def ok(body: bytes, status: int = 207, **headers: str) -> object:
    return lambda seen: (status, {"Content-Type": "application/xml", **headers}, body)


@pytest.fixture
def fake() -> Iterator[Fake]:
    with serve() as server:
        server.answer[("PROPFIND", "/cal/")] = ok(CALENDAR_PROPS)  # type: ignore[assignment]
        yield server


def store(fake: Fake, timeout: float = 1.0) -> CalDavStore:
    return CalDavStore(f"{fake.base}/cal/", user="sam", password="pw", timeout=timeout)


WINDOW = Window(
    *(
        __import__("datetime").datetime(2026, m, 1, tzinfo=__import__("datetime").UTC)
        for m in (11, 12)
    )
)

HOSTILE = [
    "http://127.0.0.2:1/cal/evil.ics",
    "http://localhost{port}/cal/x.ics",
    "/other/x.ics",
    "/cal/../escape/x.ics",
    "/cal/%2e%2e/escape/x.ics",
    "../../escape/x.ics",
    "https://127.0.0.1{port}/cal/x.ics",
    "//127.0.0.1:9/cal/x.ics",
]


def test_hrefs_outside_the_collection_are_ignored_with_a_warning(fake: Fake) -> None:
    port = ":" + fake.base.rsplit(":", 1)[1]
    hrefs = [h.format(port=port) for h in HOSTILE]
    fake.answer[("REPORT", "/cal/")] = ok(  # type: ignore[assignment]
        multistatus(
            ("/cal/good.ics", '"e1"', "good"), *[(h, '"e"', f"bad{i}") for i, h in enumerate(hrefs)]
        )
    )
    calendar = store(fake)
    objects = calendar.load(WINDOW)
    assert [o.href for o in objects] == [f"{fake.base}/cal/good.ics"] * (
        len(objects) and 1
    ) * 1 or objects
    assert {o.href for o in objects} == {f"{fake.base}/cal/good.ics"}
    assert calendar.warnings and all("outside the calendar" in w for w in calendar.warnings)
    before = len(fake.requests)
    for href in hrefs:
        with pytest.raises(PreconditionFailed):
            calendar.delete(calendar._absolute(href), '"e"')
    assert len(fake.requests) == before  # not one DELETE went out


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("http://h:80/cal/a.ics", True),
        ("http://h/cal/sub/a.ics", True),
        ("http://h/cal/%61.ics", True),
        ("http://h/cal/../x.ics", False),
        ("http://h/cal/%2E%2E/x.ics", False),
        ("http://h/calendar/x.ics", False),
        ("https://h/cal/x.ics", False),
        ("http://h:8080/cal/x.ics", False),
        ("http://user@h/cal/x.ics", False),
        ("http://other/cal/x.ics", False),
    ],
)
def test_inside_collection(url: str, inside: bool) -> None:
    assert inside_collection(url, "http://h/cal/") is inside


def test_no_etag_means_fetch_it_first_never_a_blind_write(fake: Fake) -> None:
    fake.answer[("GET", "/cal/r.ics")] = lambda seen: (200, {"ETag": '"fresh"'}, b"BEGIN:VCALENDAR")  # type: ignore[assignment]
    fake.answer[("PUT", "/cal/r.ics")] = lambda seen: (204, {"ETag": '"new"'}, b"")  # type: ignore[assignment]
    fake.answer[("DELETE", "/cal/r.ics")] = lambda seen: (204, {}, b"")  # type: ignore[assignment]
    calendar = store(fake)
    href = f"{fake.base}/cal/r.ics"
    calendar.update(href, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", calendar.latest_etag(href) or "")
    put = [r for r in fake.requests if r.method == "PUT"][-1]
    assert put.headers.get("If-Match") == '"fresh"'
    calendar.delete(href, calendar.latest_etag(href) or "")
    delete = [r for r in fake.requests if r.method == "DELETE"][-1]
    assert delete.headers.get("If-Match") == '"fresh"'


def test_a_server_that_never_gives_an_etag_gets_no_write(fake: Fake) -> None:
    fake.answer[("GET", "/cal/r.ics")] = lambda seen: (200, {}, b"BEGIN:VCALENDAR")  # type: ignore[assignment]
    calendar = store(fake)
    href = f"{fake.base}/cal/r.ics"
    with pytest.raises(PreconditionFailed, match="no ETag"):
        calendar.latest_etag(href)
    with pytest.raises(PreconditionFailed, match="no ETag"):
        calendar.update(href, b"x", "")
    with pytest.raises(PreconditionFailed, match="no ETag"):
        calendar.delete(href, "")
    assert not [r for r in fake.requests if r.method in ("PUT", "DELETE")]


def test_has_uid_compares_uids_exactly(fake: Fake) -> None:
    # What a text-match (a substring match) returns for "iv-1".
    fake.answer[("REPORT", "/cal/")] = ok(multistatus(("/cal/a.ics", '"e"', "iv-10")))  # type: ignore[assignment]
    assert store(fake).has_uid("iv-1") is False
    fake.answer[("REPORT", "/cal/")] = ok(  # type: ignore[assignment]
        multistatus(("/cal/a.ics", '"e"', "iv-10"), ("/cal/b.ics", '"e"', "iv-1"))
    )
    assert store(fake).has_uid("iv-1") is True


def test_a_trickling_answer_ends_at_the_overall_deadline(fake: Fake) -> None:
    fake.answer[("REPORT", "/cal/")] = ok(multistatus(("/cal/a.ics", '"e"', "a")) * 20)  # type: ignore[assignment]
    calendar = store(fake, timeout=1.0)
    calendar.collection  # noqa: B018 - resolved before the server starts trickling
    fake.trickle = 0.5
    started = time.monotonic()
    with pytest.raises(SourceError, match="did not finish answering within 5 seconds"):
        calendar.load(WINDOW)
    assert time.monotonic() - started < 30


def test_an_oversized_answer_is_refused(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpbounds, "MAX_ANSWER_BYTES", 1024 * 1024)
    huge = multistatus(*[(f"/cal/{n}.ics", '"e"', f"u{n}") for n in range(8000)])
    assert len(huge) > 1024 * 1024
    fake.answer[("REPORT", "/cal/")] = ok(huge)  # type: ignore[assignment]
    with pytest.raises(SourceError, match="larger than 1 MB"):
        store(fake).load(WINDOW)


def test_429_is_retried_after_the_time_the_server_asks(fake: Fake) -> None:
    calls: list[float] = []

    def busy_once(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        return 207, {"Content-Type": "application/xml"}, multistatus(("/cal/a.ics", '"e"', "a"))

    fake.answer[("REPORT", "/cal/")] = busy_once  # type: ignore[assignment]
    objects = store(fake).load(WINDOW)
    assert [o.href.rsplit("/", 1)[1] for o in objects][:1] == ["a.ics"]
    assert calls[1] - calls[0] >= 0.9


@pytest.mark.parametrize("status", [429, 503])
def test_a_long_retry_after_ends_in_one_line(fake: Fake, status: int) -> None:
    fake.answer[("REPORT", "/cal/")] = ok(b"busy", status, **{"Retry-After": "3600"})  # type: ignore[assignment]
    with pytest.raises(SourceError) as caught:
        store(fake).load(WINDOW)
    assert f"busy (HTTP {status})" in str(caught.value) and "3600 seconds" in str(caught.value)


def test_a_500_error_page_is_reported_as_http_500(fake: Fake) -> None:
    fake.answer[("REPORT", "/cal/")] = ok(b"<html>oops", 500)  # type: ignore[assignment]
    with pytest.raises(SourceError) as caught:
        store(fake).load(WINDOW)
    assert "HTTP 500" in str(caught.value)
    assert "XMLSyntax" not in str(caught.value)


def test_an_object_holding_an_event_and_a_task_is_one_object(fake: Fake) -> None:
    # Both the VEVENT and the VTODO query list it, as Xandikos does for such an object.
    fake.answer[("REPORT", "/cal/")] = ok(multistatus(("/cal/both.ics", '"e"', "both")))  # type: ignore[assignment]
    calendar = store(fake)
    assert len(calendar.load(WINDOW)) == 1
    assert len(calendar.load(WINDOW)) == 1


def test_basic_auth_over_plain_http_is_warned_loudly_on_the_first_run_only(
    fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cal_followup.stores import caldav

    monkeypatch.setattr(caldav, "leaves_machine", lambda host: True)
    fake.answer[("REPORT", "/cal/")] = ok(multistatus(("/cal/a.ics", '"e"', "a")))  # type: ignore[assignment]
    calendar = store(fake)
    calendar.load(WINDOW)
    assert any("plain http" in w for w in calendar.loud_warnings)  # shown even with --quiet
    later = store(fake)
    later.memory = calendar.memory
    later.load(WINDOW)
    assert not later.loud_warnings and any("plain http" in w for w in later.warnings)


def test_loopback_is_not_the_network() -> None:
    from cal_followup.stores.caldav import leaves_machine

    assert not leaves_machine("127.0.0.1") and not leaves_machine("localhost")
    assert not leaves_machine("[::1]") and leaves_machine("dav.example.com")
