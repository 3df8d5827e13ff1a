"""Saving an answer: it waits for a busy database within a bound, and when saving still fails the member's
text comes back in AnswerNotSaved; what enters the services is made storable and safe first."""
from __future__ import annotations

import logging
import random
import sqlite3
import time

import pytest

from bot.core.errors import AnswerNotSaved, InvalidAnswer, StorageBusy
from bot.presenters.progress import leaderboard_card
from bot.services import Answering, Study
from bot.services.daily import Daily
from bot.services.progress import Progress
from db import connection, practice
from tests.conftest import CONTENT, bank_database, write_lock_held
from tests.services.test_progress import START, TOKYO, Days, ScriptedGrader, Server


@pytest.fixture
def path(tmp_path):
    return tmp_path / "bot.sqlite3"


@pytest.fixture
def world(path, clock):
    """A server on a database file, its daily question set up and posted."""
    db = bank_database(path)
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(db, clock, random.Random(5), grader=ScriptedGrader())
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    study = Study(db, clock, random.Random(5), CONTENT, grader=ScriptedGrader())
    server = Server(daily, 1, TOKYO)
    days.at(9)
    server.post()
    yield server, Answering(study, daily), db
    db.close()


def texts(db, user: int) -> list[str]:
    return [a["text"] for a in practice.answers_of(db, 1, user)]


def test_an_answer_waits_for_another_process_holding_the_lock_two_seconds(world, path):
    _server, answering, db = world
    question = answering.study.draw(1, 7, "junior")
    with write_lock_held(path, seconds=2):
        started = time.monotonic()
        answered = answering.answer(1, 7, "70 ロックが外れるのを待って保存されます", question_id=question.id)
        waited = time.monotonic() - started
    assert waited > 1.0 and answered.question.id == question.id
    assert texts(db, 7) == ["70 ロックが外れるのを待って保存されます"]
    assert answered.feedback.score == 70


def test_a_daily_answer_waits_too_and_counts(world, path):
    server, answering, db = world
    with write_lock_held(path, seconds=2):
        answered = answering.answer_daily(1, 8, server.open_post.id, "80 日替わりの回答")
    assert answered.daily.counted and answered.points.points == 80
    assert texts(db, 8) == ["80 日替わりの回答"]


@pytest.mark.parametrize("daily", [False, True])
def test_held_past_the_bound_the_member_gets_their_text_back(world, path, monkeypatch, daily, caplog):
    server, answering, db = world
    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.2)
    question = answering.study.draw(1, 9, "senior")
    with write_lock_held(path), pytest.raises(AnswerNotSaved) as refused, caplog.at_level(logging.WARNING):
        if daily:
            answering.answer_daily(1, 9, server.open_post.id, "  60 保存できなかった回答\n二行目  ")
        else:
            answering.answer(1, 9, "  60 保存できなかった回答\n二行目  ", question_id=question.id)
    error = refused.value
    assert error.busy and isinstance(error.__cause__, StorageBusy)
    assert error.text == "60 保存できなかった回答\n二行目"  # as it would have been saved
    assert error.question_id == (server.open_post.question_id if daily else question.id)
    assert "混み合っていた" in error.message
    assert texts(db, 9) == []
    assert "not saved: the database stayed locked" in caplog.text


def test_any_other_database_error_gives_the_text_back_too(world, monkeypatch, caplog):
    _server, answering, _db = world
    answering.study.draw(1, 9, "senior")

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(practice, "record_answer", broken)
    with pytest.raises(AnswerNotSaved) as refused:
        answering.answer(1, 9, "70 消えてほしくない回答")
    assert not refused.value.busy and refused.value.text == "70 消えてほしくない回答"
    assert "保存中にエラー" in refused.value.message
    assert "disk I/O error" in caplog.text  # logged with its traceback for whoever runs the bot


def test_a_score_that_cannot_be_stored_still_shows_the_feedback(world, monkeypatch, caplog):
    _server, answering, db = world
    answering.study.draw(1, 9, "senior")

    def busy(*args, **kwargs):
        raise StorageBusy()

    monkeypatch.setattr(practice, "record_feedback", busy)
    answered = answering.answer(1, 9, "70 採点だけ保存できない")
    assert answered.feedback.score == 70 and texts(db, 9) == ["70 採点だけ保存できない"]
    assert "was not stored" in caplog.text


def test_a_lone_surrogate_is_stored_as_a_replacement_character(world):
    server, answering, db = world
    answering.study.draw(1, 9, "senior")
    answered = answering.answer(1, 9, "70 壊れた\ud800文字")
    assert answered.text == "70 壊れた\ufffd文字" and texts(db, 9) == ["70 壊れた\ufffd文字"]
    daily = answering.answer_daily(1, 9, server.open_post.id, "70 日替わり\udcff")
    assert daily.text == "70 日替わり\ufffd"


@pytest.mark.parametrize("text", ["\u200b\u200b", "\ufeff", "\u202e \u200d"])
def test_only_invisible_characters_is_the_empty_answer(world, text):
    server, answering, db = world
    answering.study.draw(1, 9, "senior")
    for answer in (lambda: answering.answer(1, 9, text), lambda: answering.answer_daily(1, 9, server.open_post.id, text)):
        with pytest.raises(InvalidAnswer) as refused:
            answer()
        assert "回答が空です" in refused.value.message
    assert texts(db, 9) == []


def test_names_are_stored_and_shown_without_hidden_characters_or_mentions(world):
    server, answering, db = world
    answering.answer_daily(1, 1, server.open_post.id, "50 a", display_name="\u202e<@123>\u200b @everyone")
    answering.answer_daily(1, 2, server.open_post.id, "60 b", display_name="\u200b\u200d")  # nothing visible
    answering.study.draw(1, 3, "junior", display_name="@here\n花子")
    stored = {r["user_id"]: r["display_name"] for r in db["members"].rows}
    assert stored == {1: "<＠123> ＠everyone", 3: "＠here 花子"}
    board = leaderboard_card(Progress(db).leaderboard(1, "all", "answers"))
    assert "<＠123> ＠everyone" in board.description and "メンバー #2" in board.description
    assert "@" not in board.description and "\u202e" not in board.description


def test_names_stored_before_the_rule_are_made_safe_when_shown(world):
    server, answering, db = world
    answering.answer_daily(1, 1, server.open_post.id, "50 a")
    db.execute("insert into members (guild_id, user_id, display_name, updated_at) values (1, 1, ?, 'x')",
               ["\u2067<@&456>\u2069"])
    board = leaderboard_card(Progress(db).leaderboard(1, "all", "answers"))
    assert "<＠&456>" in board.description and "\u2067" not in board.description
