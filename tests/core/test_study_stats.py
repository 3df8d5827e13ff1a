from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from bot.core.study_stats import (
    Mastery,
    ReviewPanel,
    answers_per_week,
    best_scores,
    category_mastery,
    daily_streak_history,
    review_panel,
)

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday


def test_answers_per_week_counts_utc_weeks_from_monday():
    times = [NOW, NOW - timedelta(days=2), NOW - timedelta(days=3), NOW - timedelta(weeks=5)]
    weeks = answers_per_week(times, NOW, 3)
    assert weeks == [(date(2026, 11, 9), 0), (date(2026, 11, 16), 1), (date(2026, 11, 23), 2)]
    late = datetime(2026, 11, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # Monday 04:30 UTC
    assert answers_per_week([late], NOW, 1) == [(date(2026, 11, 23), 1)]


def test_the_streak_history_is_the_daily_question_streak_day_by_day():
    # posts on the 1st, 2nd, 3rd and 5th (none on the 4th); the member answers seqs 1, 2 and 4
    posts = [(1, date(2026, 11, 1)), (2, date(2026, 11, 2)), (3, date(2026, 11, 3)), (4, date(2026, 11, 5))]
    history = daily_streak_history(posts, {1, 2, 4}, date(2026, 11, 2), date(2026, 11, 6))
    # question 3 stays open (streak 2) until question 4 is posted; then it is a miss without a freeze
    assert history == [(date(2026, 11, 2), 2), (date(2026, 11, 3), 2), (date(2026, 11, 4), 2),
                       (date(2026, 11, 5), 1), (date(2026, 11, 6), 1)]
    assert daily_streak_history([], set(), date(2026, 11, 3), date(2026, 11, 4)) == [
        (date(2026, 11, 3), 0), (date(2026, 11, 4), 0)]


def test_mastery_is_the_mean_best_score_over_answered_questions_with_counts():
    rows = [{"question_id": "a", "score": 40}, {"question_id": "a", "score": 90}, {"question_id": "b", "score": None},
            {"question_id": "c", "score": 60}, {"question_id": "e", "score": 37}]
    best = best_scores(rows)
    assert best == {"a": 90, "c": 60, "e": 37}
    assert category_mastery(best, {"a": "X", "b": "X", "c": "Y", "d": "Y", "f": "Z", "e": "W", "g": "W", "h": "W"}) == [
        Mastery("X", 90.0, 1, 2), Mastery("Y", 60.0, 1, 2), Mastery("Z", None, 0, 1), Mastery("W", 37.0, 1, 3)]


def test_the_review_panel_counts_ratings_other_than_again():
    assert review_panel(2, 5, ["good", "again", "easy", "hard"]) == ReviewPanel(2, 5, 0.75, 4)
    assert review_panel(0, 0, []) == ReviewPanel(0, 0, None, 0)
