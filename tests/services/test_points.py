"""Leaderboard by:points: each member's best feedback score per daily question, summed per period."""
from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from bot.presenters_progress import leaderboard_card
from bot.services.daily import Daily
from bot.services.feedback import Feedback
from bot.services.progress import Progress
from db import progress as store
from tests.services.test_progress import Days, Server, START, TOKYO


@dataclass
class ScriptedGrader:
    """Scores by the answer's text, so the test decides each score."""

    def grade(self, question_id: str, text: str) -> Feedback:
        if text.startswith("english"):
            return Feedback(None, [], [], False, "英語の回答は採点しません")
        score = int(text.split()[0])
        return Feedback(score, ["a"], ["b"], True, "")


@pytest.fixture
def world(loaded_db, clock):
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(loaded_db, clock, random.Random(5), grader=ScriptedGrader())
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    return Server(daily, 1, TOKYO), days, Progress(loaded_db)


def answer(server: Server, user: int, text: str):
    return server.daily.answer(server.guild, user, server.open_post.id, text, display_name=f"m{user}")


def test_points_sum_the_best_score_per_daily_question(world, loaded_db):
    server, days, progress = world
    days.at(9); server.post()
    assert answer(server, 1, "40 最初").feedback.score == 40
    answer(server, 1, "70 改善")   # best for this question: 70
    answer(server, 1, "50 後退")   # a worse retry does not take points away
    answer(server, 2, "english answer")  # not judged: no points
    answer(server, 3, "90 満点近い")
    days.next(); days.at(9); server.post()
    answer(server, 1, "60 二日目")
    board = progress.leaderboard(1, "all", "points", caller_id=2)
    assert [(e.user_id, e.value, e.rank) for e in board.entries] == [(1, 130, 1), (3, 90, 2)]
    assert board.caller.value == 0 and board.caller.rank is None
    assert "ポイント" in leaderboard_card(board).title and "最高スコア" in leaderboard_card(board).footer


def test_a_late_answer_scores_but_earns_no_points(world):
    server, days, progress = world
    days.at(9); server.post()
    first = server.open_post.id
    days.next(); days.at(9); server.post()
    late = server.daily.answer(1, 1, first, "80 遅れて回答")
    assert not late.counted and late.feedback.score == 80
    assert progress.leaderboard(1, "all", "points").entries == []


def test_points_survive_a_rebuild(world, loaded_db):
    server, days, progress = world
    for day in range(3):
        days.at(9); server.post()
        for user in (1, 2):
            answer(server, user, f"{30 + 10 * day + user} 回答")
        days.next()
    before = [(e.user_id, e.value) for e in progress.leaderboard(1, "week", "points").entries]
    before_all = [(e.user_id, e.value) for e in progress.leaderboard(1, "all", "points").entries]
    store.rebuild(loaded_db, 1)
    assert [(e.user_id, e.value) for e in progress.leaderboard(1, "week", "points").entries] == before
    assert [(e.user_id, e.value) for e in progress.leaderboard(1, "all", "points").entries] == before_all
    assert before_all == [(2, 32 + 42 + 52), (1, 31 + 41 + 51)]
