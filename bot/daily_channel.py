"""The daily question's `DailyChannel` over discord.py: send the post, find it again, post the reveal.

bot.services.daily.run_slot drives the two-phase protocol; this only talks to Discord. Whatever Discord
refuses becomes `PostFailed` with a reason code (shown to admins by /daily status) and a log line:
Forbidden -> no_permission, NotFound or a channel the bot cannot see -> channel_missing, any other
HTTP error -> error. Network failures are left to propagate: run_slot then releases the intent, and
the next run (catch-up or /daily now) looks for the message before posting again.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import discord

from bot import discord_render as render
from bot.core import daily as rules
from bot.core.daily import DailyPost
from bot.core.models import Question
from bot.presenters_progress import daily_post_card, daily_reveal_pages, thread_name
from bot.services.daily import Daily, PostedMessage, PostFailed
from bot.views import daily_buttons

log = logging.getLogger(__name__)

# What the bot needs in the daily channel (the /daily setup check and the pre-flight check of a post).
POST_PERMISSIONS = {
    "view_channel": "チャンネルを見る (View Channel)",
    "send_messages": "メッセージを送信 (Send Messages)",
    "embed_links": "埋め込みリンク (Embed Links)",
}
THREAD_PERMISSIONS = {
    "attach_files": "ファイルを添付 (Attach Files)",
    "read_message_history": "メッセージ履歴を読む (Read Message History)",
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


def _failed(error: discord.HTTPException, what: str) -> PostFailed:
    if isinstance(error, discord.Forbidden):
        reason = rules.NO_PERMISSION
    elif isinstance(error, discord.NotFound):
        reason = rules.CHANNEL_MISSING
    else:
        reason = rules.SEND_ERROR
    return PostFailed(reason, f"{what}: {error.status} {error.text or ''}".strip())


class DiscordDailyChannel:
    def __init__(self, client: discord.Client, daily: Daily, outputs_dir: Path | None = None):
        self.client = client
        self.daily = daily
        self.outputs_dir = outputs_dir

    def _channel(self, post: DailyPost) -> discord.TextChannel:
        channel = self.client.get_channel(post.channel_id)
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            raise self._log(post, PostFailed(rules.CHANNEL_MISSING, f"channel {post.channel_id} is not visible to the bot"))
        return channel  # type: ignore[return-value]

    @staticmethod
    def _log(post: DailyPost, failed: PostFailed) -> PostFailed:
        log.warning("daily question of guild %s (%s, channel %s): %s", post.guild_id, post.local_date,
                    post.channel_id, failed.stored)
        return failed

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        channel = self._channel(post)
        lacking = [label for name, label in POST_PERMISSIONS.items()
                   if channel.guild.me is not None and not getattr(channel.permissions_for(channel.guild.me), name)]
        if lacking:
            raise self._log(post, PostFailed(rules.NO_PERMISSION, "missing: " + ", ".join(lacking)))
        card = daily_post_card(post, question, self.daily.settings(post.guild_id))
        try:
            message = await channel.send(embed=render.embed(card), view=daily_buttons(post))
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "sending the question")) from None
        # From here the question is out: a missing thread must not make it a skipped day.
        return PostedMessage(message.id, await self._thread(post, question, message))

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
        except Exception:  # noqa: BLE001 - the question is out whatever happened to its thread
            log.warning("daily question of guild %s: creating its thread failed", post.guild_id, exc_info=True)
            return None
        return thread.id

    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        channel = self._channel(post)
        since = min(post.intended_at or discord.utils.utcnow(), discord.utils.utcnow()) - CLOCK_SLACK
        me = self.client.user
        try:
            async for message in channel.history(limit=FIND_LIMIT, after=since):
                if me is not None and message.author.id == me.id and post.answer_custom_id in _custom_ids(message):
                    question = self.daily.question(post.guild_id, post.id)
                    return PostedMessage(message.id, await self._thread(post, question, message))
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "reading the channel history")) from None
        return None

    async def send_reveal(self, post: DailyPost, question: Question) -> None:
        pages = daily_reveal_pages(post, question, self.outputs_dir)
        target = self._reveal_target(post)
        try:
            for n, card in enumerate(pages):
                try:
                    await target.send(embed=render.embed(card), files=render.files(card),
                                      **self._reference(post, target, first=n == 0))
                except discord.NotFound:
                    if target.id == post.channel_id:
                        raise
                    log.warning("daily thread %s of guild %s is gone; posting the answer under the message",
                                post.thread_id, post.guild_id)
                    target = self._channel(post)
                    await target.send(embed=render.embed(card), files=render.files(card),
                                      **self._reference(post, target, first=True))
        except discord.HTTPException as error:
            raise self._log(post, _failed(error, "posting the answer")) from None

    def _reveal_target(self, post: DailyPost) -> discord.abc.Messageable:
        if post.thread_id:
            return self.client.get_channel(post.thread_id) or self.client.get_partial_messageable(
                post.thread_id, guild_id=post.guild_id, type=discord.ChannelType.public_thread)
        return self._channel(post)

    @staticmethod
    def _reference(post: DailyPost, target, *, first: bool) -> dict:
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
