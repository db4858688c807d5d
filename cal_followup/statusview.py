"""What ``status`` shows: followed interviews, their reminders, the last sync.

Every time is the user's wall clock with its zone's label (``2026-12-01
17:00 EET``), whatever zone the interview was written in, and the last sync
too. A recurring interview's reminders are listed under their own
occurrence (UID plus RECURRENCE-ID), each reminder once. Pure: rows in,
text or JSON-ready rows out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cal_followup.applications import application_of
from cal_followup.reconcile import ActionKind

STATE_WORDS = {
    ActionKind.CREATE: "to create",
    ActionKind.MOVE: "to move",
    ActionKind.UPDATE: "to update",
    ActionKind.WITHDRAW: "to withdraw",
    ActionKind.UNCHANGED: "pending",
    ActionKind.HISTORY: "past",
    ActionKind.KEEP_EDITED: "edited by you",
    ActionKind.KEEP_DELETED: "deleted by you",
}


def _by_occurrence(actions: list[Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    found: dict[tuple[str, str | None], dict[str, Any]] = {}
    for action in actions:
        reminder, existing = action.reminder, action.existing
        if reminder is not None:
            key = (reminder.interview_uid, reminder.interview_recurrence_id)
        elif existing is not None:
            key = (existing.interview_uid, existing.recurrence_id)
        else:
            continue
        found.setdefault(key, {}).setdefault(action.uid, action)
    return found


def _stage_row(action: Any, zone: Any) -> dict[str, Any]:
    stage = action.reminder.stage.value if action.reminder else action.existing.stage
    return {
        "stage": stage,
        "due": action.due.astimezone(zone).isoformat() if action.due else None,
        "due_text": local_text(action.due, zone),
        "state": STATE_WORDS.get(action.kind, action.kind),
        "summary": action.summary,
    }


def status_rows(
    result: Any, last_run: Any, stops: dict[str, str], zone: Any = None
) -> tuple[list[dict[str, Any]], tuple[str, int, str] | None]:
    """One row per followed occurrence, and the last run with its time made local."""
    zone = zone or ZoneInfo("UTC")
    by_occurrence = _by_occurrence(result.actions)
    applications = application_of(result.interviews)
    # One group per application (company – role), its rounds in the order found.
    order = {a.key: n for n, a in enumerate(dict.fromkeys(applications.values()))}
    rows = []
    for interview in sorted(
        result.interviews, key=lambda i: order.get(applications[i.uid].key, 0)
    ):
        actions = by_occurrence.get((interview.uid, interview.recurrence_id), {}).values()
        ordered = sorted(actions, key=lambda a: (a.due is None, a.due, a.uid))
        stopped = stops.get(interview.uid) or (
            interview.stop_reason.value if interview.stop_reason else None
        )
        rows.append(
            {
                "uid": interview.uid,
                "recurrence_id": interview.recurrence_id,
                "summary": interview.summary,
                "start": interview.start.astimezone(zone).isoformat(),
                "start_text": local_text(interview.start, zone),
                "company": interview.company,
                "cancelled": interview.cancelled,
                "stopped": stopped,
                "stages": [_stage_row(action, zone) for action in ordered],
                "application": applications[interview.uid].key,
                "heading": applications[interview.uid].heading,
            }
        )
    last = None
    if last_run:
        at, status, summary = last_run
        last = (local_text(_utc_moment(at), zone) or at, status, summary)
    return rows, last


def status_text(rows: list[dict[str, Any]], last: tuple[str, int, str] | None) -> str:
    lines = []
    if last:
        at, status, summary = last
        lines.append(
            f"last sync: {at}, {'ok' if status == 0 else f'exit status {status}'}: {summary}"
        )
    else:
        lines.append("last sync: never")
    shown = None
    for row in rows:
        if row["application"] != shown:
            shown = row["application"]
            lines.append(f"\n{row['heading']}")
        flags = " [cancelled]" if row["cancelled"] else ""
        flags += f" [stopped: {row['stopped']}]" if row["stopped"] else ""
        lines.append(f"  {row['start_text']}  {row['summary']}{flags}")
        if not row["stages"]:
            lines.append("    (no reminders)")
        for stage in row["stages"]:
            lines.append(
                f"    {stage['stage']:<16} {stage['due_text']:<22} {stage['state']:<15} "
                f"{stage['summary']}"
            )
    return "\n".join(lines)


def json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without their display-only texts."""
    return [
        {
            **{k: v for k, v in row.items() if k not in ("start_text", "heading")},
            "stages": [{k: v for k, v in s.items() if k != "due_text"} for s in row["stages"]],
        }
        for row in rows
    ]


def _utc_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_text(moment: datetime | None, zone: Any) -> str:
    """``2026-12-01 10:00 EET``: the user's wall clock, with the zone's label."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    label = local.strftime("%Z") or local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M ") + label
