"""Where the CalDAV password comes from: never the command line or the config.

In order: the ``CAL_FOLLOWUP_PASSWORD`` environment variable, the config's
``password_command`` (run without a shell; its first output line is the
password), then the system keyring when the ``keyring`` package is
installed (service ``cal-followup``, user name as the key). No message here
ever includes the password or the command's output.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import urllib.parse

from cal_followup.errors import ConfigError

ENVIRONMENT_VARIABLE = "CAL_FOLLOWUP_PASSWORD"
KEYRING_SERVICE = "cal-followup"


def find_password(user: str | None, url: str, password_command: str | None) -> str | None:
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_environment:
        return from_environment
    if password_command:
        return _run_command(password_command)
    if user:
        return _from_keyring(user, url)
    return None


def _run_command(command: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise ConfigError(f"password_command cannot be parsed: {error}") from None
    if not argv:
        raise ConfigError("password_command is empty")
    try:
        result = subprocess.run(
            argv, capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise ConfigError(f"password_command: program {argv[0]!r} not found") from None
    except subprocess.TimeoutExpired:
        raise ConfigError("password_command did not finish within 60 seconds") from None
    except OSError as error:
        raise ConfigError(f"password_command cannot run: {error.strerror}") from None
    if result.returncode != 0:
        raise ConfigError(f"password_command failed with exit status {result.returncode}")
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0]:
        raise ConfigError("password_command printed no password")
    return lines[0]


def _from_keyring(user: str, url: str) -> str | None:
    try:
        import keyring  # optional: only when the user installed it
    except ImportError:
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{user}@{host}") or keyring.get_password(
            KEYRING_SERVICE, user
        )
    except Exception:  # noqa: BLE001 - a keyring without a backend is just no keyring
        return None
