"""/privacy export and /privacy forget (bot.commands.privacy): every member's own data in this server.
Replies are ephemeral. The confirm and cancel buttons under /privacy forget are registered here, so a
confirmation still works after a restart (the command refuses one older than its time limit)."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.commands.table import GROUP_SUMMARIES
from bot.frontends.discord.cogs.practice import described, member_ref, summary
from bot.frontends.discord.invoke import invoke
from bot.frontends.discord.views import ForgetButton, ForgetCancelButton


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description=_(GROUP_SUMMARIES["privacy"]),
                                 guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True))

    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @privacy.command(name="export", description=summary("privacy export"))
    async def export(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "privacy export")

    @privacy.command(name="forget", description=summary("privacy forget"))
    @app_commands.describe(**described("privacy forget"))
    async def forget(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        # a member who left arrives as a User (Discord resolves no membership for them); the command asks Discord either way
        await invoke(interaction, "privacy forget", member=member_ref(member))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(PrivacyCog(bot))
    bot.add_dynamic_items(ForgetButton, ForgetCancelButton)
