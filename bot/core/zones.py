"""What members type for a timezone or a clock time, read the way they meant it.

Timezones: an IANA name (any case), a city (`Tokyo`, `new york`), a country (`Japan`, `日本`) or an
abbreviation (`JST`, `PST`) gives one zone, or several to choose from (`CST`: Chicago or Shanghai; `USA`).
Times: `9:00`, `09:00`, `０９：００`, `9時`, `21時30分`, `9時半`, `午後9時`, `9pm`, `0900` are all HH:MM.
Standard library only; nothing here reads a clock.
"""
from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from bot.core.suggest import closest, folded

NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
US = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
# Countries, abbreviations and common city names that are not the last part of an IANA name. A tuple
# is ambiguous: the member picks one. (Fixed-offset legacy names such as EST are IANA names and taken as such.)
ALIASES: dict[str, str | tuple[str, ...]] = {
    "jst": "Asia/Tokyo", "japan": "Asia/Tokyo", "日本": "Asia/Tokyo", "東京": "Asia/Tokyo", "大阪": "Asia/Tokyo",
    "osaka": "Asia/Tokyo", "kyoto": "Asia/Tokyo", "nippon": "Asia/Tokyo",
    "kst": "Asia/Seoul", "korea": "Asia/Seoul", "south korea": "Asia/Seoul", "韓国": "Asia/Seoul", "ソウル": "Asia/Seoul",
    "china": "Asia/Shanghai", "中国": "Asia/Shanghai", "beijing": "Asia/Shanghai", "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai", "hkt": "Asia/Hong_Kong", "taiwan": "Asia/Taipei", "台湾": "Asia/Taipei",
    "sgt": "Asia/Singapore", "シンガポール": "Asia/Singapore", "india": "Asia/Kolkata", "インド": "Asia/Kolkata",
    "ist": ("Asia/Kolkata", "Europe/Dublin"), "mumbai": "Asia/Kolkata", "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "thailand": "Asia/Bangkok", "vietnam": "Asia/Ho_Chi_Minh",
    "indonesia": "Asia/Jakarta", "philippines": "Asia/Manila", "ict": "Asia/Bangkok",
    "uk": "Europe/London", "united kingdom": "Europe/London", "england": "Europe/London", "イギリス": "Europe/London",
    "bst": "Europe/London", "ロンドン": "Europe/London", "germany": "Europe/Berlin", "ドイツ": "Europe/Berlin",
    "france": "Europe/Paris", "フランス": "Europe/Paris", "cest": "Europe/Berlin", "ireland": "Europe/Dublin",
    "us": US, "usa": US, "united states": US, "america": US, "アメリカ": US, "米国": US,
    "nyc": "America/New_York", "ny": "America/New_York", "ニューヨーク": "America/New_York", "edt": "America/New_York",
    "et": "America/New_York", "cdt": "America/Chicago", "ct": "America/Chicago",
    "cst": ("America/Chicago", "Asia/Shanghai"), "mdt": "America/Denver", "mt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "la": "America/Los_Angeles", "sf": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "silicon valley": "America/Los_Angeles", "boston": "America/New_York",
    "canada": ("America/Toronto", "America/Vancouver"), "brazil": "America/Sao_Paulo",
    "australia": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth"),
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "new zealand": "Pacific/Auckland",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "協定世界時": "UTC", "z": "UTC", "zulu": "UTC",
}


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """Every IANA zone name this machine knows (zoneinfo, with tzdata as a fallback), sorted."""
    names = {z for z in zoneinfo.available_timezones() if z not in NOT_ZONES and not z.startswith(("posix/", "right/"))}
    return tuple(sorted(names))


def _key(text: str) -> str:
    return folded(text).replace("_", " ").replace("-", " ")


@lru_cache(maxsize=1)
def _by_city() -> dict[str, tuple[str, ...]]:
    """`tokyo` -> (Asia/Tokyo,), `new york` -> (America/New_York,): the last part of each name."""
    cities: dict[str, list[str]] = {}
    for name in available():
        if "/" in name:
            cities.setdefault(_key(name.rsplit("/", 1)[1]), []).append(name)
    return {k: tuple(v) for k, v in cities.items()}


@dataclass(frozen=True)
class ZoneGuess:
    """`zone`: the one zone meant (`exact`: typed as its IANA name); else `candidates` to choose from."""

    zone: str | None
    exact: bool = False
    candidates: tuple[str, ...] = ()


def guess_zone(typed: str) -> ZoneGuess:
    text = " ".join(unicodedata.normalize("NFKC", typed or "").split())
    names, key = available(), _key(text)
    alias = ALIASES.get(key)  # first: `Japan` is also a legacy IANA link, but Asia/Tokyo is the name to keep
    if alias is not None:
        return ZoneGuess(alias) if isinstance(alias, str) else ZoneGuess(None, candidates=alias)
    if text in names:
        return ZoneGuess(text, exact=True)
    by_fold = {_key(n): n for n in names}
    if key in by_fold:
        return ZoneGuess(by_fold[key])
    cities = _by_city().get(key, ())
    if len(cities) == 1:
        return ZoneGuess(cities[0])
    if cities:
        return ZoneGuess(None, candidates=cities)
    near = closest(key, [*by_fold, *_by_city(), *ALIASES], limit=5, cutoff=0.75) if len(key) >= 3 else []
    found: list[str] = []
    for n in near:
        found += [by_fold[n]] if n in by_fold else list(_by_city().get(n, ())) or _alias_zones(n)
    return ZoneGuess(None, candidates=tuple(dict.fromkeys(found))[:5])


def _alias_zones(key: str) -> list[str]:
    alias = ALIASES.get(key, ())
    return [alias] if isinstance(alias, str) else list(alias)


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})$")  # 0930
_KANJI = re.compile(r"^(午前|午後)?(\d{1,2})時(?:(\d{1,2})分|(半))?$")
_AMPM = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm)$")


def parse_clock(typed: str) -> str | None:
    """A clock time as typed, as HH:MM (24 h); None if it is none (25:00, 9:75, 'morning')."""
    text = unicodedata.normalize("NFKC", typed or "").strip().casefold().replace(" ", "").replace(".", "")
    hour = minute = None
    pm = False
    if m := _HHMM.match(text) or _DIGITS.match(text):
        hour, minute = int(m.group(1)), int(m.group(2))
    elif m := _KANJI.match(text):
        hour, minute = int(m.group(2)), 30 if m.group(4) else int(m.group(3) or 0)
        if m.group(1):
            pm = m.group(1) == "午後"
            hour = None if hour > 12 else hour % 12
    elif m := _AMPM.match(text):
        hour, minute, pm = int(m.group(1)), int(m.group(2) or 0), m.group(3) == "pm"
        hour = None if not 1 <= hour <= 12 else hour % 12
    if hour is None or minute is None:
        return None
    hour += 12 if pm else 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None
