"""The points rule as pure functions: the first judged answer scores, unless the model answer was shown first."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.points import (
    NOT_FIRST,
    POINTS,
    PUBLIC,
    REVEALED,
    UNJUDGED,
    DailyAnswer,
    Exposure,
    PointsVerdict,
    first_verdict,
    public_reveal_at,
    verdict,
)

POSTED = datetime(2026, 8, 1, 0, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return POSTED + timedelta(hours=hours)


def given(answer_id: int, score: int | None, hours: float) -> DailyAnswer:
    return DailyAnswer(answer_id, score, at(hours))


UNSEEN = Exposure(POSTED, None)


def test_the_first_judged_answer_scores_and_later_ones_are_practice():
    answers = [given(1, 40, 1), given(2, 90, 2)]
    assert first_verdict(answers, UNSEEN) == (1, PointsVerdict(POINTS, 40, 40))
    assert verdict(1, answers, UNSEEN) == PointsVerdict(POINTS, 40, 40)
    assert verdict(2, answers, UNSEEN) == PointsVerdict(NOT_FIRST, 0, 40)


def test_unjudged_answers_do_not_use_up_the_first():
    answers = [given(1, None, 1), given(2, 55, 2), given(3, None, 3)]
    assert verdict(1, answers, UNSEEN) == PointsVerdict(UNJUDGED)
    assert verdict(2, answers, UNSEEN) == PointsVerdict(POINTS, 55, 55)
    assert verdict(3, answers, UNSEEN) == PointsVerdict(UNJUDGED)  # unjudged after the first: no "not first"
    assert first_verdict([given(1, None, 1)], UNSEEN) is None


def test_the_first_is_the_lowest_answer_id_whatever_the_order_given():
    assert first_verdict([given(5, 70, 2), given(3, 20, 1)], UNSEEN) == (3, PointsVerdict(POINTS, 20, 20))


def test_an_own_reveal_before_answering_takes_the_points_for_the_whole_question():
    shown = Exposure(POSTED, None, (at(0.5),))
    answers = [given(1, 100, 1), given(2, 100, 2)]
    assert verdict(1, answers, shown) == PointsVerdict(REVEALED, 0, 0)
    assert verdict(2, answers, shown) == PointsVerdict(NOT_FIRST, 0, 0)  # a retry cannot win them back


def test_own_reveals_before_the_post_or_after_the_answer_do_not_count():
    shown = Exposure(POSTED, None, (POSTED - timedelta(days=3), at(1), at(5)))
    assert verdict(1, [given(1, 60, 1)], shown) == PointsVerdict(POINTS, 60, 60)  # same instant: after it


def test_the_public_reveal_in_the_thread_counts_for_every_member():
    shown = Exposure(POSTED, at(12))
    assert verdict(1, [given(1, 80, 11)], shown) == PointsVerdict(POINTS, 80, 80)
    assert verdict(2, [given(2, 95, 13)], shown) == PointsVerdict(PUBLIC, 0, 0)


def test_the_public_reveal_starts_with_its_first_page_and_a_given_up_one_showed_nothing():
    assert public_reveal_at(at(12), at(14), None) == at(12)
    assert public_reveal_at(at(12), at(14), "channel_missing: gone") == at(12)  # pages went out before it failed
    assert public_reveal_at(None, at(14), None) == at(14)
    assert public_reveal_at(None, at(14), "channel_missing: gone") is None
    assert public_reveal_at(None, None, None) is None
