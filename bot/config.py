"""Settings from a TOML file into a frozen dataclass. Nothing is read at import time."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The config cannot be used; the message is one sentence for the person starting the bot."""


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


def _from_mapping(raw: dict, base: Path) -> Config:
    bot = raw.get("bot", {})
    unknown = set(bot) - {"database", "content_dir", "dev_guild_id", "log_level"}
    if unknown:
        raise ConfigError(f"Unknown setting(s) in [bot]: {', '.join(sorted(unknown))}.")
    level = str(bot.get("log_level", "INFO")).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"log_level must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    guild = bot.get("dev_guild_id") or None
    if guild is not None and not isinstance(guild, int):
        raise ConfigError("dev_guild_id must be a number (the server id), or 0 to sync commands globally.")
    endpoints = raw.get("discord", {})
    unknown = set(endpoints) - {"api_base", "gateway_url"}
    if unknown:
        raise ConfigError(f"Unknown setting(s) in [discord]: {', '.join(sorted(unknown))}.")
    return Config(
        api_base=endpoints.get("api_base") or None,
        gateway_url=endpoints.get("gateway_url") or None,
        database=base / bot.get("database", "data/studybot.sqlite3"),
        content_dir=base / bot.get("content_dir", "content"),
        dev_guild_id=guild,
        log_level=level,
        console_member=str(raw.get("console", {}).get("member", "you")),
    )
