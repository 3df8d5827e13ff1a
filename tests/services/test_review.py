"""Spaced review with FSRS: ratings schedule each member's questions, per server, in whole days of the
server's timezone (UTC until the daily question is set up)."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UnknownQuestion
from bot.presenters.feedback import RATING_BUTTONS, days_until, rated_card, review_cards, review_status_card
from bot.services import load_bank
from bot.services.daily import Daily
from bot.services.review import InvalidRating, Review, ReviewCounts, serve_next
from tests.conftest import CONTENT, T0


@pytest.fixture
def review(loaded_db, clock) -> Review:
    return Review(loaded_db, clock)


DAY2 = datetime(2026, 11, 27, tzinfo=UTC)  # the start of the day two days after T0 (09:00 UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


def test_a_rating_schedules_the_question_for_a_whole_day(review, clock):
    due = review.rate(1, 10, "junior-06", "good")
    assert due == DAY2 and due.utcoffset() == timedelta(0)  # no daily question set up: UTC days
    clock.now = DAY2 - timedelta(seconds=1)
    assert review.due_questions(1, 10) == []
    clock.now = DAY2  # due from the first moment of its day, not at 09:00
    assert review.due_questions(1, 10) == ["junior-06"] and review.next_due(1, 10) == "junior-06"


def test_days_are_the_servers_days(loaded_db, clock, review):
    Daily(loaded_db, clock, random.Random(1)).setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    clock.now = datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO).astimezone(UTC)  # 10:00 in Tokyo
    due = review.rate(1, 10, "junior-07", "again")
    assert due == datetime(2026, 12, 1, tzinfo=TOKYO) and due.tzinfo == TOKYO  # shown as Tokyo's day
    clock.now = datetime(2026, 12, 1, 8, 59, tzinfo=TOKYO).astimezone(UTC)
    assert review.due_questions(1, 10) == ["junior-07"]  # due the next morning, as the README promises
    assert review.due_questions(2, 10) == []  # another server (UTC days) has its own deck
    card = rated_card("junior-07", "again", due, datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO))
    assert card.title == "次の復習: 1日後 (in 1 day)" and "2026-12-01 (Asia/Tokyo)" in card.footer
    assert "UTC" not in card.footer


def test_a_clock_in_another_timezone_works(loaded_db):
    jst = timezone(timedelta(hours=9))
    review = Review(loaded_db, lambda: datetime(2026, 11, 30, 10, 0, tzinfo=jst))  # fsrs refuses non-UTC times
    due = review.rate(1, 7, "junior-08", "good")
    assert due == datetime(2026, 12, 2, tzinfo=UTC)  # 01:00 UTC on 11/30, plus two days, from its start


def test_harder_ratings_come_back_sooner(review):
    dues = {r: review.rate(1, n, "senior-01", r) for n, (r, _) in enumerate(RATING_BUTTONS)}
    assert dues["again"] <= dues["hard"] < dues["good"] < dues["easy"]
    assert dues["again"] == DAY2 - timedelta(days=1)  # the next day: no minute-long learning steps


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
    assert review.counts(1, 10) == ReviewCounts(2, 1, DAY2)


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
    assert days_until(DAY2 - timedelta(days=1), T0) == "1日後 (in 1 day)"  # tomorrow, however few hours away
    assert days_until(T0 + timedelta(hours=5), T0) == "今日 (today)"
    assert days_until(T0 - timedelta(days=1), T0).startswith("今すぐ")
    assert "まだありません" in review_status_card(ReviewCounts(0, 0, None), T0).title
    assert "**2** 問" in review_status_card(ReviewCounts(5, 2, T0), T0).description
    later = review_status_card(ReviewCounts(5, 0, DAY2), T0).description
    assert "2日後" in later and "2026-11-27 (UTC)" in later


def test_serving_the_next_review_is_one_call_for_every_front_end(review, study, clock):
    served = serve_next(review, study, 1, 10, "はなこ")
    assert served.question is None and [c.title for c in review_cards(served)] == ["復習する問題はまだありません (nothing to review yet)"]
    review.rate(1, 10, "senior-04", "good")
    clock.advance(days=2)
    served = serve_next(review, study, 1, 10, "はなこ")
    question, status = review_cards(served)
    assert served.question.id == "senior-04" and question.title.startswith("復習: ")
    assert "**1** 問" in status.description
    assert study.current(1, 10).id == "senior-04"  # /answer and /reveal now work on it
