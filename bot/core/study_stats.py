"""Numbers behind a member's progress chart: answers per week, day streaks, mastery per category.

Dates are UTC calendar days; weeks start on Monday.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone


def utc_day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def answers_per_week(times: Iterable[datetime], now: datetime, weeks: int) -> list[tuple[date, int]]:
    """(Monday, answers that week) for the last `weeks` weeks up to the current one, oldest first."""
    current = week_start(utc_day(now))
    starts = [current - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for moment in times:
        monday = week_start(utc_day(moment))
        if monday in counts:
            counts[monday] += 1
    return list(counts.items())


def day_streaks(days: Iterable[date], first: date, last: date) -> list[tuple[date, int]]:
    """For each day from `first` to `last`: consecutive days with an answer ending that day (0 without one).

    Runs that began before `first` keep their length, so the chart starts mid-streak when it should.
    """
    answered = set(days)
    run, day = 0, min([first, *answered])
    out = []
    while day <= last:
        run = run + 1 if day in answered else 0
        if day >= first:
            out.append((day, run))
        day += timedelta(days=1)
    return out


def best_scores(answers: Iterable[Mapping]) -> dict[str, int]:
    """Best score per question over rows with `question_id` and `score` (unscored rows are skipped)."""
    best: dict[str, int] = {}
    for row in answers:
        if row["score"] is not None:
            best[row["question_id"]] = max(best.get(row["question_id"], 0), row["score"])
    return best


def category_mastery(best: Mapping[str, int], category_of: Mapping[str, str]) -> list[tuple[str, float]]:
    """(category, 0-100) in the bank's order: the mean best score over all of the category's questions.

    Unanswered questions count as 0, so one good answer does not make a whole category "mastered".
    """
    totals: dict[str, list[int]] = {}
    for question_id, category in category_of.items():
        totals.setdefault(category, []).append(best.get(question_id, 0))
    return [(category, sum(scores) / len(scores)) for category, scores in totals.items()]
