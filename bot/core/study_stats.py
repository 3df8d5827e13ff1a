"""Numbers behind a member's progress chart: answers per week, the daily-question streak day by day,
mastery per category.

Dates are calendar days in the server's timezone (UTC unless given); weeks start on Monday.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from bot.core.daily import local_date
from bot.core.streaks import StreakState, answer
from bot.core.streaks import now as streak_now


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def answers_per_week(times: Iterable[datetime], now: datetime, weeks: int,
                     zone: tzinfo = UTC) -> list[tuple[date, int]]:
    """(Monday, answers that week) for the last `weeks` weeks up to the current one, oldest first."""
    current = week_start(local_date(now, zone))
    starts = [current - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for moment in times:
        monday = week_start(local_date(moment, zone))
        if monday in counts:
            counts[monday] += 1
    return list(counts.items())


def daily_streak_history(posts: Sequence[tuple[int, date]], answered: Iterable[int], first: date,
                         last: date) -> list[tuple[date, int]]:
    """For each day from `first` to `last`: the daily-question streak /streak showed at the end of it.

    `posts` are the server's posted questions as (seq, local date) in posting order; `answered` the
    seqs the member answered while open. The streak rules are bot.core.streaks' own; a day without a
    post carries the day before, and the last day's value is the current streak.
    """
    answered = set(answered)
    state, latest, i, out = StreakState(), 0, 0, []
    day = min([first, *(d for _, d in posts[:1])])
    while day <= last:
        while i < len(posts) and posts[i][1] <= day:
            seq = posts[i][0]
            state = answer(state, seq) if seq in answered else state
            latest, i = seq, i + 1
        if day >= first:
            out.append((day, streak_now(state, latest).current if latest else 0))
        day += timedelta(days=1)
    return out


def best_scores(answers: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Best score per question over rows with `question_id` and `score` (unscored rows are skipped)."""
    best: dict[str, int] = {}
    for row in answers:
        if row["score"] is not None:
            best[row["question_id"]] = max(best.get(row["question_id"], 0), row["score"])
    return best


@dataclass(frozen=True)
class Mastery:
    """One category: the mean best score over the questions answered (with a score), and how many those are."""

    category: str
    score: float | None  # None: none of its questions answered yet
    answered: int
    total: int  # the category's questions


def category_mastery(best: Mapping[str, int], category_of: Mapping[str, str]) -> list[Mastery]:
    """Each category in the bank's order: the mean best score over its *answered* questions, with the count,
    so one answer of 37 reads "37 (1/5)", not a mean over questions never tried."""
    totals: dict[str, list[int | None]] = {}
    for question_id, category in category_of.items():
        totals.setdefault(category, []).append(best.get(question_id))
    found = []
    for category, scores in totals.items():
        answered = [s for s in scores if s is not None]
        found.append(Mastery(category, sum(answered) / len(answered) if answered else None, len(answered), len(scores)))
    return found


@dataclass(frozen=True)
class ReviewPanel:
    """The member's spaced review: questions due by the end of today and of this week, and retention: the
    share of ratings in the last RETENTION_DAYS days that were not "again" (None without ratings)."""

    due_today: int
    due_this_week: int
    retention: float | None
    rated: int  # ratings in those days


RETENTION_DAYS = 30


def review_panel(due_today: int, due_this_week: int, ratings: Sequence[str]) -> ReviewPanel:
    recalled = sum(1 for r in ratings if r != "again")
    return ReviewPanel(due_today, due_this_week, recalled / len(ratings) if ratings else None, len(ratings))


NO_REVIEW = ReviewPanel(0, 0, None, 0)


@dataclass(frozen=True)
class StatsData:
    """What the chart shows, read from the database; drawing it needs no database."""

    weekly: list[tuple[date, int]]  # (Monday, judged answers that week), oldest first
    streaks: list[tuple[date, int]]  # (day, daily-question streak at its end), from the first Monday to today
    mastery: list[Mastery]  # the categories of the levels the member practises
    empty: bool  # no answers at all
    name: str = ""  # whose chart (a display name, safe to show)
    day: date | None = None  # today, in the server's timezone
    review: ReviewPanel = NO_REVIEW

    @property
    def span(self) -> tuple[date, date]:
        """The dates both top panels cover: the first week's Monday to the end of the current week."""
        return self.weekly[0][0], self.weekly[-1][0] + timedelta(days=7)
