"""Members own their data: export everything stored about them in a server, forget it, and forget a
whole server some time after the bot was removed from it (unless it is invited back first).

"In a server" is the rule throughout: a member's export and forget never read or touch another
server's rows, and forgetting takes the member's streak and board rows too, so no leaderboard keeps them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from db import privacy as store

Clock = Callable[[], datetime]
EXPORT_FORMAT = "studybot-member-export/1"
DEFAULT_FORGET_AFTER = timedelta(days=30)
# ids Discord gives are snowflakes (a millisecond timestamp shifted left by 22 bits): smaller ids are the
# terminal's simulated server, never a Discord server the bot could have left
SNOWFLAKE_MIN = 1 << 22


@dataclass(frozen=True)
class Forgotten:
    """What forgetting a member deleted, per table (rows)."""

    deleted: dict[str, int]
    name: str | None = None  # the display name the bot had stored (now deleted too)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


@dataclass(frozen=True)
class Departures:
    """What start-up found: servers left while the bot was offline, and servers it is back in."""

    marked: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()


@dataclass
class Privacy:
    db: Database
    clock: Clock

    def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything stored about the member in this server, as JSON-ready data."""
        rows = store.member_rows(self.db, guild_id, user_id)
        members, streaks = rows.pop("members"), rows.pop("streaks")
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.clock().isoformat(),
            "guild_id": guild_id,
            "user_id": user_id,
            "member": members[0] if members else None,
            "streak": streaks[0] if streaks else None,  # current run, best, freezes, daily answers
            **rows,  # answers (with scores and feedback), draws, reveals, review cards and ratings, board rows (points)
            "changed_daily_settings_last": store.changed_daily_settings(self.db, guild_id, user_id),
        }

    def name(self, guild_id: int, user_id: int) -> str | None:
        """The member's display name as the bot last stored it."""
        return store.display_name(self.db, guild_id, user_id)

    def stored(self, guild_id: int, user_id: int) -> dict[str, int]:
        """How many rows about the member each table holds in this server (what forget would delete)."""
        return store.member_counts(self.db, guild_id, user_id)

    def forget(self, guild_id: int, user_id: int) -> Forgotten:
        """Delete the member's rows in this server, their streak and leaderboard rows included."""
        name = store.display_name(self.db, guild_id, user_id)
        return Forgotten(store.forget_member(self.db, guild_id, user_id), name)

    def departed(self, guild_id: int) -> None:
        """The bot was removed from the server: its data goes after the grace period."""
        store.record_departure(self.db, guild_id, self.clock())

    def returned(self, guild_id: int) -> bool:
        """The bot is in the server again: its pending deletion is cancelled (True if one was pending)."""
        return store.cancel_departure(self.db, guild_id)

    def pending(self) -> dict[int, datetime]:
        """Servers whose data is to be deleted, with when the bot left them."""
        return store.departures(self.db)

    def reconcile(self, present: Iterable[int]) -> Departures:
        """At start-up, with the servers the bot is in now: one left while it was offline is recorded as
        left now, one it is back in is no longer to be deleted."""
        here = set(present)
        pending = store.departures(self.db)
        gone = sorted(g for g in store.guilds_with_data(self.db) - here - set(pending) if g >= SNOWFLAKE_MIN)
        for guild_id in gone:
            self.departed(guild_id)
        back = sorted(g for g in pending if g in here)
        for guild_id in back:
            self.returned(guild_id)
        return Departures(tuple(gone), tuple(back))

    def due(self, forget_after: timedelta = DEFAULT_FORGET_AFTER) -> list[int]:
        """The servers the bot left at least `forget_after` ago (and was not invited back to)."""
        cutoff = self.clock() - forget_after
        return sorted(guild_id for guild_id, left_at in store.departures(self.db).items() if left_at <= cutoff)

    def forget_server(self, guild_id: int) -> dict[str, int]:
        """Delete everything stored about the server; returns the rows deleted per table."""
        return store.forget_guild(self.db, guild_id)

    def sweep(self, forget_after: timedelta = DEFAULT_FORGET_AFTER) -> dict[int, dict[str, int]]:
        """Delete the data of every server the bot left at least `forget_after` ago; returns what went, per server."""
        return {guild_id: self.forget_server(guild_id) for guild_id in self.due(forget_after)}
