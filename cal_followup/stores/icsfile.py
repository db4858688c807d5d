"""A single .ics file (or standard input) as a calendar source.

Reading is bounded: a file larger than ``MAX_FILE_BYTES`` is refused with one
line instead of filling the memory (a real calendar of ten years is a few MB).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import BinaryIO

from cal_followup.errors import SourceError
from cal_followup.stores import Item

#: Same bound as for feeds: far above any real calendar, far below harm.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bounded(stream: BinaryIO, where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Up to ``limit`` bytes of ``stream``; SourceError naming ``where`` if there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SourceError(f"{where}: larger than {limit // (1024 * 1024)} MB; not read")
    return data


class IcsFileSource:
    def __init__(self, path: str) -> None:
        self.path = path
        self.name = path

    def items(self) -> Iterator[Item]:
        try:
            with open(self.path, "rb") as handle:
                data = read_bounded(handle, self.path)
        except IsADirectoryError:
            raise SourceError(f"{self.path}: is a folder, not an .ics file") from None
        except OSError as error:
            raise SourceError(f"{self.path}: cannot read: {error.strerror or error}") from None
        yield Item(data, self.path)


class StdinSource:
    name = "<stdin>"

    def items(self) -> Iterator[Item]:
        yield Item(read_bounded(sys.stdin.buffer, self.name), self.name)
