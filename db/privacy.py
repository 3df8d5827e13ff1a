"""Queries for members' own data: everything stored about a member in one server (to export or forget it),
and a server's data once the bot has left it for good.

A member's rows are those carrying their (guild_id, user_id); a server's are every row carrying its
guild_id. tests/db/test_privacy.py checks that every table with such columns is listed here.
"""
from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from db import progress
from db.connection import writing

# every table holding a member's rows, keyed by (guild_id, user_id); what a member's export shows and forget deletes
MEMBER_TABLES = ("answers", "draws", "reveals", "hints", "review_cards", "review_log", "streaks", "board_stats", "members",
                 "milestones", "milestone_grants", "reminders", "reminder_log")
# the rest of a server's data: its daily question's settings and posts, its milestone roles
SERVER_TABLES = ("daily_posts", "daily_settings", "milestone_roles")
_ORDER = {"answers": "created_at, id", "draws": "drawn_at, id", "reveals": "revealed_at, id", "hints": "shown_at, id",
          "review_cards": "question_id", "review_log": "reviewed_at, id", "streaks": "user_id",
          "board_stats": "period_key", "members": "user_id", "milestones": "seq, milestone",
          "milestone_grants": "milestone", "reminders": "user_id", "reminder_log": "local_date"}
_JSON_COLUMNS = ("covered", "missed", "card")  # stored as JSON text: exported as the values they hold


def member_rows(db: Database, guild_id: int, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row about the member in this server, table by table, oldest first (the key columns left out)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table in MEMBER_TABLES:
        rows = db.query(f"select * from {table} where guild_id = ? and user_id = ? order by {_ORDER[table]}",
                        [guild_id, user_id])
        found[table] = [_exported(row) for row in rows]
    return found


def member_counts(db: Database, guild_id: int, user_id: int) -> dict[str, int]:
    """How many rows about the member each table holds in this server."""
    return {table: int(db.execute(f"select count(*) from {table} where guild_id = ? and user_id = ?",
                                  [guild_id, user_id]).fetchone()[0]) for table in MEMBER_TABLES}


def _exported(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("guild_id", "user_id")}
    for key in _JSON_COLUMNS:
        if isinstance(out.get(key), str):
            with contextlib.suppress(ValueError):  # otherwise kept as stored
                out[key] = json.loads(out[key])
    return out


def display_name(db: Database, guild_id: int, user_id: int) -> str | None:
    return progress.display_names(db, guild_id, [user_id]).get(user_id)


def changed_daily_settings(db: Database, guild_id: int, user_id: int) -> bool:
    """The member made the last change to the server's daily question settings (its `updated_by`)."""
    return db.execute("select 1 from daily_settings where guild_id = ? and updated_by = ?", [guild_id, user_id]).fetchone() is not None


def forget_member(db: Database, guild_id: int, user_id: int) -> dict[str, int]:
    """Delete every row about the member in this server (no other server's) and clear their id from the
    daily settings' last change, in one transaction. Returns the rows deleted per table.

    The boards need no rebuild: their derived rows (streaks, board_stats) are each one member's fold of
    their own answers and reveals (db.progress.rebuild replays member by member), so deleting the
    member's rows leaves exactly what a rebuild would, in time proportional to the member's rows rather
    than the server's (a rebuild of a server with a million answers takes a minute; tests check the equality)."""
    deleted: dict[str, int] = {}
    with writing(db):
        for table in MEMBER_TABLES:
            cursor = db.execute(f"delete from {table} where guild_id = ? and user_id = ?", [guild_id, user_id])
            deleted[table] = cursor.rowcount
        db.execute("update daily_settings set updated_by = null where guild_id = ? and updated_by = ?", [guild_id, user_id])
    return deleted


def record_departure(db: Database, guild_id: int, at: datetime) -> None:
    """The bot was removed from the server at `at` (an earlier record is kept: the grace period runs from the first)."""
    with writing(db):
        db.execute("insert or ignore into guild_departures (guild_id, left_at) values (?, ?)", [guild_id, at.isoformat()])


def cancel_departure(db: Database, guild_id: int) -> bool:
    """The bot is back in the server: nothing of it is to be deleted. True if a deletion was pending."""
    with writing(db):
        return db.execute("delete from guild_departures where guild_id = ?", [guild_id]).rowcount > 0


def departures(db: Database) -> dict[int, datetime]:
    return {r["guild_id"]: datetime.fromisoformat(r["left_at"]) for r in db.query("select * from guild_departures")}


def guilds_with_data(db: Database) -> set[int]:
    """Every server something is stored about."""
    union = " union ".join(f"select distinct guild_id from {t}" for t in (*MEMBER_TABLES, *SERVER_TABLES))
    return {r[0] for r in db.execute(union)}


def forget_guild(db: Database, guild_id: int) -> dict[str, int]:
    """Delete everything stored about the server, and its departure record, in one transaction.
    Returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    with writing(db):
        for table in (*MEMBER_TABLES, *SERVER_TABLES):
            deleted[table] = db.execute(f"delete from {table} where guild_id = ?", [guild_id]).rowcount
        cancel_departure(db, guild_id)
    return deleted
