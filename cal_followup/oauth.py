"""Secrets printed by a command: OAuth2 access tokens for CalDAV and IMAP.

Google's CalDAV and Gmail's IMAP take OAuth2 bearer tokens, not passwords.
Rather than run an OAuth2 flow of our own, cal-followup asks a command the
user already trusts (``oama access``, ``mutt_oauth2.py``, ``gcloud auth
print-access-token``) for a fresh token, exactly as neomutt, aerc and isync
do. The command is split like a shell would but run without one, so nothing
secret appears on a command line; the token is never put into a message,
a log line or an exception.
"""

from __future__ import annotations

import subprocess
from typing import Any

from cal_followup.credentials import user_shell
from cal_followup.errors import AuthError, ConfigError

COMMAND_TIMEOUT = 60


def run_secret_command(command: str, key: str) -> str:
    """The first line the command ``key`` prints; one clear line when it cannot.

    Run as ``password_command`` is, through the user's shell (``~``, quotes and
    pipes work alike in every *_command setting); unlike it, a failing token or
    IMAP password command's stderr is never repeated, since it may hold the secret.
    """
    if not command.strip():
        raise ConfigError(f"{key} is empty")
    try:
        result = subprocess.run(
            [user_shell(), "-c", command],
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise AuthError(f"{key} did not finish within {COMMAND_TIMEOUT} seconds") from None
    except OSError as error:
        raise AuthError(f"{key} cannot run: {error.strerror}") from None
    if result.returncode == 127:
        raise AuthError(f"{key}: command not found")
    if result.returncode != 0:
        # Its stderr may hold anything, the token included: never repeat it.
        raise AuthError(f"{key} failed with exit status {result.returncode}")
    lines = result.stdout.decode("utf-8", "replace").strip().splitlines()
    if not lines or not lines[0].strip():
        raise AuthError(f"{key} printed nothing")
    return lines[0].strip()


def bearer_auth(token: str) -> Any:
    """An auth object for the caldav library's HTTP session: ``Authorization: Bearer``."""
    # Imported here: the caldav library is slow to import and only CalDAV syncs need it.
    from caldav.requests import HTTPBearerAuth

    return HTTPBearerAuth(token)


def use_bearer_token(store: Any, token: str) -> None:
    """Make a ``CalDavStore`` send the token instead of a user name and password.

    Done from outside the store so the store keeps one way of building its
    client; the library sends the header on every request and never asks the
    server which scheme it wants.
    """
    store.client.auth = bearer_auth(token)
    store.client.auth_type = "bearer"
    store.client.password = None
    store._password_set = True
    name = store.name
    store._auth_message = lambda status: (
        f"{name}: the server refused the access token from token_command (HTTP {status})"
    )
