from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.core.study_stats import answers_per_week, best_scores, category_mastery, day_streaks

NOW = datetime(2026, 11, 25, 9, tzinfo=timezone.utc)  # a Wednesday


def test_answers_per_week_counts_utc_weeks_from_monday():
    times = [NOW, NOW - timedelta(days=2), NOW - timedelta(days=3), NOW - timedelta(weeks=5)]
    weeks = answers_per_week(times, NOW, 3)
    assert weeks == [(date(2026, 11, 9), 0), (date(2026, 11, 16), 1), (date(2026, 11, 23), 2)]
    late = datetime(2026, 11, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # Monday 04:30 UTC
    assert answers_per_week([late], NOW, 1) == [(date(2026, 11, 23), 1)]


def test_day_streaks_carry_runs_started_before_the_window():
    days = {date(2026, 11, d) for d in (1, 2, 3, 5)}
    assert day_streaks(days, date(2026, 11, 3), date(2026, 11, 6)) == [
        (date(2026, 11, 3), 3), (date(2026, 11, 4), 0), (date(2026, 11, 5), 1), (date(2026, 11, 6), 0)]
    assert day_streaks(set(), date(2026, 11, 3), date(2026, 11, 4)) == [(date(2026, 11, 3), 0), (date(2026, 11, 4), 0)]


def test_mastery_is_the_mean_best_score_with_unanswered_as_zero():
    rows = [{"question_id": "a", "score": 40}, {"question_id": "a", "score": 90}, {"question_id": "b", "score": None},
            {"question_id": "c", "score": 60}]
    best = best_scores(rows)
    assert best == {"a": 90, "c": 60}
    assert category_mastery(best, {"a": "X", "b": "X", "c": "Y", "d": "Y"}) == [("X", 45.0), ("Y", 30.0)]
