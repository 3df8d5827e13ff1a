"""The composition root: config in, database and services built, a front end run.

Startup failures end with one sentence for the person starting the bot, never a traceback.
"""
from __future__ import annotations

import asyncio
import logging
import os
import random
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime, timezone

from bot.config import Config
from bot.services import Answering, BankLoad, Daily, Progress, Review, Services, Study, load_bank
from db.connection import open_database

log = logging.getLogger("studybot")
TOKEN_HELP = "Set DISCORD_TOKEN to your bot's token (see README: Connecting to Discord)."


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StartupError(Exception):
    """One sentence explaining why the bot cannot start."""


def open_study(config: Config, *, clock=utc_now, rng: random.Random | None = None,
               on_load: Callable[[BankLoad], None] | None = None) -> Study:
    """`on_load` gets what loading the bank gave, before any failure is raised, and then reports its content
    problems itself (the terminal shows them in brief); otherwise they are logged."""
    try:
        db = open_database(config.database)
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(f"The database {config.database} cannot be opened: {exc}.") from None
    loaded = load_bank(db, config.content_dir, clock())
    if on_load is not None:
        on_load(loaded)
    else:
        for problem in loaded.problems:
            log.warning("content problem: %s", problem)
    if loaded.report is None:
        db.close()
        raise StartupError(f"No valid questions in {config.content_dir / 'questions'}; run `studybot content check`.")
    return Study(db, clock, rng or random.Random(), config.content_dir)


def build_services(study: Study) -> Services:
    """The other use-cases share the study's database, clock, randomness and answer scorer.

    The scorer is fitted here, once at start-up, never inside an interaction."""
    if study.grader is None:
        from bot.services.feedback import Grader
        from db import bank

        study.grader = Grader.fit(bank.active_questions(study.db))
    daily = Daily(study.db, study.clock, study.rng, grader=study.grader)
    return Services(study=study, daily=daily, progress=Progress(study.db), review=Review(study.db, study.clock),
                    answering=Answering(study, daily))


def build_discord_bot(config: Config, services: Services | Study, **options):
    """The Discord client over the services. `options` go to StudyBot (and discord.py): `daily_jobs=False`
    builds it without the daily question's scheduler, `scheduler=` gives that scheduler its APScheduler."""
    import discord
    import yarl

    from bot.client import StudyBot

    if config.api_base:
        discord.http.Route.BASE = config.api_base
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
    if isinstance(services, Study):
        services = build_services(services)
    return StudyBot(services, dev_guild_id=config.dev_guild_id, **options)


def _logging(config: Config) -> None:
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _fail(message: str) -> int:
    print(f"studybot: {message}", file=sys.stderr)
    return 2


def discord(config: Config) -> int:
    import aiohttp
    import discord as dpy

    from bot.client import CommandSyncError

    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        return _fail(f"DISCORD_TOKEN is not set. {TOKEN_HELP}")
    _logging(config)
    try:
        study = open_study(config)
    except StartupError as exc:
        return _fail(str(exc))
    bot = build_discord_bot(config, study)

    async def main() -> None:
        async with bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except dpy.LoginFailure:
        return _fail("Discord rejected the token in DISCORD_TOKEN (reset it in the Developer Portal and try again).")
    except CommandSyncError as exc:
        return _fail(str(exc))
    except dpy.DiscordException as exc:
        return _fail(f"Discord refused to start the bot: {_one_line(exc)}.")
    except (aiohttp.ClientConnectorError, OSError) as exc:
        return _fail(f"Cannot reach Discord: {exc}.")
    except KeyboardInterrupt:
        pass
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()).rstrip(".") or type(exc).__name__


def console(config: Config, member: str | None = None) -> int:
    from bot.console import console_main

    return console_main(config, member=member)


def run(config: Config) -> int:
    """The README's run command: Discord when a token is set, otherwise the terminal front end."""
    if os.environ.get("DISCORD_TOKEN", "").strip():
        return discord(config)
    print("DISCORD_TOKEN is not set, so studybot starts in the terminal. To connect to Discord: " + TOKEN_HELP, file=sys.stderr)
    return console(config)

