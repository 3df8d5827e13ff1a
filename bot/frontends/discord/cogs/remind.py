"""/remind: Discord's typed options to the command layer (bot.commands.remind); the reply is only for the member."""
from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.frontends.discord.cogs.practice import described, summary
from bot.frontends.discord.invoke import invoke

Switch = Literal["on", "off"]


class RemindCog(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @app_commands.command(name="remind", description=summary("remind"))
    @app_commands.describe(**described("remind"))
    @app_commands.guild_only()
    async def remind(self, interaction: discord.Interaction, streak: Switch | None = None, review: Switch | None = None,
                     time: str | None = None) -> None:
        await invoke(interaction, "remind", streak=streak, review=review, time=time or None)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(RemindCog(bot))
