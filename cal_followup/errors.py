"""The exceptions cal-followup raises on purpose, each with a message for the user.

The CLI catches ``FollowupError`` in one place, prints ``str(error)`` as one
line on stderr and exits with ``error.exit_status``. Anything else is a bug
and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

#: Exit statuses: done; done, but some events could not be read (or the mailbox
#: part failed); usage, configuration or an unreadable source.
EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2


class FollowupError(Exception):
    """Base class: the message is one line written for the user."""

    exit_status = EXIT_ERROR


class ConfigError(FollowupError):
    """A bad option or config value; names the key and, if known, the file."""


class SourceError(FollowupError):
    """A calendar source that cannot be read at all (missing, unreachable, unparsable)."""


class AuthError(SourceError):
    """The server refused our credentials; never includes the password."""


class LockError(FollowupError):
    """Another run holds the lock."""
