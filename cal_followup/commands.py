"""Each command of the CLI: call its function in ``app``, print what it returns.

``cli`` parses the arguments and loads the settings, then hands over here;
the exit status comes back. Results go to stdout (JSON with --json), problems
and warnings to stderr, and a sync with nothing changed prints nothing
(quiet for cron).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from cal_followup import app, printing
from cal_followup.config import Settings
from cal_followup.errors import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, ConfigError
from cal_followup.model import StopReason
from cal_followup.printing import error_line, print_json
from cal_followup.printing import report as _report


def plan(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    outcome = app.plan(args.source, now, settings, args.calendar or settings.calendar)
    if args.json:
        print_json([r.to_json() for r in outcome.reminders])
    else:
        print(printing.table(outcome.reminders))
    return _report(outcome, args.quiet, args.debug)


def export(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    outcome = app.plan(args.source, now, settings, args.calendar or settings.calendar)
    exported = app.export(outcome, settings, now, output=args.output, dry_run=args.dry_run)
    count = exported.count
    if args.dry_run:
        print(f"would write {count} reminder{'s' * (count != 1)} to {args.output}")
    elif args.output == "-":
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
    return _report(exported.outcome, args.quiet, args.debug)


def check(args: argparse.Namespace) -> int:
    checked = app.check(
        args.files, args.language, args.ignore, allow_placeholders=args.allow_placeholders
    )
    for name in checked.without_reminders:
        error_line(f"{name}: no cal-followup reminders to check")
    if args.json:
        print_json(checked.rows)
    else:
        for row in checked.rows:
            print(f"{row['file']}:{row['line']}:{row['column']}: {row['code']} {row['message']}")
    return EXIT_PARTIAL if checked.rows else EXIT_OK


def _source(args: argparse.Namespace, settings: Settings) -> str:
    spec = getattr(args, "source", None) or settings.caldav.url
    if not spec:
        raise ConfigError("no calendar given: pass SOURCE or set url in the config")
    return str(spec)


class _Where(TypedDict):
    target_spec: str | None
    calendar: str | None


def _where(args: argparse.Namespace, settings: Settings) -> _Where:
    """Which calendar to write to and which collection: the command line, else the config."""
    return _Where(
        target_spec=args.target or settings.target, calendar=args.calendar or settings.calendar
    )


def sync(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    result = app.sync(
        _source(args, settings),
        now,
        settings,
        **_where(args, settings),
        create_target=args.create_target,
        dry_run=args.dry_run,
    )
    mail = result.mail
    mail_actions = list(mail.actions) if mail is not None else []
    if args.json:
        print_json([a.to_json() for a in [*result.actions, *mail_actions]])
    elif args.dry_run:
        printing.calendar_actions(result.actions)
        printing.mail_actions(mail_actions, dry_run=True)
        print(f"dry run: {result.summary_line(dry_run=True) or 'nothing to change'}")
        if mail is not None and not mail.error:
            print(f"dry run, mailbox: {mail.summary_line(dry_run=True) or 'nothing to change'}")
    else:
        if result.summary_line():
            print(result.summary_line())
        printing.mail_actions(mail_actions, dry_run=False)
    # Cron-quiet: a night with nothing changed prints nothing but real errors.
    changed = result.summary_line() or mail_actions
    quiet = args.quiet or not (changed or args.dry_run or args.json)
    status = _report(result.outcome, quiet, args.debug)
    return printing.mail_report(mail, quiet, status)


def stop(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    result, matches = app.stop(
        args.query,
        StopReason(args.reason),
        _source(args, settings),
        now,
        settings,
        **_where(args, settings),
        dry_run=args.dry_run,
    )
    if len(matches) > 1:
        error_line(f"{args.query!r} matches {len(matches)} interviews; use a UID:")
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


def status(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    result, last_run, stops = app.status(
        _source(args, settings),
        now,
        settings,
        **_where(args, settings),
    )
    printing.status(result, last_run, stops, settings.zone, as_json=args.json)
    return _report(result.outcome, args.quiet, args.debug)


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, datetime], int]] = {
    "plan": plan,
    "export": export,
    "sync": sync,
    "stop": stop,
    "status": status,
}
