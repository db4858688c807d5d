"""Shared pytest configuration for the cal-followup tests."""

from __future__ import annotations

import pytest

# --- Fuzzing (tests/test_fuzz.py, tests/fuzzhelpers.py) -------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the fuzz tests with many more examples (minutes instead of seconds)",
    )


# --- end of the fuzzing block ---------------------------------------------------------------

# --- Real CalDAV servers (tests/servers.py) ---------------------------------------------------
# Radicale and Xandikos started per test module; `server` runs a test against both.
from tests.servers import counting_proxy, radicale, server, xandikos  # noqa: E402, F401
