"""Grading transforms answers with numpy alone (TfidfModel.vector), so it must be scikit-learn's transform exactly:
the same columns and weights, the same cosine with the model answer as the vectorizer's own fit gave."""
from __future__ import annotations

import numpy as np
import pytest
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.core.answer_text import normalize
from bot.services.feedback import NGRAMS, Grader, TfidfModel, reference_text, scored_questions
from tests.conftest import ROOT, parsed_bank

LABELLED = yaml.safe_load((ROOT / "tests/feedback/labelled_answers.yaml").read_text(encoding="utf-8"))
QUESTIONS = scored_questions(parsed_bank()[0])
ODD_TEXTS = ["", "a", "ab", "  ", "過学習\n\n\tを  防ぐ  ", "バギング バギング バギング", "unknown ngrams only ☃☃☃", "x\u3000\u3000y"]


@pytest.fixture(scope="module")
def fitted() -> tuple[TfidfVectorizer, TfidfModel, object]:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, sublinear_tf=True)
    matrix = vectorizer.fit_transform([reference_text(q) for q in QUESTIONS])
    return vectorizer, TfidfModel.fit([reference_text(q) for q in QUESTIONS]), matrix


def test_the_model_is_what_the_vectorizer_learned(fitted):
    vectorizer, model, _ = fitted
    assert model.vocabulary == vectorizer.vocabulary_ and sorted(model.vocabulary.values()) == list(range(len(model.vocabulary)))
    assert np.array_equal(model.idf, vectorizer.idf_)


@pytest.mark.parametrize("source", ["answers", "holdout", "odd"])
def test_vector_is_the_vectorizers_transform(fitted, source):
    vectorizer, model, _ = fitted
    texts = ODD_TEXTS if source == "odd" else [normalize(a["text"]) for a in LABELLED[source]]
    for text in texts:
        expected = vectorizer.transform([text])
        columns, weights = model.vector(text)
        dense = np.zeros(len(model.vocabulary))
        dense[columns] = weights
        assert sorted(columns.tolist()) == sorted(expected.indices.tolist()), text
        assert np.allclose(dense, expected.toarray()[0], rtol=0, atol=1e-12), text


def test_similarity_is_the_cosine_the_vectorizer_gave(fitted):
    vectorizer, _, matrix = fitted
    grader = Grader.fit(QUESTIONS)
    row = {q.id: i for i, q in enumerate(QUESTIONS)}
    for a in LABELLED["answers"] + LABELLED["holdout"]:
        expected = (vectorizer.transform([normalize(a["text"])]) @ matrix[row[a["question"]]].T).toarray()[0, 0]
        assert grader.similarity(a["question"], a["text"]) == pytest.approx(expected, abs=1e-12)
