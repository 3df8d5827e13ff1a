"""What brings members back, per server: the role the daily post pings, and streak milestones (7, 30, 100)
congratulated in the daily thread and carried as roles while the streak lives.

The front end that can post and give roles (Discord) asks once a minute for `announcements` and
`role_changes`, carries them out and reports back (`given`, `taken`, `role_trouble`). An announcement is
recorded before it is returned, so it is made once, whatever restarts happen. Settings live beside the
daily question's (a server must have set it up).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.daily import DailyNotSetUp, InvalidDailySetting
from bot.core.milestones import MILESTONES, reached, roles_held
from bot.core.streaks import now as streak_now
from db import daily as daily_store
from db import milestones as store
from db import progress as progress_store

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class EngageSettings:
    ping_role_id: int | None
    announce: bool
    roles: dict[int, int]  # {milestone: role id}
    note: str | None  # the last failure to give or take a role (role changes wait until /daily milestones)


@dataclass(frozen=True)
class Announcement:
    guild_id: int
    user_id: int
    name: str | None
    milestone: int
    channel_id: int
    thread_id: int | None  # the thread of the question whose answer reached it (None: under the post)


@dataclass(frozen=True)
class RoleChange:
    guild_id: int
    user_id: int
    milestone: int
    role_id: int
    give: bool  # False: take it back


def check_milestone(milestone: int) -> int:
    if milestone not in MILESTONES:
        raise InvalidDailySetting("streak は 7・30・100 のどれかです。 (streak must be 7, 30 or 100.)")
    return milestone


@dataclass
class Engage:
    db: Database
    clock: Clock

    def settings(self, guild_id: int) -> EngageSettings:
        row = daily_store.engage_settings(self.db, guild_id)
        if row is None:
            raise DailyNotSetUp()
        return EngageSettings(row["ping_role_id"], bool(row["milestones_announce"]), store.roles(self.db, guild_id),
                              row["milestone_note"])

    def ping_role(self, guild_id: int) -> int | None:
        row = daily_store.engage_settings(self.db, guild_id)
        return row["ping_role_id"] if row else None

    def set_ping_role(self, guild_id: int, role_id: int | None) -> EngageSettings:
        self.settings(guild_id)
        daily_store.set_ping_role(self.db, guild_id, role_id)
        return self.settings(guild_id)

    def set_milestones(self, guild_id: int, *, announce: bool | None = None, milestone: int | None = None,
                       role_id: int | None = None, clear_role: bool = False) -> EngageSettings:
        """Any change clears the note of a failed role change: role changes are tried again."""
        self.settings(guild_id)
        if announce is not None:
            daily_store.set_milestones_announce(self.db, guild_id, announce)
        if milestone is not None and (role_id is not None or clear_role):
            store.set_role(self.db, guild_id, check_milestone(milestone), None if clear_role else role_id)
        daily_store.set_milestone_note(self.db, guild_id, None)
        return self.settings(guild_id)

    def announcements(self, guild_id: int) -> list[Announcement]:
        """Milestones newly reached, each claimed once; those of a server that turned announcing off are
        claimed silently (turning it on later does not announce old ones)."""
        latest = progress_store.latest(self.db, guild_id)
        row = daily_store.engage_settings(self.db, guild_id)
        if latest is None or row is None:
            return []
        announce, found = bool(row["milestones_announce"]), []
        for user_id, state in store.streaks_from(self.db, guild_id, MILESTONES[0]):
            milestone = reached(state, latest.seq)
            if milestone is None or store.announced(self.db, guild_id, user_id, milestone, state.last_seq):
                continue
            where = store.thread_of_seq(self.db, guild_id, state.last_seq)
            if store.record_reached(self.db, guild_id, user_id, milestone, state.last_seq, self.clock(), announce) \
                    and announce and where is not None:
                name = progress_store.display_names(self.db, guild_id, [user_id]).get(user_id)
                found.append(Announcement(guild_id, user_id, name, milestone, where[0], where[1]))
        return found

    def role_changes(self, guild_id: int) -> list[RoleChange]:
        """Roles to give (current streak at least the milestone) and to take back (the streak broke, or the
        milestone's role changed); none while a failure waits for the managers (its note)."""
        settings = daily_store.engage_settings(self.db, guild_id)
        latest = progress_store.latest(self.db, guild_id)
        roles = store.roles(self.db, guild_id)
        grants = store.grants(self.db, guild_id)
        if settings is None or settings["milestone_note"] or latest is None or not (roles or grants):
            return []
        changes = []
        held = {(g["user_id"], g["milestone"]): g["role_id"] for g in grants}
        for (user_id, milestone), role_id in held.items():
            current = streak_now(progress_store.streak_state(self.db, guild_id, user_id), latest.seq)
            if roles_held(current, roles).get(milestone) != role_id:
                changes.append(RoleChange(guild_id, user_id, milestone, role_id, give=False))
        for user_id, state in store.streaks_from(self.db, guild_id, min(roles, default=MILESTONES[-1] + 1)):
            for milestone, role_id in roles_held(streak_now(state, latest.seq), roles).items():
                if held.get((user_id, milestone)) != role_id:
                    changes.append(RoleChange(guild_id, user_id, milestone, role_id, give=True))
        return changes

    def given(self, change: RoleChange) -> None:
        store.record_grant(self.db, change.guild_id, change.user_id, change.milestone, change.role_id, self.clock())

    def taken(self, change: RoleChange) -> None:
        store.drop_grant(self.db, change.guild_id, change.user_id, change.milestone)

    def role_trouble(self, guild_id: int, note: str) -> None:
        """Discord refused a role change (Manage Roles, or the role is above the bot's): role changes stop
        until a manager fixes it and runs /daily milestones; /daily status shows why."""
        daily_store.set_milestone_note(self.db, guild_id, note)

    def guilds(self) -> list[int]:
        return store.guilds_with_milestones(self.db)
