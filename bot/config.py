"""Settings from a TOML file into a frozen dataclass. Nothing is read at import time."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

TOKEN_HELP = "Set DISCORD_TOKEN to your bot's token (see README: Connecting to Discord)."  # read only from the environment
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The config cannot be used; the message is one sentence for the person starting the bot."""


@dataclass(frozen=True)
class BackupSettings:
    """The daily backup: into `dir`, at `at` UTC every day, the newest `keep` kept."""

    dir: Path
    keep: int = 7
    at: time = time(3, 0)


@dataclass(frozen=True)
class Config:
    database: Path = Path("data/studybot.sqlite3")
    content_dir: Path = Path("content")
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    console_member: str = "you"
    # only for tests and self-hosted proxies: where discord.py sends REST calls and opens the gateway
    api_base: str | None = None
    gateway_url: str | None = None
    forget_after_days: int = 30  # a server's data is deleted this many days after the bot was removed from it
    backup: BackupSettings | None = None  # no daily backup unless [backup] sets a dir
    # Discord's shards: None asks Discord for the count and runs them all; `shard_ids` (with a count) runs
    # only those, so that several processes split the servers (README: Running several processes)
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None


def load_config(path: Path | None) -> Config:
    """Read `path`; relative paths in it are relative to the file. No file: the defaults."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The config file {path} does not exist (copy config.example.toml to start).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    return _from_mapping(raw, path.parent)


SECTIONS = {
    "bot": ("database", "content_dir", "dev_guild_id", "log_level"),
    "console": ("member",),
    "discord": ("api_base", "gateway_url", "shard_count", "shard_ids"),
    "privacy": ("forget_after_days",),
    "backup": ("dir", "keep", "time"),
}


def _from_mapping(raw: dict[str, Any], base: Path) -> Config:
    stray = set(raw) - set(SECTIONS)
    if stray:
        raise ConfigError(f"Unknown setting(s) outside {_listed(SECTIONS)}: {', '.join(sorted(stray))}.")
    bot, console, endpoints, privacy = (_section(raw, name) for name in ("bot", "console", "discord", "privacy"))
    forget_after = privacy.get("forget_after_days", 30)
    if not isinstance(forget_after, int) or isinstance(forget_after, bool) or forget_after < 0:
        raise ConfigError(f"forget_after_days in [privacy] must be a whole number of days (0 or more), not {_kind(forget_after)}.")
    level = _text(bot, "log_level", "INFO", "bot").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    guild = bot.get("dev_guild_id") or None
    if guild is not None and (not isinstance(guild, int) or isinstance(guild, bool) or guild < 0):
        raise ConfigError("dev_guild_id must be a number (the server id), or 0 to sync commands globally.")
    shard_count, shard_ids = _shards(endpoints)
    return Config(
        api_base=_text(endpoints, "api_base", "", "discord") or None,
        gateway_url=_text(endpoints, "gateway_url", "", "discord") or None,
        database=base / _text(bot, "database", "data/studybot.sqlite3", "bot"),
        content_dir=base / _text(bot, "content_dir", "content", "bot"),
        dev_guild_id=guild,
        log_level=level,
        console_member=_text(console, "member", "you", "console"),
        forget_after_days=forget_after,
        backup=_backup(_section(raw, "backup"), base),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


def _shards(table: dict[str, Any]) -> tuple[int | None, tuple[int, ...] | None]:
    count, ids = table.get("shard_count"), table.get("shard_ids")
    if count is not None and (not _whole(count) or count < 1):
        raise ConfigError(f"shard_count in [discord] must be a whole number of 1 or more, not {_kind(count)}.")
    if ids is None:
        return count, None
    if count is None:
        raise ConfigError("shard_ids in [discord] needs shard_count too (like shard_count = 4, shard_ids = [0, 1]).")
    if not isinstance(ids, list) or not ids or not all(_whole(i) and 0 <= i < count for i in ids) or len(set(ids)) < len(ids):
        raise ConfigError(f"shard_ids in [discord] must list different shard numbers from 0 to {count - 1} "
                          f"(shard_count = {count}), like [0, 1], not {_kind(ids) if not isinstance(ids, list) else ids}.")
    return count, tuple(ids)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _backup(table: dict[str, Any], base: Path) -> BackupSettings | None:
    if not table:
        return None
    directory = _text(table, "dir", "", "backup")
    if not directory:
        raise ConfigError("dir in [backup] is needed for daily backups (like dir = \"backups\"); leave [backup] out to have none.")
    keep = table.get("keep", 7)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        raise ConfigError(f"keep in [backup] must be how many daily backups to keep, a whole number of 1 or more, not {_kind(keep)}.")
    at = _text(table, "time", "03:00", "backup")
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", at)
    if match is None:
        raise ConfigError(f"time in [backup] must be a 24-hour time in UTC like \"03:00\", not {at!r}.")
    return BackupSettings(dir=base / directory, keep=keep, at=time(int(match[1]), int(match[2])))


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{name} must be a [{name}] section of settings, not {_kind(table)}.")
    unknown = set(table) - set(SECTIONS[name])
    if unknown:
        raise ConfigError(f"Unknown setting(s) in [{name}]: {', '.join(sorted(unknown))}.")
    return table


def _text(table: dict[str, Any], key: str, default: str, section: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{key} in [{section}] must be text in quotes (like {key} = \"{default or '...'}\"), not {_kind(value)}.")
    return value


def _listed(names: dict[str, Any]) -> str:
    """[bot], [console] and [discord]"""
    sections = [f"[{name}]" for name in names]
    return ", ".join(sections[:-1]) + " and " + sections[-1]


def _kind(value: object) -> str:
    """How a TOML value reads to the person who wrote it."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"the {type(value).__name__} {value}"
