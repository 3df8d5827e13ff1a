"""Starting the Discord front end: the client over the services, and start-up failures as one sentence."""
from __future__ import annotations

import asyncio
import logging
import sys
from datetime import timedelta
from typing import Any

import aiohttp
import discord
import yarl

from bot.bootstrap import StartupError, build_services, open_study
from bot.config import Config
from bot.core.shards import Shards
from bot.frontends.discord.client import CommandSyncError, StudyBot
from bot.services import Services, Study
from bot.services.backups import DailyBackup


def build_discord_bot(config: Config, services: Services | Study, *, scorer_later: bool = False, **options: Any) -> StudyBot:
    """The Discord client over the services. `options` go to StudyBot (and discord.py): `daily_jobs=False`
    builds it without the daily question's scheduler, `scheduler=` gives that scheduler its APScheduler.
    With [backup] in the config, that scheduler also makes the daily backup. `scorer_later`: connect first and
    fit the answer scorer once connected (what `studybot discord` does; answers meanwhile are scored then).
    [discord] shard_count / shard_ids: the shards this process connects, and the servers whose daily
    question it posts (those of its shards)."""
    if config.api_base:
        discord.http.Route.BASE = config.api_base
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
    if isinstance(services, Study):
        services = build_services(services, fit_scorer=not scorer_later)
    if scorer_later and services.study.grader is None:
        options["fit_scorer"] = True
    if config.backup is not None and "backup" not in options:
        b = config.backup
        options["backup"] = DailyBackup(config.database, b.dir, b.keep, services.study.clock, at=b.at)
    _shard(config, services, options)
    bot = StudyBot(services, dev_guild_id=config.dev_guild_id, **options)
    bot.forget_after = timedelta(days=config.forget_after_days)
    return bot


def _shard(config: Config, services: Services, options: dict[str, Any]) -> None:
    if config.shard_count is not None:
        options.setdefault("shard_count", config.shard_count)
    if config.shard_ids is not None and config.shard_count is not None:
        options.setdefault("shard_ids", list(config.shard_ids))
        # another process runs the other shards, and so their servers' timers (the database claim keeps
        # a post from going out twice if the two ever overlap, e.g. while resharding)
        if len(set(config.shard_ids)) < config.shard_count:
            services.daily.serves = Shards(config.shard_count, frozenset(config.shard_ids))


def fail(message: str) -> int:
    print(f"studybot: {message}", file=sys.stderr)
    return 2


def run_discord(config: Config, token: str) -> int:
    """`studybot discord` with the token from the environment: connect and serve until stopped; returns the
    exit status."""
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        study = open_study(config)
    except StartupError as exc:
        return fail(str(exc))
    bot = build_discord_bot(config, study, scorer_later=True)

    async def main() -> None:
        async with bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        return fail("Discord rejected the token in DISCORD_TOKEN (reset it in the Developer Portal and try again).")
    except CommandSyncError as exc:
        return fail(str(exc))
    except discord.DiscordException as exc:
        return fail(f"Discord refused to start the bot: {_one_line(exc)}.")
    except (aiohttp.ClientConnectorError, OSError) as exc:
        return fail(f"Cannot reach Discord: {exc}.")
    except KeyboardInterrupt:
        pass
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
