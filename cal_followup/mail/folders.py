"""Which folder is which: LIST answers, special-use flags and the usual names.

A folder's role comes from its RFC 6154 special-use attribute (``\\Drafts``,
``\\Sent``, ``\\Trash``, ``\\Junk``, ``\\All``) when the server gives one,
else from its name, matched against the usual names of every language in
``data/mail_folders.toml`` (the account's language first when choosing the
Drafts folder). Folder names travel in IMAP's modified UTF-7 (RFC 3501
5.1.3); ``imaplib`` leaves that to us, so the two small codecs live here.
"""

from __future__ import annotations

import base64
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Roles that are never read for replies.
NEVER_READ = ("drafts", "sent", "trash", "junk", "all")
_SPECIAL_USE = {
    "\\DRAFTS": "drafts",
    "\\SENT": "sent",
    "\\TRASH": "trash",
    "\\JUNK": "junk",
    "\\ALL": "all",
}
_LIST_LINE = re.compile(
    rb'^\((?P<flags>[^)]*)\)\s+(?P<delimiter>"(?:[^"\\]|\\.)*"|NIL)\s*(?P<name>.*)$', re.I
)


@dataclass(frozen=True)
class Folder:
    wire: str  # the name as the server spells it (modified UTF-7)
    name: str  # the same, readable
    delimiter: str | None
    flags: frozenset[str]

    @property
    def selectable(self) -> bool:
        return not ({"\\NOSELECT", "\\NONEXISTENT"} & self.flags)

    @property
    def leaf(self) -> str:
        if self.delimiter and self.delimiter in self.name:
            return self.name.rsplit(self.delimiter, 1)[-1]
        return self.name

    @property
    def special_use(self) -> str | None:
        for flag in self.flags:
            if flag in _SPECIAL_USE:
                return _SPECIAL_USE[flag]
        return None


@cache
def folder_names() -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> role -> usual names, from the data file."""
    text = (resources.files("cal_followup") / "data" / "mail_folders.toml").read_text("utf-8")
    return {
        language: {role: tuple(names) for role, names in roles.items()}
        for language, roles in tomllib.loads(text).items()
    }


def role_by_name(folder: Folder) -> str | None:
    leaf = folder.leaf.casefold()
    whole = folder.name.casefold()
    for roles in folder_names().values():
        for role, names in roles.items():
            if any(n.casefold() in (leaf, whole) for n in names):
                return role
    return None


def role_of(folder: Folder) -> str | None:
    return folder.special_use or role_by_name(folder)


def parse_list(lines: list[object]) -> list[Folder]:
    """Folders from ``imaplib``'s LIST answer (strings, and tuples for literals)."""
    folders: list[Folder] = []
    for line in lines:
        if isinstance(line, tuple):
            head, literal = line[0], line[1]
            raw = bytes(head).rsplit(b"{", 1)[0] + b'"' + _escape(bytes(literal)) + b'"'
        elif isinstance(line, bytes):
            raw = line
        else:
            continue
        match = _LIST_LINE.match(raw.strip())
        if not match:
            continue
        flags = frozenset(
            f.upper() for f in match.group("flags").decode("ascii", "replace").split()
        )
        delimiter_raw = match.group("delimiter")
        delimiter = None if delimiter_raw.upper() == b"NIL" else _unquote(delimiter_raw)
        wire = _unquote(match.group("name").strip())
        folders.append(Folder(wire, decode_utf7(wire), delimiter, flags))
    return folders


def _escape(value: bytes) -> bytes:
    return value.replace(b"\\", b"\\\\").replace(b'"', b'\\"')


def _unquote(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def quote(name: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends arguments as given)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def decode_utf7(wire: str) -> str:
    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        if not inner:
            return "&"
        padded = inner.replace(",", "/") + "=" * (-len(inner) % 4)
        try:
            return base64.b64decode(padded).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)

    return re.sub(r"&([A-Za-z0-9+,]*)-", one, wire)


def encode_utf7(name: str) -> str:
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ","))
            out.append("-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def choose_drafts(folders: list[Folder], language: str, configured: str | None) -> Folder | None:
    """The Drafts folder: configured, else flagged ``\\Drafts``, else by usual name."""
    if configured:
        for folder in folders:
            if configured in (folder.name, folder.wire):
                return folder
        return None
    flagged = [f for f in folders if f.special_use == "drafts" and f.selectable]
    if flagged:
        return flagged[0]
    table = folder_names()
    order = [language, "en", *sorted(table)]
    for lang in order:
        names = [n.casefold() for n in table.get(lang, {}).get("drafts", ())]
        for wanted in names:
            for folder in folders:
                if folder.selectable and wanted in (folder.leaf.casefold(), folder.name.casefold()):
                    return folder
    return None
