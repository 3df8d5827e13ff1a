"""Drawing, answering and revealing questions: the use-cases every front end shares."""
from __future__ import annotations

import pytest

from bot.core.errors import InvalidAnswer, NoCurrentQuestion, NoQuestionsLeft, UnknownQuestion
from db import practice


def test_draw_gives_unseen_questions_of_the_level_first(study, clock):
    seen = set()
    for _ in range(15):
        q = study.draw(1, 10, "junior")
        assert q.level == "junior" and q.id not in seen
        seen.add(q.id)
        clock.advance(minutes=1)
    assert len(seen) == 15
    again = study.draw(1, 10, "junior")  # all seen: one of the older half comes back
    assert again.id in seen


def test_draw_by_category_and_unknown_filters(study):
    q = study.draw(1, 10, category="特徴量エンジニアリング")
    assert q.category == "特徴量エンジニアリング"
    with pytest.raises(NoQuestionsLeft):
        study.draw(1, 10, category="存在しないカテゴリ")


def test_answer_goes_to_the_current_question_of_that_server(study, loaded_db):
    with pytest.raises(NoCurrentQuestion):
        study.answer(1, 10, "答え")
    q = study.draw(1, 10, "senior")
    receipt = study.answer(1, 10, "  バイアスとバリアンスのバランスです  ")
    assert receipt.question.id == q.id and receipt.text == "バイアスとバリアンスのバランスです"
    assert practice.answers_of(loaded_db, 1, 10)[0]["text"] == receipt.text
    with pytest.raises(NoCurrentQuestion):
        study.answer(2, 10, "別のサーバー")  # the current question is per server


@pytest.mark.parametrize("text", ["", "   \n ", None, "あ" * 4001])
def test_bad_answers_are_refused_with_a_clear_message(study, text):
    study.draw(1, 10)
    with pytest.raises(InvalidAnswer) as error:
        study.answer(1, 10, text)
    assert "回答" in error.value.message


def test_reveal_by_id_or_current_and_unknown_ids(study):
    with pytest.raises(UnknownQuestion) as error:
        study.reveal(1, 10, "junior-99")
    assert "junior-99" in error.value.message
    q = study.draw(1, 10)
    assert study.reveal(1, 10).id == q.id
    assert study.reveal(1, 10, "senior-05").snippets[0].result.status == "ok"


def test_suggest_by_id_prefix_and_japanese_text(study):
    assert [i for i, _ in study.suggest("junior-1")] == ["junior-10", "junior-11", "junior-12", "junior-13", "junior-14", "junior-15"]
    assert ("junior-07", "不均衡なデータセットをどのように処理しますか?") in study.suggest("不均衡")
    assert len(study.suggest("")) == 25


def test_every_reveal_is_recorded_for_the_points_rule(study, clock, loaded_db):
    from bot.services import Answering
    from bot.services.daily import Daily
    from tests.conftest import T0

    q = study.draw(1, 10)
    study.reveal(1, 10)  # the current question
    clock.advance(minutes=5)
    Answering(study, Daily(loaded_db, clock, study.rng)).reveal(1, 10, "senior-05")  # what every front end calls
    assert practice.reveal_times(loaded_db, 1, 10, q.id) == [T0]
    assert practice.reveal_times(loaded_db, 1, 10, "senior-05") == [clock.now]
    assert practice.reveal_times(loaded_db, 2, 10, q.id) == []  # per server
    with pytest.raises(UnknownQuestion):
        study.reveal(1, 10, "junior-99")
    assert loaded_db["reveals"].count == 2
