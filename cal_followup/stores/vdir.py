"""A vdir folder, as vdirsyncer and khal keep one: one calendar object per .ics file.

Hidden files and anything not ending in ``.ics`` are skipped, as vdirsyncer
does; an unreadable or oversized item is reported by its file name and the
others are still read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from cal_followup.errors import SourceError
from cal_followup.stores import Item
from cal_followup.stores.icsfile import read_file


class VdirSource:
    def __init__(self, path: str) -> None:
        self.path = path
        self.name = path

    def _names(self) -> list[str]:
        try:
            names = os.listdir(self.path)
        except OSError as error:
            raise SourceError(f"{self.path}: cannot list folder: {error.strerror}") from None
        return sorted(n for n in names if n.endswith(".ics") and not n.startswith("."))

    def items(self) -> Iterator[Item]:
        for name in self._names():
            path = os.path.join(self.path, name)
            try:
                data = read_file(path, regular_only=True)
            except SourceError as error:
                # One unreadable item must not hide the others: an empty item
                # becomes a one-line problem naming it when parsed.
                reason = str(error).removeprefix(f"{path}: ")
                yield Item(b"", f"{path} ({reason})", href=name)
                continue
            yield Item(data, path, href=name)
