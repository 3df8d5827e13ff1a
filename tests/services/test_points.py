"""Leaderboard by:points: the score of each member's first judged answer per daily question, given
before the model answer was shown to them, summed per period. Retries and pastes cannot raise it."""
from __future__ import annotations

import random

import pytest

from bot.presenters.feedback import answered_card
from bot.presenters.progress import leaderboard_card
from bot.services import Answering, Study
from bot.services.daily import Daily
from bot.services.progress import Progress
from db import progress as store
from tests.conftest import CONTENT
from tests.services.test_progress import START, TOKYO, Days, ScriptedGrader, Server


@pytest.fixture
def world(loaded_db, clock):
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(loaded_db, clock, random.Random(5), grader=ScriptedGrader())
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    study = Study(loaded_db, clock, random.Random(5), CONTENT, grader=ScriptedGrader())
    return Server(daily, 1, TOKYO), days, Progress(loaded_db), Answering(study, daily)


def answer(server: Server, user: int, text: str):
    return server.daily.answer(server.guild, user, server.open_post.id, text, display_name=f"m{user}")


def points(progress: Progress, period: str = "all") -> list[tuple[int, int]]:
    return [(e.user_id, e.value) for e in progress.leaderboard(1, period, "points").entries]


def test_points_are_the_first_judged_answer_per_daily_question(world):
    server, days, progress, _ = world
    days.at(9)
    server.post()
    days.at(10)
    assert answer(server, 1, "40 最初").feedback.score == 40
    answer(server, 1, "70 改善")   # a better retry is practice: it does not change the points
    answer(server, 1, "30 後退")
    answer(server, 2, "english answer")  # not judged: it does not use up the first answer
    answer(server, 2, "55 日本語で")
    answer(server, 3, "90 満点近い")
    days.next()
    days.at(9)
    server.post()
    days.at(10)
    answer(server, 1, "60 二日目")
    board = progress.leaderboard(1, "all", "points", caller_id=4)
    assert [(e.user_id, e.value, e.rank) for e in board.entries] == [(1, 100, 1), (3, 90, 2), (2, 55, 3)]
    assert board.caller.value == 0 and board.caller.rank is None
    assert "ポイント" in leaderboard_card(board).title and "最初に採点された回答" in leaderboard_card(board).footer
    week = leaderboard_card(progress.leaderboard(1, "week", "points")).footer
    assert "ポイント =" in week and "今週の連続" not in week  # the week's points, not the streak's explanation


def test_an_answer_after_the_members_own_reveal_earns_no_points(world):
    server, days, progress, answering = world
    days.at(9)
    server.post()
    qid = server.open_post.question_id
    answering.reveal(1, 1, qid)  # the Reveal button, /reveal and the terminal all reveal through here
    days.at(9, 1)
    answer(server, 1, "100 模範解答を見てから")
    answer(server, 2, "60 自力で")
    answering.reveal(1, 2, qid)  # revealing after answering keeps the points
    assert points(progress) == [(2, 60)]


def test_a_reveal_before_the_post_went_out_does_not_count(world, loaded_db):
    server, days, progress, answering = world
    for qid in [r["id"] for r in loaded_db.query("select id from questions")]:
        answering.reveal(1, 1, qid)  # practice: the member has read every model answer before
    days.at(9)
    server.post()
    days.at(10)
    answer(server, 1, "50 一日目")
    assert points(progress) == [(1, 50)]


def test_an_answer_after_the_public_reveal_in_the_thread_earns_no_points(world):
    server, days, progress, _ = world
    days.at(9)
    server.post()
    answer(server, 1, "80 公開前")
    days.at(21)
    server.daily.mark_revealed(server.open_post.id)  # the model answer went out in the daily thread
    days.at(22)
    late = answer(server, 2, "95 公開後")
    assert late.counted and late.feedback.score == 95  # it still counts for the streak, and gets feedback
    assert points(progress) == [(1, 80)]


def test_a_failed_public_reveal_did_not_show_the_answer(world):
    server, days, progress, _ = world
    days.at(9)
    server.post()
    days.at(21)
    server.daily.mark_revealed(server.open_post.id, "channel_missing: gone")  # given up: nothing was shown
    days.at(22)
    answer(server, 1, "45 公開されなかった")
    assert points(progress) == [(1, 45)]


def test_a_reveal_that_fails_half_way_is_public_from_its_first_page(world, loaded_db):
    server, days, progress, _ = world
    days.at(9)
    server.post()
    post = server.open_post
    days.at(21)
    server.daily.page_revealed(post.id, 1)  # page 1 is in the thread, then Discord fails: retried later
    days.at(22)
    answer(server, 1, "85 一ページ目を見て")
    assert points(progress) == []
    days.at(23)
    server.daily.mark_revealed(post.id)
    store.rebuild(loaded_db, 1)
    assert points(progress) == []


def test_pasting_the_missed_points_as_a_second_answer_does_not_top_the_board(world):
    server, days, progress, answering = world
    days.at(9)
    server.post()
    post = server.open_post.id
    days.at(10)
    first = answering.answer_daily(1, 1, post, "35 最初の回答")
    second = answering.answer_daily(1, 1, post, "100 足りないポイントを貼り付け")
    answering.answer_daily(1, 2, post, "60 自力で")
    assert points(progress) == [(2, 60), (1, 35)]
    assert "+35" in dict(answered_card(first).fields)["ポイント (points)"]
    why = dict(answered_card(second).fields)["ポイント (points)"]
    assert "最初に採点された回答" in why and "35" in why and "練習" in why
    assert "/ 100" in dict(answered_card(second).fields)["自動採点 (score)"]  # still gets its feedback


def test_receipts_say_why_there_are_no_points(world):
    server, days, _progress, answering = world
    days.at(9)
    server.post()
    post = server.open_post
    answering.reveal(1, 1, post.question_id)
    days.at(10)
    revealed = answering.answer_daily(1, 1, post.id, "90 見てから")
    unjudged = answering.answer_daily(1, 2, post.id, "english only")
    assert "模範解答を表示した後" in dict(answered_card(revealed).fields)["ポイント (points)"]
    assert "次に採点された回答" in dict(answered_card(unjudged).fields)["ポイント (points)"]
    days.at(21)
    server.daily.mark_revealed(post.id)
    days.at(22)
    public = answering.answer_daily(1, 3, post.id, "90 公開後")
    assert "スレッドで公開された後" in dict(answered_card(public).fields)["ポイント (points)"]
    days.next()
    days.at(9)
    server.post()
    late = answering.answer_daily(1, 4, post.id, "90 締め切り後")
    assert not late.daily.counted and "ポイント (points)" not in dict(answered_card(late).fields)


def test_a_late_answer_scores_but_earns_no_points(world):
    server, days, progress, _ = world
    days.at(9)
    server.post()
    first = server.open_post.id
    days.next()
    days.at(9)
    server.post()
    late = server.daily.answer(1, 1, first, "80 遅れて回答")
    assert not late.counted and late.feedback.score == 80
    assert progress.leaderboard(1, "all", "points").entries == []


def test_points_survive_a_rebuild(world, loaded_db):
    server, days, progress, answering = world
    for day in range(3):
        days.at(9)
        server.post()
        days.at(10)
        if day == 1:
            answering.reveal(1, 1, server.open_post.question_id)
            days.at(11)
        for user in (1, 2):
            answer(server, user, f"{30 + 10 * day + user} 回答")
            answer(server, user, "99 やり直し")
        days.next()
    before = points(progress, "week")
    before_all = points(progress, "all")
    store.rebuild(loaded_db, 1)
    assert points(progress, "week") == before
    assert points(progress, "all") == before_all
    assert before_all == [(2, 32 + 42 + 52), (1, 31 + 51)]
