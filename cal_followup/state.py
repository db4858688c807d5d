"""The memory between sync runs: one SQLite database per calendar, plus its lock.

It remembers which reminders we wrote (so a reminder the user deleted is not
written again, and one the user edited is left alone), the interviews the
user stopped, the server's sync token or ctag with a cache of the calendar
objects (so a run with nothing changed costs a few requests), and the last
run's result. Everything in it can be rebuilt: losing the database brings at
worst a deleted reminder back once, never a duplicate, because reminder UIDs
are deterministic and creation never overwrites.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from cal_followup.errors import LockError, SourceError
from cal_followup.model import StopReason
from cal_followup.reconcile import Remembered, RememberedReminder, ReminderState
from cal_followup.utc import iso_utc_now

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    href TEXT PRIMARY KEY, etag TEXT, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS reminders (
    uid TEXT PRIMARY KEY,
    href TEXT,
    etag TEXT,
    hash TEXT,
    interview_uid TEXT NOT NULL,
    stage TEXT NOT NULL,
    due TEXT NOT NULL,
    interview_start TEXT,
    state TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stops (
    interview_uid TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, status INTEGER NOT NULL,
    summary TEXT NOT NULL
);
"""


def database_path(state_folder: Path, identity: str) -> Path:
    """One database per calendar: a readable name plus a hash of the full identity."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", identity)[-60:].strip("_") or "calendar"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
    return state_folder / f"{readable}-{digest}.sqlite3"


def private_folder(folder: Path) -> None:
    """Create ``folder`` readable by the user alone (0700), and tighten it if it is looser.

    The state caches whole events (notes, attendees, addresses): nobody else
    on the machine has any business reading it.
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
        if folder.stat().st_mode & 0o077:
            os.chmod(folder, folder.stat().st_mode & 0o700)
    except OSError as error:
        raise SourceError(
            f"{folder}: cannot create the state folder ({error.strerror or error}); "
            "set XDG_STATE_HOME to a folder you can write"
        ) from None


def private_file(path: Path) -> None:
    """Create ``path`` as 0600 if missing; tighten an existing one (and SQLite's -wal/-shm)."""
    os.close(os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600))
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        with contextlib.suppress(FileNotFoundError):
            mode = os.stat(name).st_mode
            if mode & 0o077:
                os.chmod(name, mode & 0o700)


def database_trouble(path: Path | str | None, error: BaseException) -> SourceError:
    """One line for a database that cannot be used; 'damaged' only when it really is."""
    text = str(error)
    path = path or "state"
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return SourceError(f"{path}: the state database is read-only; make it writable")
    if "full" in lowered or "disk i/o" in lowered:
        return SourceError(f"{path}: cannot write the state database ({text}); free some space")
    if "unable to open" in lowered or "locked" in lowered:
        return SourceError(f"{path}: cannot open the state database ({text})")
    return SourceError(
        f"{path}: the state database is damaged ({text}); "
        "move it away and run again (nothing will be duplicated)"
    )


class Memory:
    """The SQLite memory of one calendar (or source/target pair)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        target = str(path) if path else ":memory:"
        try:
            if path:
                private_folder(path.parent)
                private_file(path)
            self.db = sqlite3.connect(target, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL") if path else None
            self._migrate()
            if path:
                private_file(path)
        except sqlite3.Error as error:
            raise database_trouble(path, error) from None
        except OSError as error:
            raise SourceError(
                f"{path}: cannot open the state database ({error.strerror or error})"
            ) from None

    def _migrate(self) -> None:
        self.db.executescript(_SCHEMA)
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif int(version) > SCHEMA_VERSION:
            raise SourceError(
                f"{self.path}: written by a newer cal-followup (schema {version}); upgrade it"
            )

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # meta -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # cached calendar objects (CalDAV) ---------------------------------
    def cached_objects(self) -> list[tuple[str, str | None, bytes]]:
        return [
            (h, e, bytes(d))
            for h, e, d in self.db.execute("SELECT href, etag, data FROM objects ORDER BY href")
        ]

    def replace_objects(self, objects: list[tuple[str, str | None, bytes]]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM objects")
            self.db.executemany(
                "INSERT OR REPLACE INTO objects (href, etag, data) VALUES (?, ?, ?)", objects
            )

    def update_objects(
        self, changed: list[tuple[str, str | None, bytes]], deleted: list[str]
    ) -> None:
        with self.transaction():
            self.db.executemany("DELETE FROM objects WHERE href = ?", [(h,) for h in deleted])
            self.db.executemany(
                "INSERT OR REPLACE INTO objects (href, etag, data) VALUES (?, ?, ?)", changed
            )

    # reminders ----------------------------------------------------------
    def reminder(self, uid: str) -> RememberedReminder | None:
        row = self.db.execute(
            "SELECT uid, href, etag, hash, interview_uid, stage, due, interview_start, state "
            "FROM reminders WHERE uid = ?",
            (uid,),
        ).fetchone()
        return _reminder(row) if row else None

    def all_reminders(self) -> list[RememberedReminder]:
        rows = self.db.execute(
            "SELECT uid, href, etag, hash, interview_uid, stage, due, interview_start, state "
            "FROM reminders ORDER BY due"
        )
        return [_reminder(row) for row in rows]

    def remembered(self) -> Remembered:
        """Everything a sync's decision needs from the memory, read at once."""
        return Remembered(
            reminders={item.uid: item for item in self.all_reminders()},
            stops={uid: StopReason(reason) for uid, reason in self.stops().items()},
        )

    def remember(self, item: RememberedReminder) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO reminders (uid, href, etag, hash, interview_uid, stage, due, "
            "interview_start, state, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.uid,
                item.href,
                item.etag,
                item.hash,
                item.interview_uid,
                item.stage,
                item.due,
                item.interview_start,
                item.state.value,
                iso_utc_now(),
            ),
        )

    def set_reminder_state(self, uid: str, state: ReminderState) -> None:
        self.db.execute(
            "UPDATE reminders SET state = ?, updated = ? WHERE uid = ?",
            (state.value, iso_utc_now(), uid),
        )

    # stops --------------------------------------------------------------
    def stops(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT interview_uid, reason FROM stops"))

    def stop(self, interview_uid: str, reason: StopReason) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stops (interview_uid, reason, at) VALUES (?, ?, ?)",
            (interview_uid, reason.value, iso_utc_now()),
        )

    # runs ---------------------------------------------------------------
    def record_run(self, status: int, summary: str) -> None:
        self.db.execute(
            "INSERT INTO runs (at, status, summary) VALUES (?, ?, ?)",
            (iso_utc_now(), status, summary),
        )
        self.db.execute(
            "DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT 100)"
        )

    def last_run(self) -> tuple[str, int, str] | None:
        row = self.db.execute(
            "SELECT at, status, summary FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None


def _reminder(row: tuple[str | None, ...]) -> RememberedReminder:
    uid, href, etag, hash_, interview_uid, stage, due, interview_start, state = row
    try:
        known = ReminderState(str(state))
    except ValueError:
        known = ReminderState.ACTIVE  # a state from a newer version: still ours, still there
    return RememberedReminder(
        uid=str(uid),
        href=href,
        etag=etag,
        hash=hash_,
        interview_uid=str(interview_uid),
        stage=str(stage),
        due=str(due),
        interview_start=interview_start,
        state=known,
    )


@contextlib.contextmanager
def run_lock(path: Path, wait_seconds: float = 10.0) -> Iterator[None]:
    """Only one run per calendar: wait briefly for another run, then give up clearly."""
    private_folder(path.parent)
    handle = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(handle, 0o600)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"another cal-followup run is working on this calendar (lock {path}); "
                        "try again later"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(handle)


# One memory per calendar, however it was named ----------------------------------------


def collection_key(url: str, user: str | None) -> str:
    """The memory's key for a CalDAV calendar: its collection URL, normalised, and the user.

    ``HTTP://Host:80/sam/direct``, ``http://host/sam/direct/`` and
    ``http://host/sam/%64irect/`` name one collection, so they share one memory.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host += f":{port}"
    path = urllib.parse.quote(urllib.parse.unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    if not path.endswith("/"):
        path += "/"
    who = f"{user}@" if user else ""
    return f"caldav:{who}{scheme}://{host}{path}"


_ALIASES = "calendars.json"


def known_collection(state_folder: Path, spelling: str) -> str | None:
    """The collection URL a spelling (URL, calendar name, user) resolved to before."""
    try:
        found = json.loads((state_folder / _ALIASES).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = found.get(spelling) if isinstance(found, dict) else None
    return value if isinstance(value, str) else None


def remember_collection(state_folder: Path, spelling: str, collection: str) -> None:
    """Note what ``spelling`` resolved to, so later runs need no discovery requests.

    Written via a temporary file and a rename; a lost update only costs one
    discovery on a later run.
    """
    path = state_folder / _ALIASES
    try:
        found = json.loads(path.read_text("utf-8"))
        aliases = found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        aliases = {}
    if aliases.get(spelling) == collection:
        return
    aliases[spelling] = collection
    try:
        state_folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".calendars-", dir=state_folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(aliases, stream, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except OSError:
        pass  # only a cache: the next run resolves again


def adopt_old_memory(old: Path, new: Path) -> None:
    """Move a database kept under an older key to its new name, if the new one is unused.

    Earlier versions named the memory after the literal URL; the first run
    under the new key takes that memory over (best effort).
    """
    if old == new or new.exists() or not old.exists():
        return
    try:
        for suffix in ("-wal", "-shm", ""):
            source = Path(str(old) + suffix)
            if source.exists():
                os.replace(source, Path(str(new) + suffix))
    except OSError:
        pass


def other_writers(state_folder: Path, own: Path, interview_uids: set[str]) -> list[str]:
    """Other memories that wrote reminders for any of these interviews (two writers).

    The same calendar synced through two stores (a vdirsyncer folder and the
    server URL) makes every reminder a conflict; memories that share
    interview UIDs show it. Databases are opened read-only; damaged or
    locked ones are skipped.
    """
    if not interview_uids or not state_folder.is_dir():
        return []
    found = []
    wanted = sorted(interview_uids)
    for path in sorted(state_folder.glob("*.sqlite3")):
        if path == own:
            continue
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        except sqlite3.Error:
            continue
        try:
            marks = ",".join("?" * len(wanted))
            shared = db.execute(
                f"SELECT 1 FROM reminders WHERE state = ? AND interview_uid IN ({marks}) LIMIT 1",
                (ReminderState.ACTIVE.value, *wanted),
            ).fetchone()
            if shared:
                row = db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
                found.append(str(row[0]) if row else path.name)
        except sqlite3.Error:
            pass
        finally:
            db.close()
    return found
