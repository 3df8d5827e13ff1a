"""Interactions to the command layer and its replies back: the one path every slash command and button takes.

`invoke` turns an interaction into an Invocation, runs the command's handler from bot.commands.table in a
study thread (bot.frontends.discord.study_thread) and delivers the Reply: embeds within Discord's limits,
buttons for its actions, a modal for an answer box, a figure drawn off the event loop, ephemeral unless the
reply is public. A handler still running after ANSWER_BUDGET is deferred, so Discord's 3 seconds never
pass unanswered; its reply then goes as the deferred message.
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

from bot.commands.spec import Invocation, Reply
from bot.commands.table import command
from bot.core.errors import StudyError
from bot.core.paging import shorten
from bot.frontends.discord import render
from bot.frontends.discord.daily_channel import POST_PERMISSIONS, missing_permissions
from bot.frontends.discord.study_thread import call_on_main, to_main
from bot.frontends.discord.views import action_view, answer_modal, pager, send
from bot.presenters.progress import CHANNEL_MISSING_NOTE, permission_warning

log = logging.getLogger(__name__)
T = TypeVar("T")
CONTENT_LIMIT = 2000
MEMBERSHIP_UNKNOWN = ("Discord からメンバー情報を取得できませんでした。しばらくしてからもう一度試してください。 "
                      "(Discord did not say whether that member is in the server; try again later.)")
# How long a command may run before its interaction is deferred. Discord drops an interaction not answered
# within 3 s (10062); deferring costs a second request and shows "thinking…", so a command that answers
# quickly (nearly all do, in milliseconds) answers directly. The second left covers the defer's own trip
# and a busy loop.
ANSWER_BUDGET = 2.0
TOO_LATE_FOR_A_BOX = ("入力欄を開くのに時間がかかりすぎました。もう一度押してください。 "
                      "(The answer box took too long to open; press the button again.)")
DEFERRED = "deferred_ephemeral"  # interaction.extras key: how the interaction was deferred (None: not by us)


class DiscordSurface:
    """What Discord can do for a command: a timer that posts, channels with permissions, buttons."""

    posts_on_schedule = True
    has_buttons = True

    def __init__(self, interaction: discord.Interaction):
        self.interaction = interaction
        self.bot: Any = interaction.client
        self.loop = asyncio.get_running_loop()  # the client's: what touches Discord or its objects runs there

    def daily_channel(self) -> Any:
        return self.bot.daily_channel()  # its methods are awaited inside `exclusive`, on the client's loop

    async def exclusive(self, guild_id: int, run: Callable[[], Awaitable[T]]) -> T:
        scheduler = getattr(self.bot, "daily_scheduler", None)  # never beside the timer, the sweep or catch-up
        return await to_main(self.loop, scheduler.exclusive(guild_id, run) if scheduler is not None else run())

    def reschedule(self, guild_id: int) -> None:
        reschedule = getattr(self.bot, "reschedule_daily", None)
        if reschedule is not None:
            call_on_main(self.loop, reschedule, guild_id)  # APScheduler's timers belong to the client's loop

    async def channel_problems(self, channel_id: int) -> tuple[tuple[str, str], ...]:
        return await to_main(self.loop, self._channel_problems(channel_id))

    async def _channel_problems(self, channel_id: int) -> tuple[tuple[str, str], ...]:
        """Missing from the cache is not gone: only Discord's 404 says so."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            if not self.interaction.response.is_done():
                await defer_once(self.interaction, ephemeral=True)  # asking Discord may take a moment
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                return (CHANNEL_MISSING_NOTE,)
            except discord.Forbidden:
                return (permission_warning([POST_PERMISSIONS["view_channel"]]),)
            except discord.HTTPException:
                log.info("channel %s could not be looked up", channel_id, exc_info=True)
                return ()
        lacking = missing_permissions(channel) if isinstance(channel, discord.abc.GuildChannel) else []
        if lacking:
            log.warning("daily channel %s of guild %s lacks: %s", channel_id, self.interaction.guild_id, ", ".join(lacking))
        return (permission_warning(lacking),) if lacking else ()

    def default_timezone(self) -> str:
        return "UTC"  # never used: /daily setup asks for the timezone

    def own_help(self) -> tuple[tuple[str, str], ...]:
        return ()

    def shown_here(self) -> tuple[Any, ...]:
        return ()  # the daily question goes to its channel, not into this reply

    def manages_server(self) -> bool:
        permissions = self.interaction.permissions  # the member's, in this channel, as Discord computed them
        return permissions.manage_guild or permissions.administrator

    async def in_server(self, guild_id: int, user_id: int) -> bool:
        return await to_main(self.loop, self._in_server(guild_id, user_id))

    async def _in_server(self, guild_id: int, user_id: int) -> bool:
        """Asked of Discord: without the privileged members intent the bot's member cache misses departures."""
        try:
            await self.bot.http.get_member(guild_id, user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException as error:
            log.info("membership of %s in guild %s could not be looked up: %s", user_id, guild_id, error)
            raise StudyError(MEMBERSHIP_UNKNOWN) from None
        return True


def invocation(interaction: discord.Interaction) -> Invocation:
    services = interaction.client.services  # type: ignore[attr-defined]
    return Invocation(services, DiscordSurface(interaction), interaction.user.id, interaction.user.display_name,
                      interaction.guild_id, interaction.channel_id)


async def invoke(interaction: discord.Interaction, name: str, *, page: int = 1, edit: bool = False, **args: Any) -> None:
    """Run command `name` with `args` (None values left out) in a study thread and deliver its reply; deferred
    if it takes longer than ANSWER_BUDGET (at once for a `slow` command)."""
    cmd = command(name)
    threads = getattr(interaction.client, "study_threads", None)
    ctx, given = invocation(interaction), {k: v for k, v in args.items() if v is not None}
    # handed over first: a member's answer is stored even when Discord has dropped the interaction
    work = asyncio.ensure_future(threads.run(lambda: cmd.handler(ctx, given), slow=cmd.slow) if threads else cmd.handler(ctx, given))
    try:
        if cmd.slow:  # a chart or a post may take seconds
            await defer_once(interaction, ephemeral=not public_likely(name, given), edit=edit)
        done, _ = await asyncio.wait({work}, timeout=budget_left(interaction))
        if not done:
            await defer_once(interaction, ephemeral=not public_likely(name, given), edit=edit)
        reply = await work
    except asyncio.CancelledError:
        work.cancel()
        raise
    except discord.HTTPException:  # the defer refused (dropped after 3 s): the command still finishes, its answer stored
        with contextlib.suppress(Exception):
            await work
        raise
    await deliver(interaction, reply, page=page, edit=edit)


def budget_left(interaction: discord.Interaction) -> float:
    """ANSWER_BUDGET from when Discord created the interaction (its id says when), so time it spent reaching
    the bot or waiting for a busy loop counts. Clocks disagree: never more than the budget from now, and a
    clock far ahead of Discord's only makes every command defer at once."""
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return min(max(ANSWER_BUDGET - age, 0.0), ANSWER_BUDGET)


def public_likely(name: str, args: dict[str, Any]) -> bool:
    """Whether the reply will be public, guessed before it exists: a deferred reply's visibility is fixed when
    it is deferred (deliver corrects a wrong guess, at the cost of a second message)."""
    return name == "question" or bool(args.get("share"))


async def defer_once(interaction: discord.Interaction, *, ephemeral: bool, edit: bool = False) -> None:
    """Defer (thinking…, or for a button that edits its message, an update) unless already answered. Marked
    before the request so two deferrers on the loop never both send one."""
    if interaction.response.is_done() or DEFERRED in interaction.extras:
        return
    interaction.extras[DEFERRED] = ephemeral
    if edit:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def deliver(interaction: discord.Interaction, reply: Reply, *, page: int = 1, edit: bool = False) -> None:
    if reply.ask is not None:
        if interaction.response.is_done():  # deferred: Discord opens a modal only as the first response
            await send(interaction, content=TOO_LATE_FOR_A_BOX, ephemeral=True)
            return
        await interaction.response.send_modal(answer_modal(reply.ask))
        return
    cards, view = reply.cards, action_view(reply.actions)
    if reply.pages_of:
        page = min(max(page, 1), len(cards))
        cards, view = cards[page - 1: page], pager(reply.pages_of, page, len(reply.cards), reply.actions)
    files = [f for card in cards for f in render.files(card)]
    files += [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.attachments]
    if reply.figure is not None:
        if not interaction.response.is_done():
            await defer_once(interaction, ephemeral=not reply.public)
        png = await interaction.client.charts.draw(reply.figure)  # type: ignore[attr-defined]  # in the chart pool
        files.append(discord.File(io.BytesIO(png), filename=reply.figure.filename))
    message: dict[str, Any] = {"embeds": [render.embed(card) for card in cards]}
    if reply.notes:
        message["content"] = shorten("\n".join(reply.notes), CONTENT_LIMIT)
    if view is not None:
        message["view"] = view
    if edit:  # the reply replaces the message its button is on, buttons included (none: they go)
        if interaction.response.is_done():  # deferred as an update of that message
            await interaction.edit_original_response(attachments=files, **{"view": view, **message})
        else:
            await interaction.response.edit_message(attachments=files, **{"view": view, **message})
        return
    deferred = interaction.extras.get(DEFERRED)
    if deferred is not None and deferred != (not reply.public):
        # deferred the other way (public_likely guessed wrong): the "thinking" message would give its
        # visibility to the reply, so it goes and the reply comes as a message of its own
        await interaction.delete_original_response()
    await send(interaction, files=files, ephemeral=not reply.public, **message)
