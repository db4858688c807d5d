"""The README stays true: its first commands, every config key, the sample --now."""

from __future__ import annotations

import re
from pathlib import Path

from cal_followup.config import OPTIONS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    assert "export samples/interviews.ics" in blocks[0] and "--now" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = blocks[1].split("&&")[-1].strip()
    assert test_command in ci


def test_every_config_key_is_documented() -> None:
    for key in OPTIONS:
        assert f"| `{key}` |" in README, key


def test_every_setting_has_a_help_text_and_every_help_text_a_setting() -> None:
    from dataclasses import fields

    from cal_followup.config import AccountSettings, Settings

    settable = {f.name for f in fields(Settings) if f.name != "source_file"}
    assert settable == set(OPTIONS)
    # Each account's keys are settings, spelled with its prefix (url, imap_url).
    for prefix in ("", "imap_"):
        assert {prefix + f.name for f in fields(AccountSettings)} <= settable
    assert all(help_text.strip() and metavar for help_text, metavar in OPTIONS.values())
