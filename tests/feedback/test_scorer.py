"""The answer scorer ranks good answers above partial and wrong ones, and says so when it cannot judge.

Thresholds: on the hand-labelled answers (tests/feedback/labelled_answers.yaml) the scorer measures an
AUC of good over wrong of 0.99-1.0 and good over partial of 1.0 (bench/bench_feedback.py). 0.9 keeps a
margin for edits to the key points: fewer than 1 pair in 10 may be ranked the wrong way round. Plain
string similarity reaches 0.87-0.96 there too (good answers are longer), so what sets the scorer apart is
tested directly: minimal pairs (same words, swapped or negated), and partial answers above wrong ones.
"""
from __future__ import annotations

import json
from statistics import mean

import pytest
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.services.feedback import Feedback, Grader
from tests.conftest import CONTENT, ROOT, parsed_bank

LABELLED = yaml.safe_load((ROOT / "tests/feedback/labelled_answers.yaml").read_text(encoding="utf-8"))
QUESTIONS, _ = parsed_bank()


@pytest.fixture(scope="module")
def grader() -> Grader:
    return Grader.fit(QUESTIONS)


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def scores(grader: Grader, answers: list[dict]) -> dict[str, list[int]]:
    by_label: dict[str, list[int]] = {"good": [], "partial": [], "wrong": []}
    for a in answers:
        feedback = grader.grade(a["question"], a["text"])
        assert feedback.judged, f"{a['question']}: labelled answer not judged: {a['text'][:30]}"
        by_label[a["label"]].append(feedback.score)
    return by_label


def test_the_labelled_set_covers_both_levels_and_enough_questions():
    answers = LABELLED["answers"] + LABELLED["holdout"]
    questions = {a["question"] for a in answers}
    assert len(questions) >= 8 and {q.split("-")[0] for q in questions} == {"junior", "senior"}
    assert {a["label"] for a in answers} == {"good", "partial", "wrong"}


@pytest.mark.parametrize("subset", ["answers", "holdout"])
def test_good_outranks_partial_outranks_wrong(grader, subset):
    s = scores(grader, LABELLED[subset])
    assert mean(s["good"]) > mean(s["partial"]) > mean(s["wrong"])
    assert auc(s["good"], s["wrong"]) >= 0.9
    assert auc(s["good"], s["partial"]) >= 0.9
    assert mean(s["good"]) >= 70 and mean(s["wrong"]) <= 30
    assert auc(s["partial"], s["wrong"]) >= 0.6  # string similarity ranks partial below wrong (0.27-0.59)


@pytest.mark.parametrize("pair", LABELLED["pairs"], ids=lambda p: p["question"])
def test_minimal_pairs_the_same_words_made_wrong_score_lower(grader, pair):
    right, wrong = grader.grade(pair["question"], pair["right"]), grader.grade(pair["question"], pair["wrong"])
    assert right.score - wrong.score >= 20 and not right.contradicted and wrong.contradicted


@pytest.mark.parametrize("qid, good, wrong", [
    ("junior-06", "バギングは並列に学習して分散を減らし、ブースティングは逐次的に学習してバイアスを減らします。",
     "バギングは逐次的に学習してバイアスを減らし、ブースティングは並列に学習して分散を減らします。"),
    ("senior-01", "バイアスは適合不足による誤差、バリアンスは過剰適合による誤差で、一方を減らすと他方が増えます。",
     "バイアスは過剰適合による誤差、バリアンスは適合不足による誤差で、一方を減らすと他方が増えます。"),
    ("senior-10", "ターゲットエンコーディングや頻度エンコーディング、ハッシュ化を使います。",
     "ターゲットエンコーディングや頻度エンコーディング、ハッシュ化は使いません。"),
    ("junior-10", "正則化は過学習を防ぐために、モデルの複雑さにペナルティを科します。",
     "正則化は過学習を防ぐものではなく、モデルの複雑さにペナルティを科すこともありません。"),
])
def test_right_words_in_a_wrong_answer_score_lower(grader, qid, good, wrong):
    right, swapped = grader.grade(qid, good), grader.grade(qid, wrong)
    assert right.score - swapped.score >= 30
    assert swapped.contradicted and not right.contradicted
    assert set(swapped.contradicted) <= set(swapped.missed)


@pytest.mark.parametrize("text, word", [
    ("Bagging trains models in parallel to reduce variance; boosting trains them sequentially.", "英語"),
    ("Bagging = parallel, boosting = sequential", "英語"),
    ("並列と逐次", "短すぎ"),
    ("バギング！！！　？？？　……", "短すぎ"),
])
def test_english_and_too_short_answers_are_not_scored(grader, text, word):
    feedback = grader.grade("junior-06", text)
    assert not feedback.judged and feedback.score is None and word in feedback.message
    assert feedback.covered == [] and feedback.missed == []


def test_japanese_with_english_terms_is_still_judged(grader):
    feedback = grader.grade("senior-02", "L1（Lasso）は係数がスパースになり特徴量選択に使えて、L2（Ridge）は係数の二乗和で0に近づけます。")
    assert feedback.judged and feedback.score >= 40


def test_mostly_latin_japanese_is_judged_not_called_english(grader):
    mixed = "バギング（Bagging）は bootstrap sampling で並列学習し variance を減らし、boosting は sequential に学習して bias を減らす。"
    feedback = grader.grade("junior-06", mixed)
    assert feedback.judged and feedback.score is not None and "英語" not in feedback.message
    english = grader.grade("junior-06", "Bagging (バギング) trains models in parallel; boosting trains them one after another.")
    assert not english.judged and "英語" in english.message  # a few Japanese words do not make it Japanese


@pytest.mark.parametrize("copy", LABELLED["copies"], ids=lambda c: c["how"])
def test_a_pasted_model_answer_gets_a_message_not_a_score(grader, copy):
    feedback = grader.grade(copy["question"], copy["text"])
    assert not feedback.judged and feedback.score is None and "模範解答の写し" in feedback.message
    assert feedback.as_json()["message"] == feedback.message  # `studybot grade` says so too


def test_every_model_answer_pasted_whole_is_caught(grader):
    for q in QUESTIONS:
        if q.key_points:
            assert "模範解答の写し" in grader.grade(q.id, q.answer).message, q.id


def test_full_width_and_half_width_are_the_same(grader):
    half = grader.grade("junior-09", "F1は適合率と再現率の調和平均で、TP/(TP+FP)が適合率です。")
    full = grader.grade("junior-09", "Ｆ１は適合率と再現率の調和平均で、ＴＰ／（ＴＰ＋ＦＰ）が適合率です。")
    assert half.score == full.score and half.covered == full.covered


def test_grading_never_fits_again(monkeypatch):
    grader = Grader.fit(QUESTIONS)

    def refit(*args, **kwargs):
        raise AssertionError("the vectorizer was fitted while grading")

    for name in ("fit", "fit_transform"):
        monkeypatch.setattr(TfidfVectorizer, name, refit)
    for a in LABELLED["answers"][:10]:
        assert grader.grade(a["question"], a["text"]).judged


def test_unknown_question_and_no_key_points_are_not_judged(grader):
    assert not grader.knows("junior-99")
    feedback = grader.grade("junior-99", "バギングは並列に学習して分散を減らします。")
    assert feedback == Feedback(None, [], [], False, feedback.message) and "キーポイント" in feedback.message


def test_perfect_answer_covers_everything(grader):
    q = next(q for q in QUESTIONS if q.id == "senior-12")
    text = "、".join(k.phrase for k in q.key_points) + "。"
    feedback = grader.grade(q.id, text)
    assert feedback.missed == [] and feedback.score >= 90 and "すべて" in feedback.message


def studybot_grade(question_id: str, answer: str):
    import subprocess
    import sys

    config = CONTENT.parent / "config.example.toml"
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "grade", question_id],
                          input=answer, capture_output=True, text=True, timeout=60, cwd=CONTENT.parent)


def test_studybot_grade_reads_stdin_and_prints_json():
    good = studybot_grade("junior-06", "バギングは並列に学習して分散を減らし、ブースティングは逐次的に学習してバイアスを減らします。")
    out = json.loads(good.stdout)
    assert good.returncode == 0 and 0 <= out["score"] <= 100
    assert "バギングは並列にトレーニング" in out["covered"] and out["missed"]
    short = studybot_grade("junior-06", "short")
    assert short.returncode == 0 and json.loads(short.stdout)["score"] is None and json.loads(short.stdout)["message"]
    unknown = studybot_grade("junior-99", "何か")
    assert unknown.returncode == 2 and "junior-99" in unknown.stderr
