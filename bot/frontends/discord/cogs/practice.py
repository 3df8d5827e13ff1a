"""/question, /answer, /reveal, /help: parse the interaction, call Study (answers through Answering), render the card."""
from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.core.answers import MAX_ANSWER_CHARS
from bot.core.errors import InvalidAnswer
from bot.frontends.discord import render
from bot.frontends.discord.views import answer_modal, guild_of, question_buttons, send, send_reveal
from bot.presenters.feedback import answered_card
from bot.presenters.study import help_card, question_card

Level = Literal["junior", "senior"]
QuestionId = app_commands.Range[str, 1, 64]  # ids are at most 64 characters (bot.views.QID)
Category = app_commands.Range[str, 1, 100]  # a choice's value is at most 100 characters


class PracticeCog(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @property
    def study(self):
        return self.bot.study  # type: ignore[attr-defined]

    @property
    def answering(self):
        return self.bot.answering  # type: ignore[attr-defined]

    @app_commands.command(name="question", description=_("Draw a practice question you have not seen recently"))
    @app_commands.describe(level=_("junior or senior"), category=_("a section of the question bank"))
    @app_commands.guild_only()
    async def question(self, interaction: discord.Interaction, level: Level | None = None,
                       category: Category | None = None) -> None:
        # The question goes out as the interaction's response, which Discord accepts whatever the bot's
        # channel permissions are (threads included), so nothing is checked here.
        q = self.study.draw(guild_of(interaction), interaction.user.id, level, category or None,
                            display_name=interaction.user.display_name)
        await interaction.response.send_message(embed=render.embed(question_card(q)), view=question_buttons(q.id))

    @question.autocomplete("category")
    async def category_choices(self, interaction: discord.Interaction, current: str):
        level = getattr(interaction.namespace, "level", None)
        names = self.study.categories(level, containing=current)
        return [app_commands.Choice(name=c[:100], value=c[:100]) for c in names[:25]]

    @app_commands.command(name="answer", description=_("Answer your current question"))
    @app_commands.describe(text=_("your answer (leave empty to open a text box)"))
    @app_commands.guild_only()
    async def answer(self, interaction: discord.Interaction, text: app_commands.Range[str, None, MAX_ANSWER_CHARS] | None = None) -> None:
        guild = guild_of(interaction)
        if text is None:
            q = self.answering.current(guild, interaction.user.id)
            await interaction.response.send_modal(answer_modal(q.id, q.title))
            return
        try:
            answered = self.answering.answer(guild, interaction.user.id, text, display_name=interaction.user.display_name)
        except InvalidAnswer as error:
            error.text = text
            raise
        await send(interaction, embed=render.embed(answered_card(answered)))

    @app_commands.command(name="reveal", description=_("Show the model answer, code and its real output (only to you)"))
    @app_commands.describe(question=_("a question id; empty for your current question"))
    @app_commands.guild_only()
    async def reveal(self, interaction: discord.Interaction, question: QuestionId | None = None) -> None:
        await send_reveal(interaction, question, page=1)

    @reveal.autocomplete("question")
    async def question_choices(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=f"{qid} {title}"[:100], value=qid) for qid, title in self.study.suggest(current)]

    @app_commands.command(name="help", description=_("What the bot does and every command"))
    async def help(self, interaction: discord.Interaction) -> None:
        await send(interaction, embed=render.embed(help_card(getattr(self.bot, "extra_help", ()))))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(PracticeCog(bot))
