"""The fitted scorer on disk: read back instead of fitted while the bank is the same, refitted and rewritten
without a word when the bank changed or the file is damaged, and never in the way when it cannot be written."""
from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest
import sklearn

from bot.services import scorer_cache
from bot.services.feedback import Grader
from bot.services.scorer_cache import load_or_fit, read_model
from tests.conftest import parsed_bank

QUESTIONS = parsed_bank()[0]
ANSWER = ("junior-01", "pandasのchunksizeで分割して読み込み、ジェネレーターで遅延評価しながら処理する。"
                       "必要なデータだけをSQLで絞り込んでロードし、足りなければDaskで分散コンピューティングする。")


@pytest.fixture
def fits(monkeypatch) -> list[int]:
    """Counts the fits that happen (the session's memoised Grader.fit underneath)."""
    counted: list[int] = []
    real = Grader.fit

    def fit(questions):
        counted.append(1)
        return real(questions)

    monkeypatch.setattr(Grader, "fit", fit)
    return counted


def graded(grader: Grader) -> dict:
    return grader.grade(*ANSWER).as_json()


def test_a_cached_fit_is_read_back_and_grades_the_same(tmp_path, fits):
    path = tmp_path / "cache" / "scorer.npz"
    first = load_or_fit(QUESTIONS, path)
    assert path.is_file() and len(fits) == 1
    again = load_or_fit(list(reversed(QUESTIONS)), path)  # the database may list them in another order
    assert len(fits) == 1 and graded(again) == graded(first) and graded(first)["score"] > 50
    assert again.similarity(*ANSWER) == pytest.approx(first.similarity(*ANSWER), abs=1e-12)
    assert [p.name for p in path.parent.iterdir()] == ["scorer.npz"]  # no temporary file left behind


def test_a_changed_bank_is_fitted_again_and_the_cache_rewritten(tmp_path, fits):
    path = tmp_path / "scorer.npz"
    load_or_fit(QUESTIONS, path)
    before = path.read_bytes()
    changed = [dataclasses.replace(q, answer=q.answer + "アンサンブル学習の補足。") if q.id == "junior-01" else q for q in QUESTIONS]
    load_or_fit(changed, path)
    assert len(fits) == 2 and path.read_bytes() != before
    load_or_fit(changed, path)
    assert len(fits) == 2


def test_another_scikit_learn_or_scorer_version_is_fitted_again(tmp_path, fits, monkeypatch):
    path = tmp_path / "scorer.npz"
    load_or_fit(QUESTIONS, path)
    monkeypatch.setattr(scorer_cache, "sklearn_version", lambda: "99.0")
    load_or_fit(QUESTIONS, path)
    monkeypatch.setattr(scorer_cache, "FIT_VERSION", scorer_cache.FIT_VERSION + 1)
    load_or_fit(QUESTIONS, path)
    assert len(fits) == 3


def test_the_version_is_scikit_learns_without_importing_it():
    assert scorer_cache.sklearn_version() == sklearn.__version__


def test_a_cache_for_another_key_is_not_read(tmp_path):
    path = tmp_path / "scorer.npz"
    load_or_fit(QUESTIONS, path)
    assert read_model(path, "another key") is None and read_model(tmp_path / "absent.npz", "k") is None


def damaged(path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"not a zip file at all")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    else:  # readable, but the idf does not match the n-grams
        with np.load(path) as stored:
            arrays = dict(stored)
        arrays["idf"] = arrays["idf"][:-1]
        with path.open("wb") as out:
            np.savez(out, **arrays)


@pytest.mark.parametrize("how", ["garbage", "truncated", "empty", "malformed"])
def test_a_damaged_cache_is_fitted_again_silently_and_rewritten(tmp_path, fits, how, caplog):
    path = tmp_path / "scorer.npz"
    expected = graded(load_or_fit(QUESTIONS, path))
    damaged(path, how)
    with caplog.at_level(logging.INFO):
        grader = load_or_fit(QUESTIONS, path)
    assert graded(grader) == expected and len(fits) == 2 and caplog.records == []
    load_or_fit(QUESTIONS, path)
    assert len(fits) == 2  # rewritten whole


def test_a_cache_that_cannot_be_written_only_costs_a_fit(tmp_path, fits, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        grader = load_or_fit(QUESTIONS, blocker / "cache" / "scorer.npz")
    assert graded(grader)["score"] > 50 and len(fits) == 1
    assert "could not be cached" in caplog.text


def test_no_path_means_no_cache(tmp_path, fits, monkeypatch):
    monkeypatch.chdir(tmp_path)
    load_or_fit(QUESTIONS, None)
    load_or_fit(QUESTIONS, None)
    assert len(fits) == 2 and list(tmp_path.iterdir()) == []
