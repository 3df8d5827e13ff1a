"""/question, /answer, /reveal, /hint, /help, /review and /stats: Discord's typed options to the command layer.

Names, descriptions and behaviour come from bot.commands.table; the signatures only give Discord the
option types (choices, lengths, a member picker) so it validates input before the bot sees it.
"""
from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.commands.spec import MemberRef
from bot.commands.table import command
from bot.core.answers import MAX_ANSWER_CHARS
from bot.frontends.discord.invoke import invoke
from bot.frontends.discord.views import AgainButton, DailyHintButton, HintButton, RevealCancelButton, RevealConfirmButton

Level = Literal["junior", "senior"]
QuestionId = app_commands.Range[str, 1, 64]  # ids are at most 64 characters (bot.frontends.discord.views.QID)
Category = app_commands.Range[str, 1, 100]  # a choice's value is at most 100 characters
AnswerText = app_commands.Range[str, None, MAX_ANSWER_CHARS]


def summary(name: str) -> _:
    return _(command(name).summary)


def described(name: str) -> dict[str, str | _]:
    return {o.name: _(o.description) for o in command(name).options}


def member_ref(member: discord.Member | discord.User | None) -> MemberRef | None:
    return MemberRef(member.id, member.display_name) if member is not None else None


class PracticeCog(commands.Cog):
    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @app_commands.command(name="question", description=summary("question"))
    @app_commands.describe(**described("question"))
    @app_commands.guild_only()
    async def question(self, interaction: discord.Interaction, level: Level | None = None,
                       category: Category | None = None) -> None:
        # The question goes out as the interaction's response, which Discord accepts whatever the bot's
        # channel permissions are (threads included), so nothing is checked here.
        await invoke(interaction, "question", level=level, category=category or None)

    @question.autocomplete("category")
    async def category_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        level = getattr(interaction.namespace, "level", None)
        names = self.bot.services.study.categories(level, containing=current)  # type: ignore[attr-defined]
        return [app_commands.Choice(name=c[:100], value=c[:100]) for c in names[:25]]

    @app_commands.command(name="answer", description=summary("answer"))
    @app_commands.describe(**described("answer"))
    @app_commands.guild_only()
    async def answer(self, interaction: discord.Interaction, text: AnswerText | None = None,
                     question: QuestionId | None = None) -> None:
        await invoke(interaction, "answer", text=text, question=question)

    @answer.autocomplete("question")
    async def answer_question_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.question_choices_for(current)

    @app_commands.command(name="reveal", description=summary("reveal"))
    @app_commands.describe(**described("reveal"))
    @app_commands.guild_only()
    async def reveal(self, interaction: discord.Interaction, question: QuestionId | None = None) -> None:
        await invoke(interaction, "reveal", question=question)

    @reveal.autocomplete("question")
    async def question_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.question_choices_for(current)

    def question_choices_for(self, current: str) -> list[app_commands.Choice[str]]:
        found = self.bot.services.study.suggest(current)  # type: ignore[attr-defined]
        return [app_commands.Choice(name=f"{qid} {title}"[:100], value=qid) for qid, title in found]

    @app_commands.command(name="hint", description=summary("hint"))
    @app_commands.describe(**described("hint"))
    @app_commands.guild_only()
    async def hint(self, interaction: discord.Interaction, question: QuestionId | None = None) -> None:
        await invoke(interaction, "hint", question=question)

    @hint.autocomplete("question")
    async def hint_question_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.question_choices_for(current)

    @app_commands.command(name="review", description=summary("review"))
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "review")

    @app_commands.command(name="stats", description=summary("stats"))
    @app_commands.describe(**described("stats"))
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        await invoke(interaction, "stats", member=member_ref(member))

    @app_commands.command(name="help", description=summary("help"))
    async def help(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "help")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(PracticeCog(bot))
    bot.add_dynamic_items(AgainButton)  # under an answer that could not be saved, for /answer and the daily post
    bot.add_dynamic_items(HintButton, DailyHintButton, RevealConfirmButton, RevealCancelButton)
