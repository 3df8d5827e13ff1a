"""Reminder DMs and streak milestones over discord.py, once a minute from the scheduler (`tick`).

The services decide (bot.services.reminders, bot.services.engage) and record before anything is sent,
so a restart never sends twice; this only talks to Discord. A DM Discord refuses with 50007 (the member
does not accept DMs from the server) stops that member's reminders until they run /remind again; a role
change refused with 403 (no Manage Roles, or the role is above the bot's) stops role changes in that
server until a manager runs /daily milestones again, and /daily status says why. Nothing is retried in
a loop, and no failure reaches the scheduler.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import discord

from bot.frontends.discord import render
from bot.presenters.progress import milestone_card
from bot.presenters.reminders import reminder_dm_card
from bot.services.engage import Announcement, RoleChange
from bot.services.reminders import DueReminder

log = logging.getLogger(__name__)
EVERY = timedelta(minutes=1)  # reminders are due to the minute; milestones follow answers and posts within it
CANNOT_DM = 50007  # Discord: Cannot send messages to this user


def role_problems(guild: discord.Guild | None, role: discord.Role, *, ping: bool) -> list[str]:
    """Why the bot could not ping (`ping`) or give and take `role`: warned at setup, the settings are kept."""
    me = guild.me if guild is not None else None
    if me is None:
        return []
    if ping:
        if role.mentionable or me.guild_permissions.mention_everyone:
            return []
        return [f"ロール {role.name} はメンションできません。ロールの設定で「誰でも @mention できるようにする」をオンにするか、"
                "ボットに「@everyone、@here、全てのロールにメンション」権限を付けてください。 (The role is not mentionable.)"]
    problems = []
    if not me.guild_permissions.manage_roles:
        problems.append("ボットに「ロールの管理 (Manage Roles)」権限がありません。 (The bot lacks Manage Roles.)")
    if role >= me.top_role:
        problems.append(f"ロール {role.name} がボットのいちばん上のロールと同じか上にあります。サーバー設定 → ロールで、"
                        "ボットのロールをそれより上に移してください。 (Move the bot's role above it.)")
    if role.managed:
        problems.append(f"ロール {role.name} はボットや連携が管理するロールなので付けられません。 (A managed role.)")
    return problems


class DiscordEngage:
    def __init__(self, client: Any):
        self.client = client

    async def tick(self) -> None:
        """Due reminders, then each server's milestones; one failure never stops the rest."""
        await self.client.wait_until_ready()
        services = self.client.services
        for reminder in services.reminders.due():
            await self.send_reminder(reminder)
        for guild_id in services.engage.guilds():
            try:
                await self.milestones(guild_id)
            except Exception:  # the next minute tries again
                log.exception("streak milestones of guild %s failed", guild_id)

    async def send_reminder(self, reminder: DueReminder) -> None:
        reminders = self.client.services.reminders
        guild = self.client.get_guild(reminder.guild_id)
        card = reminder_dm_card(guild.name if guild else "studybot", reminder.nudge, reminder.next_post_at)
        try:
            user = self.client.get_user(reminder.user_id) or await self.client.fetch_user(reminder.user_id)
            await user.send(embed=render.embed(card))
        except discord.Forbidden as error:
            if error.code == CANNOT_DM:
                log.info("reminder DM to %s refused (DMs closed); reminders paused until /remind", reminder.user_id)
                reminders.dm_closed(reminder)
                return
            self._failed(reminder, error)
        except (discord.HTTPException, OSError) as error:  # not retried today: at most one DM a day
            self._failed(reminder, error)
        else:
            reminders.settle(reminder, "sent")

    def _failed(self, reminder: DueReminder, error: Exception) -> None:
        log.warning("reminder DM to %s in guild %s failed: %s", reminder.user_id, reminder.guild_id, error)
        self.client.services.reminders.settle(reminder, "failed")

    async def milestones(self, guild_id: int) -> None:
        engage = self.client.services.engage
        for announcement in engage.announcements(guild_id):
            await self.announce(announcement)
        for change in engage.role_changes(guild_id):
            if not await self.change_role(change):
                return

    async def announce(self, announcement: Announcement) -> None:
        target_id = announcement.thread_id or announcement.channel_id
        target = self.client.get_channel(target_id) or self.client.get_partial_messageable(
            target_id, guild_id=announcement.guild_id)
        card = milestone_card(announcement.user_id, announcement.name, announcement.milestone)
        try:
            await target.send(embed=render.embed(card))
        except discord.HTTPException as error:  # claimed already: a lost congratulation, never a second one
            log.warning("milestone %s of %s in guild %s not announced: %s %s", announcement.milestone,
                        announcement.user_id, announcement.guild_id, error.status, error.text)

    async def change_role(self, change: RoleChange) -> bool:
        """Give or take the role; False when Discord refused (role changes in the server stop, with a note)."""
        engage, http = self.client.services.engage, self.client.http
        verb = "give" if change.give else "take back"
        reason = f"studybot: {change.milestone}-day streak" + ("" if change.give else " ended")
        try:
            if change.give:
                await http.add_role(change.guild_id, change.user_id, change.role_id, reason=reason)
            else:
                await http.remove_role(change.guild_id, change.user_id, change.role_id, reason=reason)
        except discord.Forbidden as error:
            note = (f"ロール <@&{change.role_id}> を付け外しできませんでした（{error.status} {error.text}）。"
                    "ボットの「ロールの管理」権限と、ボットのロールがそのロールより上にあることを確かめてください。")
            log.warning("could not %s role %s in guild %s: %s %s", verb, change.role_id, change.guild_id, error.status,
                        error.text)
            engage.role_trouble(change.guild_id, note)
            return False
        except discord.NotFound:  # the member left or the role was deleted: nothing to hold any more
            log.info("role %s or member %s gone in guild %s", change.role_id, change.user_id, change.guild_id)
        except discord.HTTPException as error:
            log.warning("could not %s role %s in guild %s: %s; trying again next minute", verb, change.role_id,
                        change.guild_id, error)
            return False
        (engage.given if change.give else engage.taken)(change)
        return True
