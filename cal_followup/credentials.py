"""Where the CalDAV password comes from: never the command line or the config.

In order: the ``CAL_FOLLOWUP_PASSWORD`` environment variable, the config's
``password_command`` (run by the user's shell, as typed at a prompt: ``~``,
quotes and pipes work; its first output line is the password), then the
system keyring when the ``keyring`` package is installed (service
``cal-followup``, user name as the key). No message here ever includes the
password or the command's output; a failing command's own error line is shown.
"""

from __future__ import annotations

import os
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


def missing_password_message(user: str, url: str) -> str:
    """How to give ``user`` a password: the line shown when none was found anywhere."""
    host = urllib.parse.urlsplit(url).hostname or "the server"
    return (
        f"no password for user {user!r} on {host}: set ${ENVIRONMENT_VARIABLE}, add "
        f"password_command to the config, or store it with "
        f"'keyring set {KEYRING_SERVICE} {user}@{host}'"
    )


def required_password(user: str, url: str, password_command: str | None) -> str:
    """``find_password`` for a user who must have one; one line saying how when none."""
    password = find_password(user, url, password_command)
    if not password:
        raise ConfigError(missing_password_message(user, url))
    return password


def user_shell() -> str:
    """The user's login shell, as a prompt would use it; /bin/sh when unusable."""
    shell = os.environ.get("SHELL") or ""
    if os.path.isabs(shell) and os.access(shell, os.X_OK):
        return shell
    return "/bin/sh"


def _run_command(command: str) -> str:
    if not command.strip():
        raise ConfigError("password_command is empty")
    try:
        result = subprocess.run(
            [user_shell(), "-c", command],
            capture_output=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ConfigError("password_command did not finish within 60 seconds") from None
    except OSError as error:
        raise ConfigError(f"password_command cannot run: {error.strerror}") from None
    if result.returncode != 0:
        # Its own complaint, first line only; stdout (maybe the password) never.
        complaint = next(
            (
                line.strip()
                for line in result.stderr.decode("utf-8", "replace").splitlines()
                if line.strip()
            ),
            "",
        )[:200]
        raise ConfigError(
            f"password_command failed with exit status {result.returncode}"
            + (f": {complaint}" if complaint else "")
        )
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
