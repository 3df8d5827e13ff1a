"""/review and /stats: a member's spaced review and progress chart, always only to them."""
from __future__ import annotations

import asyncio
import io
from pathlib import Path

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.frontends.discord import render
from bot.frontends.discord.views import guild_of, question_buttons, send
from bot.presenters.feedback import review_cards, stats_card
from bot.services.review import serve_next


class ReviewCog(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @property
    def services(self):
        return self.bot.services  # type: ignore[attr-defined]

    @app_commands.command(name="review", description=_("Your questions due for review (only to you)"))
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        services = self.services
        served = serve_next(services.review, services.study, guild_of(interaction), interaction.user.id,
                            interaction.user.display_name)
        embeds = [render.embed(card) for card in review_cards(served)]
        if served.question is None:
            await send(interaction, embeds=embeds)
            return
        await send(interaction, embeds=embeds, view=question_buttons(served.question.id))

    @app_commands.command(name="stats", description=_("Your progress chart (only to you)"))
    @app_commands.describe(member=_("whose chart (default: you)"))
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        guild = guild_of(interaction)
        who = member or interaction.user
        await interaction.response.defer(ephemeral=True, thinking=True)  # drawing the chart takes a moment
        draw = self.services.study.stats_chart(guild, who.id)  # reads the database here, on the loop's thread
        png = await asyncio.to_thread(draw)  # 0.5-3 s of matplotlib: the event loop keeps serving everyone else
        card = stats_card(who.display_name, Path("stats.png"))
        await interaction.followup.send(embed=render.embed(card), file=discord.File(io.BytesIO(png), filename=card.image.name),
                                        ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ReviewCog(bot))
