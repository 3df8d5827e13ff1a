"""The daily question, streaks and leaderboards in the terminal: thin handlers over bot.services.

The terminal is the simulated server's one channel, and there is no background scheduler: `/daily now`
posts today's question here (once per day, as in Discord) and shows any model answer that is due.
The first `/daily now` sets the daily question up for the terminal by itself (mixed level, the
machine's timezone), since Discord's `/daily setup` picks a channel; `/daily setup time:… timezone:…
level:…` changes it. After the post, the daily question is every member's current question (until
they draw another), so `/answer` answers it and counts for the streak, exactly as in Discord.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.daily import DailyNotSetUp, DailyPost, InvalidDailySetting, parse_timezone
from bot.core.models import Question
from bot.presenters.progress import (
    daily_post_card,
    daily_reveal_pages,
    leaderboard_card,
    settings_card,
    slot_outcome_card,
    status_card,
    streak_card,
)
from bot.presenters.study import Card
from bot.services import daily as svc
from bot.services.daily import PostedMessage, run_reveals, run_slot

if TYPE_CHECKING:
    from bot.frontends.terminal.commands import Result
    from bot.frontends.terminal.session import Context

DEFAULT_TIME, DEFAULT_LEVEL = "09:00", "mixed"
TERMINAL = "このターミナル (this terminal)"
ANSWER_REVEAL = (("Answer", "/answer"), ("Reveal", "/reveal"))


def machine_timezone() -> str:
    """The IANA name of this machine's timezone (TZ, /etc/timezone, /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    local = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in local:
        candidates.append(local.split("zoneinfo/", 1)[1])
    for name in candidates:
        try:
            return parse_timezone(name)
        except InvalidDailySetting:
            continue
    return "UTC"


def terminal_post(card: Card) -> Card:
    """The daily post's card, worded for the terminal: no buttons or thread here."""
    return replace(card, fields=tuple((name, value.replace("スレッドで公開", "ここに表示（/daily now・/daily status のとき）"))
                                      for name, value in card.fields),
                   footer="/answer で回答すると連続記録 (streak) に数えられます。次の問題が出るまで回答できます。"
                          " Answer with /answer; it counts until the next daily question.")


class ConsoleDailyChannel:
    """A DailyChannel that prints: what it 'posts' is collected as cards for the reply."""

    def __init__(self, daily: svc.Daily, outputs_dir: Path | None):
        self.daily, self.outputs_dir = daily, outputs_dir
        self.cards: list[Card] = []
        self.posted = False

    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        return None  # the terminal keeps no history: a left intent of today is shown again, a past day's dropped

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        self.cards.append(terminal_post(daily_post_card(post, question, self.daily.settings(post.guild_id))))
        self.posted = True
        return PostedMessage(post.id)

    async def send_reveal(self, post: DailyPost, question: Question, sent: svc.PagesSent) -> None:
        pages = daily_reveal_pages(post, question, self.outputs_dir)
        self.cards += pages[post.pages_revealed:]
        sent(len(pages))


def _here(card: Card, ctx: Context) -> Card:
    """Discord's channel mention means nothing in a terminal."""
    mention = f"<#{ctx.channel_id}>"
    return replace(card, description=card.description.replace(mention, TERMINAL),
                   fields=tuple((name, value.replace(mention, TERMINAL)) for name, value in card.fields))


def _channel(ctx: Context) -> ConsoleDailyChannel:
    return ConsoleDailyChannel(ctx.services.daily, ctx.study.outputs_dir)


def daily_now(ctx: Context, args: dict[str, str]) -> Result:
    from bot.frontends.terminal.commands import Reply

    daily = ctx.services.daily
    notes = ()
    try:
        daily.settings(ctx.guild_id)
    except DailyNotSetUp:
        settings = daily.setup(ctx.guild_id, ctx.channel_id, DEFAULT_TIME, machine_timezone(), DEFAULT_LEVEL, by=ctx.user_id)
        notes = (f"ターミナル用に日替わり問題を設定しました（レベル {settings.level}・タイムゾーン {settings.timezone}）。"
                 "/daily setup level:junior timezone:Asia/Tokyo のように変えられます。 (Daily question set up for the terminal.)",)
    channel = _channel(ctx)

    async def post():
        await run_reveals(daily, ctx.guild_id, channel)  # a model answer whose reveal_time has come
        return await run_slot(daily, ctx.guild_id, channel, force=True)

    outcome = asyncio.run(post())
    cards = list(channel.cards)
    if outcome.kind == "posted":
        return Reply(tuple(cards), buttons=ANSWER_REVEAL, notes=notes)
    cards.append(_here(slot_outcome_card(outcome), ctx))
    if outcome.reason == svc.ALREADY_POSTED and outcome.post is not None:  # show it again: the terminal has no scrollback of yesterday's run
        settings = daily.settings(ctx.guild_id)
        cards.append(terminal_post(daily_post_card(outcome.post, daily.question(ctx.guild_id, outcome.post.id), settings)))
        return Reply(tuple(cards), buttons=ANSWER_REVEAL, notes=notes)
    return Reply(tuple(cards), notes=notes)


def daily_setup(ctx: Context, args: dict[str, str]) -> Result:
    daily = ctx.services.daily
    try:
        old = daily.settings(ctx.guild_id)
        time, zone, level, reveal = old.post_time, old.timezone, old.level, old.reveal_time
    except DailyNotSetUp:
        time, zone, level, reveal = DEFAULT_TIME, machine_timezone(), DEFAULT_LEVEL, None
    reveal = args.get("reveal_time", reveal)
    settings = daily.setup(ctx.guild_id, ctx.channel_id, args.get("time", time), args.get("timezone", zone),
                           args.get("level", level), None if reveal in (None, "", "none") else reveal, by=ctx.user_id)
    card = settings_card(settings, daily.next_post_at(settings), "日替わり問題を設定しました (daily question set up)")
    return _here(replace(card, footer="ターミナル版は自動では投稿しません。/daily now で今日の問題を表示します。"
                                      " The terminal posts only on /daily now."), ctx)


def daily_status(ctx: Context, args: dict[str, str]) -> Result:
    from bot.frontends.terminal.commands import Reply

    channel = _channel(ctx)
    asyncio.run(run_reveals(ctx.services.daily, ctx.guild_id, channel))  # a model answer whose time has come
    return Reply(tuple(channel.cards) + (_here(status_card(ctx.services.daily.status(ctx.guild_id)), ctx),))


def daily_pause(ctx: Context, args: dict[str, str]) -> Result:
    settings = ctx.services.daily.pause(ctx.guild_id, by=ctx.user_id)
    return _here(settings_card(settings, None, "日替わり問題を一時停止しました (paused)"), ctx)


def daily_resume(ctx: Context, args: dict[str, str]) -> Result:
    daily = ctx.services.daily
    settings = daily.resume(ctx.guild_id, by=ctx.user_id)
    return _here(settings_card(settings, daily.next_post_at(settings), "日替わり問題を再開しました (resumed)"), ctx)


def streak(ctx: Context, args: dict[str, str]) -> Result:
    from bot.frontends.terminal.session import Member

    who = Member.named(args["member"]) if args.get("member") else ctx.member
    view = ctx.services.progress.streak(ctx.guild_id, who.user_id)
    return streak_card(replace(view, name=view.name or who.name))


def leaderboard(ctx: Context, args: dict[str, str]) -> Result:
    board = ctx.services.progress.leaderboard(ctx.guild_id, args.get("period", "week").lower(),
                                              args.get("by", "streak").lower(), caller_id=ctx.user_id)
    return leaderboard_card(board)


def commands():
    from bot.frontends.terminal.commands import Command

    return (
        Command("daily now", daily_now, help="今日の日替わり問題をここに表示します（初回はターミナル用に自動で設定）。"
                " Post today's daily question here (set up on first use)."),
        Command("daily setup", daily_setup, keywords=("time", "timezone", "level", "reveal_time"),
                usage="/daily setup [time:HH:MM] [timezone:Asia/Tokyo] [level:junior|senior|mixed] [reveal_time:HH:MM]",
                help="日替わり問題の時刻・タイムゾーン・レベルを変えます（投稿先はこのターミナル）。"
                     " Change the daily question's time, zone and level (it posts here)."),
        Command("daily status", daily_status),
        Command("daily pause", daily_pause),
        Command("daily resume", daily_resume),
        Command("streak", streak, params=("member",), usage="/streak [名前]"),
        Command("leaderboard", leaderboard, params=("period", "by"), usage="/leaderboard [week|month|all] [streak|answers|points]"),
    )
