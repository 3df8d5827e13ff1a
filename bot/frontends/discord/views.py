"""Buttons and modals. Every button is a DynamicItem with a stable custom_id, so buttons on
messages posted before a restart (yesterday's question) keep working. The custom_id formats live
here and nowhere else; each button runs a command of bot.commands.table through bot.frontends.discord.invoke."""
from __future__ import annotations

import io
import logging
import re
from typing import Any

import discord

from bot.commands.spec import Action, AnswerBox, MemberRef
from bot.core.answers import MAX_ANSWER_CHARS
from bot.core.errors import InvalidAnswer, StudyError
from bot.frontends.discord import render
from bot.presenters.cards import UNEXPECTED_ERROR, error_card
from bot.presenters.kept import AGAIN_LABEL, KEPT_FILENAME, text_in_card
from bot.presenters.study import HINT_LABEL, KEEP_HIDDEN_LABEL, SHOW_LABEL

log = logging.getLogger(__name__)
QID = r"(?P<qid>[a-z0-9][a-z0-9-]{0,63})"
POST_ID = r"(?P<post>\d{1,18})"


UNKNOWN_INTERACTION = 10062


def where(interaction: discord.Interaction) -> str:
    return f"guild={interaction.guild_id} channel={interaction.channel_id} user={interaction.user.id}"


async def send(interaction: discord.Interaction, *, ephemeral: bool = True, **kwargs: Any) -> None:
    """Reply, or follow up when the interaction was already answered or deferred."""
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


def expired(error: BaseException) -> bool:
    """Discord's 10062 Unknown interaction: the 3 seconds to answer had passed. Nothing can reach the member
    through this interaction any more, not even an apology, so it is a warning, not an error."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


async def report_error(interaction: discord.Interaction, error: BaseException, context: str) -> None:
    """The one error path: a member-facing message for StudyError, an apology (and a log) otherwise,
    and the apology too when Discord refuses the member-facing message, so the member always gets a reply."""
    if expired(error):
        log.warning("Discord dropped %s (%s): the bot answered after its 3 seconds", context, where(interaction))
        return
    if isinstance(error, StudyError):
        text = error.text if isinstance(error, InvalidAnswer) else None
        attachments = [discord.File(io.BytesIO(text.encode()), filename=KEPT_FILENAME)] if text and text.strip() else []
        try:
            await send(interaction, embed=render.embed(error_card(error.message)), files=attachments)
            return
        except discord.HTTPException as refused:
            if expired(refused):
                log.warning("Discord dropped %s (%s) before its message could say: %s", context, where(interaction), error)
                return
            log.error("Discord refused the message for %s in %s (%s): %s", type(error).__name__, context,
                      where(interaction), refused)
    else:
        log.error("unexpected error in %s (%s)", context, where(interaction), exc_info=error)
    try:
        await send(interaction, embed=render.embed(error_card(UNEXPECTED_ERROR)))
    except discord.HTTPException:
        log.warning("could not tell the member about the error (%s)", where(interaction))


async def run_command(interaction: discord.Interaction, name: str, **args: Any) -> None:
    """Through the client (StudyBot.run_command, bot.frontends.discord.invoke), which renders with these views."""
    await interaction.client.run_command(interaction, name, **args)  # type: ignore[attr-defined]


class AnswerModal(discord.ui.Modal):
    """The answer text box; its submission runs the answer command with the text."""

    def __init__(self, box: AnswerBox, custom_id: str):
        title = "今日の問題に回答 (daily answer)" if box.post_id else "回答 (answer)"
        super().__init__(title=title, custom_id=custom_id, timeout=None)
        self.box = box
        self.text: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label="あなたの回答 (your answer)", style=discord.TextStyle.paragraph, custom_id="answer_text",
            placeholder=box.title[:100], max_length=MAX_ANSWER_CHARS, required=True,
            default=box.text[:MAX_ANSWER_CHARS] or None,  # an answer that could not be saved, to send again
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await submit_answer(interaction, self.box, self.text.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error, f"answer modal {self.custom_id}")


def answer_modal(box: AnswerBox) -> AnswerModal:
    custom_id = f"daily:answer-modal:{box.post_id}" if box.post_id else f"study:answer-modal:{box.question_id}"
    return AnswerModal(box, custom_id)


async def submit_answer(interaction: discord.Interaction, box: AnswerBox, text: str) -> None:
    if box.post_id:
        await run_command(interaction, "daily answer", post=box.post_id, text=text)
    else:
        await run_command(interaction, "answer", question=box.question_id, text=text)


ORPHAN_MODAL = re.compile(rf"^(?:study:answer-modal:{QID}|daily:answer-modal:{POST_ID})$")


async def submit_orphan_modal(interaction: discord.Interaction) -> None:
    """An answer box opened before a restart: the new process has no modal object for it, so the answer
    is read from the payload and stored the same way, instead of being lost."""
    data: Any = interaction.data or {}
    match = ORPHAN_MODAL.match(data.get("custom_id", ""))
    if match is None:
        return
    text = next((c.get("value", "") for c in _inputs(data.get("components", [])) if c.get("custom_id") == "answer_text"), "")
    box = AnswerBox(match["qid"] or "", "", post_id=int(match["post"] or 0))
    try:
        await submit_answer(interaction, box, text)
    except Exception as error:  # noqa: BLE001 - every failure gets the one error path
        await report_error(interaction, error, f"answer modal {data.get('custom_id')} (opened before a restart)")


def _inputs(components: list[dict[str, Any]]) -> Any:
    for component in components:
        yield from _inputs(component.get("components", []))
        if "component" in component:  # a label (type 18) wraps one input
            yield component["component"]
        yield component


class _CommandButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"$^"):
    """A button that runs a command; subclasses say which, with which options."""

    what = "button"

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as error:  # noqa: BLE001 - every failure gets the one error path
            await report_error(interaction, error, f"{self.what} {self.custom_id}")


def _button(label: str, custom_id: str, *, primary: bool = False, emoji: str | None = None, row: int | None = None,
            disabled: bool = False) -> discord.ui.Button[Any]:
    style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
    return discord.ui.Button(label=label, style=style, custom_id=custom_id, emoji=emoji, row=row, disabled=disabled)


class AnswerButton(_CommandButton, template=rf"study:answer:{QID}"):
    what = "answer button"

    def __init__(self, question_id: str):
        super().__init__(_button("Answer 回答する", f"study:answer:{question_id}", primary=True, emoji="✍️"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> AnswerButton:
        return cls(match["qid"])

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "answer", question=self.question_id)


class RevealButton(_CommandButton, template=rf"study:reveal:{QID}"):
    what = "reveal button"

    def __init__(self, question_id: str):
        super().__init__(_button("Reveal 模範解答", f"study:reveal:{question_id}", emoji="💡"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> RevealButton:
        return cls(match["qid"])

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "reveal", question=self.question_id)


class HintButton(_CommandButton, template=rf"study:hint:{QID}"):
    """One more key point, only to the member who pressed it (a new message each press)."""

    what = "hint button"

    def __init__(self, question_id: str):
        super().__init__(_button(HINT_LABEL, f"study:hint:{question_id}", emoji="🔑"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> HintButton:
        return cls(match["qid"])

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "hint", question=self.question_id)


class RevealConfirmButton(_CommandButton, template=rf"study:reveal-ok:{QID}"):
    """Show: the card that asked becomes the model answer's first page."""

    what = "reveal confirm button"

    def __init__(self, question_id: str, label: str = SHOW_LABEL):
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.danger, custom_id=f"study:reveal-ok:{question_id}"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> RevealConfirmButton:
        return cls(match["qid"], item.label or SHOW_LABEL)

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "reveal", edit=True, question=self.question_id, confirmed=True)


class RevealCancelButton(_CommandButton, template=rf"study:reveal-no:{QID}"):
    what = "reveal cancel button"

    def __init__(self, question_id: str, label: str = KEEP_HIDDEN_LABEL):
        super().__init__(_button(label, f"study:reveal-no:{question_id}"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> RevealCancelButton:
        return cls(match["qid"], item.label or KEEP_HIDDEN_LABEL)

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "reveal cancel", edit=True)


class PageButton(_CommandButton, template=rf"study:page:{QID}:(?P<page>\d+):(?P<dir>prev|next)"):
    what = "page button"

    def __init__(self, question_id: str, page: int, direction: str, disabled: bool = False):
        label = "◀ 前へ" if direction == "prev" else "次へ ▶"
        super().__init__(_button(label, f"study:page:{question_id}:{page}:{direction}", disabled=disabled))
        self.question_id, self.page = question_id, page

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> PageButton:
        return cls(match["qid"], int(match["page"]), match["dir"])

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "reveal", page=self.page, edit=True, question=self.question_id)


class RateButton(_CommandButton, template=rf"review:rate:{QID}:(?P<rating>again|hard|good|easy)"):
    """How well the member recalled the model answer: schedules the question's next review."""

    what = "rating"

    def __init__(self, question_id: str, rating: str, label: str):
        super().__init__(_button(label, f"review:rate:{question_id}:{rating}", row=1))
        self.question_id, self.rating = question_id, rating

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> RateButton:
        return cls(match["qid"], match["rating"], item.label or match["rating"])

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "rate", question=self.question_id, rating=self.rating)


class AgainButton(_CommandButton, template=rf"(?:study:again:{QID}|daily:again:{POST_ID})"):
    """Under an answer that could not be saved: the answer box again, holding the member's text. The text is
    read back from the message the button is on (bot.presenters.kept), so this works after a restart too."""

    what = "send-again button"

    def __init__(self, question_id: str, post_id: int = 0, label: str = AGAIN_LABEL):
        custom_id = f"daily:again:{post_id}" if post_id else f"study:again:{question_id}"
        super().__init__(_button(label, custom_id, primary=True, emoji="✍️"))
        self.question_id, self.post_id = question_id, post_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> AgainButton:
        return cls(match["qid"] or "", int(match["post"] or 0), item.label or AGAIN_LABEL)

    async def run(self, interaction: discord.Interaction) -> None:
        draft = await kept_text(interaction.message)
        if self.post_id:
            await run_command(interaction, "daily answer", post=self.post_id, draft=draft)
        else:
            await run_command(interaction, "answer", question=self.question_id, draft=draft)


async def kept_text(message: discord.Message | None) -> str:
    """The text an answer-not-saved reply gave back: inline in its embed, else its attached file."""
    if message is None:
        return ""
    for embed in message.embeds:
        inline = text_in_card(embed.description or "")
        if inline is not None:
            return inline
    for attachment in message.attachments:
        if attachment.filename == KEPT_FILENAME:
            try:
                return (await attachment.read()).decode("utf-8", "replace")
            except discord.HTTPException:
                log.warning("could not read %s back for the answer box (%s)", KEPT_FILENAME, message.id)
    return ""


# -- the daily question's buttons: their custom ids are also the post's markers, which reconciling looks for
def daily_answer_id(post_id: int) -> str:
    return f"daily:answer:{post_id}"


def daily_reveal_id(post_id: int) -> str:
    return f"daily:reveal:{post_id}"


class DailyAnswerButton(_CommandButton, template=rf"daily:answer:{POST_ID}"):
    what = "daily answer button"

    def __init__(self, post_id: int):
        super().__init__(_button("Answer 回答する", daily_answer_id(post_id), primary=True, emoji="✍️"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> DailyAnswerButton:
        return cls(int(match["post"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "daily answer", post=self.post_id)


class DailyRevealButton(_CommandButton, template=rf"daily:reveal:{POST_ID}"):
    """The model answer to this member only, paged like /reveal (the thread gets it at reveal time)."""

    what = "daily reveal button"

    def __init__(self, post_id: int):
        super().__init__(_button("Reveal 模範解答", daily_reveal_id(post_id), emoji="💡"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> DailyRevealButton:
        return cls(int(match["post"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "daily reveal", post=self.post_id)


class DailyHintButton(_CommandButton, template=rf"daily:hint:{POST_ID}"):
    """One more key point of the post's question, only to the member who pressed it."""

    what = "daily hint button"

    def __init__(self, post_id: int):
        super().__init__(_button(HINT_LABEL, f"daily:hint:{post_id}", emoji="🔑"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> DailyHintButton:
        return cls(int(match["post"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "daily hint", post=self.post_id)


class ForgetButton(_CommandButton, template=r"privacy:forget:(?P<user>\d{1,20}):(?P<issued>\d{1,12})"):
    """Confirms /privacy forget: whose data, and when it was asked (the command refuses an old one)."""

    what = "forget button"

    def __init__(self, user_id: int, issued: int):
        super().__init__(discord.ui.Button(label="確認 (confirm)", style=discord.ButtonStyle.danger,
                                           custom_id=f"privacy:forget:{user_id}:{issued}"))
        self.user_id, self.issued = user_id, issued

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> ForgetButton:
        return cls(int(match["user"]), int(match["issued"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "privacy confirm", edit=True, member=MemberRef(self.user_id, ""), issued=self.issued)


class ForgetCancelButton(_CommandButton, template=r"privacy:cancel"):
    what = "forget cancel button"

    def __init__(self) -> None:
        super().__init__(_button("キャンセル (cancel)", "privacy:cancel"))

    @classmethod
    async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> ForgetCancelButton:
        return cls()

    async def run(self, interaction: discord.Interaction) -> None:
        await run_command(interaction, "privacy cancel", edit=True)


def daily_buttons(post_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DailyAnswerButton(post_id))
    view.add_item(DailyRevealButton(post_id))
    view.add_item(DailyHintButton(post_id))
    return view


def _item(action: Action) -> discord.ui.Item[Any]:
    if action.kind == "answer":
        return AnswerButton(action.question_id)
    if action.kind == "reveal":
        return RevealButton(action.question_id)
    if action.kind == "rate":
        return RateButton(action.question_id, action.value, action.label)
    if action.kind == "daily_answer":
        return DailyAnswerButton(action.post_id)
    if action.kind == "forget":
        user_id, issued = action.value.split(":")
        return ForgetButton(int(user_id), int(issued))
    if action.kind == "forget_cancel":
        return ForgetCancelButton()
    if action.kind == "hint":
        return HintButton(action.question_id)
    if action.kind == "reveal_confirm":
        return RevealConfirmButton(action.question_id, action.label or SHOW_LABEL)
    if action.kind == "reveal_cancel":
        return RevealCancelButton(action.question_id, action.label or KEEP_HIDDEN_LABEL)
    if action.kind == "answer_again":
        return AgainButton(action.question_id, action.post_id, action.label or AGAIN_LABEL)
    return DailyRevealButton(action.post_id)


def action_view(actions: tuple[Action, ...]) -> discord.ui.View | None:
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(_item(action))
    return view


def pager(question_id: str, page: int, total: int, actions: tuple[Action, ...]) -> discord.ui.View:
    """Page buttons (when there is more than one page) and, below them, the reply's own buttons (the rating)."""
    view = discord.ui.View(timeout=None)
    if total > 1:
        view.add_item(PageButton(question_id, max(page - 1, 1), "prev", disabled=page <= 1))
        view.add_item(PageButton(question_id, min(page + 1, total), "next", disabled=page >= total))
    for action in actions:
        view.add_item(_item(action))
    return view
