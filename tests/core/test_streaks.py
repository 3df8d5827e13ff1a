"""Streak rules as a pure fold, and the incremental state that must always agree with it."""
from __future__ import annotations

import random

import pytest

from bot.core.streaks import BoardRow, Post, StreakState, answer, board_answer, board_value, fold, now, replay


def posts(n: int, per_period: int = 0) -> list[Post]:
    """n posted questions; with per_period, also grouped into periods of that many."""
    return [Post(s, ("all",) + ((f"p{(s - 1) // per_period}",) if per_period else ())) for s in range(1, n + 1)]


def streak(n: int, answered: set[int]):
    return fold(posts(n), answered).streak


def test_each_answered_question_adds_one_and_the_open_one_is_not_a_miss():
    assert streak(3, {1, 2, 3}).current == 3
    assert streak(4, {1, 2, 3}).current == 3  # question 4 is still open
    assert streak(5, {1, 2, 3}).current == 0  # question 4 closed unanswered, no freeze
    assert streak(5, {1, 2, 3}).best == 3


def test_a_freeze_every_seven_answers_capped_at_two():
    assert streak(7, set(range(1, 7))).freezes == 0
    assert streak(7, set(range(1, 8))).freezes == 1
    assert streak(14, set(range(1, 15))).freezes == 2
    assert streak(21, set(range(1, 22))).freezes == 2  # the third is not kept
    assert streak(21, set(range(1, 22))).current == 21


def test_a_miss_spends_a_freeze_and_keeps_the_streak_as_is():
    answered = set(range(1, 8)) | {9, 10}  # 8 missed, with the freeze earned at 7
    result = streak(10, answered)
    assert (result.current, result.freezes, result.answered) == (9, 0, 9)


def test_more_misses_than_freezes_end_the_streak_and_use_them_up():
    answered = set(range(1, 15)) | {18}  # 2 freezes, 3 misses (15, 16, 17)
    result = streak(18, answered)
    assert (result.current, result.freezes, result.best) == (1, 0, 14)


def test_a_second_answer_to_the_same_question_counts_once():
    state = answer(answer(StreakState(), 1), 1)
    assert (state.run, state.answered) == (1, 1)


def test_the_incremental_state_reads_the_current_streak_against_any_later_question():
    state = replay(range(1, 8))  # 7 answers, 1 freeze
    assert now(state, 8).current == 7  # 8 open
    assert (now(state, 9).current, now(state, 9).freezes) == (7, 0)  # 8 missed, freeze spent
    assert now(state, 10).current == 0
    assert state.alive_until == 9


def test_period_streak_counts_from_the_period_start():
    # periods of 5: a streak from question 1 counts 5 in period 0 and then restarts in period 1
    result = fold(posts(8, per_period=5), set(range(1, 9)))
    assert result.streak.current == 8
    assert result.period_streaks == {"all": 8, "p1": 3}
    assert result.period_answers["p0"] == 5


def test_period_streak_is_zero_once_the_streak_ends():
    result = fold(posts(9, per_period=5), {6, 7})  # 8 missed and closed
    assert result.period_streaks["p1"] == 0 and result.period_answers["p1"] == 2


def incremental(history: list[Post], answered: set[int]) -> tuple[StreakState, dict[str, BoardRow]]:
    state, rows = StreakState(), {}
    for post in history:
        if post.seq in answered:
            after = answer(state, post.seq)
            for key in post.periods:
                rows[key] = board_answer(rows.get(key), after)
            state = after
    return state, rows


@pytest.mark.parametrize("seed", range(200))
def test_incremental_state_equals_the_fold_on_random_histories(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    history = posts(n, per_period=rng.choice([0, 3, 7]))
    rate = rng.random()
    answered = {s for s in range(1, n + 1) if rng.random() < rate}
    state, rows = incremental(history, answered)
    expected = fold(history, answered)
    assert now(state, n) == expected.streak
    for key, value in expected.period_streaks.items():
        assert (board_value(rows[key], n) if key in rows else 0) == value
    for key, count in expected.period_answers.items():
        assert rows[key].answers == count
