"""Queries for spaced review: one FSRS card per (server, member, question), and a log of every rating.

`due` is stored as UTC ISO text to the second ("2026-11-27T09:00:00+00:00"), so text order is time order.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from db.connection import writing


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def card_json(db: Database, guild_id: int, user_id: int, question_id: str) -> str | None:
    rows = list(db.query("select card from review_cards where guild_id = ? and user_id = ? and question_id = ?",
                         [guild_id, user_id, question_id]))
    return rows[0]["card"] if rows else None


def save_rating(db: Database, guild_id: int, user_id: int, question_id: str, *, card: str, due: datetime,
                rating: str, now: datetime) -> None:
    """The new card state and the rating that led to it, together."""
    key = {"guild_id": guild_id, "user_id": user_id, "question_id": question_id}
    with writing(db):
        db.table("review_cards").upsert({**key, "card": card, "due": stamp(due), "updated_at": stamp(now)},
                                        pk=("guild_id", "user_id", "question_id"))
        db.table("review_log").insert({**key, "rating": rating, "reviewed_at": stamp(now)})


def due_question_ids(db: Database, guild_id: int, user_id: int, now: datetime) -> list[str]:
    """Questions due by `now`, earliest first; retired questions are left out."""
    rows = db.query(
        "select c.question_id from review_cards c join questions q on q.id = c.question_id "
        "where c.guild_id = ? and c.user_id = ? and c.due <= ? and q.retired_at is null "
        "order by c.due, c.question_id", [guild_id, user_id, stamp(now)])
    return [r["question_id"] for r in rows]


def deck_summary(db: Database, guild_id: int, user_id: int, now: datetime) -> dict[str, Any]:
    """{"total": cards, "due": due by now, "next_due": earliest due as stored text or None} (active questions only)."""
    row = next(iter(db.query(
        "select count(*) total, coalesce(sum(c.due <= ?), 0) due, min(c.due) next_due "
        "from review_cards c join questions q on q.id = c.question_id "
        "where c.guild_id = ? and c.user_id = ? and q.retired_at is null", [stamp(now), guild_id, user_id])))
    return dict(row)


def due_by(db: Database, guild_id: int, user_id: int, ends: list[datetime]) -> list[int]:
    """How many of the member's questions are due by each of `ends` (active questions only)."""
    sums = ", ".join("coalesce(sum(c.due < ?), 0)" for _ in ends)
    row = db.execute(f"select {sums} from review_cards c join questions q on q.id = c.question_id "
                     "where c.guild_id = ? and c.user_id = ? and q.retired_at is null",
                     [*(stamp(end) for end in ends), guild_id, user_id]).fetchone()
    return [int(n) for n in row] if ends else []


def ratings_since(db: Database, guild_id: int, user_id: int, since: datetime) -> list[str]:
    rows = db.execute("select rating from review_log where guild_id = ? and user_id = ? and reviewed_at >= ?",
                      [guild_id, user_id, stamp(since)])
    return [r[0] for r in rows]
