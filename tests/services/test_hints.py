"""Which question an answer goes to, hints and what they cost, and when a reveal must ask first."""
from __future__ import annotations

import random

import pytest

from bot.core import points
from bot.services import Answering, Study
from bot.services.daily import Daily
from bot.services.progress import Progress
from db import progress as progress_store
from tests.conftest import CONTENT, bank_database
from tests.services.test_progress import START, TOKYO, Days, ScriptedGrader, Server

GUILD, TARO, HANAKO = 1, 7, 8


@pytest.fixture
def world(clock):
    """A server whose daily question is posted and open, with a scorer that reads the score off the answer."""
    db = bank_database()
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(db, clock, random.Random(5), grader=ScriptedGrader())
    daily.setup(GUILD, 100, "09:00", "Asia/Tokyo", "mixed")
    study = Study(db, clock, random.Random(5), CONTENT, grader=ScriptedGrader())
    server = Server(daily, GUILD, TOKYO)
    days.at(9)
    server.post()
    yield server, Answering(study, daily), clock
    db.close()


def other_than(answering: Answering, question_id: str) -> str:
    level = "senior" if question_id.startswith("junior") else "junior"
    return answering.study.draw(GUILD, TARO, level).id


def test_the_unanswered_daily_question_stays_current_whatever_is_drawn(world):
    server, answering, clock = world
    daily_id = server.open_post.question_id
    clock.advance(minutes=5)
    drawn = other_than(answering, daily_id)
    assert answering.current(GUILD, TARO).id == daily_id
    answered = answering.answer(GUILD, TARO, "70 日替わりへ")
    assert answered.question.id == daily_id and answered.daily.counted
    assert answered.drawn_since is not None and answered.drawn_since.id == drawn  # the receipt says how to answer it
    assert answering.current(GUILD, TARO).id == drawn  # answered: the later draw is current again
    practice_answer = answering.answer(GUILD, TARO, "60 練習")
    assert practice_answer.question.id == drawn and practice_answer.daily is None and practice_answer.drawn_since is None


def test_an_answer_may_name_its_question(world):
    server, answering, _clock = world
    daily_id = server.open_post.question_id
    drawn = other_than(answering, daily_id)
    named = answering.answer(GUILD, TARO, "60 名指し", question_id=drawn)
    assert named.question.id == drawn and named.daily is None
    assert answering.current(GUILD, TARO).id == daily_id  # still the member's daily question
    by_id = answering.answer(GUILD, TARO, "80 日替わり", question_id=daily_id)
    assert by_id.daily.counted and by_id.points.points == 80 and by_id.drawn_since is None


def test_each_hint_shows_one_more_key_point_and_then_no_more(world):
    server, answering, _clock = world
    question = answering.study.question(server.open_post.question_id)
    total = len(question.key_points)
    assert total >= 3
    shown = [answering.hint(GUILD, TARO).shown for _ in range(total + 1)]
    assert shown == [*range(1, total + 1), total]
    last = answering.hint(GUILD, TARO)
    assert not last.new and last.total == total and last.question.id == question.id
    assert answering.hint(GUILD, HANAKO).shown == 1  # another member's hints are their own


def test_hints_before_the_first_judged_answer_cost_ten_percent_each(world):
    _server, answering, clock = world
    for _ in range(2):
        clock.advance(minutes=1)
        assert answering.hint(GUILD, TARO).costs
    clock.advance(minutes=1)
    unjudged = answering.answer(GUILD, TARO, "english first")  # not judged: not the first answer yet
    assert unjudged.points.reason == points.UNJUDGED
    clock.advance(minutes=1)
    assert answering.hint(GUILD, TARO).costs  # a third hint, still before the first judged answer
    clock.advance(minutes=1)
    answered = answering.answer(GUILD, TARO, "70 三つのヒントのあと")
    assert answered.points == points.PointsVerdict(points.POINTS, 49, 49, hints=3, score=70)  # 70 less 30%, rounded down
    clock.advance(minutes=1)
    after = answering.hint(GUILD, TARO)
    assert not after.costs  # the points are decided: later hints change nothing
    assert answering.answer(GUILD, HANAKO, "70 ヒントなし").points.points == 70
    progress = Progress(answering.db)
    live = {user: progress_store.board_points(answering.db, GUILD, "all", user) for user in (TARO, HANAKO)}
    progress.rebuild(GUILD)
    assert live == {user: progress_store.board_points(answering.db, GUILD, "all", user) for user in (TARO, HANAKO)} == {
        TARO: 49, HANAKO: 70}


def test_the_cost_is_rounded_down_and_never_below_zero():
    assert points.after_hints(62, 2) == 49 and points.after_hints(100, 0) == 100
    assert points.after_hints(80, 10) == 0 and points.after_hints(80, 12) == 0


def test_practice_hints_cost_nothing_and_start_again_with_a_new_draw(world):
    server, answering, clock = world
    drawn = other_than(answering, server.open_post.question_id)
    first = answering.hint(GUILD, TARO, drawn)
    assert (first.shown, first.costs) == (1, False)
    assert answering.hint(GUILD, TARO, drawn).shown == 2
    assert answering.answer(GUILD, TARO, "60 練習", question_id=drawn).hints == 2
    clock.advance(days=20)
    answering.study.set_current(GUILD, TARO, drawn, via="question")  # drawn again weeks later
    clock.advance(minutes=1)
    assert answering.hint(GUILD, TARO, drawn).shown == 1


def test_a_reveal_asks_only_while_the_daily_points_are_at_stake(world):
    server, answering, clock = world
    daily_id = server.open_post.question_id
    drawn = other_than(answering, daily_id)
    assert answering.points_at_stake(GUILD, TARO, daily_id) is not None
    assert answering.points_at_stake(GUILD, TARO, drawn) is None  # a practice question has no points
    clock.advance(minutes=1)
    answering.reveal(GUILD, TARO, daily_id)  # shown once: not asked again
    assert answering.points_at_stake(GUILD, TARO, daily_id) is None
    clock.advance(minutes=1)
    answering.answer(GUILD, HANAKO, "english only")  # answered, even unjudged: no more asking
    assert answering.points_at_stake(GUILD, HANAKO, daily_id) is None
    assert answering.points_at_stake(GUILD, 99, daily_id) is not None
    server.daily.mark_revealed(server.open_post.id)  # the model answer is public in the thread now
    clock.advance(minutes=1)
    assert answering.points_at_stake(GUILD, 99, daily_id) is None
