"""The command-line contract: plan, export, options, exit statuses, error lines."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from cal_followup.cli import main
from cal_followup.model import Stage
from tests.helpers import calendar, vevent

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NOW = "2026-11-25T12:00"
BASE = ["--config", str(SAMPLES / "config.toml"), "--now", NOW]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_plan_json_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "plan", str(SAMPLES / "interviews.ics"), "--json", *BASE)
    assert status == 0, err
    reminders = json.loads(out)
    assert reminders
    for item in reminders:
        assert {
            "uid",
            "interview_uid",
            "stage",
            "late",
            "due",
            "to",
            "to_name",
            "subject",
            "body",
            "language",
        } <= item.keys()
        assert item["stage"] in {stage.value for stage in Stage}
        assert "+" in item["due"][10:] or "-" in item["due"][10:]
    interviews = {item["interview_uid"] for item in reminders}
    assert "umbrella-cancelled-77@example.com" not in interviews
    assert "mock-interview-prep-9@example.com" not in interviews
    panel = [
        i for i in reminders if i["interview_uid"].startswith("panel") and i["stage"] == "thank-you"
    ]
    assert {i["to"] for i in panel} == {
        "matti.korhonen@globex.example",
        "priya.nair@globex.example",
    }


def test_plan_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plan", str(SAMPLES / "interviews.ics"), *BASE)
    assert status == 0
    assert out.splitlines()[0].split()[:3] == ["DUE", "STAGE", "TO"]
    assert "anna.virtanen@acme.example" in out


def test_command_line_wins_over_config(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "plan",
        str(SAMPLES / "interviews.ics"),
        "--json",
        *BASE,
        "--name",
        "Alex Example",
        "--tz",
        "UTC",
    )
    reminders = json.loads(out)
    assert all("Alex Example" in r["body"] for r in reminders)
    assert all(r["due"].endswith("+00:00") for r in reminders)


def test_export_file_is_importable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "reminders.ics"
    status, out, err = run(
        capsys, "export", str(SAMPLES / "interviews.ics"), "-o", str(target), *BASE
    )
    assert status == 0, err
    assert out == ""
    data = target.read_bytes()
    lines = data.split(b"\r\n")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    parsed = icalendar.Calendar.from_ical(data)
    assert parsed["VERSION"] == "2.0" and parsed.get("PRODID")
    assert "METHOD" not in parsed
    events = list(parsed.walk("VEVENT"))
    assert events and all(e.get("DTSTAMP") and e.get("X-CAL-FOLLOWUP-STAGE") for e in events)
    zones = [tz["TZID"] for tz in parsed.walk("VTIMEZONE")]
    assert zones == ["Europe/Helsinki"]
    for event in events:
        assert event["TRANSP"] == "TRANSPARENT" and event["CLASS"] == "PRIVATE"
        assert (event.end - event.start).total_seconds() == 15 * 60
        assert str(event["RELATED-TO"]) == str(event["X-CAL-FOLLOWUP-INTERVIEW"])
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1 and alarms[0]["ACTION"] == "DISPLAY"
        assert "mailto:" in str(event["DESCRIPTION"])


def test_export_to_stdout_and_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "export", str(SAMPLES / "interviews.ics"), "-o", "-", *BASE)
    assert status == 0 and out.startswith("BEGIN:VCALENDAR")
    target = tmp_path / "x.ics"
    status, out, _ = run(
        capsys, "export", str(SAMPLES / "interviews.ics"), "-o", str(target), "--dry-run", *BASE
    )
    assert status == 0 and "would write" in out and not target.exists()


def test_export_vtodo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "todo.ics"
    run(
        capsys,
        "export",
        str(SAMPLES / "interviews.ics"),
        "-o",
        str(target),
        "--component",
        "VTODO",
        *BASE,
    )
    parsed = icalendar.Calendar.from_ical(target.read_bytes())
    assert list(parsed.walk("VTODO")) and not list(parsed.walk("VEVENT"))


def test_vdir_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "a.ics").write_text(calendar(vevent(uid="a")))
    (folder / "b.ics").write_text(calendar(vevent(uid="b", summary="Lunch")))
    (folder / ".hidden.ics").write_text("garbage")
    (folder / "broken.ics").write_text("BEGIN:VCALENDAR\r\nnot really")
    status, out, err = run(capsys, "plan", str(folder), "--json", *BASE)
    assert {r["interview_uid"] for r in json.loads(out)} == {"a"}
    assert status == 1 and "broken.ics" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["plan", "missing.ics"], "missing.ics: no such file"),
        (["plan", "SAMPLE", "--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["plan", "SAMPLE", "--country", "Q"], "country"),
        (["plan", "SAMPLE", "--now", "yesterday"], "--now"),
        (["plan", "SAMPLE", "--language", "xx"], "unknown language 'xx'"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(SAMPLES / "interviews.ics") if a == "SAMPLE" else a for a in argv]
    status, _, err = run(capsys, *argv, "--config", str(SAMPLES / "config.toml"))
    assert status == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_config_value_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('day_start = "nine"\n')
    status, _, err = run(capsys, "plan", str(SAMPLES / "interviews.ics"), "--config", str(config))
    assert status == 2 and str(config) in err and "day_start" in err


def test_unknown_config_key_and_password_in_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('colour = "blue"\n')
    assert run(capsys, "plan", str(SAMPLES / "interviews.ics"), "--config", str(config))[0] == 2
    config.write_text('password = "hunter2"\n')
    status, out, err = run(capsys, "plan", str(SAMPLES / "interviews.ics"), "--config", str(config))
    assert status == 2 and "hunter2" not in err + out


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "plan", "missing.ics", "--debug")
    assert status == 2 and "Traceback" in err


def test_help_for_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "export"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        for option in (
            "--config",
            "--now",
            "--tz",
            "--country",
            "--me",
            "--name",
            "--language",
            "--debug",
        ):
            assert option in out


def test_xdg_config_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cal-followup"
    folder.mkdir()
    (folder / "config.toml").write_text('name = "Xdg Person"\ntimezone = "Europe/Helsinki"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    _, out, _ = run(capsys, "plan", str(SAMPLES / "interviews.ics"), "--json", "--now", NOW)
    assert all("Xdg Person" in r["body"] for r in json.loads(out))
