"""A single .ics file (or standard input) as a calendar source."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from cal_followup.errors import SourceError
from cal_followup.stores import Item


class IcsFileSource:
    def __init__(self, path: str) -> None:
        self.path = path
        self.name = path

    def items(self) -> Iterator[Item]:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except IsADirectoryError:
            raise SourceError(f"{self.path}: is a folder, not an .ics file") from None
        except OSError as error:
            raise SourceError(f"{self.path}: cannot read: {error.strerror}") from None
        yield Item(data, self.path)


class StdinSource:
    name = "<stdin>"

    def items(self) -> Iterator[Item]:
        yield Item(sys.stdin.buffer.read(), self.name)
