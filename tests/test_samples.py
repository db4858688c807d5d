"""The cron and systemd samples do what the README promises."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "samples" / name).read_text(encoding="utf-8"))
    return parser


def test_service_retries_a_network_failure_and_gives_up_on_a_lasting_one() -> None:
    unit = _unit("cal-followup.service")
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["RestartSec"]
    assert "1" in unit["Service"]["RestartPreventExitStatus"].split()
    assert int(unit["Unit"]["StartLimitBurst"]) > 1 and unit["Unit"]["StartLimitIntervalSec"]
    # A user manager has no network-online.target: waiting for it does nothing.
    assert "network-online" not in unit["Unit"].get("After", "")
    assert unit["Service"]["ExecStart"].startswith("%h/.local/bin/cal-followup sync")
    text = (ROOT / "samples" / "cal-followup.service").read_text(encoding="utf-8")
    assert "loginctl enable-linger" in text and "D-Bus" in text


def test_readme_install_import_and_writer_rules() -> None:
    assert "pipx install ." in README
    assert "khal import --batch" in README
    assert "loginctl enable-linger" in README
    assert "One writer per calendar" in README
    assert "| `ca_cert` |" in README
