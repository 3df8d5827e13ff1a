"""/review and /stats: a member's spaced review and progress chart, always only to them."""
from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot import discord_render as render
from bot.presenters import question_card
from bot.presenters_feedback import review_status_card
from bot.services.review import serve_next
from bot.views import guild_of, question_buttons, send


class ReviewCog(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @property
    def services(self):
        return self.bot.services  # type: ignore[attr-defined]

    @app_commands.command(name="review", description=_("Your questions due for review (only to you)"))
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        guild, user = guild_of(interaction), interaction.user.id
        study = self.services.study
        served = serve_next(self.services.review, lambda qid: study.set_current(
            guild, user, qid, via="review", display_name=interaction.user.display_name), guild, user)
        summary = review_status_card(served.counts, study.now())
        if served.question_id is None:
            await send(interaction, embed=render.embed(summary))
            return
        card = question_card(study.question(served.question_id), heading="復習")
        await send(interaction, embeds=[render.embed(card), render.embed(summary)], view=question_buttons(served.question_id))

    @app_commands.command(name="stats", description=_("Your progress chart (only to you)"))
    @app_commands.describe(member=_("whose chart (default: you)"))
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        guild = guild_of(interaction)
        who = member or interaction.user
        await interaction.response.defer(ephemeral=True, thinking=True)  # drawing the chart takes a moment
        png = self.services.study.stats_png(guild, who.id)
        embed = discord.Embed(title=f"{who.display_name} さんの学習の記録 (study stats)", color=0xFEE75C)
        embed.set_image(url="attachment://stats.png")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(png), filename="stats.png"), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ReviewCog(bot))
