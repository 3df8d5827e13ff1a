"""Spaced review with FSRS: ratings schedule each member's questions, per server, in whole days (UTC)."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from bot.core.errors import UnknownQuestion
from bot.presenters_feedback import RATING_BUTTONS, rated_card, review_status_card, until
from bot.services import load_bank
from bot.services.review import InvalidRating, Review, ReviewCounts
from tests.conftest import CONTENT, T0


@pytest.fixture
def review(loaded_db, clock) -> Review:
    return Review(loaded_db, clock)


def test_a_rating_schedules_the_question_in_days(review, clock):
    due = review.rate(1, 10, "junior-06", "good")
    assert due == T0 + timedelta(days=2) and due.tzinfo == timezone.utc
    assert review.due_questions(1, 10) == []
    clock.advance(days=2)
    assert review.due_questions(1, 10) == ["junior-06"] and review.next_due(1, 10) == "junior-06"


def test_harder_ratings_come_back_sooner(review):
    dues = {r: review.rate(1, n, "senior-01", r) for n, (r, _) in enumerate(RATING_BUTTONS)}
    assert dues["again"] <= dues["hard"] < dues["good"] < dues["easy"]
    assert dues["again"] - T0 >= timedelta(days=1)  # no minute-long learning steps


def test_intervals_grow_with_each_good_recall(review, clock):
    gaps = []
    for _ in range(3):
        due = review.rate(1, 10, "junior-01", "Good")  # case does not matter
        gaps.append(due - clock.now)
        clock.now = due
    assert gaps[0] < gaps[1] < gaps[2]
    clock.now = clock.now + timedelta(minutes=1)
    forgot = review.rate(1, 10, "junior-01", "again")
    assert forgot - clock.now < gaps[2]


def test_due_questions_come_earliest_first_and_stay_per_member_and_server(review, clock):
    review.rate(1, 10, "junior-02", "easy")  # +8 days
    review.rate(1, 10, "junior-03", "good")  # +2 days
    review.rate(1, 10, "junior-04", "again")  # +1 day
    review.rate(2, 10, "junior-05", "again")  # another server
    review.rate(1, 11, "junior-06", "again")  # another member
    clock.advance(days=9)
    assert review.due_questions(1, 10) == ["junior-04", "junior-03", "junior-02"]
    assert review.due_questions(2, 10) == ["junior-05"] and review.due_questions(1, 11) == ["junior-06"]
    assert review.next_due(3, 10) is None


def test_counts(review, clock):
    assert review.counts(1, 10) == ReviewCounts(0, 0, None)
    review.rate(1, 10, "junior-02", "easy")
    review.rate(1, 10, "junior-03", "good")
    clock.advance(days=3)
    assert review.counts(1, 10) == ReviewCounts(2, 1, T0 + timedelta(days=2))


def test_state_survives_a_restart(loaded_db, clock):
    Review(loaded_db, clock).rate(1, 10, "senior-03", "good")
    clock.now = T0 + timedelta(days=2)
    second = Review(loaded_db, clock).rate(1, 10, "senior-03", "good")  # a new service reads the stored card
    assert second - clock.now > timedelta(days=2)
    ratings = [r["rating"] for r in loaded_db.query("select rating from review_log order by id")]
    assert ratings == ["good", "good"]


def test_bad_ratings_and_unknown_questions_are_refused(review):
    with pytest.raises(InvalidRating) as error:
        review.rate(1, 10, "junior-06", "perfect")
    assert "again / hard / good / easy" in error.value.message
    with pytest.raises(UnknownQuestion):
        review.rate(1, 10, "junior-99", "good")


def test_retired_questions_leave_the_review_list(review, clock, loaded_db, tmp_path):
    review.rate(1, 10, "junior-06", "again")
    review.rate(1, 10, "junior-07", "again")
    (tmp_path / "questions").mkdir()
    for path in (CONTENT / "questions").glob("*.md"):
        if path.stem != "junior-06":
            (tmp_path / "questions" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    load_bank(loaded_db, tmp_path, clock.now)
    clock.advance(days=1)
    assert review.due_questions(1, 10) == ["junior-07"] and review.counts(1, 10).total == 1


def test_presenting_the_next_review(review):
    due = review.rate(1, 10, "junior-06", "good")
    card = rated_card("junior-06", "good", due, T0)
    assert card.title == "次の復習: 2日後 (in 2 days)" and "思い出せた" in card.description
    assert until(T0 + timedelta(minutes=10), T0).startswith("10分後")
    assert until(T0 + timedelta(hours=5), T0).startswith("5時間後")
    assert until(T0 + timedelta(days=1), T0) == "1日後 (in 1 day)"
    assert until(T0 - timedelta(days=1), T0).startswith("今すぐ")
    assert "まだありません" in review_status_card(ReviewCounts(0, 0, None), T0).title
    assert "**2** 問" in review_status_card(ReviewCounts(5, 2, T0), T0).description
    assert "2日後" in review_status_card(ReviewCounts(5, 0, T0 + timedelta(days=2)), T0).description
