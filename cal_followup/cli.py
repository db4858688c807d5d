"""The ``cal-followup`` command: parse arguments, load settings, call app, print.

Nothing here decides anything. Errors of ours (``FollowupError``) become one
line on stderr and an exit status: 0 done, 1 some events could not be read
(the rest were processed), 2 usage, configuration or unreadable source.
Anything unexpected is reported in one line too; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cal_followup import __version__
from cal_followup.config import OPTIONS

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2
PROG = "cal-followup"


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

    plan = commands.add_parser(
        "plan",
        parents=[common],
        help="show the reminders that would be created",
        description="Show the reminders the interviews in SOURCE should have, without "
        "writing anything.",
    )
    plan.add_argument("source", metavar="SOURCE", help="calendar to read")
    plan.add_argument(
        "--json", action="store_true", help="print a JSON array, one object per reminder"
    )
    _server_options(plan, target=False)

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write the reminders to an .ics file to import",
        description="Write an .ics calendar holding only the reminders, ready to import into "
        "Google Calendar, Apple Calendar, Outlook or Thunderbird.",
    )
    export.add_argument("source", metavar="SOURCE", help="calendar to read")
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
    _add_sync_commands(commands, common)

    from cal_followup.lint import MAX_PARAGRAPH_WORDS, MAX_PARAGRAPHS, MAX_WORDS, codes_help

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
    _server_options(export, target=False)
    return parser


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


def _add_sync_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    source_help = (
        "calendar to follow: a CalDAV calendar URL (or server URL with --calendar), "
        "an .ics file (updated in place) or a vdir folder; default: the config's url"
    )
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="write, move and withdraw reminders in the calendar",
        description="Bring the reminders in the calendar in line with the plan: create the "
        "missing ones, move those whose interview moved, withdraw pending ones whose "
        "interview was cancelled, deleted or answered. Only events carrying "
        "cal-followup's marker are touched; reminders you deleted or edited are left "
        "alone; past reminders are history. Silent when nothing changed. With imap_url "
        "in the config it then places the drafts due today or tomorrow in your Drafts folder "
        "and, with stop_on_reply, stops applications whose people wrote to you.",
    )
    sync.add_argument("source", metavar="SOURCE", nargs="?", help=source_help)
    _server_options(sync)
    sync.add_argument(
        "--create-target",
        action="store_true",
        help="create the --target calendar on the server if it does not exist",
    )
    sync.add_argument(
        "--dry-run", action="store_true", help="print what would change, write nothing"
    )
    sync.add_argument("--json", action="store_true", help="print the actions as a JSON array")

    stop = commands.add_parser(
        "stop",
        parents=[common],
        help="stop following an interview (replied, offer, ...)",
        description="Stop the follow-ups of one interview. QUERY matches an interview's UID, "
        "company or summary; when several interviews of different applications match "
        "they are listed and nothing is changed (rounds of one application are one "
        "match). With --reason rejected the pending follow-ups are replaced by one "
        "gracious reply reminder. The change is written at once.",
    )
    stop.add_argument("query", metavar="QUERY", help="UID, company or words of the summary")
    stop.add_argument(
        "--reason",
        required=True,
        choices=("replied", "offer", "rejected", "withdrawn"),
        help="why the follow-ups stop",
    )
    stop.add_argument("--source", metavar="SOURCE", help=source_help)
    _server_options(stop)
    stop.add_argument("--dry-run", action="store_true", help="say which interview, change nothing")

    status = commands.add_parser(
        "status",
        parents=[common],
        help="list followed interviews and each stage's state",
        description="List the interviews being followed, the state of each stage (pending, "
        "sent, deleted or edited by you, stopped), and the last sync's result.",
    )
    status.add_argument("source", metavar="SOURCE", nargs="?", help=source_help)
    _server_options(status)
    status.add_argument("--json", action="store_true", help="print JSON")


def parse_now(text: str | None, zone_name: str) -> datetime:
    from zoneinfo import ZoneInfo

    from cal_followup.errors import ConfigError

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


def _table(reminders: Sequence[Any]) -> str:
    if not reminders:
        return "No reminders to create."
    rows = [("DUE", "STAGE", "TO", "SUBJECT")]
    for reminder in reminders:
        recipient = reminder.recipient
        to = (recipient.email or recipient.display_name) if recipient else None
        stage = reminder.stage.value + (" (late)" if reminder.late else "")
        rows.append(
            (
                reminder.due.strftime("%a %Y-%m-%d %H:%M %Z"),
                stage,
                to or "[unknown]",
                reminder.draft.subject,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3] for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _report(outcome: Any, quiet: bool, debug: bool = False) -> int:
    for problem in outcome.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
        if debug and getattr(problem, "trace", None):
            print(problem.trace.rstrip(), file=sys.stderr)
    if not quiet:
        for warning in outcome.warnings:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)
    return EXIT_PARTIAL if outcome.failed_events else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from cal_followup import app
    from cal_followup.config import load_settings

    if args.command == "check":
        # Needs no settings: a broken config must not stop anyone checking a draft.
        return _run_check(args)
    settings = load_settings(args.config, _overrides(args))
    _configure_transport(args, settings)
    now = parse_now(args.now, settings.timezone)
    if args.command == "plan":
        outcome = app.plan(args.source, now, settings, args.calendar or settings.calendar)
        if args.json:
            print(
                json.dumps([r.to_json() for r in outcome.reminders], ensure_ascii=False, indent=2)
            )
        else:
            print(_table(outcome.reminders))
        return _report(outcome, args.quiet, args.debug)
    if args.command == "export":
        outcome = app.plan(args.source, now, settings, args.calendar or settings.calendar)
        data = app.export_bytes(outcome, settings, now)
        count = len(outcome.reminders)
        if args.dry_run:
            print(f"would write {count} reminder{'s' * (count != 1)} to {args.output}")
        elif args.output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            app.write_atomically(args.output, data)
        return _report(outcome, args.quiet, args.debug)
    if args.command in ("sync", "stop", "status"):
        return _run_sync_command(args, settings, now)
    raise AssertionError(f"unknown command {args.command}")


def _configure_transport(args: argparse.Namespace, settings: Any) -> None:
    """TLS trust for every request, and the --debug request log (method, path, status)."""
    from cal_followup import transport

    transport.configure(settings.verify_tls, settings.ca_cert)
    if args.debug:
        transport.enable_request_log(sys.stderr)
    else:
        transport.disable_request_log()


def _run_check(args: argparse.Namespace) -> int:
    from cal_followup import lint
    from cal_followup.errors import ConfigError, SourceError
    from cal_followup.languages import load_languages

    if args.language and args.language not in load_languages():
        raise ConfigError(f"--language: unknown language {args.language!r}")
    ignored = [code.strip() for value in args.ignore for code in value.split(",") if code.strip()]
    if args.allow_placeholders:
        ignored.extend(lint.PLACEHOLDER_CODES)
    rows: list[dict[str, Any]] = []
    for path in args.files or ["-"]:
        name = "<stdin>" if path == "-" else path
        try:
            data = _read_bounded_file(path)
            text = data.decode("utf-8-sig")
        except OSError as error:
            raise SourceError(f"{name}: cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise SourceError(f"{name}: not UTF-8 text") from None
        results = lint.check_document(text, args.language)
        if not results and lint.is_calendar(text):
            print(f"{PROG}: {name}: no cal-followup reminders to check", file=sys.stderr)
        for checked in results:
            for finding in lint.without(checked.findings, ignored):
                row = {"file": name, **finding.to_json(), "language": checked.language}
                rows.append({**row, "reminder": checked.reminder})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['file']}:{row['line']}:{row['column']}: {row['code']} {row['message']}")
    return EXIT_PARTIAL if rows else EXIT_OK


def _source(args: argparse.Namespace, settings: Any) -> str:
    from cal_followup.errors import ConfigError

    spec = getattr(args, "source", None) or settings.url
    if not spec:
        raise ConfigError("no calendar given: pass SOURCE or set url in the config")
    return str(spec)


def _run_sync_command(args: argparse.Namespace, settings: Any, now: datetime) -> int:
    from cal_followup import app

    spec = _source(args, settings)
    calendar = args.calendar or settings.calendar
    target = args.target or settings.target
    if args.command == "sync":
        result: Any = app.sync_command(
            spec,
            now,
            settings,
            target_spec=target,
            calendar=calendar,
            create_target=args.create_target,
            dry_run=args.dry_run,
        )
        mail = result.mail
        mail_actions = list(mail.actions) if mail is not None else []
        if args.json:
            rows = [a.to_json() for a in [*result.actions, *mail_actions]]
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        elif args.dry_run:
            for action in result.actions:
                if action.kind in ("create", "move", "update", "withdraw"):
                    when = action.due.strftime("%Y-%m-%d %H:%M") if action.due else ""
                    print(f"would {action.kind}: {when}  {action.summary}")
            _print_mail_actions(mail_actions, dry_run=True)
            print(f"dry run: {result.summary_line(dry_run=True) or 'nothing to change'}")
            if mail is not None and not mail.error:
                print(f"dry run, mailbox: {mail.summary_line(dry_run=True) or 'nothing to change'}")
        else:
            if result.summary_line():
                print(result.summary_line())
            _print_mail_actions(mail_actions, dry_run=False)
        # Cron-quiet: a night with nothing changed prints nothing but real errors.
        changed = result.summary_line() or mail_actions
        quiet = args.quiet or not (changed or args.dry_run or args.json)
        status = _report(result.outcome, quiet, args.debug)
        return _report_mail(mail, quiet, status)
    if args.command == "stop":
        result, matches = app.stop_command(
            args.query,
            args.reason,
            spec,
            now,
            settings,
            target_spec=target,
            calendar=calendar,
            dry_run=args.dry_run,
        )
        if len(matches) > 1:
            print(
                f"{PROG}: {args.query!r} matches {len(matches)} interviews; use a UID:",
                file=sys.stderr,
            )
            for interview in matches:
                print(
                    f"  {interview.uid}  {interview.start:%Y-%m-%d %H:%M}  {interview.summary}",
                    file=sys.stderr,
                )
            return EXIT_ERROR
        chosen = matches[0]
        if result is None:
            print(f"would stop: {chosen.summary} ({chosen.uid}) as {args.reason}")
            return EXIT_OK
        line = result.summary_line()
        print(f"stopped: {chosen.summary} ({args.reason})" + (f"; {line}" if line else ""))
        return _report(result.outcome, args.quiet, args.debug)
    result, last_run, stops = app.status_command(
        spec, now, settings, target_spec=target, calendar=calendar
    )
    return _print_status(args, result, last_run, stops, settings.zone)


def _print_mail_actions(actions: list[Any], *, dry_run: bool) -> None:
    verbs = {
        "place-draft": ("draft placed", "would place draft"),
        "replace-draft": ("draft replaced", "would replace draft"),
        "remove-draft": ("draft removed", "would remove draft"),
        "answered": ("answered", "would mark answered"),
    }
    for action in actions:
        verb = verbs.get(action.kind, (action.kind, action.kind))[dry_run]
        if action.kind == "answered":
            print(f"{verb}: {action.summary}: message from {action.note} ({action.folder})")
            continue
        when = action.due.strftime("%Y-%m-%d %H:%M") if action.due else ""
        where = action.note or action.folder
        print(f"{verb}: {when}  {action.summary}" + (f" ({where})" if where else ""))


def _report_mail(mail: Any, quiet: bool, status: int) -> int:
    """The mailbox part's one line; the calendar part is done, so this is exit status 1."""
    if mail is None:
        return status
    if not quiet:
        for warning in mail.warnings:
            print(f"{PROG}: warning: mailbox: {warning}", file=sys.stderr)
    if mail.error:
        print(f"{PROG}: mailbox: {mail.error}", file=sys.stderr)
        return max(status, EXIT_PARTIAL)
    return status


def _print_mail_status(mail: Any) -> None:
    info = mail.status or {}
    drafts = ", ".join(f"{n} {state}" for state, n in sorted(info.get("drafts", {}).items()))
    print(f"mailbox: {info.get('account')} as {info.get('user')}; drafts: {drafts or 'none'}")
    print(f"last mailbox run: {info.get('last_result') or 'never'}")
    for answer in info.get("answered", []):
        print(
            f"answered: {answer['application']}: message from {answer['sender']} "
            f"on {answer['date'][:16].replace('T', ' ')} ({answer['folder']})"
        )


def _print_status(
    args: argparse.Namespace,
    result: Any,
    last_run: Any,
    stops: dict[str, str],
    zone: Any = None,
) -> int:
    from cal_followup.statusview import json_rows, status_rows, status_text

    rows, last = status_rows(result, last_run, stops, zone)
    mail = getattr(result, "mail", None)
    if args.json:
        data: dict[str, Any] = {"interviews": json_rows(rows), "last_run": last}
        if mail is not None:
            data["mailbox"] = mail.status
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return _report(result.outcome, args.quiet, args.debug)
    text = status_text(rows, last)
    first, _, rest = text.partition("\n")
    print(first)
    if mail is not None:
        _print_mail_status(mail)
    if rest:
        print(rest)
    return _report(result.outcome, args.quiet, args.debug)


def _read_bounded_file(path: str) -> bytes:
    """A file (or stdin for -) of at most the usual 64 MB: ``check /dev/zero`` ends too."""
    from cal_followup.stores.icsfile import read_bounded, read_file

    if path == "-":
        return read_bounded(sys.stdin.buffer, "<stdin>")
    return read_file(path)


def _warnings_in_one_line(*, quiet: bool) -> None:
    """Python warnings from libraries (icalendar's guessed TZIDs...) as one line each."""
    import warnings

    from cal_followup.ics import one_line

    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        if not quiet:
            print(f"{PROG}: warning: {one_line(message, 300)}", file=sys.stderr)

    warnings.showwarning = show  # type: ignore[assignment]


def _is_database_error(error: BaseException) -> bool:
    import sqlite3

    return isinstance(error, sqlite3.Error)


def _plain_error(error: BaseException) -> str:
    """One line for an error from Python itself, saying what it means for the user."""
    from cal_followup.ics import one_line

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
    from cal_followup.errors import FollowupError

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
        if _is_database_error(error):
            from cal_followup.state import database_trouble

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
