"""The daily question's `DailyChannel` over discord.py: send the post, find it again, post the reveal.

bot.services.daily.run_slot drives the two-phase protocol; this only talks to Discord. Whatever Discord
refuses becomes `PostFailed` with a reason code (shown to admins by /daily status) and a log line:
Forbidden -> no_permission and NotFound (Unknown Channel) -> channel_missing, which skip the day; any
other HTTP error (a 5xx) -> error, tried again later that day. Network failures propagate and run_slot
treats them as that same passing error. A channel missing from the cache is fetched before anyone
calls it missing.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord

from bot.core import daily as rules
from bot.core.daily import DailyPost
from bot.core.models import Question
from bot.frontends.discord import render
from bot.frontends.discord.views import daily_answer_id, daily_buttons
from bot.presenters.progress import daily_post_card, daily_reveal_pages, ping_line, thread_name
from bot.services.daily import Daily, PagesSent, PostedMessage, PostFailed

log = logging.getLogger(__name__)

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
CLOCK_SLACK = timedelta(minutes=10)


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


class DiscordDailyChannel:
    def __init__(self, client: discord.Client, daily: Daily, outputs_dir: Path | None = None):
        self.client = client
        self.daily = daily
        self.outputs_dir = outputs_dir

    async def _channel(self, post: DailyPost) -> discord.TextChannel:
        """The cache may simply not have it (yet): only Discord's 404 says the channel is gone."""
        channel = self.client.get_channel(post.channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(post.channel_id)
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
            message = await channel.send(embed=render.embed(card), view=daily_buttons(post.id), **self._ping(post))
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "sending the question")) from None
        # From here the question is out: a missing thread must not make it a skipped day.
        return PostedMessage(message.id, await self._thread(post, question, message))

    def _ping(self, post: DailyPost) -> dict[str, Any]:
        """The server's ping role (/daily setup ping_role), the one mention this send allows (issue 13)."""
        services = getattr(self.client, "services", None)
        role = services.engage.ping_role(post.guild_id) if services is not None else None
        if not role:
            return {}
        return {"content": ping_line(role), "allowed_mentions": discord.AllowedMentions(
            everyone=False, users=False, replied_user=False, roles=[discord.Object(role)])}

    async def _thread(self, post: DailyPost, question: Question, message: discord.Message) -> int | None:
        if message.thread is not None:
            return message.thread.id
        try:
            thread = await message.create_thread(name=thread_name(post, question))
        except discord.HTTPException as error:
            if error.code == 160004:  # a thread already exists for this message: its id is the message's
                return message.id
            log.warning("daily question of guild %s: no discussion thread (%s %s); the answer will be posted "
                        "under the message", post.guild_id, error.status, error.text)
            return None
        except Exception:
            log.warning("daily question of guild %s: creating its thread failed", post.guild_id, exc_info=True)
            return None
        return thread.id

    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        channel = await self._channel(post)
        since = min(post.intended_at or discord.utils.utcnow(), discord.utils.utcnow()) - CLOCK_SLACK
        me = self.client.user
        try:
            async for message in channel.history(limit=FIND_LIMIT, after=since):
                if me is not None and message.author.id == me.id and daily_answer_id(post.id) in _custom_ids(message):
                    question = self.daily.question(post.guild_id, post.id)
                    return PostedMessage(message.id, await self._thread(post, question, message))
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
                    await target.send(embed=render.embed(card), files=render.files(card),
                                      **self._reference(post, target, first=n == first))
                except discord.NotFound:
                    if target.id == post.channel_id:
                        raise
                    log.warning("daily thread %s of guild %s is gone; posting the answer under the message",
                                post.thread_id, post.guild_id)
                    target = await self._channel(post)
                    await target.send(embed=render.embed(card), files=render.files(card),
                                      **self._reference(post, target, first=True))
                sent(n + 1)
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "posting the answer")) from None

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
