"""Drafts in the Drafts folder: placed once, left alone once the user touched them.

``desired_drafts`` is pure: the pending reminders due within a day (at the
nightly run, today's and tomorrow's), less the check-ins and closings of
answered applications. ``DraftsFolder`` does the IMAP part. Each draft we
placed is remembered with its Message-ID and content hash; on every run the
folder is searched for that Message-ID and the message found is hashed
again:

- found and as written: nothing to do (or, when the reminder's text
  changed, replaced by the new text; or, when its follow-up was withdrawn,
  deleted, with ``UID EXPUNGE`` so no other message is expunged);
- found but changed: the user's now, never touched again;
- not found: sent or deleted by the user, never placed again.
"""

from __future__ import annotations

import enum
import imaplib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from cal_followup import stages
from cal_followup.config import Settings
from cal_followup.mail.account import MailError
from cal_followup.mail.folders import Folder, encode_utf7, quote
from cal_followup.mail.memory import DraftState, MailMemory, PlacedDraft
from cal_followup.mail.message import build_draft, draft_hash, hash_of, message_id
from cal_followup.model import Reminder
from cal_followup.reconcile import ActionKind, Decision, ReminderState

#: How far ahead a draft is placed: from the day before its reminder's day.
LEAD_TIME = timedelta(days=1)
#: Stages an answer from the employer stops, as the ``replied`` category does.
STOPPED_BY_ANSWER = stages.STOPPED_BY_REPLY
MAX_COPIES = 10


class MailActionKind(enum.StrEnum):
    """What the mailbox part did; the value is what --json prints."""

    PLACE = "place-draft"
    REPLACE = "replace-draft"
    REMOVE = "remove-draft"
    #: A draft not removed because the user changed it.
    KEPT = "kept-draft"
    #: A message from the employer stopped an application.
    ANSWERED = "answered"


@dataclass(frozen=True)
class MailAction(Decision):
    """One thing the mailbox part did (or would do) to a draft or an application."""

    kind: MailActionKind
    folder: str = ""

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "note": self.note or self.folder}


def _pending(action: object) -> bool:
    """Whether a calendar decision leaves its reminder pending: then its draft is wanted."""
    try:
        return ActionKind(getattr(action, "kind", "")).pending
    except ValueError:
        return False


def desired_drafts(
    actions: list[object], now: datetime, answered: set[str], zone: tzinfo
) -> dict[str, Reminder]:
    """Reminder UID -> reminder, for the pending reminders due today or tomorrow.

    Days are the user's: the nightly run places what the user will send
    during the coming day and the next, never further ahead.
    """
    last_day = (now.astimezone(zone) + LEAD_TIME).date()
    wanted: dict[str, Reminder] = {}
    for action in actions:
        reminder = getattr(action, "reminder", None)
        if reminder is None or not _pending(action):
            continue
        if reminder.due < now or reminder.due.astimezone(zone).date() > last_day:
            continue
        if reminder.interview_uid in answered and reminder.stage in STOPPED_BY_ANSWER:
            continue
        wanted[reminder.uid] = reminder
    return wanted


def withdrawn_uids(
    actions: list[object],
    drafts: dict[str, PlacedDraft],
    answered: set[str],
    calendar_state: Callable[[str], str | None],
) -> set[str]:
    """Reminders whose follow-up was withdrawn: by this sync, an earlier one, or an answer.

    The calendar's memory counts too, so a withdrawal made by ``stop`` or by
    a run whose mailbox could not be reached still removes the draft later.
    """
    gone = {
        getattr(a, "uid", "") for a in actions if getattr(a, "kind", None) == ActionKind.WITHDRAW
    }
    for uid, draft in drafts.items():
        if draft.interview_uid in answered and draft.stage in {s.value for s in STOPPED_BY_ANSWER}:
            gone.add(uid)
        elif draft.state == DraftState.PLACED and calendar_state(uid) == ReminderState.WITHDRAWN:
            gone.add(uid)
    return gone


class DraftsFolder:
    """The Drafts folder of one account, selected for the run."""

    def __init__(self, conn: imaplib.IMAP4, folder: Folder, *, dry_run: bool) -> None:
        self.conn = conn
        self.folder = folder
        self.dry_run = dry_run
        status, _ = conn.select(quote(folder.wire), readonly=dry_run)
        if status != "OK":
            raise MailError(f"cannot open the Drafts folder {folder.name!r}")
        validity = conn.response("UIDVALIDITY")[1]
        self.uidvalidity = bytes(validity[0]).decode() if validity and validity[0] else None
        self.uidplus = "UIDPLUS" in {str(c).upper() for c in conn.capabilities}

    def find(self, wanted_id: str) -> list[tuple[str, bool, str | None]]:
        """(UID, content hash matches its hash header, hash) of each message with this ID."""
        status, data = self.conn.uid("SEARCH", "HEADER", "Message-ID", quote(wanted_id))
        if status != "OK" or not data or not data[0]:
            return []
        found = []
        # A handful at most: more copies of one draft mean the user made them.
        uids = bytes(data[0]).decode("ascii", "replace").split()
        if len(uids) > MAX_COPIES:
            return [(uid, False, None) for uid in uids[:MAX_COPIES]]
        for uid in uids:
            # At most 1 MB: a draft of ours is a few kB; anything longer is not ours as written.
            status, rows = self.conn.uid("FETCH", uid, "(BODY.PEEK[]<0.1048576>)")
            raw = next((bytes(r[1]) for r in rows if isinstance(r, tuple)), b"")
            written, actual = hash_of(raw)
            found.append((uid, written is not None and written == actual, actual))
        return found

    def append(self, reminder: Reminder, settings: Settings, now: datetime) -> str | None:
        data = build_draft(reminder, settings, now).as_bytes()
        status, answer = self.conn.append(
            quote(self.folder.wire), r"(\Draft)", imaplib.Time2Internaldate(now.timestamp()), data
        )
        if status != "OK":
            raise MailError(f"the server refused to store a draft in {self.folder.name!r}")
        match = re.search(rb"APPENDUID \d+ (\d+)", b" ".join(bytes(a) for a in answer if a))
        if match:
            return match.group(1).decode()
        found = self.find(message_id(reminder.uid))
        return found[-1][0] if found else None

    def delete(self, uid: str) -> bool:
        """Delete our message ``uid`` and nothing else; False when that cannot be assured."""
        if not self.uidplus:
            status, data = self.conn.uid("SEARCH", "DELETED")
            if (
                status == "OK"
                and data
                and data[0]
                and bytes(data[0]).split() not in ([], [uid.encode()])
            ):
                # EXPUNGE would also remove messages the user marked deleted.
                return False
        self.conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if self.uidplus:
            self.conn.uid("EXPUNGE", uid)
        else:
            self.conn.expunge()
        return True


def create_folder(conn: imaplib.IMAP4, name: str) -> Folder:
    wire = encode_utf7(name)
    status, _ = conn.create(quote(wire))
    if status != "OK":
        raise MailError(f"cannot create the Drafts folder {name!r}")
    return Folder(wire, name, None, frozenset())


def _label(reminder: Reminder) -> str:
    return reminder.summary or f"{reminder.stage.value}: {reminder.interview_summary}"


def place(
    folder: DraftsFolder,
    wanted: dict[str, Reminder],
    settings: Settings,
    now: datetime,
    memory: MailMemory,
) -> list[MailAction]:
    """Place the drafts not placed yet; replace untouched ones whose text changed."""
    done: list[MailAction] = []
    remembered = memory.drafts()
    for uid, reminder in sorted(wanted.items(), key=lambda item: (item[1].due, item[0])):
        record = remembered.get(uid)
        if record is not None and record.state != DraftState.PLACED:
            continue
        mid, new_hash = message_id(uid), draft_hash(reminder)
        found = folder.find(mid)
        base = PlacedDraft(
            uid, reminder.interview_uid, reminder.stage.value, mid, new_hash,
            folder.folder.name, folder.uidvalidity, None, DraftState.PLACED,
        )  # fmt: skip
        if found and not all(untouched for _, untouched, _ in found):
            _keep(
                memory,
                folder,
                replace(base, state=DraftState.EDITED, hash=record.hash if record else ""),
            )
            continue
        if record is not None and not found:
            _keep(memory, folder, replace(record, state=DraftState.GONE))
            continue
        if found and found[-1][2] == new_hash:
            if record is None:  # placed by a run that died before remembering it
                _keep(memory, folder, replace(base, uid=found[-1][0]))
            continue
        kind = MailActionKind.REPLACE if found else MailActionKind.PLACE
        action = MailAction(kind, uid, _label(reminder), reminder.due, folder.folder.name)
        done.append(action)
        if folder.dry_run:
            continue
        for old_uid, _, _ in found:
            folder.delete(old_uid)
        new_uid = folder.append(reminder, settings, now)
        memory.remember_draft(replace(base, uid=new_uid))
    return done


def _keep(memory: MailMemory, folder: DraftsFolder, draft: PlacedDraft) -> None:
    if not folder.dry_run:
        memory.remember_draft(draft)


def remove(folder: DraftsFolder, uids: set[str], memory: MailMemory) -> list[MailAction]:
    """Delete the untouched drafts of withdrawn follow-ups; the rest is the user's."""
    done: list[MailAction] = []
    for uid, record in sorted(memory.drafts().items()):
        if uid not in uids or record.state != DraftState.PLACED:
            continue
        found = folder.find(record.message_id)
        if not found:
            _keep(memory, folder, replace(record, state=DraftState.GONE))
            continue
        if not all(untouched and actual == record.hash for _, untouched, actual in found):
            _keep(memory, folder, replace(record, state=DraftState.EDITED))
            continue
        action = MailAction(
            MailActionKind.REMOVE, uid, f"{record.stage} draft", None, folder.folder.name
        )
        if folder.dry_run:
            done.append(action)
            continue
        if all(folder.delete(found_uid) for found_uid, _, _ in found):
            memory.remember_draft(replace(record, state=DraftState.REMOVED))
            done.append(action)
        else:
            note = "left in place: without UIDPLUS it cannot be deleted alone"
            done.append(replace(action, kind=MailActionKind.KEPT, note=note))
    return done
