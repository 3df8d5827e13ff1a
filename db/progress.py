"""Queries for streaks and leaderboards, over data derived from the stored daily answers.

`streaks` (each member's fold state) and `board_stats` (each member's row per period) are written in
the same transaction as the answer that changes them, with the same functions `rebuild` replays, so
they are never stale; `rebuild` recomputes them from the answers alone.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlite_utils import Database

from bot.core import points
from bot.core.boards import ALL
from bot.core.daily import DailyPost
from bot.core.points import PointsVerdict
from bot.core.streaks import BoardRow, StreakState, answer, board_answer
from db import hints as hint_store
from db import practice
from db.connection import writing

COUNTED = ("answers", "points")  # board columns read as they are (streaks depend on the latest question)
ALIVE_SPAN = 4  # alive_until - latest seq is 0..3: last_seq <= latest and at most 2 freezes


@dataclass(frozen=True)
class Latest:
    """The server's open daily question."""

    seq: int
    local_date: str
    week_key: str
    month_key: str


@dataclass(frozen=True)
class Recorded:
    answer_id: int
    counted: bool  # given while the question was open: it counts for streaks and boards
    state: StreakState  # the member's state after it


def latest(db: Database, guild_id: int) -> Latest | None:
    rows = list(db.query("select seq, local_date, week_key, month_key from daily_posts where guild_id = ? and seq is not null "
                         "order by seq desc limit 1", [guild_id]))
    return Latest(**rows[0]) if rows else None


def streak_state(db: Database, guild_id: int, user_id: int) -> StreakState:
    rows = list(db.query("select run, best, freezes, answered, last_seq from streaks where guild_id = ? and user_id = ?",
                         [guild_id, user_id]))
    return StreakState(**rows[0]) if rows else StreakState()


def record_daily_answer(db: Database, post: DailyPost, user_id: int, text: str, now: datetime,
                        display_name: str | None = None) -> Recorded:
    """Store an answer to a daily post. It counts only while the post is the server's open question;
    a later answer is kept as plain practice (no daily_post_id), so the fold never sees it."""
    question_id = post.question_id
    if question_id is None:  # a day skipped for want of questions: nothing was posted to answer
        raise ValueError(f"daily post {post.id} has no question")
    with writing(db):
        open_now = latest(db, post.guild_id)
        seq = post.seq if open_now is not None and open_now.seq == post.seq else None  # None: not counted
        answer_id = practice.record_answer(db, post.guild_id, user_id, question_id, text, now,
                                           daily_post_id=post.id if seq is not None else None, display_name=display_name)
        state = streak_state(db, post.guild_id, user_id)
        if seq is not None:
            state = _apply(db, post.guild_id, user_id, state, seq, (ALL, post.week_key, post.month_key))
    return Recorded(answer_id, seq is not None, state)


def _apply(db: Database, guild_id: int, user_id: int, state: StreakState, seq: int, keys: Iterable[str]) -> StreakState:
    after = answer(state, seq)
    if after == state:  # a second answer to the same question
        return state
    db.table("streaks").upsert({"guild_id": guild_id, "user_id": user_id, **asdict(after)}, pk=("guild_id", "user_id"))
    for key in keys:
        rows = list(db.query("select answers, run, alive_until from board_stats where guild_id = ? and period_key = ? "
                             "and user_id = ?", [guild_id, key, user_id]))
        row = board_answer(BoardRow(**rows[0]) if rows else None, after)
        db.table("board_stats").upsert({"guild_id": guild_id, "period_key": key, "user_id": user_id, **asdict(row)},
                                       pk=("guild_id", "period_key", "user_id"))
    return after


def record_daily_score(db: Database, answer_id: int, score: int, covered: list[str], missed: list[str]) -> PointsVerdict | None:
    """Store an answer's score; when it is the member's first judged answer to a counted daily question,
    its points (bot.core.points) go to each period. Returns what it earned and why (points_verdict)."""
    with writing(db):
        practice.record_feedback(db, answer_id, score, covered, missed)
        verdict = points_verdict(db, answer_id)
        gained = verdict.points if verdict is not None else 0
        if gained:
            row = next(db.query("select a.guild_id, a.user_id, p.week_key, p.month_key from answers a "
                                "join daily_posts p on p.id = a.daily_post_id where a.id = ?", [answer_id]))
            for key in (ALL, row["week_key"], row["month_key"]):
                db.execute("update board_stats set points = points + ? where guild_id = ? and period_key = ? and user_id = ?",
                           [gained, row["guild_id"], key, row["user_id"]])
    return verdict


# what decides when a daily post's model answer was shown (bot.core.points.Exposure)
_EXPOSURE_COLUMNS = "question_id, posted_at, revealed_at, reveal_note, reveal_started_at"


def points_verdict(db: Database, answer_id: int) -> PointsVerdict | None:
    """What a daily answer earned and why (bot.core.points.verdict): LATE for one kept as practice (its
    question had closed), None for an unknown answer id."""
    rows = list(db.query("select guild_id, user_id, daily_post_id from answers where id = ?", [answer_id]))
    if not rows or rows[0]["daily_post_id"] is None:
        return PointsVerdict(points.LATE) if rows else None
    user_id, post_id = rows[0]["user_id"], rows[0]["daily_post_id"]
    answers = [_daily_answer(r) for r in db.query(
        "select id, score, created_at from answers where daily_post_id = ? and user_id = ?", [post_id, user_id])]
    return points.verdict(answer_id, answers, exposure(db, post_id, user_id))


def exposure(db: Database, post_id: int, user_id: int) -> points.Exposure:
    """When the daily post's model answer was shown to the member, and the hints they took (bot.core.points)."""
    post = next(db.query(f"select guild_id, {_EXPOSURE_COLUMNS} from daily_posts where id = ?", [post_id]))
    reveals = practice.reveal_times(db, post["guild_id"], user_id, post["question_id"])
    return _exposure(post, reveals, hint_store.hint_times(db, post["guild_id"], user_id, post["question_id"]))


def answered_post(db: Database, post_id: int, user_id: int, *, judged: bool = False) -> bool:
    """Whether the member answered the daily post while it was open (with `judged`: with a scored answer)."""
    scored = " and score is not null" if judged else ""
    found = db.execute(f"select 1 from answers where daily_post_id = ? and user_id = ?{scored} limit 1", [post_id, user_id])
    return found.fetchone() is not None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _daily_answer(row: dict[str, Any]) -> points.DailyAnswer:
    return points.DailyAnswer(row["id"], row["score"], datetime.fromisoformat(row["created_at"]))


def _exposure(post: dict[str, Any], reveals: Iterable[datetime], hints: Iterable[datetime] = ()) -> points.Exposure:
    public = points.public_reveal_at(_when(post["reveal_started_at"]), _when(post["revealed_at"]), post["reveal_note"])
    return points.Exposure(_when(post["posted_at"]), public, tuple(reveals), tuple(hints))


def rebuild(db: Database, guild_id: int | None = None) -> int:
    """Recompute streaks and board rows from the stored answers; returns the members rebuilt."""
    guilds = [guild_id] if guild_id is not None else [r["guild_id"] for r in db.query("select distinct guild_id from daily_posts")]
    members = 0
    with writing(db):
        for guild in guilds:
            db.execute("delete from streaks where guild_id = ?", [guild])
            db.execute("delete from board_stats where guild_id = ?", [guild])
            states, boards = _replay(db, guild)
            db.table("streaks").insert_all(({"guild_id": guild, "user_id": u, **asdict(s)} for u, s in states.items()), batch_size=5000)
            held = _replay_points(db, guild)
            db.table("board_stats").insert_all(
                ({"guild_id": guild, "period_key": k, "user_id": u, **asdict(r), "points": held.get((u, k), 0)}
                 for (u, k), r in boards.items()), batch_size=5000)
            members += len(states)
    return members


def _replay(db: Database, guild_id: int) -> tuple[dict[int, StreakState], dict[tuple[int, str], BoardRow]]:
    states: dict[int, StreakState] = defaultdict(StreakState)
    boards: dict[tuple[int, str], BoardRow] = {}
    rows = db.execute(
        "select distinct a.user_id, p.seq, p.week_key, p.month_key from answers a join daily_posts p on p.id = a.daily_post_id "
        "where a.guild_id = ? and a.daily_post_id is not null order by a.user_id, p.seq", [guild_id])
    for user_id, seq, week, month in rows:
        after = answer(states[user_id], seq)
        states[user_id] = after
        for key in (ALL, week, month):
            boards[user_id, key] = board_answer(boards.get((user_id, key)), after)
    return dict(states), boards


def _replay_points(db: Database, guild_id: int) -> dict[tuple[int, str], int]:
    """Each member's points per period, from their first judged answer to each daily question."""
    reveals: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for user_id, question_id, at in db.execute("select user_id, question_id, revealed_at from reveals where guild_id = ?",
                                               [guild_id]):
        reveals[user_id, question_id].append(datetime.fromisoformat(at))
    hints = hint_store.server_hint_times(db, guild_id)
    posts = {p["id"]: p for p in db.query(f"select id, week_key, month_key, {_EXPOSURE_COLUMNS} from daily_posts "
                                          "where guild_id = ?", [guild_id])}
    # unjudged answers cannot be first (bot.core.points.first_verdict skips them): leave them out
    rows = db.query("select daily_post_id, user_id, id, score, created_at from answers where guild_id = ? "
                    "and daily_post_id is not null and score is not null order by daily_post_id, user_id", [guild_id])
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for (post_id, user_id), answers in groupby(rows, key=lambda r: (r["daily_post_id"], r["user_id"])):
        post = posts[post_id]
        taken = hints.get((user_id, post["question_id"]), [])
        first = points.first_verdict(map(_daily_answer, answers), _exposure(post, reveals[user_id, post["question_id"]], taken))
        for key in (ALL, post["week_key"], post["month_key"]):
            totals[user_id, key] += first[1].points if first else 0
    return totals


def posted_days(db: Database, guild_id: int) -> list[tuple[int, date]]:
    """The server's posted daily questions as (seq, local date), in posting order."""
    rows = db.execute("select seq, local_date from daily_posts where guild_id = ? and seq is not null order by seq", [guild_id])
    return [(seq, date.fromisoformat(day)) for seq, day in rows]


def answered_seqs(db: Database, guild_id: int, user_id: int) -> set[int]:
    """The daily questions (seqs) a member answered while they were open."""
    rows = db.execute("select distinct p.seq from answers a join daily_posts p on p.id = a.daily_post_id "
                      "where a.guild_id = ? and a.user_id = ?", [guild_id, user_id])
    return {r[0] for r in rows}


def board_row(db: Database, guild_id: int, period_key: str, user_id: int) -> BoardRow | None:
    rows = list(db.query("select answers, run, alive_until from board_stats where guild_id = ? and period_key = ? and user_id = ?",
                         [guild_id, period_key, user_id]))
    return BoardRow(**rows[0]) if rows else None


def top(db: Database, guild_id: int, period_key: str, by: str, latest_seq: int, limit: int) -> list[tuple[int, int]]:
    """(user_id, value) best first, ties by user id; only members with a value above 0."""
    if by in COUNTED:
        rows = db.execute(f"select user_id, {by} from board_stats where guild_id = ? and period_key = ? and {by} > 0 "
                          f"order by {by} desc, user_id limit ?", [guild_id, period_key, limit])
        return [tuple(r) for r in rows]
    found: list[tuple[int, int]] = []
    for alive_until in range(latest_seq, latest_seq + ALIVE_SPAN):
        found += db.execute("select user_id, run from board_stats where guild_id = ? and period_key = ? and alive_until = ? "
                            "order by run desc, user_id limit ?", [guild_id, period_key, alive_until, limit]).fetchall()
    return sorted(found, key=lambda r: (-r[1], r[0]))[:limit]


def count_above(db: Database, guild_id: int, period_key: str, by: str, latest_seq: int, value: int) -> int:
    """How many members rank strictly above `value`."""
    if by in COUNTED:
        return int(db.execute(f"select count(*) from board_stats where guild_id = ? and period_key = ? and {by} > ?",
                              [guild_id, period_key, value]).fetchone()[0])
    alive = list(range(latest_seq, latest_seq + ALIVE_SPAN))
    return int(db.execute(
        f"select count(*) from board_stats where guild_id = ? and period_key = ? and alive_until in ({', '.join('?' * len(alive))}) "
        "and run > ?", [guild_id, period_key, *alive, value]).fetchone()[0])


def board_points(db: Database, guild_id: int, period_key: str, user_id: int) -> int:
    row = db.execute("select points from board_stats where guild_id = ? and period_key = ? and user_id = ?",
                     [guild_id, period_key, user_id]).fetchone()
    return row[0] if row else 0


def display_names(db: Database, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.query(f"select user_id, display_name from members where guild_id = ? and user_id in ({', '.join('?' * len(ids))})",
                    [guild_id, *ids])
    return {r["user_id"]: r["display_name"] for r in rows if r["display_name"]}
