"""Queries for a member's practice: what they drew and what they answered."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from db.connection import inserted_id, writing


def _remember_member(db: Database, guild_id: int, user_id: int, display_name: str | None, now: str) -> None:
    if display_name:
        db.table("members").upsert({"guild_id": guild_id, "user_id": user_id, "display_name": display_name, "updated_at": now},
                                   pk=("guild_id", "user_id"))


def member_known(db: Database, guild_id: int, user_id: int) -> bool:
    """Whether the member ever drew or answered a question in this server (their name was stored then)."""
    return db.execute("select 1 from members where guild_id = ? and user_id = ?", [guild_id, user_id]).fetchone() is not None


def record_draw(db: Database, guild_id: int, user_id: int, question_id: str, now: datetime, *, via: str,
                display_name: str | None = None) -> None:
    stamp = now.isoformat()
    with writing(db):
        _remember_member(db, guild_id, user_id, display_name, stamp)
        db.table("draws").insert({"guild_id": guild_id, "user_id": user_id, "question_id": question_id, "drawn_at": stamp, "via": via})


def last_seen(db: Database, guild_id: int, user_id: int) -> dict[str, str]:
    rows = db.query("select question_id, max(drawn_at) at from draws where guild_id = ? and user_id = ? group by question_id",
                    [guild_id, user_id])
    return {r["question_id"]: r["at"] for r in rows}


def current_question_id(db: Database, guild_id: int, user_id: int) -> str | None:
    rows = list(db.query("select question_id from draws where guild_id = ? and user_id = ? order by drawn_at desc, id desc limit 1",
                         [guild_id, user_id]))
    return rows[0]["question_id"] if rows else None


def record_reveal(db: Database, guild_id: int, user_id: int, question_id: str, now: datetime) -> None:
    """The member was shown the model answer of `question_id` (it decides a daily question's points)."""
    with writing(db):
        db.table("reveals").insert({"guild_id": guild_id, "user_id": user_id, "question_id": question_id,
                                    "revealed_at": now.isoformat()})


def reveal_times(db: Database, guild_id: int, user_id: int, question_id: str) -> list[datetime]:
    rows = db.execute("select revealed_at from reveals where guild_id = ? and user_id = ? and question_id = ?",
                      [guild_id, user_id, question_id])
    return [datetime.fromisoformat(r[0]) for r in rows]


def record_answer(db: Database, guild_id: int, user_id: int, question_id: str, text: str, now: datetime, *,
                  daily_post_id: int | None = None, display_name: str | None = None) -> int:
    stamp = now.isoformat()
    with writing(db):
        _remember_member(db, guild_id, user_id, display_name, stamp)
        table = db.table("answers").insert({
            "guild_id": guild_id, "user_id": user_id, "question_id": question_id, "text": text,
            "created_at": stamp, "daily_post_id": daily_post_id,
        })
    return inserted_id(table)


def unscored_since(db: Database, since: datetime) -> list[dict[str, Any]]:
    """Answers saved without a score from `since` on, oldest first (those that came before the scorer was ready)."""
    return list(db.query("select id, question_id, text, daily_post_id from answers where score is null and created_at >= ? "
                         "order by created_at, id", [since.isoformat()]))


def answers_of(db: Database, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    return list(db.query("select * from answers where guild_id = ? and user_id = ? order by created_at, id", [guild_id, user_id]))


def record_feedback(db: Database, answer_id: int, score: int, covered: list[str], missed: list[str]) -> None:
    """The scorer's verdict on a saved answer (key point phrases as JSON lists)."""
    with writing(db):
        db.table("answers").update(answer_id, {"score": score, "covered": json.dumps(covered, ensure_ascii=False),
                                               "missed": json.dumps(missed, ensure_ascii=False)})


def answer_history(db: Database, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    """Every answer of a member with its question's category and score (None when not scored), oldest first."""
    return list(db.query(
        "select a.question_id, a.created_at, a.score, q.category, q.level from answers a "
        "join questions q on q.id = a.question_id where a.guild_id = ? and a.user_id = ? order by a.created_at, a.id",
        [guild_id, user_id]))


def practised_levels(db: Database, guild_id: int, user_id: int) -> set[str]:
    """The levels of the questions a member drew or answered in this server."""
    rows = db.execute("select distinct q.level from questions q where q.id in (select question_id from draws where guild_id = ? "
                      "and user_id = ? union select question_id from answers where guild_id = ? and user_id = ?)",
                      [guild_id, user_id, guild_id, user_id])
    return {r[0] for r in rows}
