"""Writing files so that no reader ever sees half of one, and nothing is overwritten by mistake.

Every file cal-followup writes (an exported calendar, an .ics calendar, a vdir
item) is first written whole to a temporary file in the same folder and
flushed to disk. It then takes the real name either by ``os.replace``
(``write_atomically``: the file is replaced in one step) or by ``os.link``
(``link_exclusively``: the name is taken only if it is free, as khal creates
vdir items; a check followed by a rename could overwrite a file another
program made in between). This module is the bottom layer of ``stores``: it
imports nothing of cal-followup but the errors.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from cal_followup.errors import SourceError


class NameTaken(SourceError):
    """``link_exclusively`` found the name already in use."""

    exit_status = 1


def writable_target(path: str) -> str:
    """Where writing ``path`` really goes: through symlinks to a regular, writable file.

    A symlinked calendar is updated in place of its target (the link stays a
    link); a FIFO or device is never replaced by a regular file; a file the
    user made read-only is left alone.
    """
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as error:
        raise SourceError(f"{path}: cannot write: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise SourceError(f"{path}: not a regular file; refusing to replace it")
    if not mode & 0o222:
        raise SourceError(f"{path}: the file is read-only; not changed (make it writable first)")
    return target


@contextmanager
def _temporary_beside(path: str, data: bytes, mode: int) -> Iterator[str]:
    """A flushed temporary file holding ``data`` in ``path``'s folder; removed if still there."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".cal-followup-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise SourceError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        yield temporary
    except OSError as error:
        raise SourceError(f"{path}: cannot write: {error.strerror or error}") from None
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass  # renamed into place: nothing left to remove


def write_atomically(path: str, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    path = writable_target(path)
    mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o644 & ~_umask()
    with _temporary_beside(path, data, mode) as temporary:
        os.replace(temporary, path)


def link_exclusively(path: str, data: bytes) -> None:
    """Create ``path`` holding ``data``, or raise ``NameTaken`` if the name exists.

    ``os.link`` fails when the name is taken (even by a dangling symlink),
    so another program's file can never be overwritten.
    """
    with _temporary_beside(path, data, 0o644 & ~_umask()) as temporary:
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise NameTaken(f"{path}: already exists") from None
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            _create_exclusively(path, data)


#: A folder without hard links (FAT, some network shares): O_EXCL is exclusive there too.
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _create_exclusively(path: str, data: bytes) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise NameTaken(f"{path}: already exists") from None
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
