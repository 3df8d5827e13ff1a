"""Queries for streak milestones: a server's role per milestone, the milestones members reached (each
announced once) and the roles the bot gave for them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.streaks import StreakState
from db.connection import writing


def roles(db: Database, guild_id: int) -> dict[int, int]:
    """{milestone: role id} of the server."""
    return {r["milestone"]: r["role_id"] for r in db.query(
        "select milestone, role_id from milestone_roles where guild_id = ? order by milestone", [guild_id])}


def set_role(db: Database, guild_id: int, milestone: int, role_id: int | None) -> None:
    with writing(db):
        if role_id is None:
            db.execute("delete from milestone_roles where guild_id = ? and milestone = ?", [guild_id, milestone])
        else:
            db.table("milestone_roles").upsert({"guild_id": guild_id, "milestone": milestone, "role_id": role_id},
                                               pk=("guild_id", "milestone"))


def streaks_from(db: Database, guild_id: int, run: int) -> list[tuple[int, StreakState]]:
    """(user id, streak state) of the server's members whose last run is at least `run` (index on run)."""
    rows = db.query("select * from streaks where guild_id = ? and run >= ? order by user_id", [guild_id, run])
    return [(r["user_id"], StreakState(r["run"], r["best"], r["freezes"], r["answered"], r["last_seq"])) for r in rows]


def announced(db: Database, guild_id: int, user_id: int, milestone: int, seq: int) -> bool:
    return db.execute("select 1 from milestones where guild_id = ? and user_id = ? and milestone = ? and seq = ?",
                      [guild_id, user_id, milestone, seq]).fetchone() is not None


def record_reached(db: Database, guild_id: int, user_id: int, milestone: int, seq: int, now: datetime,
                   announce: bool) -> bool:
    """Claim the milestone reached at `seq` (before it is announced: never twice). False: already claimed."""
    with writing(db):
        cursor = db.execute("insert or ignore into milestones (guild_id, user_id, milestone, seq, reached_at, announced) "
                            "values (?, ?, ?, ?, ?, ?)", [guild_id, user_id, milestone, seq, now.isoformat(), int(announce)])
    return cursor.rowcount == 1


def grants(db: Database, guild_id: int) -> list[dict[str, Any]]:
    return list(db.query("select * from milestone_grants where guild_id = ? order by user_id, milestone", [guild_id]))


def record_grant(db: Database, guild_id: int, user_id: int, milestone: int, role_id: int, now: datetime) -> None:
    with writing(db):
        db.table("milestone_grants").upsert({"guild_id": guild_id, "user_id": user_id, "milestone": milestone,
                                             "role_id": role_id, "granted_at": now.isoformat()},
                                            pk=("guild_id", "user_id", "milestone"))


def drop_grant(db: Database, guild_id: int, user_id: int, milestone: int) -> None:
    with writing(db):
        db.execute("delete from milestone_grants where guild_id = ? and user_id = ? and milestone = ?",
                   [guild_id, user_id, milestone])


def thread_of_seq(db: Database, guild_id: int, seq: int) -> tuple[int, int | None] | None:
    """(channel id, thread id) of the server's posted daily question number `seq`."""
    rows = list(db.query("select channel_id, thread_id from daily_posts where guild_id = ? and seq = ?", [guild_id, seq]))
    return (rows[0]["channel_id"], rows[0]["thread_id"]) if rows else None


def guilds_with_milestones(db: Database) -> list[int]:
    """Servers set up for the daily question (announcing or holding milestone roles)."""
    return [r["guild_id"] for r in db.query("select guild_id from daily_settings order by guild_id")]
