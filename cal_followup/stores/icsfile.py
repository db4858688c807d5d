"""Reading calendar files with bounds, and standard input as a read-only store.

The .ics file store itself is ``files.IcsFileStore``. Reading is bounded: a
file larger than ``MAX_FILE_BYTES`` is refused with one line instead of
filling the memory (a real calendar of ten years is a few MB).
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from cal_followup.errors import SourceError
from cal_followup.stores.base import Opening
from cal_followup.stores.feed import ReadOnlyCalendar

#: Same bound as for feeds: far above any real calendar, far below harm.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bounded(stream: BinaryIO, where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Up to ``limit`` bytes of ``stream``; SourceError naming ``where`` if there are more."""
    # In chunks: read(limit + 1) would set aside the whole limit (64 MB) for any file.
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
        if total > limit:
            raise SourceError(f"{where}: larger than {limit // (1024 * 1024)} MB; not read")
        chunks.append(chunk)
    return b"".join(chunks)


def read_file(path: str, *, regular_only: bool = False) -> bytes:
    """The bytes of ``path``, bounded; SourceError naming it on any trouble.

    Opening never blocks (a FIFO without a writer would hang the run);
    ``regular_only`` refuses anything but a plain file, as a vdir scan must:
    one FIFO named ``x.ics`` in a folder would otherwise stop every run.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder, not an .ics file") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None
    with os.fdopen(handle, "rb") as stream:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(f"{path}: is a folder, not an .ics file")
        if regular_only and not stat.S_ISREG(mode):
            raise SourceError(f"{path}: not a regular file (a pipe, device or socket); not read")
        os.set_blocking(handle, True)
        try:
            return read_bounded(stream, path)
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None


class StdinStore(ReadOnlyCalendar):
    """Standard input (SOURCE ``-``): one calendar, read once, never written."""

    @classmethod
    def claims(cls, spec: str, opening: Opening) -> bool:
        return spec == "-"

    @classmethod
    def open(cls, spec: str, opening: Opening) -> StdinStore:
        return cls("<stdin>", "stdin")

    def download(self) -> bytes:
        return read_bounded(sys.stdin.buffer, self.name)
