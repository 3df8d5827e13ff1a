"""The daily question's `DailyChannel` over discord.py: send the post, find it again, post the reveal.

bot.services.daily.run_slot drives the two-phase protocol; this only talks to Discord. Whatever Discord
refuses becomes `PostFailed` with a reason code (shown to admins by /daily status) and a log line:
Forbidden -> no_permission and NotFound (Unknown Channel) -> channel_missing, which skip the day; any
other HTTP error (a 5xx) -> error, tried again later that day. Network failures propagate and run_slot
treats them as that same passing error. A channel missing from the cache is fetched before anyone
calls it missing.

Every request waits for its turn on the shared Pacer (bot.frontends.discord.pacer), so the daily fan-out
of many servers stays under Discord's global limit. A request still refused 429 after discord.py's own
retries was never carried out, so it is made again at the pace (RATE_LIMITED_TRIES), never left to the
5-minute retry. A thread that cannot be opened for a passing reason is owed (PostedMessage.thread_failed)
and opened later that day (`make_thread`); only a refusal gives it up.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import discord

from bot.core import daily as rules
from bot.core.daily import DailyPost
from bot.core.models import Question
from bot.frontends.discord import render
from bot.frontends.discord.pacer import Pacer, retry_after
from bot.frontends.discord.views import daily_answer_id, daily_buttons
from bot.presenters.progress import daily_post_card, daily_reveal_pages, ping_line, thread_name
from bot.services.daily import Daily, PagesSent, PostedMessage, PostFailed, PostTakenOver

log = logging.getLogger(__name__)
T = TypeVar("T")

# What the bot needs in the daily channel (the /daily setup check and the pre-flight check of a post).
# Read Message History: after a crash or a failed send, the post is looked for in the channel before it is
# sent again; without it the bot cannot know and would have to skip the day (never post twice).
POST_PERMISSIONS = {
    "view_channel": "チャンネルを見る (View Channel)",
    "send_messages": "メッセージを送信 (Send Messages)",
    "embed_links": "埋め込みリンク (Embed Links)",
    "read_message_history": "メッセージ履歴を読む (Read Message History)",
}
THREAD_PERMISSIONS = {
    "attach_files": "ファイルを添付 (Attach Files)",
    "create_public_threads": "公開スレッドの作成 (Create Public Threads)",
    "send_messages_in_threads": "スレッドでメッセージを送信 (Send Messages in Threads)",
}
# find_post looks at this many messages, from a little before the intent: the bot's clock and
# Discord's may disagree, and the marker (a custom id with the post's id) is unique anyway.
FIND_LIMIT = 200
HISTORY_PAGE = 100  # discord.py reads the history this many messages a request
CLOCK_SLACK = timedelta(minutes=10)
# A request refused 429 even after discord.py's five tries is made again, at the pace, this many times in
# all before the failure is recorded (a post then waits for its retry; a thread is owed).
RATE_LIMITED_TRIES = 3
THREAD_EXISTS = 160004  # Discord's JSON error code: the message has a thread already (its id is the message's)


def missing_permissions(channel: discord.abc.GuildChannel) -> list[str]:
    """The permissions the daily question needs that the bot lacks in `channel` (names for admins)."""
    me = channel.guild.me
    if me is None:
        return []
    have = channel.permissions_for(me)
    return [label for name, label in {**POST_PERMISSIONS, **THREAD_PERMISSIONS}.items() if not getattr(have, name)]


UNKNOWN_CHANNEL = 10003  # Discord's JSON error code


def _failed(error: discord.HTTPException, what: str) -> PostFailed:
    if isinstance(error, discord.Forbidden):
        reason = rules.NO_PERMISSION
    elif isinstance(error, discord.NotFound) and error.code == UNKNOWN_CHANNEL:
        reason = rules.CHANNEL_MISSING
    else:
        reason = rules.SEND_ERROR
    return PostFailed(reason, f"{what}: {error.status} {error.text or ''}".strip())


def _thread_failed(error: Exception) -> PostFailed:
    """Only a refusal gives a thread up: no permission, or the message or channel gone. Anything else
    (the rate limit, a 5xx, the network) passes, and the thread is opened later."""
    if isinstance(error, discord.NotFound):
        return PostFailed(rules.CHANNEL_MISSING, f"opening the thread: {error.status} {error.text or ''}".strip())
    if isinstance(error, discord.HTTPException):
        return _failed(error, "opening the thread")
    return PostFailed(rules.SEND_ERROR, f"opening the thread: {type(error).__name__}: {error}".strip())


class DiscordDailyChannel:
    """`pacer`: the one every daily request of the bot shares (StudyBot's); a channel of its own otherwise."""

    def __init__(self, client: discord.Client, daily: Daily, outputs_dir: Path | None = None, pacer: Pacer | None = None):
        self.client = client
        self.daily = daily
        self.outputs_dir = outputs_dir
        self.pacer = pacer or Pacer()

    async def _paced(self, request: Callable[[], Awaitable[T]], *, held: DailyPost | None = None) -> T:
        """Make `request` at its turn. A 429 that discord.py gave up on was not carried out by Discord, so
        it is made again after its Retry-After, at most RATE_LIMITED_TRIES in all. `held`: a post whose
        claim must still be this process's when its turn comes (the wait may outlast the lease)."""
        for tries in range(1, RATE_LIMITED_TRIES + 1):
            await self.pacer.slot()
            if held is not None and not self.daily.renew(held.id):
                raise PostTakenOver(held.id)
            try:
                return await request()
            except discord.HTTPException as error:
                if error.status != 429 or tries == RATE_LIMITED_TRIES:
                    raise
                log.warning("Discord still refuses a daily request for its rate limit; trying again (%d)", tries)
                await self.pacer.pause(retry_after(error.response.headers))
        raise AssertionError("unreachable: the last try returns or raises")

    async def _channel(self, post: DailyPost) -> discord.TextChannel:
        """The cache may simply not have it (yet): only Discord's 404 says the channel is gone."""
        channel = self.client.get_channel(post.channel_id)
        if channel is None:
            try:
                channel = await self._paced(lambda: self.client.fetch_channel(post.channel_id))
            except discord.HTTPException as error:
                raise self._log(post, _failed(error, f"looking up channel {post.channel_id}")) from None
        if not isinstance(channel, discord.abc.Messageable):
            raise self._log(post, PostFailed(rules.CHANNEL_MISSING, f"channel {post.channel_id} is not a text channel"))
        return channel  # type: ignore[return-value]

    @staticmethod
    def _log(post: DailyPost, failed: PostFailed) -> PostFailed:
        log.warning("daily question of guild %s (%s, channel %s): %s", post.guild_id, post.local_date,
                    post.channel_id, failed.stored)
        return failed

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        channel = await self._channel(post)
        me = getattr(channel.guild, "me", None)  # a fetched channel's guild may not be cached
        lacking = [label for name, label in POST_PERMISSIONS.items()
                   if me is not None and not getattr(channel.permissions_for(me), name)]
        if lacking:
            raise self._log(post, PostFailed(rules.NO_PERMISSION, "missing: " + ", ".join(lacking)))
        card = daily_post_card(post, question, self.daily.settings(post.guild_id))
        try:
            message = await self._paced(
                lambda: channel.send(embed=render.embed(card), view=daily_buttons(post.id), **self._ping(post)), held=post)
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "sending the question")) from None
        # From here the question is out: a missing thread must not make it a skipped day.
        return await self._with_thread(post, question, message)

    def _ping(self, post: DailyPost) -> dict[str, Any]:
        """The server's ping role (/daily setup ping_role), the one mention this send allows (issue 13)."""
        services = getattr(self.client, "services", None)
        role = services.engage.ping_role(post.guild_id) if services is not None else None
        if not role:
            return {}
        return {"content": ping_line(role), "allowed_mentions": discord.AllowedMentions(
            everyone=False, users=False, replied_user=False, roles=[discord.Object(role)])}

    async def make_thread(self, post: DailyPost, question: Question) -> PostedMessage:
        if post.message_id is None:
            raise PostFailed(rules.SEND_ERROR, "a thread for a question never posted")
        channel = await self._channel(post)
        return await self._with_thread(post, question, channel.get_partial_message(post.message_id))

    async def _with_thread(self, post: DailyPost, question: Question,
                           message: discord.Message | discord.PartialMessage) -> PostedMessage:
        """The posted message with its discussion thread, opened now if it has none."""
        existing = getattr(message, "thread", None)
        if existing is not None:
            return PostedMessage(message.id, existing.id)
        try:
            thread = await self._paced(lambda: message.create_thread(name=thread_name(post, question)))
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:
                return PostedMessage(message.id, message.id)
            failed = _thread_failed(error)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:  # the network: passes
            failed = _thread_failed(error)
        else:
            return PostedMessage(message.id, thread.id)
        if failed.final:
            log.warning("daily question of guild %s: no discussion thread (%s); the answer will be posted "
                        "under the message", post.guild_id, failed.stored)
        else:
            log.warning("daily question of guild %s: its discussion thread is opened later (%s)", post.guild_id,
                        failed.stored)
        return PostedMessage(message.id, None, failed)

    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        channel = await self._channel(post)
        since = min(post.intended_at or discord.utils.utcnow(), discord.utils.utcnow()) - CLOCK_SLACK
        me = self.client.user
        try:
            # one turn per page of history: the pages are read inside the loop, where the pace cannot step in
            await self.pacer.slot(math.ceil(FIND_LIMIT / HISTORY_PAGE))
            async for message in channel.history(limit=FIND_LIMIT, after=since):
                if me is not None and message.author.id == me.id and daily_answer_id(post.id) in _custom_ids(message):
                    question = self.daily.question(post.guild_id, post.id)
                    return await self._with_thread(post, question, message)
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "reading the channel history")) from None
        return None

    async def send_reveal(self, post: DailyPost, question: Question, sent: PagesSent) -> None:
        pages = daily_reveal_pages(post, question, self.outputs_dir)
        target = await self._reveal_target(post)
        first = post.pages_revealed  # a crash half-way: the pages before it are in the channel already
        try:
            for n in range(first, len(pages)):
                card = pages[n]
                try:
                    await self._send_page(target, post, card, first=n == first)
                except discord.NotFound:
                    if target.id == post.channel_id:
                        raise
                    log.warning("daily thread %s of guild %s is gone; posting the answer under the message",
                                post.thread_id, post.guild_id)
                    target = await self._channel(post)
                    await self._send_page(target, post, card, first=True)
                sent(n + 1)
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "posting the answer")) from None

    async def _send_page(self, target: Any, post: DailyPost, card: Any, *, first: bool) -> None:
        # the files are made anew for each try: a retried request reads them again
        await self._paced(lambda: target.send(embed=render.embed(card), files=render.files(card),
                                              **self._reference(post, target, first=first)))

    async def _reveal_target(self, post: DailyPost) -> Any:
        if post.thread_id:
            return self.client.get_channel(post.thread_id) or self.client.get_partial_messageable(
                post.thread_id, guild_id=post.guild_id, type=discord.ChannelType.public_thread)
        return await self._channel(post)

    @staticmethod
    def _reference(post: DailyPost, target: Any, *, first: bool) -> dict[str, Any]:
        """Without a thread the answer replies to the question's message (its first page does)."""
        if not first or target.id != post.channel_id or not post.message_id:
            return {}
        return {"reference": discord.MessageReference(message_id=post.message_id, channel_id=post.channel_id,
                                                      fail_if_not_exists=False)}


def _custom_ids(message: discord.Message) -> set[str]:
    found = set()
    for row in message.components:
        for child in getattr(row, "children", ()):
            if getattr(child, "custom_id", None):
                found.add(child.custom_id)
    return found
