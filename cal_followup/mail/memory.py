"""What the mailbox part remembers between runs, in the calendar's state database.

Two tables beside ``state.py``'s, created here with ``CREATE TABLE IF NOT
EXISTS`` so the database schema version need not change (an older
cal-followup ignores tables it does not know): ``mail_drafts`` holds each
draft we placed (Message-ID, content hash, folder, UIDVALIDITY and UID) and
what became of it; ``mail_answers`` holds the messages that stopped an
application, for ``status``. A draft in any state but ``placed`` is never
touched again.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from cal_followup.state import Memory
from cal_followup.utc import iso_utc_now


class DraftState(enum.StrEnum):
    """What became of a draft we placed; the value is what the database holds."""

    #: Ours and untouched.
    PLACED = "placed"
    EDITED = "edited"
    #: Sent or deleted by the user.
    GONE = "gone"
    #: Removed by us when its follow-up was withdrawn.
    REMOVED = "removed"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_drafts (
    reminder_uid TEXT PRIMARY KEY,
    interview_uid TEXT NOT NULL,
    stage TEXT NOT NULL,
    message_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity TEXT,
    uid TEXT,
    state TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_answers (
    application TEXT PRIMARY KEY,
    interview_uids TEXT NOT NULL,
    label TEXT NOT NULL,
    sender TEXT NOT NULL,
    date TEXT NOT NULL,
    message_id TEXT,
    folder TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class PlacedDraft:
    reminder_uid: str
    interview_uid: str
    stage: str
    message_id: str
    hash: str
    folder: str
    uidvalidity: str | None
    uid: str | None
    state: DraftState


@dataclass(frozen=True)
class Answer:
    application: str
    interview_uids: tuple[str, ...]
    label: str
    sender: str
    date: str
    message_id: str | None
    folder: str


class MailMemory:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.db = memory.db
        self.db.executescript(_SCHEMA)

    def drafts(self) -> dict[str, PlacedDraft]:
        rows = self.db.execute(
            "SELECT reminder_uid, interview_uid, stage, message_id, hash, folder, uidvalidity, "
            "uid, state FROM mail_drafts"
        )
        found = {}
        for row in rows:
            uid, interview, stage, message_id, hash_, folder, validity, imap_uid, state = row
            found[uid] = PlacedDraft(
                uid, interview, stage, message_id, hash_, folder, validity, imap_uid, _state(state)
            )
        return found

    def remember_draft(self, draft: PlacedDraft) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO mail_drafts (reminder_uid, interview_uid, stage, message_id, "
            "hash, folder, uidvalidity, uid, state, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                draft.reminder_uid,
                draft.interview_uid,
                draft.stage,
                draft.message_id,
                draft.hash,
                draft.folder,
                draft.uidvalidity,
                draft.uid,
                draft.state.value,
                iso_utc_now(),
            ),
        )

    def answers(self) -> dict[str, Answer]:
        rows = self.db.execute(
            "SELECT application, interview_uids, label, sender, date, message_id, folder "
            "FROM mail_answers ORDER BY date"
        )
        return {
            row[0]: Answer(
                row[0], tuple(json.loads(row[1])), row[2], row[3], row[4], row[5], row[6]
            )
            for row in rows
        }

    def remember_answer(self, answer: Answer) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO mail_answers (application, interview_uids, label, sender, "
            "date, message_id, folder, at) VALUES (?,?,?,?,?,?,?,?)",
            (
                answer.application,
                json.dumps(list(answer.interview_uids)),
                answer.label,
                answer.sender,
                answer.date,
                answer.message_id,
                answer.folder,
                iso_utc_now(),
            ),
        )

    def last_result(self) -> str | None:
        return self.memory.get_meta("mail_last_result")

    def set_last_result(self, text: str) -> None:
        self.memory.set_meta("mail_last_result", text)


def _state(text: str) -> DraftState:
    try:
        return DraftState(text)
    except ValueError:
        return DraftState.EDITED  # a state from a newer version: never touched again
