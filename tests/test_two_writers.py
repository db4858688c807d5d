"""One writer per calendar: the same interviews synced through two stores get a warning.

A vdirsyncer folder and the server URL of one calendar are two stores with
two memories; both would write every reminder. The second store's run says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synchelpers import EXPECTED_FIRST_RUN, SAMPLE, Runner, split_by_uid


def test_same_interviews_through_two_stores_are_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "calendar.ics"
    ics.write_bytes(SAMPLE)
    folder = tmp_path / "vdir"
    folder.mkdir()
    for number, data in enumerate(split_by_uid(SAMPLE).values()):
        (folder / f"event-{number}.ics").write_bytes(data)
    run = Runner(tmp_path, monkeypatch, capsys)
    status, out, err = run("sync", str(ics))
    assert (status, out.strip(), err) == (0, f"{EXPECTED_FIRST_RUN} created", "")
    status, out, err = run("sync", str(folder))
    assert status == 0 and out.strip() == f"{EXPECTED_FIRST_RUN} created"
    (line,) = err.strip().splitlines()
    assert "one writer per calendar" in line and str(ics) in line
    # A quiet night stays quiet; status still says it.
    assert run("sync", str(folder)) == (0, "", "")
    status, _, err = run("status", str(ics))
    assert status == 0 and str(folder) in err and "one writer per calendar" in err


def test_one_store_alone_gets_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "calendar.ics"
    ics.write_bytes(SAMPLE)
    other = tmp_path / "other.ics"
    other.write_bytes(SAMPLE.replace(b"UID:", b"UID:other-"))
    run = Runner(tmp_path, monkeypatch, capsys)
    assert run("sync", str(other))[0] == 0
    status, out, err = run("sync", str(ics))
    assert (status, out.strip(), err) == (0, f"{EXPECTED_FIRST_RUN} created", "")
