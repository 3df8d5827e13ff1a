"""Members' DM reminders: their settings, and which reminders are due now (bot.core.reminders decides).

The front end that can send DMs (Discord) asks `due()` once a minute, sends each, and reports back with
`settle` (sent, failed) or `dm_closed` (Discord refused: the member does not accept DMs from the server).
A due reminder is recorded before it is returned, so a restart or a second caller never sends it twice.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.core import reminders as rules
from bot.core.daily import local_date, next_slot, parse_hhmm
from bot.core.reminders import Nudge, ReminderSettings
from bot.core.streaks import now as streak_now
from db import daily as daily_store
from db import progress as progress_store
from db import reminders as store
from db import review as review_store

Clock = Callable[[], datetime]
DEFAULT_TIME = "20:00"


@dataclass(frozen=True)
class ReminderView:
    settings: ReminderSettings | None  # None: never set
    timezone: str
    last_state: str | None = None  # the latest day's outcome (bot.core.reminders states)
    last_day: date | None = None


@dataclass(frozen=True)
class DueReminder:
    guild_id: int
    user_id: int
    day: date
    nudge: Nudge
    next_post_at: datetime | None  # local; when the open question closes (None: paused or not set up)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _settings(row: dict[str, Any]) -> ReminderSettings:
    return ReminderSettings(row["guild_id"], row["user_id"], bool(row["streak"]), bool(row["review"]), row["time"],
                            _when(row["updated_at"]), _when(row["dm_closed_at"]))


@dataclass
class Reminders:
    db: Database
    clock: Clock

    def _zone(self, guild_id: int) -> ZoneInfo:
        settings = daily_store.get_settings(self.db, guild_id)
        return settings.zone if settings else ZoneInfo("UTC")

    def view(self, guild_id: int, user_id: int) -> ReminderView:
        row = store.get(self.db, guild_id, user_id)
        last = store.last_log(self.db, guild_id, user_id)
        return ReminderView(_settings(row) if row else None, str(self._zone(guild_id)),
                            last["state"] if last else None, date.fromisoformat(last["local_date"]) if last else None)

    def set(self, guild_id: int, user_id: int, *, streak: bool | None = None, review: bool | None = None,
            time: str | None = None) -> ReminderView:
        """Options not given keep their value; a first /remind turns both on at DEFAULT_TIME."""
        old = self.view(guild_id, user_id).settings
        store.save(self.db, guild_id, user_id,
                   streak=streak if streak is not None else (old.streak if old else True),
                   review=review if review is not None else (old.review if old else True),
                   time=parse_hhmm(time, "time") if time else (old.time if old else DEFAULT_TIME), now=self.clock())
        return self.view(guild_id, user_id)

    def nudge(self, guild_id: int, user_id: int, settings: ReminderSettings | None = None) -> Nudge:
        """What the member would be reminded of now (`settings`: theirs; default: everything)."""
        settings = settings or ReminderSettings(guild_id, user_id, True, True, DEFAULT_TIME)
        daily = daily_store.get_settings(self.db, guild_id)
        latest = progress_store.latest(self.db, guild_id)
        state = progress_store.streak_state(self.db, guild_id, user_id)
        current = streak_now(state, latest.seq if latest else 0)
        reviews = int(review_store.deck_summary(self.db, guild_id, user_id, self.clock())["due"]) if settings.review else 0
        daily_open = latest is not None and daily is not None and not daily.paused
        return rules.nudge(settings, current, latest is not None and state.last_seq == latest.seq, daily_open, reviews)

    def due(self) -> list[DueReminder]:
        """Every reminder to send now, each recorded as claimed (a late or empty one is recorded and left out)."""
        now, found = self.clock(), []
        for guild_id in store.guilds(self.db):
            zone = self._zone(guild_id)
            local = now.astimezone(zone)
            for row in store.waiting(self.db, guild_id, f"{local:%H:%M}", local.date()):
                reminder = self._due(_settings(row), now, zone)
                if reminder is not None:
                    found.append(reminder)
        return found

    def _due(self, settings: ReminderSettings, now: datetime, zone: ZoneInfo) -> DueReminder | None:
        due = rules.due_day(settings, now, zone)
        if due is None:
            return None
        day, on_time = due
        nudge = self.nudge(settings.guild_id, settings.user_id, settings) if on_time else Nudge()
        if not nudge:
            store.claim(self.db, settings.guild_id, settings.user_id, day, rules.NOTHING if on_time else rules.LATE, now)
            return None
        if not store.claim(self.db, settings.guild_id, settings.user_id, day, store.CLAIMED, now):
            return None
        return DueReminder(settings.guild_id, settings.user_id, day, nudge, self._next_post(settings.guild_id))

    def _next_post(self, guild_id: int) -> datetime | None:
        daily = daily_store.get_settings(self.db, guild_id)
        if daily is None or daily.paused:
            return None
        return next_slot(self.clock(), daily.post_time, daily.zone).astimezone(daily.zone)

    def settle(self, reminder: DueReminder, state: str) -> None:
        store.settle(self.db, reminder.guild_id, reminder.user_id, reminder.day, state, self.clock())

    def dm_closed(self, reminder: DueReminder) -> None:
        """No further DMs until the member runs /remind again (after opening their DMs)."""
        self.settle(reminder, rules.DM_CLOSED)
        store.close_dms(self.db, reminder.guild_id, reminder.user_id, self.clock())

    def today(self, guild_id: int) -> date:
        return local_date(self.clock(), self._zone(guild_id))
