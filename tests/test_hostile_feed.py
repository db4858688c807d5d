"""Feeds that redirect elsewhere, trickle or flood, and local files that never end.

Two stdlib servers on 127.0.0.1 (different ports) stand for the feed's host
and a stranger's: a redirect to the stranger must not carry the password.
"""

from __future__ import annotations

import time

import pytest

from cal_followup.errors import SourceError
from cal_followup.stores import feed as feed_module
from cal_followup.stores.feed import FeedStore
from tests.fakehttp import serve

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_port_gets_no_credentials(status: int) -> None:
    with serve() as home, serve() as stranger:
        stranger.answer[("GET", "/feed.ics")] = lambda seen: (200, {}, ICS)
        home.answer[("GET", "/private/feed.ics")] = lambda seen: (
            status,
            {"Location": f"{stranger.base}/feed.ics"},
            b"",
        )
        source = FeedStore(f"{home.base}/private/feed.ics", user="sam", password="s3cret")
        assert source.download() == ICS
        assert "Authorization" in home.requests[0].headers
        assert stranger.requests, "the redirect was followed"
        assert all("authorization" not in {k.lower() for k in r.headers} for r in stranger.requests)


def test_a_redirect_to_another_host_name_gets_no_credentials() -> None:
    with serve() as home:
        port = home.base.rsplit(":", 1)[1]
        home.answer[("GET", "/a.ics")] = lambda seen: (
            307,
            {"Location": f"http://localhost:{port}/b.ics"},
            b"",
        )
        home.answer[("GET", "/b.ics")] = lambda seen: (200, {}, ICS)
        FeedStore(f"{home.base}/a.ics", user="sam", password="pw").download()
        assert "Authorization" in home.requests[0].headers
        assert "Authorization" not in home.requests[1].headers


def test_a_redirect_on_the_same_host_keeps_the_credentials() -> None:
    with serve() as home:
        home.answer[("GET", "/old.ics")] = lambda seen: (301, {"Location": "/new.ics"}, b"")
        home.answer[("GET", "/new.ics")] = lambda seen: (200, {}, ICS)
        FeedStore(f"{home.base}/old.ics", user="sam", password="pw").download()
        assert "Authorization" in home.requests[1].headers


def test_a_trickling_feed_ends_at_the_deadline() -> None:
    with serve() as home:
        home.answer[("GET", "/f.ics")] = lambda seen: (200, {}, ICS * 50)
        home.trickle = 0.3
        started = time.monotonic()
        with pytest.raises(SourceError, match="did not arrive within 5 seconds"):
            FeedStore(f"{home.base}/f.ics", timeout=1.0).download()
        assert time.monotonic() - started < 20


def test_an_oversized_feed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "MAX_FEED_BYTES", 1000)
    with serve() as home:
        home.answer[("GET", "/f.ics")] = lambda seen: (200, {}, ICS * 100)
        with pytest.raises(SourceError, match="larger than"):
            FeedStore(f"{home.base}/f.ics").download()


def test_the_request_log_never_shows_a_feed_path() -> None:
    # A private feed's path is its password (Google's /private-<key>/basic.ics).
    import io

    from cal_followup import transport

    secret = "private-0123456789abcdef"
    log = io.StringIO()
    transport.enable_request_log(log)
    try:
        with serve() as home:
            home.answer[("GET", f"/calendar/{secret}/basic.ics")] = lambda seen: (200, {}, ICS)
            FeedStore(f"{home.base}/calendar/{secret}/basic.ics").download()
    finally:
        transport.disable_request_log()
    assert "GET //127.0.0.1/… 200" in log.getvalue()
    assert secret not in log.getvalue()
