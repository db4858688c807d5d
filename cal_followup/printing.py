"""What the CLI prints: the plan table, sync and mailbox action lines, the status text.

Plain text for people; ``--json`` output is built from the values' own
``to_json``. Problems and warnings go to stderr, one line each, with the
program's name in front; everything else to stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from cal_followup import PROG
from cal_followup.errors import EXIT_OK, EXIT_PARTIAL
from cal_followup.mail import MailReport
from cal_followup.mail.drafts import MailAction, MailActionKind
from cal_followup.model import Reminder
from cal_followup.reconcile import Action
from cal_followup.statusview import json_rows, status_rows, status_text
from cal_followup.sync import SyncResult


def error_line(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def table(reminders: Sequence[Reminder]) -> str:
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


def report(outcome: Any, quiet: bool, debug: bool = False) -> int:
    """Problems (always) and warnings (unless quiet) on stderr; the exit status they mean."""
    for problem in outcome.problems:
        error_line(str(problem))
        if debug and getattr(problem, "trace", None):
            print(problem.trace.rstrip(), file=sys.stderr)
    if not quiet:
        for warning in outcome.warnings:
            error_line(f"warning: {warning}")
    return EXIT_PARTIAL if outcome.failed_events else EXIT_OK


def calendar_actions(actions: Sequence[Action]) -> None:
    """``sync --dry-run``: one line per change that would be made."""
    for action in actions:
        if action.kind.changes:
            when = action.due.strftime("%Y-%m-%d %H:%M") if action.due else ""
            print(f"would {action.kind}: {when}  {action.summary}")


_MAIL_VERBS = {
    MailActionKind.PLACE: ("draft placed", "would place draft"),
    MailActionKind.REPLACE: ("draft replaced", "would replace draft"),
    MailActionKind.REMOVE: ("draft removed", "would remove draft"),
    MailActionKind.ANSWERED: ("answered", "would mark answered"),
}


def mail_actions(actions: Sequence[MailAction], *, dry_run: bool) -> None:
    for action in actions:
        verb = _MAIL_VERBS.get(action.kind, (action.kind, action.kind))[dry_run]
        if action.kind == MailActionKind.ANSWERED:
            print(f"{verb}: {action.summary}: message from {action.note} ({action.folder})")
            continue
        when = action.due.strftime("%Y-%m-%d %H:%M") if action.due else ""
        where = action.note or action.folder
        print(f"{verb}: {when}  {action.summary}" + (f" ({where})" if where else ""))


def mail_report(mail: MailReport | None, quiet: bool, status: int) -> int:
    """The mailbox part's one line; the calendar part is done, so this is exit status 1."""
    if mail is None:
        return status
    if not quiet:
        for warning in mail.warnings:
            error_line(f"warning: mailbox: {warning}")
    if mail.error:
        error_line(f"mailbox: {mail.error}")
        return max(status, EXIT_PARTIAL)
    return status


def _mail_status(mail: MailReport) -> None:
    info = mail.status or {}
    drafts = ", ".join(f"{n} {state}" for state, n in sorted(info.get("drafts", {}).items()))
    print(f"mailbox: {info.get('account')} as {info.get('user')}; drafts: {drafts or 'none'}")
    print(f"last mailbox run: {info.get('last_result') or 'never'}")
    for answer in info.get("answered", []):
        print(
            f"answered: {answer['application']}: message from {answer['sender']} "
            f"on {answer['date'][:16].replace('T', ' ')} ({answer['folder']})"
        )


def status(
    result: SyncResult,
    last_run: tuple[str, int, str] | None,
    stops: dict[str, str],
    zone: Any,
    *,
    as_json: bool,
) -> None:
    rows, last = status_rows(result, last_run, stops, zone)
    mail = result.mail
    if as_json:
        data: dict[str, Any] = {"interviews": json_rows(rows), "last_run": last}
        if mail is not None:
            data["mailbox"] = mail.status
        print_json(data)
        return
    text = status_text(rows, last)
    first, _, rest = text.partition("\n")
    print(first)
    if mail is not None:
        _mail_status(mail)
    if rest:
        print(rest)
