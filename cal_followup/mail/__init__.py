"""The mailbox part of ``sync`` (rules section 11): drafts in Drafts, stop on reply.

``run_mailbox`` is the only entry point. It runs after the calendar part,
under the same lock and with the same state database, so a mailbox that
cannot be reached never keeps the calendar from being brought up to date:
its failure comes back as one line in ``MailReport.error`` (the CLI prints
it and exits 1). When a reply stops an application, the interviews are
recorded as stopped with the ``replied`` reason and the calendar part runs
once more, so the check-in and closing are withdrawn in the same run.
Nothing is ever sent; in the mailbox only our own drafts are ever written.
"""

from __future__ import annotations

import dataclasses
import imaplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cal_followup.config import Settings
from cal_followup.errors import FollowupError
from cal_followup.mail.account import Account, MailError, connection_message, parse_imap_url
from cal_followup.mail.drafts import (
    DraftsFolder,
    MailAction,
    MailActionKind,
    create_folder,
    desired_drafts,
    place,
    remove,
    withdrawn_uids,
)
from cal_followup.mail.folders import NEVER_READ, Folder, choose_drafts, parse_list, role_of
from cal_followup.mail.memory import Answer, MailMemory
from cal_followup.mail.replies import answering, applications, read_headers
from cal_followup.model import StopReason
from cal_followup.state import Memory


@dataclass
class MailReport:
    account: str = ""
    actions: list[MailAction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: For ``status``: what the state database knows of the account (no connection made).
    status: dict[str, Any] | None = None

    def summary_line(self, *, dry_run: bool = False) -> str:
        counts: dict[MailActionKind, int] = {}
        for action in self.actions:
            counts[action.kind] = counts.get(action.kind, 0) + 1
        words = {
            MailActionKind.PLACE: ("drafts placed", "drafts to place"),
            MailActionKind.REPLACE: ("drafts replaced", "drafts to replace"),
            MailActionKind.REMOVE: ("drafts removed", "drafts to remove"),
            MailActionKind.ANSWERED: ("applications answered", "applications answered"),
        }
        return ", ".join(
            f"{count} {words[kind][dry_run]}" for kind, count in counts.items() if kind in words
        )


def mailbox_status(memory: Memory, settings: Settings) -> MailReport:
    """The account, the last mailbox run, the drafts by state, the answered applications."""
    mail_memory = MailMemory(memory)
    drafts: dict[str, int] = {}
    for draft in mail_memory.drafts().values():
        drafts[draft.state] = drafts.get(draft.state, 0) + 1
    answers = [
        {
            "application": a.label,
            "interviews": list(a.interview_uids),
            "sender": a.sender,
            "date": a.date,
            "folder": a.folder,
        }
        for a in mail_memory.answers().values()
    ]
    status = {
        "account": settings.imap.url,
        "user": settings.imap.user or (settings.me[0] if settings.me else None),
        "drafts_enabled": settings.drafts,
        "stop_on_reply": settings.stop_on_reply,
        "last_result": mail_memory.last_result(),
        "drafts": drafts,
        "answered": answers,
    }
    return MailReport(account=settings.imap.url or "", status=status)


def mailbox_enabled(settings: Settings) -> bool:
    return bool(settings.imap.url) and (settings.drafts or settings.stop_on_reply)


def run_mailbox(
    memory: Memory,
    result: Any,
    resync: Callable[[], Any],
    now: datetime,
    settings: Settings,
    *,
    dry_run: bool,
) -> tuple[MailReport, Any]:
    """The mailbox part of one run; returns the report and the (maybe re-run) sync result."""
    mail_memory = MailMemory(memory)
    report = MailReport(account=settings.imap.url or "")
    actions = list(result.actions)
    try:
        with Account(settings) as account:
            report.account = account.address.label
            folders = _folders(account)
            answered = {uid for a in mail_memory.answers().values() for uid in a.interview_uids}
            if settings.stop_on_reply:
                found = _stop_on_reply(
                    account, folders, result, memory, mail_memory, now, settings, report, dry_run
                )
                answered |= found
                if found and not dry_run:
                    # Withdraw the answered applications' check-ins and closings now;
                    # the first pass's changes stay in the report.
                    first = [a for a in result.actions if a.kind.changes]
                    result = resync()
                    result.actions = first + list(result.actions)
                    actions += list(result.actions)
            if settings.drafts:
                _drafts(
                    account, folders, actions, answered, mail_memory, now, settings, report, dry_run
                )
    except FollowupError as error:  # MailError, and a broken password or token command
        report.error = str(error)
    except (imaplib.IMAP4.error, OSError, EOFError) as error:
        # The connection broke after login: one line, the calendar part stays done.
        report.error = connection_message(parse_imap_url(settings.imap.url or ""), error)
    if not dry_run:
        mail_memory.set_last_result(
            f"{now.isoformat(timespec='minutes')} "
            + (
                f"failed: {report.error}"
                if report.error
                else f"ok: {report.summary_line() or 'no changes'}"
            )
        )
    return report, result


def _folders(account: Any) -> list[Any]:
    status, lines = "NO", []
    if "SPECIAL-USE" in account.capabilities:
        # imaplib has no LIST-EXTENDED; RFC 6154's RETURN option is sent as is.
        try:
            status, lines = account.conn._simple_command(
                "LIST", '""', '"*"', "RETURN", "(SPECIAL-USE)"
            )
            status, lines = account.conn._untagged_response(status, lines, "LIST")
        except imaplib.IMAP4.error:
            status = "NO"
    if status != "OK":
        status, lines = account.conn.list()
    if status != "OK":
        raise MailError(f"{account.address.label}: cannot list the folders")
    return parse_list(list(lines))


def _drafts(
    account: Any,
    folders: list[Any],
    actions: list[Any],
    answered: set[str],
    mail_memory: Any,
    now: datetime,
    settings: Settings,
    report: MailReport,
    dry_run: bool,
) -> None:
    wanted = desired_drafts(actions, now, answered, settings.zone)

    def calendar_state(uid: str) -> str | None:
        remembered = mail_memory.memory.reminder(uid)
        return remembered.state if remembered else None

    withdrawn = withdrawn_uids(actions, mail_memory.drafts(), answered, calendar_state)
    chosen = choose_drafts(folders, settings.language, settings.drafts_folder)
    if chosen is None:
        name = settings.drafts_folder or "Drafts"
        if not wanted:
            return
        if dry_run:
            report.warnings.append(f"would create the folder {name!r} for drafts")
            report.actions.extend(
                MailAction(MailActionKind.PLACE, uid, r.summary, r.due, name)
                for uid, r in wanted.items()
            )
            return
        chosen = create_folder(account.conn, name)
    assert isinstance(chosen, Folder)
    folder = DraftsFolder(account.conn, chosen, dry_run=dry_run)
    report.actions.extend(remove(folder, withdrawn - set(wanted), mail_memory))
    report.actions.extend(place(folder, wanted, settings, now, mail_memory))
    account.leave_folder()


def _stop_on_reply(
    account: Any,
    folders: list[Any],
    result: Any,
    memory: Memory,
    mail_memory: Any,
    now: datetime,
    settings: Settings,
    report: MailReport,
    dry_run: bool,
) -> set[str]:
    """Interview UIDs newly answered, recorded (unless ``dry_run``) like ``replied``."""
    stops = memory.stops()
    # Grouped as the planner groups them, stops included, so an application
    # already stopped (by a tag or an earlier answer) is not looked for again.
    interviews = [
        dataclasses.replace(i, stop_reason=StopReason(stops[i.uid]))
        if i.stop_reason is None and i.uid in stops
        else i
        for i in result.interviews
    ]
    candidates = [
        app for app in applications(interviews, settings.me_lower) if app.first_start <= now
    ]
    if not candidates:
        return set()
    our_ids: dict[str, frozenset[str]] = {}
    for draft in mail_memory.drafts().values():
        for app in candidates:
            if draft.interview_uid in app.interview_uids:
                our_ids[app.key] = our_ids.get(app.key, frozenset()) | {draft.message_id}
    best = _first_answers(account, folders, candidates, our_ids, settings, report)
    newly: set[str] = set()
    for app, headers in best.values():
        newly.update(app.interview_uids)
        _record_answer(app, headers, memory, mail_memory, stops, settings, report, dry_run)
    return newly


def _reply_folders(folders: list[Any], settings: Settings, report: MailReport) -> list[Any]:
    """The ``reply_folders`` that exist and are not Sent, Drafts, Trash, Junk or All Mail."""
    chosen = []
    for wanted in settings.reply_folders:
        inbox = wanted.upper() == "INBOX"
        # INBOX is case-insensitive (RFC 3501); other names are compared exactly.
        folder = next(
            (
                f
                for f in folders
                if (f.name.upper() == "INBOX" if inbox else wanted in (f.name, f.wire))
            ),
            None,
        )
        if folder is None:
            report.warnings.append(f"reply_folders: no folder {wanted!r} in {report.account}")
        elif not inbox and role_of(folder) in NEVER_READ:
            report.warnings.append(
                f"reply_folders: {wanted!r} holds sent, draft, deleted or junk mail; not read"
            )
        else:
            chosen.append(folder)
    return chosen


def _first_answers(
    account: Any,
    folders: list[Any],
    candidates: list[Any],
    our_ids: dict[str, frozenset[str]],
    settings: Settings,
    report: MailReport,
) -> dict[str, Any]:
    """Application key -> (application, the earliest message answering it)."""
    since = min(app.first_start for app in candidates)
    best: dict[str, Any] = {}
    for folder in _reply_folders(folders, settings, report):
        for headers in read_headers(account.conn, folder, since):
            for app in candidates:
                if answering(headers, app, settings.me_lower, our_ids.get(app.key, frozenset())):
                    if app.key not in best or headers.date < best[app.key][1].date:
                        best[app.key] = (app, headers)
    if account.conn.state == "SELECTED":
        account.leave_folder()
    return best


def _record_answer(
    app: Any,
    headers: Any,
    memory: Memory,
    mail_memory: Any,
    stops: dict[str, str],
    settings: Settings,
    report: MailReport,
    dry_run: bool,
) -> None:
    local = headers.date.astimezone(settings.zone) if headers.date else None
    date = local.isoformat(timespec="minutes") if local else ""
    note = f"{headers.sender} on {date[:16].replace('T', ' ')}"
    report.actions.append(
        MailAction(
            MailActionKind.ANSWERED, app.key, app.label, headers.date, headers.folder, note=note
        )
    )
    if dry_run:
        return
    with memory.transaction():
        for uid in app.interview_uids:
            if uid not in stops:
                memory.stop(uid, StopReason.REPLIED)
        answer = Answer(
            app.key,
            app.interview_uids,
            app.label,
            headers.sender,
            date,
            headers.message_id,
            headers.folder,
        )
        mail_memory.remember_answer(answer)
