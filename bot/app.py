"""The composition root: the command line in, a front end or a bank tool run. Nothing imports this module.

Start-up failures end with one sentence for the person starting the bot, never a traceback. Each front
end is imported only when it runs: a config error or `studybot content check` does not pay for loading
discord.py, scikit-learn or rich.
"""
from __future__ import annotations

import os
import sys

from bot import cli
from bot.config import TOKEN_HELP, Config, ConfigError


def main(argv: list[str] | None = None) -> int:
    args = cli.parser().parse_args(argv)
    try:
        config = cli.config_from(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command in cli.BANK_TOOLS:
        return cli.BANK_TOOLS[command](config, args)
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if command == "discord" and not token:  # said before discord.py is loaded, which takes a while
        print(f"studybot: DISCORD_TOKEN is not set. {TOKEN_HELP}", file=sys.stderr)
        return 2
    # every front end opens the database: what is wrong with it is said now, before a front end loads
    if not cli.database_ready(config):
        return 2
    if command == "console":
        return terminal(config, member=args.member)
    if command == "discord":
        return discord(config, token)
    return run(config, token)


def discord(config: Config, token: str) -> int:
    from bot.frontends.discord.launch import run_discord

    return run_discord(config, token)


def terminal(config: Config, member: str | None = None) -> int:
    from bot.frontends.terminal import console_main

    return console_main(config, member=member)


def run(config: Config, token: str) -> int:
    """The README's run command: Discord when a token is set, otherwise the terminal front end."""
    if token:
        return discord(config, token)
    print("DISCORD_TOKEN is not set, so studybot starts in the terminal. To connect to Discord: " + TOKEN_HELP,
          file=sys.stderr)
    return terminal(config)
