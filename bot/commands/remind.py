"""/remind: a member's own DM nudge in this server (streak at risk, reviews due) at their time.

Discord sends the DMs from its scheduler (bot.frontends.discord.engage); the terminal has no DMs, so
there /remind also shows what the reminder would say now.
"""
from __future__ import annotations

from bot.commands.spec import Args, Invocation, Reply
from bot.core.errors import StudyError, quoted
from bot.core.suggest import closest, folded
from bot.presenters.cards import Card
from bot.presenters.reminders import TERMINAL_NOTE, remind_card, reminder_dm_card

SWITCHES = {"on": True, "off": False, "true": True, "false": False, "オン": True, "オフ": False, "yes": True, "no": False}
NOTHING_NOW = "今は知らせることはありません（連続記録は無事か、期限の来た復習はありません）。 (Nothing to remind you of now.)"


def switch(name: str, value: object) -> bool | None:
    """on / off as typed (オン, true ...); None when not given."""
    if value is None or isinstance(value, bool):
        return value
    found = SWITCHES.get(folded(str(value)))
    if found is None:
        maybe = closest(str(value), ("on", "off"))
        hint = f"{maybe[0]} のことですか？ " if maybe else ""
        raise StudyError(f"{name} は on か off です: `{quoted(str(value))}`。{hint}({name} must be on or off.)")
    return found


async def remind(ctx: Invocation, args: Args) -> Reply:
    guild, reminders = ctx.guild(), ctx.services.reminders
    streak, review, time = switch("streak", args.get("streak")), switch("review", args.get("review")), args.get("time")
    if streak is None and review is None and not time:
        view, title = reminders.view(guild, ctx.user_id), "リマインダー (reminders)"
    else:
        view = reminders.set(guild, ctx.user_id, streak=streak, review=review, time=time)
        title = "リマインダーを設定しました (reminders set)"
    cards: tuple[Card, ...] = (remind_card(view, title),)
    if ctx.surface.posts_on_schedule or view.settings is None:
        return Reply(cards)
    nudge = reminders.nudge(guild, ctx.user_id, view.settings)
    if not nudge:
        return Reply(cards, notes=(TERMINAL_NOTE, NOTHING_NOW))
    return Reply((*cards, reminder_dm_card("このサーバー", nudge, None)), notes=(TERMINAL_NOTE,))
