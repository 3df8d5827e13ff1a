"""Queries for members' DM reminders: each member's settings per server, and one log row per member and
local day, written before the DM goes out (so a restart never sends it twice)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from db.connection import writing

CLAIMED = "claimed"


def get(db: Database, guild_id: int, user_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from reminders where guild_id = ? and user_id = ?", [guild_id, user_id]))
    return dict(rows[0]) if rows else None


def save(db: Database, guild_id: int, user_id: int, *, streak: bool, review: bool, time: str, now: datetime) -> None:
    """Saving also reopens the DM: the member may have opened their DMs since the last one bounced."""
    with writing(db):
        db.table("reminders").upsert({"guild_id": guild_id, "user_id": user_id, "streak": int(streak),
                                      "review": int(review), "time": time, "updated_at": now.isoformat(),
                                      "dm_closed_at": None}, pk=("guild_id", "user_id"))


def guilds(db: Database) -> list[int]:
    return [r["guild_id"] for r in db.query("select distinct guild_id from reminders where streak or review")]


def waiting(db: Database, guild_id: int, by_time: str, day: date) -> list[dict[str, Any]]:
    """The server's members whose reminder time is at or before `by_time` (HH:MM, local) and who have no log
    row for `day`: on, DMs not closed."""
    return list(db.query(
        "select r.* from reminders r where r.guild_id = ? and (r.streak or r.review) and r.dm_closed_at is null "
        "and r.time <= ? and not exists (select 1 from reminder_log l where l.guild_id = r.guild_id "
        "and l.user_id = r.user_id and l.local_date = ?) order by r.user_id", [guild_id, by_time, day.isoformat()]))


def claim(db: Database, guild_id: int, user_id: int, day: date, state: str, now: datetime) -> bool:
    """The day's one reminder for the member, recorded before sending; False if already recorded."""
    with writing(db):
        cursor = db.execute("insert or ignore into reminder_log (guild_id, user_id, local_date, state, at) "
                            "values (?, ?, ?, ?, ?)", [guild_id, user_id, day.isoformat(), state, now.isoformat()])
    return cursor.rowcount == 1


def settle(db: Database, guild_id: int, user_id: int, day: date, state: str, now: datetime) -> None:
    with writing(db):
        db.execute("update reminder_log set state = ?, at = ? where guild_id = ? and user_id = ? and local_date = ?",
                   [state, now.isoformat(), guild_id, user_id, day.isoformat()])


def close_dms(db: Database, guild_id: int, user_id: int, now: datetime) -> None:
    """Discord refused the DM (the member does not accept DMs from this server): no more tries until /remind."""
    with writing(db):
        db.execute("update reminders set dm_closed_at = ? where guild_id = ? and user_id = ?",
                   [now.isoformat(), guild_id, user_id])


def last_log(db: Database, guild_id: int, user_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from reminder_log where guild_id = ? and user_id = ? order by local_date desc limit 1",
                         [guild_id, user_id]))
    return dict(rows[0]) if rows else None
