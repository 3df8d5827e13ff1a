"""The composition root: the command line in, a front end or a bank tool run. Nothing imports this module.

Start-up failures end with one sentence for the person starting the bot, never a traceback.
"""
from __future__ import annotations

import os
import sys

from bot import cli
from bot.config import Config, ConfigError
from bot.frontends.discord.launch import TOKEN_HELP, run_discord
from bot.frontends.terminal import console_main


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
    if command == "console":
        return console_main(config, member=args.member)
    if command == "discord":
        return run_discord(config)
    return run(config)


def run(config: Config) -> int:
    """The README's run command: Discord when a token is set, otherwise the terminal front end."""
    if os.environ.get("DISCORD_TOKEN", "").strip():
        return run_discord(config)
    print("DISCORD_TOKEN is not set, so studybot starts in the terminal. To connect to Discord: " + TOKEN_HELP,
          file=sys.stderr)
    return console_main(config)
