"""Time zone -> country: the country an interview's zone belongs to, for business days.

When the config names no country, the employer's country is inferred from the
interview's IANA zone ("Europe/Helsinki" -> FI) using the tz database's own
tables (``zone.tab`` and the links in ``tzdata.zi``), read once from the
``tzdata`` package or the system's zoneinfo folder. A zone shared by several
countries gives no answer rather than a wrong one.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["country_for_zone"]

_zone_data: tuple[dict[str, str], dict[str, str]] | None = None


def _read_tz_file(name: str) -> str | None:
    try:
        from importlib.resources import files

        return files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError):
        pass
    try:
        return Path("/usr/share/zoneinfo", name).read_text(encoding="utf-8")
    except OSError:
        return None


def _load_zone_data() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased zone -> country, lower-cased alias -> country) from zone.tab/tzdata.zi."""
    global _zone_data
    if _zone_data is not None:
        return _zone_data
    zones: dict[str, tuple[str, str]] = {}
    for line in (_read_tz_file("zone.tab") or "").splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            zones[fields[2].lower()] = (fields[2], fields[0])
    # tzdata.zi's "L target alias" lines are the links, already flattened to a real
    # zone. Several countries' zones can share one target since tzdata merged
    # identical zones (Iceland -> Africa/Abidjan), so an alias counts only when every
    # zone.tab entry sharing its target agrees on the country.
    target_of: dict[str, str] = {}
    for line in (_read_tz_file("tzdata.zi") or "").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            target_of[parts[2].lower()] = parts[1].lower()
    countries_of_target: dict[str, set[str]] = {}
    for lowered, (_, country) in zones.items():
        target = target_of.get(lowered, lowered)
        countries_of_target.setdefault(target, set()).add(country)
    aliases: dict[str, str] = {}
    for alias, target in target_of.items():
        if alias in zones:
            continue
        countries = countries_of_target.get(target, set())
        if len(countries) == 1:
            aliases[alias] = next(iter(countries))
    _zone_data = ({k: v[1] for k, v in zones.items()}, aliases)
    return _zone_data


def country_for_zone(zone: str | None) -> str | None:
    """ISO country of an IANA zone ("Europe/Helsinki" -> "FI"), or None if not one country."""
    if not zone or not isinstance(zone, str):
        return None
    zones, aliases = _load_zone_data()
    key = zone.strip().lower()
    return zones.get(key) or aliases.get(key)
