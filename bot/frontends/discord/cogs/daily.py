"""/daily setup|status|pause|resume|now (server managers), /streak and /leaderboard: Discord's typed
options to the command layer (bot.commands.daily). Every reply is ephemeral except a leaderboard shared
with `share:True`. The daily post's buttons (bot/frontends/discord/views.py) are registered here, so
buttons on old daily posts keep working after a restart.
"""
from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.commands.table import GROUP_SUMMARIES
from bot.core.daily import ZONE_NAME_LIMIT
from bot.core.zones import available
from bot.frontends.discord.cogs.practice import described, member_ref, summary
from bot.frontends.discord.engage import role_problems
from bot.frontends.discord.invoke import invoke
from bot.frontends.discord.views import DailyAnswerButton, DailyRevealButton

DailyLevel = Literal["junior", "senior", "mixed"]
Period = Literal["week", "month", "all"]
Order = Literal["streak", "answers", "points"]
Switch = Literal["on", "off"]
Milestone = Literal["7", "30", "100"]
# shown before anything is typed in the timezone box
COMMON_ZONES = ("Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Europe/London",
                "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Australia/Sydney")


def all_zones() -> tuple[str, ...]:
    return available()


def zone_choices(typed: str, limit: int = 25) -> list[str]:
    """IANA names for the autocomplete: the common ones first when nothing is typed, else those
    containing what is typed (Tokyo, new_york, America/ ...), names starting with it first."""
    wanted = typed.strip().replace(" ", "_").casefold()
    if not wanted:
        return list(COMMON_ZONES[:limit])
    hits = [z for z in all_zones() if wanted in z.casefold()]
    hits.sort(key=lambda z: (not z.casefold().startswith(wanted) and not z.casefold().split("/")[-1].startswith(wanted), z))
    return hits[:limit]


class DailyCog(commands.Cog):
    daily = app_commands.Group(
        name="daily", description=_(GROUP_SUMMARIES["daily"]),
        guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot):
        self.bot = bot

    # -- /daily (server managers: Discord shows it to members with Manage Server, or whom the server allows)
    @daily.command(name="setup", description=summary("daily setup"))
    @app_commands.describe(**described("daily setup"))
    async def setup_daily(self, interaction: discord.Interaction, channel: discord.TextChannel, time: str,
                          timezone: app_commands.Range[str, 1, ZONE_NAME_LIMIT], level: DailyLevel,
                          reveal_time: str | None = None, ping_role: discord.Role | None = None,
                          no_ping: bool | None = None) -> None:
        problems = role_problems(interaction.guild, ping_role, ping=True) if ping_role is not None else []
        await invoke(interaction, "daily setup", channel=channel.id, time=time, timezone=timezone, level=level,
                     reveal_time=reveal_time or None, ping_role=ping_role.id if ping_role else None, no_ping=no_ping or None,
                     role_problems=tuple(problems) or None)

    @setup_daily.autocomplete("timezone")
    async def timezone_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @daily.command(name="status", description=summary("daily status"))
    async def status(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "daily status")

    @daily.command(name="pause", description=summary("daily pause"))
    async def pause(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "daily pause")

    @daily.command(name="resume", description=summary("daily resume"))
    async def resume(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "daily resume")

    @daily.command(name="now", description=summary("daily now"))
    async def now(self, interaction: discord.Interaction) -> None:
        await invoke(interaction, "daily now")

    @daily.command(name="milestones", description=summary("daily milestones"))
    @app_commands.describe(**described("daily milestones"))
    async def milestones(self, interaction: discord.Interaction, announce: Switch | None = None,
                         streak: Milestone | None = None, role: discord.Role | None = None,
                         clear_role: bool | None = None) -> None:
        problems = role_problems(interaction.guild, role, ping=False) if role is not None else []
        await invoke(interaction, "daily milestones", announce=announce, streak=streak, role=role.id if role else None,
                     clear_role=clear_role or None, role_problems=tuple(problems) or None)

    # -- every member
    @app_commands.command(name="streak", description=summary("streak"))
    @app_commands.describe(**described("streak"))
    @app_commands.guild_only()
    async def streak(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        await invoke(interaction, "streak", member=member_ref(member))

    @app_commands.command(name="leaderboard", description=summary("leaderboard"))
    @app_commands.describe(**described("leaderboard"))
    @app_commands.guild_only()
    async def leaderboard(self, interaction: discord.Interaction, period: Period = "week", by: Order = "streak",
                          share: bool = False) -> None:
        await invoke(interaction, "leaderboard", period=period, by=by, share=share)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DailyCog(bot))
    bot.add_dynamic_items(DailyAnswerButton, DailyRevealButton)
