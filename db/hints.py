"""Queries for hints: each key point shown to a member as a hint, with when it was shown."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlite_utils import Database

from db.connection import writing


def shown_since(db: Database, guild_id: int, user_id: int, question_id: str, since: datetime | None) -> int:
    """How many hints of `question_id` the member was shown from `since` on (ever, when None)."""
    row = db.execute("select count(*) from hints where guild_id = ? and user_id = ? and question_id = ? and shown_at >= ?",
                     [guild_id, user_id, question_id, since.isoformat() if since else ""]).fetchone()
    return int(row[0])


def record(db: Database, guild_id: int, user_id: int, question_id: str, now: datetime, *, since: datetime | None,
           limit: int) -> int:
    """One more hint, unless `limit` were shown since `since` already; returns how many are shown now. Counted and
    written in one transaction, so two quick presses give two hints, never a third beyond the key points."""
    with writing(db):
        shown = shown_since(db, guild_id, user_id, question_id, since)
        if shown >= limit:
            return shown
        db.table("hints").insert({"guild_id": guild_id, "user_id": user_id, "question_id": question_id,
                                  "shown_at": now.isoformat()})
    return shown + 1


def hint_times(db: Database, guild_id: int, user_id: int, question_id: str) -> list[datetime]:
    rows = db.execute("select shown_at from hints where guild_id = ? and user_id = ? and question_id = ?",
                      [guild_id, user_id, question_id])
    return [datetime.fromisoformat(r[0]) for r in rows]


def server_hint_times(db: Database, guild_id: int) -> dict[tuple[int, str], list[datetime]]:
    """Every hint in a server, by (user, question): what a rebuild of the points needs."""
    found: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for user_id, question_id, at in db.execute("select user_id, question_id, shown_at from hints where guild_id = ?",
                                               [guild_id]):
        found[user_id, question_id].append(datetime.fromisoformat(at))
    return dict(found)
