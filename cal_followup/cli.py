"""The ``cal-followup`` command: parse arguments, load settings, call app, print.

Nothing here decides anything: ``cal_followup.commands`` calls each command's
one function in ``cal_followup.app`` and prints what it returns (the text is
built in ``cal_followup.printing``). Errors of ours (``FollowupError``) become one
line on stderr and an exit status: 0 done, 1 some events could not be read
(the rest were processed), 2 usage, configuration or unreadable source.
Anything unexpected is reported in one line too; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import traceback
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cal_followup import PROG, __version__, transport
from cal_followup.config import OPTIONS, Settings, load_settings
from cal_followup.errors import EXIT_ERROR, EXIT_OK, ConfigError, FollowupError
from cal_followup.lint import MAX_PARAGRAPH_WORDS, MAX_PARAGRAPHS, MAX_WORDS, codes_help
from cal_followup.state import database_trouble


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _common_options() -> _Parser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: $XDG_CONFIG_HOME/cal-followup/config.toml)",
    )
    group.add_argument(
        "--now",
        metavar="DATETIME",
        help="plan as if it were this moment (ISO 8601, e.g. 2026-12-01T08:00; "
        "without an offset, in your time zone). Default: the current time",
    )
    group.add_argument("--tz", dest="timezone", metavar="ZONE", help=OPTIONS["timezone"][0])
    group.add_argument("--country", metavar="CODE", help=OPTIONS["country"][0])
    group.add_argument("--me", action="append", metavar="EMAIL", help=OPTIONS["me"][0])
    group.add_argument("--name", metavar="NAME", help=OPTIONS["name"][0])
    group.add_argument("--language", metavar="CODE", help=OPTIONS["language"][0])
    group.add_argument("--tone", choices=("formal", "casual"), help=OPTIONS["tone"][0])
    group.add_argument(
        "--holiday-source",
        dest="holiday_source",
        choices=("both", "workalendar", "holidays"),
        help=OPTIONS["holiday_source"][0],
    )
    group.add_argument("--quiet", "-q", action="store_true", help="do not print warnings")
    group.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks for errors and log each HTTP request (method, path, status)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(
        prog=PROG,
        description="Finds job interviews in a calendar and plans follow-up reminders, each "
        "holding a drafted email, due on the right business day.",
        epilog="SOURCE is an .ics file, a vdir folder (one .ics per event), an http(s) or "
        "webcal URL serving an .ics feed, or - for standard input. "
        "Every config key can also be set in the TOML config file; "
        "see README.md for the list.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_plan(commands, common)
    _add_export(commands, common)
    _add_sync_commands(commands, common)
    _add_check(commands)
    return parser


#: Each calendar command's one-line help and its description.
_COMMAND_TEXTS = {
    "plan": (
        "show the reminders that would be created",
        "Show the reminders the interviews in SOURCE should have, without writing anything.",
    ),
    "export": (
        "write the reminders to an .ics file to import",
        "Write an .ics calendar holding only the reminders, ready to import into "
        "Google Calendar, Apple Calendar, Outlook or Thunderbird.",
    ),
    "sync": (
        "write, move and withdraw reminders in the calendar",
        "Bring the reminders in the calendar in line with the plan: create the "
        "missing ones, move those whose interview moved, withdraw pending ones whose "
        "interview was cancelled, deleted or answered. Only events carrying "
        "cal-followup's marker are touched; reminders you deleted or edited are left "
        "alone; past reminders are history. Silent when nothing changed. With imap_url "
        "in the config it then places the drafts due today or tomorrow in your Drafts folder "
        "and, with stop_on_reply, stops applications whose people wrote to you.",
    ),
    "stop": (
        "stop following an interview (replied, offer, ...)",
        "Stop the follow-ups of one interview. QUERY matches an interview's UID, "
        "company or summary; when several interviews of different applications match "
        "they are listed and nothing is changed (rounds of one application are one "
        "match). With --reason rejected the pending follow-ups are replaced by one "
        "gracious reply reminder. The change is written at once.",
    ),
    "status": (
        "list followed interviews and each stage's state",
        "List the interviews being followed, the state of each stage (pending, "
        "sent, deleted or edited by you, stopped), and the last sync's result.",
    ),
}


def _add_plan(commands: Any, common: argparse.ArgumentParser) -> None:
    plan = _calendar_command(commands, common, "plan", followed=False)
    plan.add_argument(
        "--json", action="store_true", help="print a JSON array, one object per reminder"
    )


def _add_export(commands: Any, common: argparse.ArgumentParser) -> None:
    export = _calendar_command(commands, common, "export", followed=False)
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="file to write (- for standard output); written atomically",
    )
    export.add_argument("--component", choices=("VEVENT", "VTODO"), help=OPTIONS["component"][0])
    export.add_argument(
        "--dry-run", action="store_true", help="say what would be written and write nothing"
    )


def _add_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="check a draft email against the etiquette rules",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check a follow-up draft, generated or typed, against the etiquette rules "
        "(followup-rules.md, rule 6), in English, Finnish or French. FILE is a draft as plain "
        "text (optional 'Subject:' and 'To:' lines, a blank line, the body), a reminder's "
        "description, or an .ics file (every cal-followup reminder in it is checked); - or "
        "nothing reads standard input. Prints FILE:LINE:COLUMN: CODE message, one finding a "
        "line; exits 1 when something should change, 0 when the draft is fine.",
        epilog=f"codes:\n{codes_help()}\n\n"
        "The greeting is the first line of the body; the sign-off is the closing phrase\n"
        "above your name. A paragraph is a run of non-blank lines, less the greeting and\n"
        f"the signature: at most {MAX_PARAGRAPHS} paragraphs of at most {MAX_PARAGRAPH_WORDS} "
        f"words each, {MAX_WORDS} words in all.\n"
        "Placeholders ([name], [nimi], [prénom]) are P001; --allow-placeholders hides them.",
    )
    check.add_argument("files", metavar="FILE", nargs="*", help="draft to check (default: -)")
    check.add_argument(
        "--language", metavar="CODE", help="the draft's language (default: detected from the text)"
    )
    check.add_argument("--json", action="store_true", help="print the findings as a JSON array")
    check.add_argument(
        "--allow-placeholders",
        action="store_true",
        help="do not report unfilled [placeholders] (P001), e.g. in drafts not yet completed",
    )
    check.add_argument(
        "--ignore",
        metavar="CODES",
        action="append",
        default=[],
        help="codes not to report, comma-separated (e.g. F012,F013)",
    )
    check.add_argument("--debug", action="store_true", help="show tracebacks for errors")


def _server_options(parser: argparse.ArgumentParser, *, target: bool = True) -> None:
    group = parser.add_argument_group("calendar options")
    group.add_argument(
        "--calendar",
        metavar="NAME",
        help="calendar name when SOURCE is a CalDAV server or principal URL "
        "(a wrong or missing name lists the calendars)",
    )
    if target:
        group.add_argument(
            "--target",
            metavar="CALENDAR",
            help="write reminders here instead of SOURCE: a calendar name on the same "
            "server, a CalDAV URL, an .ics file or a vdir folder",
        )
    group.add_argument(
        "--user",
        metavar="USER",
        help=OPTIONS["user"][0] + " The password comes "
        "from $CAL_FOLLOWUP_PASSWORD, password_command or the system keyring.",
    )


_FOLLOWED_SOURCE_HELP = (
    "calendar to follow: a CalDAV calendar URL (or server URL with --calendar), "
    "an .ics file (updated in place) or a vdir folder; default: the config's url"
)


def _calendar_command(
    commands: Any,
    common: argparse.ArgumentParser,
    name: str,
    *,
    followed: bool = True,
    source_option: bool = False,
) -> argparse.ArgumentParser:
    """A command on a calendar: its SOURCE and the calendar options.

    A ``followed`` command (sync, stop, status) works on the calendar the
    reminders go to: SOURCE defaults to the config's and --target names where
    the reminders are; ``source_option`` takes SOURCE as ``--source``, for a
    command whose positional argument is something else. Otherwise the command
    only reads the SOURCE it is given (plan, export).
    """
    summary, description = _COMMAND_TEXTS[name]
    parser: argparse.ArgumentParser = commands.add_parser(
        name, parents=[common], help=summary, description=description
    )
    if not followed:
        parser.add_argument("source", metavar="SOURCE", help="calendar to read")
    elif source_option:
        parser.add_argument("--source", metavar="SOURCE", help=_FOLLOWED_SOURCE_HELP)
    else:
        parser.add_argument("source", metavar="SOURCE", nargs="?", help=_FOLLOWED_SOURCE_HELP)
    _server_options(parser, target=followed)
    return parser


def _add_sync_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    sync = _calendar_command(commands, common, "sync")
    sync.add_argument(
        "--create-target",
        action="store_true",
        help="create the --target calendar on the server if it does not exist",
    )
    sync.add_argument(
        "--dry-run", action="store_true", help="print what would change, write nothing"
    )
    sync.add_argument("--json", action="store_true", help="print the actions as a JSON array")

    stop = _calendar_command(commands, common, "stop", source_option=True)
    stop.add_argument("query", metavar="QUERY", help="UID, company or words of the summary")
    stop.add_argument(
        "--reason",
        required=True,
        choices=("replied", "offer", "rejected", "withdrawn"),
        help="why the follow-ups stop",
    )
    stop.add_argument("--dry-run", action="store_true", help="say which interview, change nothing")

    status = _calendar_command(commands, common, "status")
    status.add_argument("--json", action="store_true", help="print JSON")


def parse_now(text: str | None, zone_name: str) -> datetime:
    zone = ZoneInfo(zone_name)
    if not text:
        return datetime.now(zone)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--now: not an ISO 8601 date and time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = (
        "timezone",
        "country",
        "me",
        "name",
        "language",
        "tone",
        "holiday_source",
        "component",
        "user",
    )
    return {key: getattr(args, key, None) for key in keys}


def _run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: the commands pull in every layer below them
    # (icalendar, the planner, the stores, the mailbox), close to a second that
    # --help and usage errors need not pay.
    from cal_followup import commands

    if args.command == "check":
        # Needs no settings: a broken config must not stop anyone checking a draft.
        return commands.check(args)
    settings = load_settings(args.config, _overrides(args))
    _configure_transport(args, settings)
    now = parse_now(args.now, settings.timezone)
    return commands.COMMANDS[args.command](args, settings, now)


def _configure_transport(args: argparse.Namespace, settings: Settings) -> None:
    """TLS trust for every request, and the --debug request log (method, path, status)."""
    transport.configure(settings.verify_tls, settings.caldav.ca_cert)
    if args.debug:
        transport.enable_request_log(sys.stderr)
    else:
        transport.disable_request_log()


def _warnings_in_one_line(*, quiet: bool) -> None:
    """Python warnings from libraries (icalendar's guessed TZIDs...) as one line each."""
    # ics imports icalendar: not needed until a command runs (see _run).
    from cal_followup.ics import one_line

    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        if not quiet:
            print(f"{PROG}: warning: {one_line(message, 300)}", file=sys.stderr)

    warnings.showwarning = show  # type: ignore[assignment]


def _plain_error(error: BaseException) -> str:
    """One line for an error from Python itself, saying what it means for the user."""
    from cal_followup.ics import one_line  # see _warnings_in_one_line

    if isinstance(error, OverflowError) or "out of range" in str(error):
        return (
            "a date falls outside the years 1 to 9999; check --now, horizon_days "
            "and the calendar's dates"
        )
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or one_line(error, 200)}"
    return one_line(f"{type(error).__name__}: {error}", 300)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    if not args.debug:
        _warnings_in_one_line(quiet=bool(getattr(args, "quiet", False)))
    try:
        return _run(args)
    except FollowupError as error:
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (OverflowError, OSError, ArithmeticError, ValueError) as error:
        # Not ours, but common enough to deserve a plain line: a date pushed
        # past year 9999, a full or read-only disk, a URL that is not one.
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: {_plain_error(error)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if isinstance(error, sqlite3.Error):
            if args.debug:
                traceback.print_exc()
            print(f"{PROG}: {database_trouble(None, error)}", file=sys.stderr)
            return EXIT_ERROR
        if args.debug:
            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(error).__name__}: {error} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
