"""A member's progress as one PNG: judged answers per week, daily-question streak, spaced review and mastery
per category (over the questions answered, with counts, for the levels the member practises), under the
member's name and the date.

Two steps, so a front end can keep the slow one off its event loop: `stats_data` reads the database
(fast, on the caller's thread: SQLite connections stay on theirs), `render_png` draws (0.5-3 s of
matplotlib in bot.services.chart_drawing, safe in a worker process or thread). Dates are the server's (its daily
question's timezone, else UTC); the weekly bars and the streak line share one date axis over the same weeks.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from sqlite_utils import Database

from bot.core.daily import local_date
from bot.core.study_stats import (
    RETENTION_DAYS,
    ReviewPanel,
    StatsData,
    answers_per_week,
    best_scores,
    category_mastery,
    review_panel,
    week_start,
)
from bot.services.progress import Progress, server_zone
from db import bank, practice, review


def stats_data(db: Database, guild_id: int, user_id: int, now: datetime, *, weeks: int = 8, name: str = "") -> StatsData:
    zone = server_zone(db, guild_id)
    history = practice.answer_history(db, guild_id, user_id)
    judged = (datetime.fromisoformat(a["created_at"]) for a in history if a["score"] is not None)
    weekly = answers_per_week(judged, now, weeks, zone)
    today = local_date(now, zone)
    streaks = Progress(db).streak_history(guild_id, user_id, week_start(today) - timedelta(weeks=weeks - 1), today)
    levels = practice.practised_levels(db, guild_id, user_id)
    category_of = {q.id: q.category for q in bank.active_questions(db) if not levels or q.level in levels}
    mastery = category_mastery(best_scores(history), category_of)
    return StatsData(weekly, streaks, mastery, empty=not history, name=name, day=today,
                     review=_review(db, guild_id, user_id, now, today, zone))


def _review(db: Database, guild_id: int, user_id: int, now: datetime, today: date, zone: tzinfo) -> ReviewPanel:
    """Due by the end of today and of this week (Sunday), in the server's days."""
    ends = [datetime.combine(day, time(0), tzinfo=zone) for day in (today + timedelta(days=1), week_start(today) + timedelta(weeks=1))]
    due_today, due_week = review.due_by(db, guild_id, user_id, ends)
    return review_panel(due_today, due_week, review.ratings_since(db, guild_id, user_id, now - timedelta(days=RETENTION_DAYS)))


def stats_png(db: Database, guild_id: int, user_id: int, now: datetime, *, weeks: int = 8, name: str = "") -> bytes:
    return render_png(stats_data(db, guild_id, user_id, now, weeks=weeks, name=name))


def render_png(data: StatsData) -> bytes:
    """Draw the chart (bot.services.chart_drawing). matplotlib is imported there, in whichever process draws: a
    front end pickles this function by reference for its chart pool, so the bot process itself never loads it
    (importing it held the event loop ~165 ms on the first /stats, issue 15)."""
    from bot.services.chart_drawing import draw

    return draw(data)

