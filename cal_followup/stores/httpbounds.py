"""Every HTTP request ends: an overall deadline and a size cap on each answer.

A socket timeout only bounds the wait for the next byte: a server sending one
byte every two seconds keeps a request (and the run's lock) alive for ever,
and a server sending gigabytes fills the memory. Both CalDAV and feed
requests therefore run under ``deadline`` (the whole request, answer
included, must end in time) and read their answer through ``read_capped``.

The deadline uses ``SIGALRM``, which interrupts a blocking read wherever it
is; it is only armed in the main thread (the command line), elsewhere the
socket timeout alone applies.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: The most any one answer may hold (the same bound as .ics files and feeds).
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


class DeadlinePassed(Exception):
    """The request did not finish within its overall deadline."""


class AnswerTooLarge(Exception):
    """The answer is larger than the cap."""


def overall_seconds(timeout: float) -> float:
    """The whole-request deadline for a socket ``timeout``: a few round trips' worth."""
    return max(4.0 * timeout, 5.0)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``DeadlinePassed`` in the block once ``seconds`` have passed."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise DeadlinePassed(f"no complete answer within {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    earlier = signal.setitimer(signal.ITIMER_REAL, seconds)[0]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier:
            # An outer deadline keeps running (minus nothing: ours was shorter or equal).
            signal.setitimer(signal.ITIMER_REAL, earlier)


def read_capped(chunks: Iterable[bytes], limit: int | None = None) -> bytes:
    """The joined ``chunks``; ``AnswerTooLarge`` as soon as they pass ``limit`` bytes."""
    limit = limit or MAX_ANSWER_BYTES
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge(f"the answer is larger than {max(limit >> 20, 1)} MB")
        parts.append(chunk)
    return b"".join(parts)


def bound_session(
    session: Any,
    seconds: float,
    limit: int | None = None,
    on_status: Callable[[int], None] | None = None,
) -> None:
    """Make every ``session.request`` (requests/niquests) obey the deadline and the cap."""
    original = session.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        kwargs["stream"] = True
        cap = limit or MAX_ANSWER_BYTES
        with deadline(seconds):
            response = original(method, url, *args, **kwargs)
            if on_status is not None:
                on_status(int(response.status_code))
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                response.close()
                raise AnswerTooLarge(f"the answer is larger than {max(cap >> 20, 1)} MB")
            try:
                body = read_capped(response.iter_content(_CHUNK), cap)
            finally:
                response.close()
        response._content = body
        response._content_consumed = True
        return response

    session.request = request
