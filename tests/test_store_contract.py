"""The contract every store keeps, run against every kind (as vdirsyncer's StorageTests).

A store is correct when it passes this suite, not when it has hand-picked
tests of its own: memory, a single .ics file, a vdir folder and CalDAV on a
real Radicale and a real Xandikos run the same writing tests; a feed (served
by a local HTTP server), standard input and a read-only memory store run
the read-only ones. The registry tests check which kind each SOURCE opens.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cal_followup.config import AccountSettings
from cal_followup.errors import SourceError
from cal_followup.ics import Window
from cal_followup.stores import (
    AlreadyExists,
    Opening,
    PreconditionFailed,
    ReadOnlyStore,
    Store,
    open_store,
)
from cal_followup.stores.caldav import CalDavStore
from cal_followup.stores.feed import FeedStore
from cal_followup.stores.files import IcsFileStore, VdirStore
from cal_followup.stores.icsfile import StdinStore
from cal_followup.stores.memory import MemoryStore, ReadOnlyMemoryStore
from cal_followup.stores.registry import FeedOrCalDav, kind_for
from tests.fakehttp import Fake, serve
from tests.servers import Server, new_calendar

WINDOW = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC))
OURS = "contract-reminder@cal-followup"
OTHER = "someone-elses-event@example.org"
#: Another program's event, written its own way: LF endings, a folded line, odd spacing.
OTHER_FILE = (
    b"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Other App//EN\nX-WR-CALNAME:Work \n"
    b"BEGIN:VEVENT\nUID:" + OTHER.encode() + b"\nDTSTAMP:20261101T000000Z\n"
    b"DTSTART:20261203T090000Z\nDTEND:20261203T100000Z\nSUMMARY:Team lunch with a very long\n"
    b"  title that is folded\nX-OTHER-APP;X-PARAM=1:keep me\nEND:VEVENT\nEND:VCALENDAR\n"
)


def event(uid: str, summary: str = "Follow-up") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cal-followup//contract//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART:20261202T100000Z\r\nDTEND:20261202T103000Z\r\n"
        f"SUMMARY:{summary}\r\nX-CAL-FOLLOWUP-STAGE:check-in\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


# The writable kinds ------------------------------------------------------------------


class Backend:
    """One kind of writable store, opened holding another program's event."""

    def __init__(self, store: Store, raw: Callable[[], bytes]) -> None:
        self.store = store
        #: What lies on disk (or the server) for the other event, byte for byte.
        self.raw = raw


def _memory(tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
    store = MemoryStore()
    href = store.href_for(OTHER)
    store.put(href, OTHER_FILE)
    return Backend(store, lambda: store.objects[href].data)


def _icsfile(tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
    path = tmp_path / "calendar.ics"
    path.write_bytes(OTHER_FILE)
    return Backend(IcsFileStore(str(path)), path.read_bytes)


def _vdir(tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
    folder = tmp_path / "vdir"
    folder.mkdir()
    store = VdirStore(str(folder))
    other = folder / store.href_for(OTHER)
    other.write_bytes(OTHER_FILE)
    return Backend(store, other.read_bytes)


def _caldav(tmp_path: Path, request: pytest.FixtureRequest, kind: str) -> Backend:
    server: Server = request.getfixturevalue(kind)
    url = new_calendar(server)
    store = CalDavStore(url, user=server.user, password=server.password, timeout=10)
    href = store.href_for(OTHER)
    response = store.client.request(
        href, "PUT", OTHER_FILE.decode(), {"Content-Type": "text/calendar"}
    )
    assert int(response.status) in (201, 204)
    return Backend(store, lambda: store.client.request(href, "GET").raw)


BACKENDS: dict[str, Callable[[Path, pytest.FixtureRequest], Backend]] = {
    "memory": _memory,
    "icsfile": _icsfile,
    "vdir": _vdir,
    "radicale": lambda tmp_path, request: _caldav(tmp_path, request, "radicale"),
    "xandikos": lambda tmp_path, request: _caldav(tmp_path, request, "xandikos"),
}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    found = BACKENDS[request.param](tmp_path, request)
    yield found
    memory = getattr(found.store, "memory", None)
    if memory is not None:
        memory.close()


def _created(store: Store, summary: str = "Follow-up") -> tuple[str, str]:
    """Our event created and committed; its href and the ETag it has now."""
    href = store.href_for(OURS)
    store.create(href, event(OURS, summary))
    store.commit()
    etag = store.latest_etag(href)
    assert etag
    return href, etag


class TestStoreContract:
    def test_is_writable(self, backend: Backend) -> None:
        assert type(backend.store).read_only is False

    def test_create_then_read_back(self, backend: Backend) -> None:
        store = backend.store
        href = store.href_for(OURS)
        returned = store.create(href, event(OURS))
        store.commit()
        found = store.fetch(href)
        assert found is not None and OURS.encode() in found.data and found.etag
        if returned is not None:
            assert returned == found.etag
        loaded = {o.href: o for o in store.load(WINDOW)}
        assert href in loaded and loaded[href].etag == found.etag
        assert OURS.encode() in loaded[href].data
        assert store.has_uid(OURS) and store.has_uid(OTHER)
        assert not store.has_uid("never-written@example.org")

    def test_create_never_overwrites(self, backend: Backend) -> None:
        store = backend.store
        href, _ = _created(store, "First")
        with pytest.raises(AlreadyExists):
            store.create(href, event(OURS, "Second"))
        store.commit()
        found = store.fetch(href)
        assert found is not None and b"First" in found.data and b"Second" not in found.data

    def test_update_with_the_current_etag(self, backend: Backend) -> None:
        store = backend.store
        href, etag = _created(store)
        store.update(href, event(OURS, "Moved"), etag)
        store.commit()
        found = store.fetch(href)
        assert found is not None and b"Moved" in found.data and found.etag != etag

    def test_writes_before_commit_add_up(self, backend: Backend) -> None:
        # Files are written once, at commit: what was created, updated and deleted
        # in between must come out as it would had each write been stored at once.
        store = backend.store
        href = store.href_for(OURS)
        created = store.create(href, event(OURS)) or store.latest_etag(href) or ""
        store.update(href, event(OURS, "Moved"), created)
        second = store.href_for("short-lived@cal-followup")
        etag = store.create(second, event("short-lived@cal-followup"))
        store.delete(second, etag or store.latest_etag(second) or "")
        store.commit()
        found = store.fetch(href)
        assert found is not None and b"Moved" in found.data
        assert store.fetch(second) is None

    def test_update_with_a_stale_etag_fails(self, backend: Backend) -> None:
        store = backend.store
        href, first = _created(store)
        store.update(href, event(OURS, "Edited elsewhere"), first)
        store.commit()
        with pytest.raises(PreconditionFailed):
            store.update(href, event(OURS, "Blind"), first)
        store.commit()
        found = store.fetch(href)
        assert found is not None and b"Edited elsewhere" in found.data

    def test_delete_with_a_stale_etag_fails(self, backend: Backend) -> None:
        store = backend.store
        href, first = _created(store)
        store.update(href, event(OURS, "Edited elsewhere"), first)
        store.commit()
        with pytest.raises(PreconditionFailed):
            store.delete(href, first)
        store.commit()
        assert store.fetch(href) is not None

    def test_no_etag_is_no_write(self, backend: Backend) -> None:
        store = backend.store
        href, _ = _created(store)
        with pytest.raises(PreconditionFailed):
            store.update(href, event(OURS, "Blind"), "")
        with pytest.raises(PreconditionFailed):
            store.delete(href, "")
        store.commit()
        found = store.fetch(href)
        assert found is not None and b"Blind" not in found.data

    def test_update_of_a_missing_object_fails(self, backend: Backend) -> None:
        store = backend.store
        href = store.href_for("never-written@example.org")
        with pytest.raises(PreconditionFailed):
            store.update(href, event("never-written@example.org"), '"some-etag"')
        store.commit()
        assert store.fetch(href) is None

    def test_delete(self, backend: Backend) -> None:
        store = backend.store
        href, etag = _created(store)
        store.delete(href, etag)
        store.commit()
        assert store.fetch(href) is None and store.latest_etag(href) is None
        assert href not in {o.href for o in store.load(WINDOW)}
        assert not store.has_uid(OURS) and store.has_uid(OTHER)

    def test_other_events_are_left_byte_for_byte(self, backend: Backend) -> None:
        store = backend.store
        raw_before = backend.raw()
        other = store.fetch(store.href_for(OTHER))
        assert other is not None
        href, etag = _created(store)
        store.update(href, event(OURS, "Moved"), etag)
        store.commit()
        assert store.fetch(store.href_for(OTHER)) == other
        store.delete(href, store.latest_etag(href) or "")
        store.commit()
        assert backend.raw() == raw_before
        assert store.fetch(store.href_for(OTHER)) == other


# The read-only kinds --------------------------------------------------------------------


@pytest.fixture
def feed_server() -> Iterator[Fake]:
    with serve() as fake:
        fake.answer[("GET", "/calendar.ics")] = lambda seen: (  # type: ignore[assignment]
            200,
            {"Content-Type": "text/calendar"},
            OTHER_FILE,
        )
        yield fake


def _read_only_feed(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Store:
    return FeedStore(f"{fake.base}/calendar.ics")


def _read_only_probe(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Store:
    # An http URL plan reads once: a feed is served there, so it stays a feed.
    fake.answer[("GET", "/published")] = fake.answer[("GET", "/calendar.ics")]
    return open_store(f"{fake.base}/published", Opening())


def _read_only_stdin(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(OTHER_FILE)))
    return StdinStore.open("-", Opening())


def _read_only_memory(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Store:
    store = ReadOnlyMemoryStore()
    store.put("other.ics", OTHER_FILE)
    return store


READ_ONLY = {
    "feed": _read_only_feed,
    "probed-url": _read_only_probe,
    "stdin": _read_only_stdin,
    "memory": _read_only_memory,
}


@pytest.fixture(params=list(READ_ONLY))
def read_only(
    request: pytest.FixtureRequest, feed_server: Fake, monkeypatch: pytest.MonkeyPatch
) -> Store:
    return READ_ONLY[request.param](feed_server, monkeypatch)


class TestReadOnlyContract:
    def test_declared_on_the_class(self, read_only: Store) -> None:
        assert type(read_only).read_only is True

    def test_reads_the_calendar(self, read_only: Store) -> None:
        objects = read_only.load(WINDOW)
        assert [o.data for o in objects] == [OTHER_FILE]
        assert read_only.readable(WINDOW) == objects
        assert read_only.has_uid(OTHER) and not read_only.has_uid(OURS)

    def test_every_write_is_refused_before_any_io(
        self, read_only: Store, feed_server: Fake, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def no_io(*args: object, **kwargs: object) -> None:
            raise AssertionError("a read-only store did I/O for a write")

        monkeypatch.setattr("sys.stdin", None)  # reading stdin now would fail loudly
        monkeypatch.setattr("urllib.request.OpenerDirector.open", no_io)
        for write in (
            lambda: read_only.create("new.ics", event(OURS)),
            lambda: read_only.update("other.ics", event(OURS), '"1"'),
            lambda: read_only.delete("other.ics", '"1"'),
        ):
            with pytest.raises(ReadOnlyStore, match="read-only"):
                write()
        assert feed_server.requests == []


# The registry -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "opening", "kind"),
    [
        ("-", Opening(), StdinStore),
        ("webcal://example.org/team", Opening(), FeedStore),
        ("https://example.org/cal/basic.ics?token=x", Opening(syncing=True), FeedStore),
        ("https://example.org/dav/", Opening(), FeedOrCalDav),
        ("https://example.org/dav/", Opening(calendar="work"), CalDavStore),
        (
            "https://example.org/dav/",
            Opening(account=AccountSettings(token_command="get-token")),
            CalDavStore,
        ),
        ("https://example.org/dav/", Opening(syncing=True), CalDavStore),
    ],
)
def test_each_url_is_claimed_by_one_kind(spec: str, opening: Opening, kind: type) -> None:
    assert kind_for(spec, opening) is kind


def test_paths_are_claimed_by_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "cal.ics").write_bytes(OTHER_FILE)
    assert kind_for(str(tmp_path), Opening()) is VdirStore
    assert kind_for(str(tmp_path / "cal.ics"), Opening()) is IcsFileStore
    with pytest.raises(SourceError, match="missing.ics: no such file"):
        kind_for(str(tmp_path / "missing.ics"), Opening())


def test_a_feed_url_with_a_password_is_refused_before_any_request(feed_server: Fake) -> None:
    from cal_followup.errors import ConfigError

    spec = feed_server.base.replace("http://", "http://sam:s3cret@") + "/calendar.ics"
    with pytest.raises(ConfigError) as refused:
        open_store(spec, Opening())
    assert "s3cret" not in str(refused.value) and feed_server.requests == []


# vdir: an exclusive create that cannot overwrite ---------------------------------------------


def test_vdir_create_never_replaces_a_file_that_appears_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = VdirStore(str(tmp_path))
    href = store.href_for(OURS)
    # Another program writes the name after any check the store could make: with
    # the checks blinded, only the link itself can refuse.
    (tmp_path / href).write_bytes(OTHER_FILE)
    monkeypatch.setattr(os.path, "exists", lambda path: False)
    monkeypatch.setattr(os.path, "lexists", lambda path: False)
    with pytest.raises(AlreadyExists):
        store.create(href, event(OURS))
    assert (tmp_path / href).read_bytes() == OTHER_FILE
    assert [p.name for p in tmp_path.iterdir()] == [href]  # no temporary file left behind


def test_vdir_create_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    store = VdirStore(str(tmp_path))
    href = store.href_for(OURS)
    (tmp_path / href).symlink_to(tmp_path / "elsewhere.ics")
    with pytest.raises(AlreadyExists):
        store.create(href, event(OURS))
    assert not (tmp_path / "elsewhere.ics").exists()
