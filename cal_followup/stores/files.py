"""Writable local calendars: a single .ics file, or a vdir folder.

The .ics file is edited as text: its top-level components are located by
their BEGIN/END lines and every component that is not ours is written back
exactly as it was read, byte for byte. Our reminders are added, replaced or
removed, and the whole file is written to a temporary file and renamed over
the original once, at ``commit``. If the file changed on disk while we
worked, nothing is written and the run says so.

A vdir holds one object per file; each reminder is its own file, created
by linking a finished temporary file to its name (which fails if the name is
taken) and replaced atomically; every other file is left alone.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass
from typing import ClassVar, Self

from cal_followup.errors import SourceError
from cal_followup.ics import Window
from cal_followup.ics.scan import boundary, first_block, physical_lines
from cal_followup.ics.scan import uids as component_uids
from cal_followup.stores.atomic import NameTaken, link_exclusively, write_atomically
from cal_followup.stores.base import (
    AlreadyExists,
    Opening,
    PreconditionFailed,
    Store,
    StoredObject,
)
from cal_followup.stores.icsfile import read_file


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass
class _Block:
    """One top-level component of the file, as raw lines."""

    kind: str
    lines: list[bytes]
    uid: str | None = None

    @property
    def data(self) -> bytes:
        return b"".join(self.lines)


@dataclass
class _ParsedFile:
    """The file as segments: raw lines kept as they are, and top-level components.

    ``head`` ends with the calendar's own properties before the first
    component; ``segments`` holds everything between, in order; ``tail``
    starts at END:VCALENDAR.
    """

    head: list[bytes]
    segments: list[bytes | _Block]
    tail: list[bytes]
    newline: bytes = b"\r\n"

    @property
    def blocks(self) -> list[_Block]:
        return [s for s in self.segments if isinstance(s, _Block)]

    @property
    def timezones(self) -> list[_Block]:
        return [b for b in self.blocks if b.kind == "VTIMEZONE"]

    @property
    def header(self) -> list[bytes]:
        """What wraps a single object: the head plus calendar properties."""
        return self.head + [
            s for s in self.segments if isinstance(s, bytes) and not isinstance(s, _Boundary)
        ]

    @property
    def footer(self) -> list[bytes]:
        return self.tail[:1]


class _Boundary(bytes):
    """Raw lines between two VCALENDARs of one file: written back, never a wrapper."""


def _split(data: bytes, where: str) -> _ParsedFile:
    # Lines, boundaries and UIDs as the scanner (and so plan) sees them.
    lines = physical_lines(data)
    head: list[bytes] = []
    segments: list[bytes | _Block] = []
    tail: list[bytes] = []
    depth = 0
    current: _Block | None = None
    between = False  # inside a second (third...) VCALENDAR, before its first component
    for number, line in enumerate(lines, start=1):
        bare = line.rstrip(b"\r\n")
        edge = boundary(bare)
        begin = edge[1] if edge and edge[0] == "BEGIN" else None
        end = edge[1] if edge and edge[0] == "END" else None
        if depth == 0:
            if tail and begin == "VCALENDAR":
                # Another calendar in the same file: plan reads its events, so
                # sync must too. The lines between stay exactly where they were.
                segments.extend(_Boundary(t) for t in tail)
                tail = []
                segments.append(_Boundary(line))
                depth, between = 1, True
                continue
            if tail or not begin:
                (tail if tail else head).append(line)
                if not tail and bare.strip() and not begin:
                    raise SourceError(f"{where}:{number}: text before BEGIN:VCALENDAR")
                continue
            depth = 1
            head.append(line)
            continue
        if depth == 1 and end:
            depth = 0
            tail.append(line)
            continue
        if depth == 1 and begin:
            current = _Block(begin, [])
            between = False
        if current is None:
            segments.append(_Boundary(line) if between else line)
            continue
        current.lines.append(line)
        if begin:
            depth += 1
        elif end:
            depth -= 1
            if depth == 1:
                segments.append(current)
                current = None
    if not head or depth != 0 or not tail:
        raise SourceError(
            f"{where}: not a complete iCalendar file (BEGIN/END do not match); "
            "refusing to rewrite it"
        )
    parsed = _ParsedFile(head, segments, tail, _newline(data))
    for block in parsed.blocks:
        found = first_block(block.data)
        block.uid = found.uid if found and found.uid else None
    return parsed


def _newline(data: bytes) -> bytes:
    sample = data[:65536]
    if b"\r\n" in sample:
        return b"\r\n"
    if b"\n" in sample or b"\r" not in sample:
        return b"\n"
    return b"\r"  # old Mac files: CR alone


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decode_file(raw: bytes) -> tuple[bytes, bytes, str]:
    """(UTF-8 bytes to work on, BOM, codec to write back with), as plan reads the file."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(codec, "surrogatepass")
            return text.encode("utf-8", "surrogatepass"), bom, codec
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :], codecs.BOM_UTF8, ""
    return raw, b"", ""


def _encode_file(data: bytes, bom: bytes, codec: str) -> bytes:
    if codec:
        return bom + data.decode("utf-8", "surrogatepass").encode(codec, "surrogatepass")
    return bom + data


class _PathStore(Store):
    """A store on a local path: SOURCE is the path, named by it and by its absolute form."""

    #: What ``identity`` starts with, so a file and a folder never share one.
    _SCHEME: ClassVar[str]

    @classmethod
    def open(cls, spec: str, opening: Opening) -> Self:
        return cls(spec)

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = path
        self.identity = f"{self._SCHEME}:" + os.path.abspath(path)

    def _still(self, href: str, etag: str, *, gone_ok: bool = False) -> bool:
        """Whether ``href`` still has ``etag``; raises when it changed, or went unless ``gone_ok``.

        False only when it went and ``gone_ok``: a delete finds its work done.
        """
        current = self.fetch(href)
        if current is None and gone_ok:
            return False
        if current is None or current.etag != etag:
            raise self._changed(href)
        return True

    def _changed(self, href: str) -> PreconditionFailed:
        return PreconditionFailed(f"{self.path}: {href} changed meanwhile")


class IcsFileStore(_PathStore):
    """A single .ics file; objects are the file's components grouped by UID."""

    _SCHEME = "file"

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        return os.path.exists(spec) and not os.path.isdir(spec)

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._original: bytes | None = None
        self._parsed: _ParsedFile | None = None
        self._replacements: dict[str, bytes | None] = {}
        self._added: dict[str, bytes] = {}
        self._new_zones: list[_Block] = []
        self._bom, self._codec = b"", ""
        #: Computed once per read: rebuilding them per object made sync quadratic.
        self._prefix = self._suffix = b""
        self._group_cache: dict[str, list[_Block]] | None = None

    def _read(self) -> _ParsedFile:
        if self._parsed is None:
            self._original = read_file(self.path, regular_only=True)
            data, self._bom, self._codec = _decode_file(self._original)
            self._parsed = _split(data, self.path)
            # The calendar's own lines (VERSION, PRODID, X-WR-TIMEZONE) and its zones wrap
            # each object, so it parses exactly as it would inside the whole file.
            zones = b"".join(b.data for b in self._parsed.timezones)
            self._prefix = b"".join(self._parsed.header) + zones
            self._suffix = b"".join(self._parsed.footer)
            self._group_cache = None
        return self._parsed

    def _wrap(self, body: bytes) -> bytes:
        self._read()
        return self._prefix + body + self._suffix

    def _groups(self) -> dict[str, list[_Block]]:
        blocks = self._read().blocks
        if self._group_cache is not None:
            return self._group_cache
        groups: dict[str, list[_Block]] = {}
        for index, block in enumerate(blocks):
            if block.kind == "VTIMEZONE":
                continue
            key = block.uid or f"#block-{index}"
            groups.setdefault(key, []).append(block)
        self._group_cache = groups
        return groups

    def _load(self, window: Window) -> list[StoredObject]:
        objects = []
        for uid, blocks in self._groups().items():
            body = b"".join(b.data for b in blocks)
            objects.append(StoredObject(uid, _etag(body), self._wrap(body)))
        return objects

    def readable(self, window: Window) -> list[StoredObject]:
        """The whole file as one object, to read events exactly as ``plan`` reads it.

        Parsing object by object re-parses the header and every zone for each
        event; and messages then name the file and line, not a UID. Read
        alone (by plan), a pipe is fine too: only writing needs a regular file.
        """
        data = self._original if self._original is not None else read_file(self.path)
        return [StoredObject(self.path, _etag(data), data)]

    def fetch(self, href: str) -> StoredObject | None:
        if href in self._added:
            return StoredObject(href, _etag(self._added[href]), self._added[href])
        blocks = self._groups().get(href)
        if not blocks:
            return None
        body = b"".join(b.data for b in blocks)
        return StoredObject(href, _etag(body), self._wrap(body))

    def href_for(self, uid: str) -> str:
        return uid

    def has_uid(self, uid: str) -> bool:
        return uid in self._groups()

    def _components(self, data: bytes) -> bytes:
        """The components inside a VCALENDAR we were handed, without the wrapper."""
        parsed = _split(data, "reminder")
        newline = self._read().newline
        body = b"".join(b.data for b in parsed.blocks if b.kind != "VTIMEZONE")
        if newline != b"\r\n":
            body = body.replace(b"\r\n", newline)
        return body

    def _create(self, href: str, data: bytes) -> str | None:
        if href in self._groups() or href in self._added:
            raise AlreadyExists(f"{self.path}: {href} already exists")
        body = self._components(data)
        self._added[href] = body
        self._zone_blocks_from(data)
        return _etag(body)

    def _update(self, href: str, data: bytes, etag: str) -> str | None:
        self._still(href, etag)
        body = self._components(data)
        if href in self._added:  # created in this run, not yet in the file
            self._added[href] = body
        else:
            self._replacements[href] = body
        self._zone_blocks_from(data)
        return _etag(body)

    def _delete(self, href: str, etag: str) -> None:
        if not self._still(href, etag, gone_ok=True):
            return
        if self._added.pop(href, None) is None:
            self._replacements[href] = None

    def _zone_blocks_from(self, data: bytes) -> None:
        parsed = self._read()
        have = {_tzid(b) for b in [*parsed.timezones, *self._new_zones]}
        for block in _split(data, "reminder").blocks:
            if block.kind == "VTIMEZONE" and _tzid(block) not in have:
                lines = block.lines
                if parsed.newline != b"\r\n":
                    lines = [line.replace(b"\r\n", parsed.newline) for line in lines]
                self._new_zones.append(_Block("VTIMEZONE", lines))

    def commit(self) -> None:
        if not self._replacements and not self._added:
            return
        parsed = self._read()
        out: list[bytes] = list(parsed.head)
        # New zones go before the first component, after the calendar's own
        # properties (RFC 5545 wants VERSION and PRODID first).
        zones_pending = [b.data for b in self._new_zones]
        written: set[str] = set()
        for segment in parsed.segments:
            if isinstance(segment, bytes):
                out.append(segment)
                continue
            out.extend(zones_pending)
            zones_pending = []
            key = segment.uid
            if key is not None and key in self._replacements:
                replacement = self._replacements[key]
                if key not in written and replacement is not None:
                    out.append(replacement)
                written.add(key)
                continue
            out.append(segment.data)
        out.extend(zones_pending)
        out.extend(self._added.values())
        out.extend(parsed.tail)
        if read_file(self.path, regular_only=True) != self._original:
            raise PreconditionFailed(
                f"{self.path}: the file changed while cal-followup was working; nothing was "
                "written, run again"
            )
        write_atomically(self.path, _encode_file(b"".join(out), self._bom, self._codec))
        self._original, self._parsed, self._group_cache = None, None, None
        self._replacements, self._added, self._new_zones = {}, {}, []


def _tzid(block: _Block) -> str:
    found = first_block(block.data)
    return found.tzid if found else ""


class VdirStore(_PathStore):
    """A vdir: one calendar object per ``.ics`` file; the ETag is a hash of the bytes.

    Hidden files and anything not ending in ``.ics`` are skipped, as
    vdirsyncer does; an unreadable or oversized item is an empty object
    naming the reason, and the others are still read.
    """

    _SCHEME = "vdir"

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        return os.path.isdir(spec)

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._uids: set[str] | None = None

    def _changed(self, href: str) -> PreconditionFailed:
        return PreconditionFailed(f"{self._file(href)}: changed meanwhile")

    def _file(self, href: str) -> str:
        if "/" in href or href.startswith("."):
            raise SourceError(f"{self.path}: refusing a file name outside the folder: {href!r}")
        return os.path.join(self.path, href)

    def _load(self, window: Window) -> list[StoredObject]:
        # A vdir has no index to query: every item is read, whatever the window.
        return self._scan()

    def _scan(self) -> list[StoredObject]:
        try:
            names = sorted(
                n for n in os.listdir(self.path) if n.endswith(".ics") and not n.startswith(".")
            )
        except OSError as error:
            raise SourceError(f"{self.path}: cannot list folder: {error.strerror}") from None
        objects = []
        uids: set[str] = set()
        for name in names:
            found = self.fetch(name)
            if found is not None:
                objects.append(found)
                uids.update(component_uids(found.data))
        self._uids = uids
        return objects

    def fetch(self, href: str) -> StoredObject | None:
        path = self._file(href)
        if not os.path.lexists(path):
            return None
        try:
            data = read_file(path, regular_only=True)
        except SourceError as error:
            # One unreadable item must not hide the others: an empty object
            # becomes a one-line problem naming it when read.
            reason = str(error).removeprefix(f"{path}: ")
            return StoredObject(href, None, b"", where=f"{path} ({reason})")
        return StoredObject(href, _etag(data), data, where=path)

    def has_uid(self, uid: str) -> bool:
        if self._uids is None:
            self._scan()
        return uid in (self._uids or set())

    def _create(self, href: str, data: bytes) -> str | None:
        path = self._file(href)
        try:
            # A link from a finished temporary file: the name is taken whole or
            # not at all, and never from another program that took it first.
            link_exclusively(path, data)
        except NameTaken:
            raise AlreadyExists(f"{path}: already exists") from None
        return _etag(data)

    def _update(self, href: str, data: bytes, etag: str) -> str | None:
        self._still(href, etag)
        write_atomically(self._file(href), data)
        return _etag(data)

    def _delete(self, href: str, etag: str) -> None:
        if not self._still(href, etag, gone_ok=True):
            return
        try:
            os.unlink(self._file(href))
        except FileNotFoundError:
            pass  # removed meanwhile: what we wanted
