"""/daily setup|status|pause|resume|now (server managers), /streak and /leaderboard.

Thin: parse the interaction, call bot.services (daily, progress), render bot.presenters_progress cards.
Every reply is ephemeral except a leaderboard shared with `share:True`. The daily post's buttons live in
bot/frontends/discord/views.py and are registered here, so buttons on old daily posts keep working after a restart.
"""
from __future__ import annotations

import logging
import zoneinfo
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.core.daily import NOT_ZONES, ZONE_NAME_LIMIT
from bot.frontends.discord import render
from bot.frontends.discord.daily_channel import POST_PERMISSIONS, missing_permissions
from bot.frontends.discord.views import DailyAnswerButton, DailyRevealButton, guild_of, send
from bot.presenters.progress import day_label, leaderboard_card, settings_card, slot_outcome_card, status_card, streak_card
from bot.presenters.study import Card
from bot.services.daily import run_slot

log = logging.getLogger(__name__)
DailyLevel = Literal["junior", "senior", "mixed"]
Period = Literal["week", "month", "all"]
Order = Literal["streak", "answers", "points"]
# shown before anything is typed in the timezone box
COMMON_ZONES = ("Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Europe/London",
                "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Australia/Sydney")


@lru_cache(maxsize=1)
def all_zones() -> tuple[str, ...]:
    names = {z for z in zoneinfo.available_timezones() if z not in NOT_ZONES and not z.startswith(("posix/", "right/"))}
    return tuple(sorted(names))


def zone_choices(typed: str, limit: int = 25) -> list[str]:
    """IANA names for the autocomplete: the common ones first when nothing is typed, else those
    containing what is typed (Tokyo, new_york, America/ ...), names starting with it first."""
    wanted = typed.strip().replace(" ", "_").casefold()
    if not wanted:
        return list(COMMON_ZONES[:limit])
    hits = [z for z in all_zones() if wanted in z.casefold()]
    hits.sort(key=lambda z: (not z.casefold().startswith(wanted) and not z.casefold().split("/")[-1].startswith(wanted), z))
    return hits[:limit]


def already_posted_note(day: date) -> tuple[str, str]:
    return ("ℹ 次の投稿について (next post)",
            f"{day_label(day)} の問題はすでに投稿済みなので、次の投稿はその翌日です。"
            f" ({day:%m/%d} already has its question: the next post is the following day's.)")


def permission_warning(lacking: list[str]) -> tuple[str, str]:
    return ("⚠ ボットの権限が足りません (missing permissions)",
            "このチャンネルで次の権限をボットに許可してください。足りないままだと投稿はスキップされ、理由が /daily status に出ます。\n"
            + "\n".join(f"- {name}" for name in lacking))


class DailyCog(commands.Cog):
    daily = app_commands.Group(
        name="daily", description=_("The daily question: set up, status, pause, resume, post now (server managers)"),
        guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot):
        self.bot = bot

    @property
    def services(self):
        return self.bot.services  # type: ignore[attr-defined]

    def _reschedule(self, guild_id: int) -> None:
        reschedule = getattr(self.bot, "reschedule_daily", None)
        if reschedule is not None:
            reschedule(guild_id)

    # -- /daily (server managers: Discord shows it to members with Manage Server, or whom the server allows)
    @daily.command(name="setup", description=_("Post a daily question in a channel at a set time"))
    @app_commands.describe(
        channel=_("the channel for the daily question"), time=_("posting time, HH:MM (24 h) in the timezone"),
        timezone=_("IANA timezone, e.g. Asia/Tokyo"), level=_("junior, senior or mixed questions"),
        reveal_time=_("HH:MM to post the model answer in the thread (default: when the next question is out)"),
    )
    async def setup_daily(self, interaction: discord.Interaction, channel: discord.TextChannel, time: str,
                          timezone: app_commands.Range[str, 1, ZONE_NAME_LIMIT], level: DailyLevel,
                          reveal_time: str | None = None) -> None:
        guild = guild_of(interaction)
        settings = self.services.daily.setup(guild, channel.id, time, timezone, level, reveal_time or None,
                                             by=interaction.user.id)
        self._reschedule(guild)
        card = settings_card(settings, self.services.daily.next_post_at(settings), "日替わり問題を設定しました (daily question set up)")
        card = replace(card, footer="最初の投稿は次の投稿時刻です。今日の問題をすぐ出すなら /daily now。 "
                                    "The first post is at the next posting time; /daily now posts today's at once.")
        posted = self.services.daily.day_already_posted(settings)
        if posted is not None:  # a new zone (or time) where the next slot is on the day just posted: no silent gap
            card = replace(card, fields=card.fields + (already_posted_note(posted),))
        lacking = missing_permissions(channel)
        if lacking:
            log.warning("daily question of guild %s set up in channel %s without: %s", guild, channel.id, ", ".join(lacking))
            card = replace(card, fields=card.fields + (permission_warning(lacking),))
        await send(interaction, embed=render.embed(card))

    @setup_daily.autocomplete("timezone")
    async def timezone_choices(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @daily.command(name="status", description=_("Settings, next post, recent posts and why a day was skipped"))
    async def status(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        card = status_card(self.services.daily.status(guild))
        await send(interaction, embed=render.embed(await self._channel_health(interaction, card, guild)))

    async def _channel_health(self, interaction: discord.Interaction, card: Card, guild_id: int) -> Card:
        """Warn now, not only after a skipped day, when the channel is gone or lacks permissions. Missing
        from the cache is not gone: only Discord's 404 says so."""
        channel_id = self.services.daily.settings(guild_id).channel_id
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            await interaction.response.defer(ephemeral=True, thinking=True)  # asking Discord may take a moment
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                note = ("⚠ チャンネルが見つかりません (channel missing)",
                        "投稿先のチャンネルが削除されたか、ボットから見えません。/daily setup で設定し直してください。")
                return replace(card, fields=card.fields + (note,))
            except discord.Forbidden:
                return replace(card, fields=card.fields + (permission_warning([POST_PERMISSIONS["view_channel"]]),))
            except discord.HTTPException:
                log.info("daily status of guild %s: channel %s could not be looked up", guild_id, channel_id, exc_info=True)
                return card
        lacking = missing_permissions(channel) if isinstance(channel, discord.abc.GuildChannel) else []
        return replace(card, fields=card.fields + (permission_warning(lacking),)) if lacking else card

    @daily.command(name="pause", description=_("Pause the daily question"))
    async def pause(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        settings = self.services.daily.pause(guild, by=interaction.user.id)
        self._reschedule(guild)
        card = settings_card(settings, None, "日替わり問題を一時停止しました (paused)")
        await send(interaction, embed=render.embed(replace(card, footer="/daily resume で再開します。出題済みの問題の模範解答は予定どおり公開されます。")))

    @daily.command(name="resume", description=_("Resume the daily question (paused days are not posted afterwards)"))
    async def resume(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        settings = self.services.daily.resume(guild, by=interaction.user.id)
        self._reschedule(guild)
        card = settings_card(settings, self.services.daily.next_post_at(settings), "日替わり問題を再開しました (resumed)")
        await send(interaction, embed=render.embed(replace(card, footer="止まっていた日の分は投稿しません。今日の分をすぐ出すなら /daily now。")))

    @daily.command(name="now", description=_("Post today's daily question now"))
    async def now(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)

        def post_now():
            return run_slot(self.services.daily, guild, self.bot.daily_channel(), force=True)  # type: ignore[attr-defined]

        # under the server's scheduler lock: never beside the timer, the sweep or start-up catch-up
        scheduler = getattr(self.bot, "daily_scheduler", None)
        outcome = await (scheduler.exclusive(guild, post_now) if scheduler is not None else post_now())
        self._reschedule(guild)
        await send(interaction, embed=render.embed(slot_outcome_card(outcome)))

    # -- every member
    @app_commands.command(name="streak", description=_("Your daily-question streak and freezes (only to you)"))
    @app_commands.describe(member=_("another member's streak (still only shown to you)"))
    @app_commands.guild_only()
    async def streak(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        who = member or interaction.user
        view = self.services.progress.streak(guild_of(interaction), who.id)
        view = replace(view, name=view.name or who.display_name)  # stored name first: the one boards show
        await send(interaction, embed=render.embed(streak_card(view)))

    @app_commands.command(name="leaderboard", description=_("The server's daily-question leaderboard"))
    @app_commands.describe(period=_("week, month or all time"), by=_("current streak, number of answers, or points (best feedback scores)"),
                           share=_("post it in the channel for everyone (default: only you)"))
    @app_commands.guild_only()
    async def leaderboard(self, interaction: discord.Interaction, period: Period = "week", by: Order = "streak",
                          share: bool = False) -> None:
        board = self.services.progress.leaderboard(guild_of(interaction), period, by, caller_id=interaction.user.id)
        if share and board.caller is not None and board.caller.rank is None:
            board = replace(board, caller=None)  # "you: not ranked" means nothing to the rest of the channel
        await send(interaction, embed=render.embed(leaderboard_card(board)), ephemeral=not share)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DailyCog(bot))
    bot.add_dynamic_items(DailyAnswerButton, DailyRevealButton)
