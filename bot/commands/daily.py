"""/daily setup|status|pause|resume|now (server managers), /streak and /leaderboard.

Where the front ends differ, it is in what they can do (bot.commands.spec.Surface), not in their name:
Discord's timer posts on schedule and the daily question goes to a channel with a thread; the terminal
has no timer, so it is set up on first use, a due model answer is shown when a manager looks, and the
post is shown in the conversation itself.
"""
from __future__ import annotations

from dataclasses import replace

from bot.commands.practice import answer_actions
from bot.commands.remind import switch
from bot.commands.spec import Args, Invocation, MemberRef, Reply
from bot.core import daily as rules
from bot.core.daily import DailyNotSetUp, DailySettings, InvalidDailySetting
from bot.core.errors import quoted
from bot.core.zones import guess_zone
from bot.presenters.cards import Card
from bot.presenters.progress import (
    already_posted_note,
    daily_post_card,
    leaderboard_card,
    milestone_fields,
    ping_field,
    role_warning,
    settings_card,
    slot_outcome_card,
    status_card,
    streak_card,
)
from bot.services import daily as svc
from bot.services.daily import run_reveals, run_slot

DEFAULT_TIME, DEFAULT_LEVEL = "09:00", "mixed"
SCHEDULED_FOOTER = ("最初の投稿は次の投稿時刻です。今日の問題をすぐ出すなら /daily now。 "
                    "The first post is at the next posting time; /daily now posts today's at once.")
MILESTONES_FOOTER = ("7・30・100 回連続で回答したメンバーを日替わり問題のスレッドでお祝いし、ロールがあれば連続が続く間付けます"
                     "（1 分以内に反映）。 Streaks of 7, 30, 100: congratulated in the thread; roles held while they last.")
ON_DEMAND_FOOTER = "ターミナル版は自動では投稿しません。/daily now で今日の問題を表示します。 The terminal posts only on /daily now."


def _current(ctx: Invocation) -> DailySettings | None:
    try:
        return ctx.services.daily.settings(ctx.guild())
    except DailyNotSetUp:
        return None


async def setup(ctx: Invocation, args: Args) -> Reply:
    """Every option not given keeps its current value (or the default): Discord asks for them all. A
    timezone typed as a city, country or abbreviation is taken as the zone it names, and said so."""
    guild, daily, old = ctx.guild(), ctx.services.daily, _current(ctx)
    channel: int = args.get("channel") or ctx.channel_id or (old.channel_id if old else 0)
    reveal = args.get("reveal_time", old.reveal_time if old else None)
    reveal = None if reveal in (None, "", "none") else rules.parse_hhmm(reveal, "reveal_time")
    time = rules.parse_hhmm(args.get("time") or (old.post_time if old else DEFAULT_TIME), "time")
    rules.check_reveal_time(time, reveal)
    zone, notes = _zone(args["timezone"]) if args.get("timezone") else (old.timezone if old else ctx.surface.default_timezone(), ())
    ping = _ping(guild, args)
    settings = daily.setup(guild, channel, time, zone, args.get("level") or (old.level if old else DEFAULT_LEVEL), reveal,
                           by=ctx.user_id)
    engage = ctx.services.engage
    if ping is not None:
        engage.set_ping_role(guild, ping or None)
    ctx.surface.reschedule(guild)
    card = settings_card(settings, daily.next_post_at(settings), "日替わり問題を設定しました (daily question set up)")
    card = replace(card, footer=SCHEDULED_FOOTER if ctx.surface.posts_on_schedule else ON_DEMAND_FOOTER)
    if ctx.surface.has_buttons:  # roles are Discord's
        card = replace(card, fields=card.fields + (ping_field(engage.ping_role(guild)),))
    posted = daily.day_already_posted(settings)
    if posted is not None:  # a new zone (or time) where the next slot is on the day just posted: no silent gap
        card = replace(card, fields=card.fields + (already_posted_note(posted),))
    if args.get("role_problems"):
        card = replace(card, fields=card.fields + (role_warning(list(args["role_problems"])),))
    return Reply((_with_problems(card, await ctx.surface.channel_problems(settings.channel_id)),), notes=notes)


def _zone(typed: str) -> tuple[str, tuple[str, ...]]:
    """The IANA zone a member means, and a note when it is not what they typed (Tokyo -> Asia/Tokyo)."""
    guess = guess_zone(typed)
    if guess.zone is None:
        listed = f"候補: {', '.join(guess.candidates)}。" if guess.candidates else ""
        raise InvalidDailySetting(f"タイムゾーン `{quoted(typed)}` は使えません。{listed}Asia/Tokyo のような IANA 名"
                                  "（または Tokyo・Japan・JST のような都市・国・略称）で指定してください。 (Unknown IANA timezone.)")
    if guess.exact:
        return guess.zone, ()
    return guess.zone, (f"タイムゾーンは {guess.zone} として設定しました（`{quoted(typed)}` から）。 "
                        f"(Timezone set as {guess.zone}.)",)


def _ping(guild: int, args: Args) -> int | None:
    """The role to ping (0: stop pinging; None: unchanged). @everyone is never pinged by the bot."""
    role, off = args.get("ping_role"), bool(args.get("no_ping"))
    if role and off:
        raise InvalidDailySetting("ping_role と no_ping は同時に指定できません。 (ping_role or no_ping, not both.)")
    if role == guild:  # Discord's @everyone role has the server's id
        raise InvalidDailySetting("@everyone は通知するロールにできません。日替わり問題用のロールを作って指定してください。 "
                                  "(@everyone cannot be the ping role: make a role for the daily question.)")
    return 0 if off else role


def _with_problems(card: Card, problems: tuple[tuple[str, str], ...]) -> Card:
    return replace(card, fields=card.fields + problems) if problems else card


async def status(ctx: Invocation, args: Args) -> Reply:
    guild, daily = ctx.guild(), ctx.services.daily
    shown: tuple[Card, ...] = ()
    if not ctx.surface.posts_on_schedule:  # nothing else shows a model answer whose time has come
        channel = ctx.surface.daily_channel()
        await run_reveals(daily, guild, channel)
        shown = ctx.surface.shown_here()
    card = status_card(daily.status(guild))
    if ctx.surface.has_buttons:  # the role ping and milestone roles are Discord's
        engaged = ctx.services.engage.settings(guild)
        card = replace(card, fields=card.fields + (ping_field(engaged.ping_role_id),)
                       + milestone_fields(engaged.announce, engaged.roles, engaged.note))
    problems = await ctx.surface.channel_problems(daily.settings(guild).channel_id)
    return Reply((*shown, _with_problems(card, problems)))


async def milestones(ctx: Invocation, args: Args) -> Reply:
    """/daily milestones announce:on|off streak:7|30|100 role:@role (clear_role:true takes it away);
    without options it shows them. Role problems the front end found (Manage Roles, hierarchy) are warned of."""
    guild, engage = ctx.guild(), ctx.services.engage
    announce, streak = switch("announce", args.get("announce")), args.get("streak")
    role, clear = args.get("role"), bool(args.get("clear_role"))
    if (role or clear) and streak is None:
        raise InvalidDailySetting("role には streak（7・30・100）も指定してください。 (Give streak with role.)")
    if role == guild:
        raise InvalidDailySetting("@everyone は節目のロールにできません。 (@everyone cannot be a milestone role.)")
    changed = announce is not None or role is not None or clear
    settings = engage.set_milestones(guild, announce=announce, milestone=int(streak) if streak else None,
                                     role_id=role, clear_role=clear) if changed else engage.settings(guild)
    title = "連続記録の節目を設定しました (milestones set)" if changed else "連続記録の節目 (milestones)"
    fields = milestone_fields(settings.announce, settings.roles, settings.note)
    if args.get("role_problems"):
        fields += (role_warning(list(args["role_problems"])),)
    return Reply((Card(title=title, fields=fields, kind="info", footer=MILESTONES_FOOTER),))


async def pause(ctx: Invocation, args: Args) -> Reply:
    guild = ctx.guild()
    settings = ctx.services.daily.pause(guild, by=ctx.user_id)
    ctx.surface.reschedule(guild)
    card = settings_card(settings, None, "日替わり問題を一時停止しました (paused)")
    return Reply((replace(card, footer="/daily resume で再開します。出題済みの問題の模範解答は予定どおり公開されます。"),))


async def resume(ctx: Invocation, args: Args) -> Reply:
    guild, daily = ctx.guild(), ctx.services.daily
    settings = daily.resume(guild, by=ctx.user_id)
    ctx.surface.reschedule(guild)
    card = settings_card(settings, daily.next_post_at(settings), "日替わり問題を再開しました (resumed)")
    return Reply((replace(card, footer="止まっていた日の分は投稿しません。今日の分をすぐ出すなら /daily now。"),))


async def now(ctx: Invocation, args: Args) -> Reply:
    """Today's question at once, never a second one for the same day (under the server's scheduler lock)."""
    guild, daily, surface = ctx.guild(), ctx.services.daily, ctx.surface
    notes = () if surface.posts_on_schedule or _current(ctx) is not None else _set_up_here(ctx)
    channel = surface.daily_channel()

    async def post() -> svc.SlotOutcome:
        if not surface.posts_on_schedule:
            await run_reveals(daily, guild, channel)  # a model answer whose reveal_time has come
        return await run_slot(daily, guild, channel, force=True)

    outcome = await surface.exclusive(guild, post)
    surface.reschedule(guild)
    shown = surface.shown_here()
    if outcome.kind == "posted" and outcome.post is not None:
        cards = shown or (slot_outcome_card(outcome),)
        return Reply(cards, answer_actions(outcome.post.question_id or "") if shown else (), notes=notes)
    cards = (*shown, slot_outcome_card(outcome))
    if outcome.reason == svc.ALREADY_POSTED and outcome.post is not None and not surface.posts_on_schedule:
        # shown again: a terminal has no scrollback of yesterday's session
        post_card = daily_post_card(outcome.post, daily.question(guild, outcome.post.id), daily.settings(guild), here=True)
        return Reply((*cards, post_card), answer_actions(outcome.post.question_id or ""), notes=notes)
    return Reply(cards, notes=notes)


def _set_up_here(ctx: Invocation) -> tuple[str, ...]:
    """Without a schedule to set up, the first /daily now sets the daily question up in this conversation."""
    settings = ctx.services.daily.setup(ctx.guild(), ctx.channel_id or 0, DEFAULT_TIME, ctx.surface.default_timezone(),
                                        DEFAULT_LEVEL, by=ctx.user_id)
    return (f"ターミナル用に日替わり問題を設定しました（レベル {settings.level}・タイムゾーン {settings.timezone}）。"
            "/daily setup level:junior timezone:Asia/Tokyo のように変えられます。 (Daily question set up for the terminal.)",)


async def streak(ctx: Invocation, args: Args) -> Reply:
    who: MemberRef = args.get("member") or MemberRef(ctx.user_id, ctx.display_name)
    view = ctx.services.progress.streak(ctx.guild(), who.user_id)
    return Reply((streak_card(replace(view, name=view.name or who.name)),))  # the stored name first: the one boards show


async def leaderboard(ctx: Invocation, args: Args) -> Reply:
    share = bool(args.get("share", False))
    board = ctx.services.progress.leaderboard(ctx.guild(), str(args.get("period", "week")).lower(),
                                              str(args.get("by", "streak")).lower(), caller_id=ctx.user_id)
    if share and board.caller is not None and board.caller.rank is None:
        board = replace(board, caller=None)  # "you: not ranked" means nothing to the rest of the channel
    return Reply((leaderboard_card(board),), public=share)
