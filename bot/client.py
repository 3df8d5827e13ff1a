"""The Discord client: wires services into discord.py, registers persistent buttons, syncs commands."""
from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.translations import JapaneseTranslator
from bot.views import AnswerButton, PageButton, RevealButton, report_error

log = logging.getLogger(__name__)
EXTENSIONS = ("bot.cogs.study",)


class StudyBot(commands.Bot):
    def __init__(self, services: Services, *, dev_guild_id: int | None = None, extensions=EXTENSIONS, **options):
        # default intents only: nothing privileged (no message content, members or presences)
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(), help_command=None, **options)
        self.services = services
        self.study = services.study
        self.dev_guild_id = dev_guild_id
        self.extension_names = extensions
        self.extra_help: tuple[tuple[str, str], ...] = ()
        self.tree.on_error = self.on_app_command_error

    async def setup_hook(self) -> None:
        await self.tree.set_translator(JapaneseTranslator())
        for name in self.extension_names:
            await self.load_extension(name)
        self.add_dynamic_items(AnswerButton, RevealButton, PageButton)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        if self.dev_guild_id:
            guild = discord.Object(self.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), self.dev_guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        cause = getattr(error, "original", error)
        if isinstance(error, app_commands.NoPrivateMessage):
            from bot.core.errors import StudyError

            cause = StudyError("このコマンドはサーバー内で使ってください（DM では使えません）。 (Use this command in a server, not in DMs.)")
        name = interaction.command.qualified_name if interaction.command else "?"
        await report_error(interaction, cause, f"/{name}")
