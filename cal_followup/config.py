"""The settings, as one typed object built from the TOML config and the command line.

Every setting is described once: its TOML key, type and default in
``Settings``, its help text in ``data/options.toml`` (a stage's settings in
the stage table), both read into ``OPTIONS``. The command line and the README
use the same descriptions, so they cannot drift apart. The config file lives at
``$XDG_CONFIG_HOME/cal-followup/config.toml`` (or ``--config FILE``); a value
given on the command line wins over the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo

from cal_followup import stages
from cal_followup.businessdays import HolidaySource, parse_country
from cal_followup.errors import ConfigError
from cal_followup.imapurl import parse_imap_url
from cal_followup.languages import load_languages

Tone = Literal["formal", "casual"]
Component = Literal["VEVENT", "VTODO"]
HOLIDAY_SOURCES: tuple[str, ...] = get_args(HolidaySource)
TONES: tuple[str, ...] = get_args(Tone)
COMPONENTS: tuple[str, ...] = get_args(Component)


def _stage_settings(cls: type) -> type:
    """Adds each stage setting of ``cal_followup.stages`` as an ``int`` field."""
    for item in stages.setting_rows():
        cls.__annotations__[item.name] = "int"
        setattr(cls, item.name, item.default)
    return cls


@dataclass(frozen=True)
class AccountSettings:
    """Where one server is and how to log in to it: the CalDAV server, or the mailbox.

    The config spells each field as a key with the account's prefix (``url`` and
    ``imap_url``, ``ca_cert`` and ``imap_ca_cert``); ``Settings.caldav`` and
    ``Settings.imap`` gather them. Secrets never live here, only the commands
    that print them.
    """

    url: str | None = None
    user: str | None = None
    password_command: str | None = None
    #: A command that prints a fresh OAuth2 access token (Google, Microsoft).
    token_command: str | None = None
    #: A PEM file of a certificate (or authority) to trust, as curl's --cacert.
    ca_cert: str | None = None


#: The key prefix of each account in the config: "" for the CalDAV server, "imap_" for the mailbox.
CALDAV_PREFIX = ""
IMAP_PREFIX = "imap_"


def _account_settings(cls: type) -> type:
    """Adds each account's keys (``url`` ... ``imap_ca_cert``) as a ``str | None`` field."""
    for prefix in (CALDAV_PREFIX, IMAP_PREFIX):
        for item in fields(AccountSettings):
            cls.__annotations__[prefix + item.name] = "str | None"
            setattr(cls, prefix + item.name, None)
    return cls


@dataclass(frozen=True)
@_stage_settings
@_account_settings
class Settings:
    timezone: str = "UTC"
    country: str | None = None
    me: tuple[str, ...] = ()
    name: str | None = None
    language: str = "en"
    tone: Tone = "formal"
    holiday_source: HolidaySource = "both"
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    max_follow_ups: int = 2
    ignore_after_days: int = 60
    horizon_days: int = 365
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    component: Component = "VEVENT"
    reminder_minutes: int = 15
    alarm: bool = True
    # Server access (sync): the CalDAV account's keys (url, user, password_command,
    # token_command, ca_cert) are added by _account_settings; read them as ``caldav``.
    calendar: str | None = None
    target: str | None = None
    verify_tls: bool = True
    timeout: int = 30
    # The mailbox (rules section 11): its account's keys (imap_url ... imap_ca_cert)
    # are added the same way; read them as ``imap``.
    drafts: bool = True
    drafts_folder: str | None = None
    stop_on_reply: bool = False
    reply_folders: tuple[str, ...] = ("INBOX",)
    source_file: str | None = field(default=None, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def me_lower(self) -> frozenset[str]:
        return frozenset(m.lower() for m in self.me)

    @property
    def caldav(self) -> AccountSettings:
        """The CalDAV server's account (its ``ca_cert`` and password serve feeds too)."""
        return self._account(CALDAV_PREFIX)

    @property
    def imap(self) -> AccountSettings:
        """The mailbox's account (``imap_url``, ``imap_user``, ...)."""
        return self._account(IMAP_PREFIX)

    def _account(self, prefix: str) -> AccountSettings:
        return AccountSettings(
            url=getattr(self, prefix + "url"),
            user=getattr(self, prefix + "user"),
            password_command=getattr(self, prefix + "password_command"),
            token_command=getattr(self, prefix + "token_command"),
            ca_cert=getattr(self, prefix + "ca_cert"),
        )


def _load_options() -> dict[str, tuple[str, str]]:
    """key -> (help text, a short name for the value in --help), from ``data/options.toml``.

    The help texts are prose for users, kept as data; the stage settings (from
    the stage table) are listed after ``day_end``.
    """
    text = (resources.files("cal_followup") / "data" / "options.toml").read_text(encoding="utf-8")
    options: dict[str, tuple[str, str]] = {}
    for key, option in tomllib.loads(text).items():
        options[key] = (option["help"], option["metavar"])
        if key == "day_end":
            options.update((item.name, (item.help, item.metavar)) for item in stages.setting_rows())
    return options


#: Every option, in the order --help and the README list them.
OPTIONS = _load_options()

_TYPES = {f.name: f.type for f in fields(Settings)}
_ALIASES = {"tz": "timezone", "zone": "timezone"}


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "cal-followup" / "config.toml"


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(base) / "cal-followup"


def _parse_time(value: Any, key: str, where: str) -> time:
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ConfigError(f"{where}: {key} must be a time like 09:00, not {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = str(_TYPES[key])
    if kind == "time":
        return _parse_time(value, key, where)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise ConfigError(f"{where}: {key} must be true or false, not {value!r}")
    if kind == "int":
        if isinstance(value, bool):
            raise ConfigError(f"{where}: {key} must be a whole number, not {value!r}")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ConfigError(f"{where}: {key} must be a whole number, not {value!r}") from None
        if number < 0:
            raise ConfigError(f"{where}: {key} must not be negative, not {value!r}")
        return number
    if kind.startswith("tuple"):
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(str(item).strip() for item in items if str(item).strip())
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise ConfigError(f"{where}: {key} must be a text value, not {value!r}")
    return str(value).strip()


def _validate(settings: Settings, where: str) -> Settings:
    try:
        ZoneInfo(settings.timezone)
    except (ValueError, KeyError, OSError):
        raise ConfigError(f"{where}: unknown time zone {settings.timezone!r}") from None
    if settings.tone not in TONES:
        raise ConfigError(f"{where}: tone must be one of {', '.join(TONES)}, not {settings.tone!r}")
    if settings.holiday_source not in HOLIDAY_SOURCES:
        raise ConfigError(
            f"{where}: holiday_source must be one of {', '.join(HOLIDAY_SOURCES)}, "
            f"not {settings.holiday_source!r}"
        )
    component = settings.component.upper()
    if component not in COMPONENTS:
        raise ConfigError(f"{where}: component must be VEVENT or VTODO, not {settings.component!r}")
    if settings.max_follow_ups > stages.MAX_FOLLOW_UPS:
        raise ConfigError(
            f"{where}: max_follow_ups can only be lowered (0, 1 or 2), "
            f"not {settings.max_follow_ups}"
        )
    for item in stages.setting_rows():
        if getattr(settings, item.name) < item.minimum:
            raise ConfigError(f"{where}: {item.name} must be at least {item.minimum}")
    if settings.day_end <= settings.day_start:
        raise ConfigError(f"{where}: day_end must be later than day_start")
    if settings.timeout < 1:
        raise ConfigError(f"{where}: timeout must be at least 1 second")
    if settings.reminder_minutes < 1:
        raise ConfigError(f"{where}: reminder_minutes must be at least 1")
    for key in ("include", "exclude"):
        for pattern in getattr(settings, key):
            try:
                re.compile(pattern)
            except re.error as error:
                raise ConfigError(
                    f"{where}: {key} pattern {pattern!r} is not valid: {error}"
                ) from None
    if settings.language not in load_languages():
        known = ", ".join(sorted(load_languages()))
        raise ConfigError(f"{where}: unknown language {settings.language!r} (known: {known})")
    if settings.country:
        try:
            parse_country(settings.country)
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
    for address in settings.me:
        if "@" not in address:
            raise ConfigError(f"{where}: me must be an email address, not {address!r}")
    _validate_mail(settings, where)
    return replace(settings, component=cast(Component, component))


def _validate_mail(settings: Settings, where: str) -> None:
    """The IMAP keys: a URL we can connect to safely, at most one way to authenticate."""
    account = settings.imap
    if not account.url:
        return
    try:
        parse_imap_url(account.url)
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    if not (account.user or settings.me):
        raise ConfigError(f"{where}: imap_url needs imap_user (or a me address)")


def load_settings(
    config_path: str | None, overrides: dict[str, Any], *, default_zone: str | None = None
) -> Settings:
    """Settings from the config file (if any) with command-line ``overrides`` on top."""
    values: dict[str, Any] = {}
    where = "command line"
    path = Path(config_path) if config_path else default_config_path()
    if config_path or path.exists():
        where = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read config file: {error.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: config file is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        if "password" in raw or "imap_password" in raw or "token" in raw:
            raise ConfigError(
                f"{path}: passwords and tokens do not belong in the config; use "
                "password_command, imap_password_command, token_command, "
                "$CAL_FOLLOWUP_PASSWORD, $CAL_FOLLOWUP_IMAP_PASSWORD or the system keyring"
            )
        for raw_key, value in raw.items():
            key = _ALIASES.get(raw_key, raw_key).replace("-", "_")
            if key not in OPTIONS:
                raise ConfigError(f"{path}: unknown key {raw_key!r}")
            values[key] = _coerce(key, value, str(path))
    for key, value in overrides.items():
        if value is None or value == () or value == []:
            continue
        values[key] = _coerce(key, value, "command line")
    if "timezone" not in values:
        if default_zone is None:
            # ics imports icalendar: too slow to import for every --help.
            from cal_followup.ics import local_zone_name

            default_zone = local_zone_name()
        values["timezone"] = default_zone
    if "country" in values and values["country"] == "":
        values["country"] = None
    settings = Settings(**values, source_file=str(path) if where != "command line" else None)
    return _validate(settings, where)
