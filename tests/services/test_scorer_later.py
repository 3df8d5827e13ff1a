"""Discord connects before the scorer is fitted: answers saved meanwhile are scored once it is installed."""
from __future__ import annotations

from datetime import timedelta

from bot.bootstrap import build_services, fit_grader, scorer_questions
from db import practice

GOOD = "バギングは独立したモデルを並列に学習して平均し、ブースティングは前のモデルの誤りを順に補正します。"


def test_answers_saved_before_the_scorer_is_ready_are_scored_when_it_is(study, clock):
    services = build_services(study, fit_scorer=False)
    assert study.grader is None and services.daily.grader is None
    started = clock.now
    services.daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    early = services.answering.answer(1, 10, GOOD, question_id="junior-06")
    assert early.feedback is None  # saved, not yet scored
    clock.advance(minutes=1)
    scored = services.install_grader(fit_grader(scorer_questions(study)), started)
    [row] = practice.answers_of(study.db, 1, 10)
    assert scored == 1 and row["score"] is not None and row["score"] > 0
    later = services.answering.answer(1, 10, GOOD, question_id="junior-06")
    assert later.feedback is not None and later.feedback.score == row["score"]  # scored as it comes from now on


def test_only_answers_from_since_on_are_scored(study, clock):
    services = build_services(study, fit_scorer=False)
    services.answering.answer(1, 10, GOOD, question_id="junior-06")
    clock.advance(minutes=5)
    assert services.install_grader(fit_grader(scorer_questions(study)), clock.now - timedelta(minutes=1)) == 0
    assert practice.answers_of(study.db, 1, 10)[0]["score"] is None
