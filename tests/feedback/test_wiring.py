"""Study grades answers when it has a grader, stores the verdict, and the presenter shows it within Discord limits."""
from __future__ import annotations

import json
import random

import pytest

from bot.presenters.cards import FIELD_LIMIT
from bot.presenters.feedback import feedback_fields, with_feedback
from bot.presenters.study import answer_receipt
from bot.services import Study
from bot.services.feedback import Feedback, Grader
from db import practice
from tests.conftest import CONTENT, parsed_bank

GOOD = "バギングは並列に学習して分散を減らし、ブースティングは逐次的に学習してバイアスを減らします。"


@pytest.fixture(scope="module")
def grader() -> Grader:
    return Grader.fit(parsed_bank()[0])


def test_answer_is_graded_and_the_verdict_stored(loaded_db, clock, grader):
    study = Study(loaded_db, clock, random.Random(1), CONTENT, grader=grader)
    study.set_current(1, 10, "junior-06", via="test")
    receipt = study.answer(1, 10, GOOD)
    assert receipt.feedback.judged and receipt.feedback.score > 50
    row = practice.answers_of(loaded_db, 1, 10)[0]
    assert row["score"] == receipt.feedback.score
    assert json.loads(row["covered"]) == receipt.feedback.covered and json.loads(row["missed"]) == receipt.feedback.missed


def test_unjudged_answers_are_saved_without_a_score(loaded_db, clock, grader):
    study = Study(loaded_db, clock, random.Random(1), CONTENT, grader=grader)
    receipt = study.answer(1, 10, "Bagging is parallel and boosting is sequential.", question_id="junior-06")
    assert not receipt.feedback.judged
    assert practice.answers_of(loaded_db, 1, 10)[0]["score"] is None


def test_without_a_grader_nothing_changes(study):
    study.draw(1, 10)
    assert study.answer(1, 10, GOOD).feedback is None


def test_a_failing_grader_never_loses_the_answer(loaded_db, clock):
    class Broken:
        def grade(self, question_id, text):
            raise RuntimeError("bug")

    study = Study(loaded_db, clock, random.Random(1), CONTENT, grader=Broken())
    receipt = study.answer(1, 10, GOOD, question_id="junior-06")
    assert receipt.feedback is None and practice.answers_of(loaded_db, 1, 10)[0]["text"] == GOOD


def test_feedback_fields_show_score_covered_and_missed(grader):
    feedback = grader.grade("junior-06", GOOD)
    fields = dict(feedback_fields(feedback))
    assert f"{feedback.score} / 100" in fields["自動採点 (score)"]
    assert "✅ バギングは並列にトレーニング" in fields["押さえたポイント (covered)"]
    assert "❌ アンサンブル手法" in fields["足りないポイント (missed)"]


def test_contradictions_are_flagged_not_listed_twice(grader):
    feedback = grader.grade("junior-06", "バギングは逐次的に学習してバイアスを減らし、ブースティングは並列に学習して分散を減らします。")
    fields = dict(feedback_fields(feedback))
    assert "⚠️ バギングは並列にトレーニング" in fields["逆になっているかも (contradicted)"]
    assert "バギングは並列" not in fields["足りないポイント (missed)"]


def test_fields_fit_discord_limits_even_with_many_long_points():
    long = [f"とても長いキーポイント{n} " + "あ" * 80 for n in range(40)]
    fields = feedback_fields(Feedback(50, long, long, True, "メッセージ" * 300))
    assert all(0 < len(value) <= FIELD_LIMIT and len(name) <= 256 for name, value in fields)
    assert "ほか" in dict(fields)["押さえたポイント (covered)"]


def test_receipt_card_gets_the_fields(grader, loaded_db):
    from db import bank

    q = bank.get_question(loaded_db, "junior-06")
    card = with_feedback(answer_receipt(q, GOOD), grader.grade(q.id, GOOD))
    assert [name for name, _ in card.fields][:2] == ["問題", "自動採点 (score)"] and "目安" in card.footer
    unjudged = with_feedback(answer_receipt(q, "short"), grader.grade(q.id, "short"))
    assert dict(unjudged.fields)["自動採点 (score)"].startswith("回答が短すぎる")
    assert with_feedback(answer_receipt(q, GOOD), None) == answer_receipt(q, GOOD)
