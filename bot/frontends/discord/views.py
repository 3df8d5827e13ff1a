"""Buttons and modals. Every button is a DynamicItem with a stable custom_id, so buttons on
messages posted before a restart (yesterday's question) keep working."""
from __future__ import annotations

import io
import logging
import re

import discord

from bot.core.answers import MAX_ANSWER_CHARS
from bot.core.errors import InvalidAnswer, StudyError
from bot.frontends.discord import render
from bot.presenters.feedback import RATING_BUTTONS, answered_card, rated_card
from bot.presenters.study import UNEXPECTED_ERROR, error_card, reveal_pages

log = logging.getLogger(__name__)
QID = r"(?P<qid>[a-z0-9][a-z0-9-]{0,63})"
POST_ID = r"(?P<post>\d{1,18})"


def services(interaction: discord.Interaction):
    return interaction.client.study  # type: ignore[attr-defined]


def answering(interaction: discord.Interaction):
    """bot.services.answering.Answering: which question an answer is for, and whether it counts."""
    return interaction.client.answering  # type: ignore[attr-defined]


def where(interaction: discord.Interaction) -> str:
    return f"guild={interaction.guild_id} channel={interaction.channel_id} user={interaction.user.id}"


async def send(interaction: discord.Interaction, *, ephemeral: bool = True, **kwargs) -> None:
    """Reply, or follow up when the interaction was already answered or deferred."""
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def report_error(interaction: discord.Interaction, error: BaseException, context: str) -> None:
    """The one error path: a member-facing message for StudyError, an apology (and a log) otherwise,
    and the apology too when Discord refuses the member-facing message, so the member always gets a reply."""
    if isinstance(error, StudyError):
        text = getattr(error, "text", None) if isinstance(error, InvalidAnswer) else None
        attachments = [discord.File(io.BytesIO(text.encode()), filename="your_answer.txt")] if text and text.strip() else []
        try:
            await send(interaction, embed=render.embed(error_card(error.message)), files=attachments)
            return
        except discord.HTTPException as refused:
            log.error("Discord refused the message for %s in %s (%s): %s", type(error).__name__, context,
                      where(interaction), refused)
    else:
        log.error("unexpected error in %s (%s)", context, where(interaction), exc_info=error)
    try:
        await send(interaction, embed=render.embed(error_card(UNEXPECTED_ERROR)))
    except discord.HTTPException:
        log.warning("could not tell the member about the error (%s)", where(interaction))


def guild_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise StudyError("このボタンはサーバーのチャンネルで使ってください。 (Use this in a server channel.)")
    return interaction.guild_id


class AnswerModal(discord.ui.Modal):
    """The answer text box. `submit(interaction, text)` stores the answer and returns its receipt."""

    def __init__(self, custom_id: str, title: str, placeholder: str, submit, context: str):
        super().__init__(title=title, custom_id=custom_id, timeout=None)
        self.submit, self.context = submit, context
        self.text = discord.ui.TextInput(
            label="あなたの回答 (your answer)", style=discord.TextStyle.paragraph, custom_id="answer_text",
            placeholder=placeholder[:100], max_length=MAX_ANSWER_CHARS, required=True,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await store_answer(interaction, self.submit, self.text.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error, self.context)


async def store_answer(interaction: discord.Interaction, submit, text: str) -> None:
    try:
        answered = submit(interaction, text)
    except InvalidAnswer as error:
        error.text = text  # attached to the reply, so nothing typed is lost
        raise
    await send(interaction, embed=render.embed(answered_card(answered)))


ORPHAN_MODAL = re.compile(rf"^(?:study:answer-modal:{QID}|daily:answer-modal:{POST_ID})$")


async def submit_orphan_modal(interaction: discord.Interaction) -> None:
    """An answer box opened before a restart: the new process has no modal object for it, so the answer
    is read from the payload and stored the same way, instead of being lost."""
    match = ORPHAN_MODAL.match((interaction.data or {}).get("custom_id", ""))
    text = next((c.get("value", "") for c in _inputs(interaction.data.get("components", [])) if c.get("custom_id") == "answer_text"), "")
    modal = answer_modal(match["qid"], "") if match["qid"] else daily_answer_modal(int(match["post"]), "")
    try:
        await store_answer(interaction, modal.submit, text)
    except Exception as error:  # noqa: BLE001
        await report_error(interaction, error, modal.context + " (opened before a restart)")


def _inputs(components: list[dict]):
    for component in components:
        yield from _inputs(component.get("components", []))
        if "component" in component:  # a label (type 18) wraps one input
            yield component["component"]
        yield component


def answer_modal(question_id: str, title: str) -> AnswerModal:
    def submit(interaction: discord.Interaction, text: str):
        return answering(interaction).answer(guild_of(interaction), interaction.user.id, text, question_id=question_id,
                                             display_name=interaction.user.display_name)

    return AnswerModal(f"study:answer-modal:{question_id}", "回答 (answer)", title, submit, f"answer modal {question_id}")


def daily_answer_modal(post_id: int, title: str) -> AnswerModal:
    def submit(interaction: discord.Interaction, text: str):
        return answering(interaction).answer_daily(guild_of(interaction), interaction.user.id, post_id, text,
                                                   display_name=interaction.user.display_name)

    return AnswerModal(f"daily:answer-modal:{post_id}", "今日の問題に回答 (daily answer)", title, submit,
                       f"daily answer modal {post_id}")


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"study:answer:{QID}"):
    def __init__(self, question_id: str):
        super().__init__(discord.ui.Button(label="Answer 回答する", style=discord.ButtonStyle.primary,
                                           custom_id=f"study:answer:{question_id}", emoji="✍️"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            q = services(interaction).question(self.question_id)
            await interaction.response.send_modal(answer_modal(q.id, q.title))
        except Exception as error:  # noqa: BLE001 - every failure gets the one error path
            await report_error(interaction, error, f"answer button {self.question_id}")


class RevealButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"study:reveal:{QID}"):
    def __init__(self, question_id: str):
        super().__init__(discord.ui.Button(label="Reveal 模範解答", style=discord.ButtonStyle.secondary,
                                           custom_id=f"study:reveal:{question_id}", emoji="💡"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await send_reveal(interaction, self.question_id, page=1)
        except Exception as error:  # noqa: BLE001
            await report_error(interaction, error, f"reveal button {self.question_id}")


class PageButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"study:page:{QID}:(?P<page>\d+):(?P<dir>prev|next)"):
    def __init__(self, question_id: str, page: int, direction: str, disabled: bool = False):
        label = "◀ 前へ" if direction == "prev" else "次へ ▶"
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                                           custom_id=f"study:page:{question_id}:{page}:{direction}"))
        self.question_id, self.page = question_id, page

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(match["qid"], int(match["page"]), match["dir"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await send_reveal(interaction, self.question_id, page=self.page, edit=True)
        except Exception as error:  # noqa: BLE001
            await report_error(interaction, error, f"page button {self.question_id}")


def question_buttons(question_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(question_id))
    view.add_item(RevealButton(question_id))
    return view


class RateButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"review:rate:{QID}:(?P<rating>again|hard|good|easy)"):
    """How well the member recalled the model answer: schedules the question's next review."""

    def __init__(self, question_id: str, rating: str, label: str):
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, row=1,
                                           custom_id=f"review:rate:{question_id}:{rating}"))
        self.question_id, self.rating = question_id, rating

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(match["qid"], match["rating"], item.label or match["rating"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            review = interaction.client.services.review  # type: ignore[attr-defined]
            due = review.rate(guild_of(interaction), interaction.user.id, self.question_id, self.rating)
            card = rated_card(self.question_id, self.rating, due, services(interaction).now())
            await send(interaction, embed=render.embed(card))
        except Exception as error:  # noqa: BLE001
            await report_error(interaction, error, f"rating {self.question_id}")


def pager(question_id: str, page: int, total: int) -> discord.ui.View:
    """Page buttons (when there is more than one page) and, below them, the recall rating buttons."""
    view = discord.ui.View(timeout=None)
    if total > 1:
        view.add_item(PageButton(question_id, max(page - 1, 1), "prev", disabled=page <= 1))
        view.add_item(PageButton(question_id, min(page + 1, total), "next", disabled=page >= total))
    for rating, label in RATING_BUTTONS:
        view.add_item(RateButton(question_id, rating, label))
    return view


async def send_reveal(interaction: discord.Interaction, question_id: str | None, *, page: int, edit: bool = False) -> None:
    """The model answer, code and output, one page at a time, only to the member who asked."""
    study = services(interaction)
    q = answering(interaction).reveal(guild_of(interaction), interaction.user.id, question_id)
    pages = reveal_pages(q, study.outputs_dir)
    page = min(max(page, 1), len(pages))
    card = pages[page - 1]
    kwargs = dict(embed=render.embed(card), view=pager(q.id, page, len(pages)))
    if edit:
        await interaction.response.edit_message(attachments=render.files(card), **kwargs)
    else:
        await send(interaction, files=render.files(card), **kwargs)


# -- the daily question's buttons: custom ids are the post's markers (DailyPost.answer_custom_id / reveal_custom_id)
class DailyAnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"daily:answer:{POST_ID}"):
    def __init__(self, post_id: int):
        super().__init__(discord.ui.Button(label="Answer 回答する", style=discord.ButtonStyle.primary,
                                           custom_id=f"daily:answer:{post_id}", emoji="✍️"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            q = interaction.client.services.daily.question(guild_of(interaction), self.post_id)  # type: ignore[attr-defined]
            await interaction.response.send_modal(daily_answer_modal(self.post_id, q.title))
        except Exception as error:  # noqa: BLE001 - every failure gets the one error path
            await report_error(interaction, error, f"daily answer button {self.post_id}")


class DailyRevealButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"daily:reveal:{POST_ID}"):
    """The model answer to this member only, paged like /reveal (the thread gets it at reveal time)."""

    def __init__(self, post_id: int):
        super().__init__(discord.ui.Button(label="Reveal 模範解答", style=discord.ButtonStyle.secondary,
                                           custom_id=f"daily:reveal:{post_id}", emoji="💡"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            q = interaction.client.services.daily.question(guild_of(interaction), self.post_id)  # type: ignore[attr-defined]
            await send_reveal(interaction, q.id, page=1)
        except Exception as error:  # noqa: BLE001
            await report_error(interaction, error, f"daily reveal button {self.post_id}")


def daily_buttons(post) -> discord.ui.View:
    """Answer / Reveal for a daily post; their custom ids are the post's markers, which reconciling looks for."""
    view = discord.ui.View(timeout=None)
    answer, reveal = DailyAnswerButton(post.id), DailyRevealButton(post.id)
    assert answer.custom_id == post.answer_custom_id and reveal.custom_id == post.reveal_custom_id
    view.add_item(answer)
    view.add_item(reveal)
    return view
