"""Answer feedback: a 0-100 score, the key points an answer covers and the ones it misses.

Character n-grams need no Japanese tokenizer. One TF-IDF (2-3-grams, scikit-learn's vectorizer) is fitted
once over every model answer and its key points (`Grader.fit`, called by the composition root, or read back
by bot.services.scorer_cache); grading an answer only transforms it, with numpy alone (`TfidfModel.vector`).
Two signals are blended:

- coverage: a key point is covered when some window of the answer holds most of the n-grams of its
  phrase or of one synonym, weighted by idf (so 「バリアンス」 counts more than 「を削」). A match
  that is negated (「並列に学習しない」) or, in a question contrasting topics written 「XはY」, said of
  another topic (「バギングは逐次的に学習」) is a contradiction: missed, and it lowers the score.
- similarity: cosine between the answer and the model answer plus key points.

Coverage dominates because similarity alone rewards answers that reuse the right words wrongly
(bench/bench_feedback.py measures both against plain string similarity). An answer pasted from the
model answer (or its code) gets a message instead of a score (bot.core.answer_text.CopySource).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.answer_text import COPIED_MESSAGE, CopySource, negated_after, normalize, split_topic, subject_near, unjudgeable_reason
from bot.core.models import Question

NGRAMS = (2, 3)
FIT_VERSION = 1  # bump when what is fitted changes (NGRAMS, the vectorizer's settings, reference_text): cached fits are refitted
_WHITESPACE_RUNS = re.compile(r"\s\s+")  # scikit-learn's char analyzer makes each run one space
COVERED_AT = 0.75  # share of a phrase's idf weight that must appear in one window of the answer
COVERAGE_WEIGHT = 0.75  # the rest is similarity to the model answer
SIMILARITY_FULL = 0.45  # a cosine this high counts as fully similar (good labelled answers average ~0.5)
NEGATION_PENALTY = 0.2  # per key point the answer negates or says of the wrong topic
COVERED, MISSED, CONTRADICTED = "covered", "missed", "contradicted"


@dataclass(frozen=True)
class Feedback:
    score: int | None  # 0-100; None when the answer was not judged
    covered: list[str]
    missed: list[str]
    judged: bool
    message: str
    contradicted: tuple[str, ...] = ()  # key points the answer negates or swaps (also in missed)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"score": self.score, "covered": self.covered, "missed": self.missed}
        if self.contradicted:
            data["contradicted"] = list(self.contradicted)
        if not self.judged:
            data["message"] = self.message
        return data


@dataclass(frozen=True)
class TfidfModel:
    """What scikit-learn's TfidfVectorizer learns from the bank, and all grading needs: each n-gram's column and idf.

    `vector` is that vectorizer's `transform` of one text (tests/feedback/test_model.py checks they agree), so
    grading, and a model read back from disk (bot.services.scorer_cache), never import scikit-learn.
    """

    vocabulary: dict[str, int]  # n-gram -> column, 0..n-1
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: list[str]) -> TfidfModel:
        from sklearn.feature_extraction.text import TfidfVectorizer  # a second to import: only when fitting

        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, lowercase=False, sublinear_tf=True)
        vectorizer.fit(texts)
        return cls({gram: int(i) for gram, i in vectorizer.vocabulary_.items()}, np.asarray(vectorizer.idf_, dtype=np.float64))

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's known n-grams: their columns and L2-normalised weights (1 + log tf) * idf."""
        text = _WHITESPACE_RUNS.sub(" ", text)
        counts = Counter(g for n in range(NGRAMS[0], NGRAMS[1] + 1) for i in range(len(text) - n + 1)
                         if (g := text[i : i + n]) in self.vocabulary)
        columns = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        weights = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0) * self.idf[columns]
        norm = np.sqrt(np.dot(weights, weights))
        return columns, weights / norm if norm else weights


@dataclass(frozen=True)
class _Phrase:
    """One way to say a key point: its n-grams' idf weights over the question's local vocabulary."""

    length: int
    weights: np.ndarray


@dataclass(frozen=True)
class _Point:
    phrase: str  # shown to members
    ways: tuple[_Phrase, ...]  # the phrase and its synonyms
    topic: str | None  # 「バギングは…」: what the point is said about, when the question contrasts several


@dataclass(frozen=True)
class _Reference:
    vector: np.ndarray  # the model answer plus key points over the whole vocabulary, L2-normalised
    points: tuple[_Point, ...]
    local: np.ndarray  # global n-gram index -> local index (0 = not in this question's key points)
    copy_source: CopySource

    @property
    def topics(self) -> set[str]:
        return {p.topic for p in self.points if p.topic}


def reference_text(q: Question) -> str:
    """What an answer is compared with: the model answer and every phrase of its key points."""
    words = [w for k in q.key_points for w in (k.phrase, *k.synonyms)]
    return normalize("\n".join([q.answer, *words]))


def scored_questions(questions: Iterable[Question]) -> list[Question]:
    """The questions the scorer is fitted on and grades: those with key points."""
    return [q for q in questions if q.key_points]


class Grader:
    """Fitted once over the bank; `grade` never refits (the vocabulary stays fixed)."""

    def __init__(self, model: TfidfModel, references: dict[str, _Reference]):
        self.model = model
        self._vocabulary = model.vocabulary
        self._references = references

    @classmethod
    def fit(cls, questions: Iterable[Question]) -> Grader:
        questions = scored_questions(questions)
        return cls.from_model(TfidfModel.fit([reference_text(q) for q in questions]), questions)

    @classmethod
    def from_model(cls, model: TfidfModel, questions: Iterable[Question]) -> Grader:
        """A grader over a model fitted on these questions (now, or read back from bot.services.scorer_cache)."""
        return cls(model, {q.id: _reference(q, model) for q in scored_questions(questions)})

    def knows(self, question_id: str) -> bool:
        return question_id in self._references

    def grade(self, question_id: str, text: str) -> Feedback:
        ref = self._references.get(question_id)
        if ref is None:
            return Feedback(None, [], [], False, "この問題にはまだキーポイントがないため、自動採点していません。 (No key points yet.)")
        reason = COPIED_MESSAGE if ref.copy_source.copied(text) else unjudgeable_reason(text)
        if reason:
            return Feedback(None, [], [], False, reason)
        answer = normalize(text)
        hits = {n: self._local_ids(ref, answer, n) for n in range(NGRAMS[0], NGRAMS[1] + 1)}
        verdicts = [_verdict(point, hits, answer, ref.topics) for point in ref.points]
        return _feedback(ref, verdicts, self._similarity(ref, answer))

    def similarity(self, question_id: str, text: str) -> float:
        """Cosine (0-1) between an answer and the question's model answer plus key points, alone."""
        return self._similarity(self._references[question_id], normalize(text))

    def _similarity(self, ref: _Reference, answer: str) -> float:
        columns, weights = self.model.vector(answer)
        return float(np.dot(ref.vector[columns], weights))

    def _local_ids(self, ref: _Reference, answer: str, n: int) -> np.ndarray:
        """For each position of the answer, the local index of the n-gram starting there (0: none)."""
        ids = np.asarray([self._vocabulary.get(answer[i : i + n], -1) for i in range(len(answer) - n + 1)], dtype=np.int64)
        return np.where(ids >= 0, ref.local[np.maximum(ids, 0)], 0)


def _reference(q: Question, model: TfidfModel) -> _Reference:
    vocabulary, idf = model.vocabulary, model.idf
    topics = [split_topic(k.phrase) for k in q.key_points]
    # several topics (「バギングは…」「ブースティングは…」): each point is bound to its own, and its phrase is
    # matched without the topic, else 「ブースティングは並列」 would half-match 「バギングは並列」 by the topic's words
    contrast = len({t for t, _ in topics if t}) > 1
    ways = [[w for w in ((rest if contrast and topic else normalize(k.phrase)), *map(normalize, k.synonyms)) if w]
            for k, (topic, rest) in zip(q.key_points, topics, strict=True)]
    grams = sorted({vocabulary[g] for texts in ways for t in texts for g in _ngrams(t) if g in vocabulary})
    local = np.zeros(len(vocabulary), dtype=np.int64)
    local[grams] = np.arange(1, len(grams) + 1)
    weights = np.zeros(len(grams) + 1)
    weights[1:] = idf[grams]

    def phrase(text: str) -> _Phrase:
        w = np.zeros_like(weights)
        ids = [local[vocabulary[g]] for g in _ngrams(text) if g in vocabulary]
        w[ids] = weights[ids]
        return _Phrase(len(text), w / w.sum() if w.sum() else w)

    points = tuple(_Point(k.phrase, tuple(phrase(t) for t in texts), topic if contrast else None)
                   for k, texts, (topic, _) in zip(q.key_points, ways, topics, strict=True))
    vector = np.zeros(len(vocabulary))
    columns, weights = model.vector(reference_text(q))
    vector[columns] = weights
    return _Reference(vector, points, local, CopySource.of(q.answer, *(s.code for s in q.snippets)))


def _ngrams(text: str) -> set[str]:
    return {text[i : i + n] for n in range(NGRAMS[0], NGRAMS[1] + 1) for i in range(len(text) - n + 1)}


def _verdict(point: _Point, hits: dict[int, np.ndarray], answer: str, topics: set[str]) -> str:
    """covered, or contradicted when every place that says it negates it or says it of another topic."""
    spans = {span for way in point.ways for span in _spans(way, hits, answer)}
    if not spans:
        return MISSED
    for start, end in sorted(spans):
        if negated_after(answer, end):
            continue
        if point.topic and subject_near(answer, start, end, topics) not in (None, point.topic):
            continue
        return COVERED
    return CONTRADICTED


def _spans(phrase: _Phrase, hits: dict[int, np.ndarray], answer: str) -> set[tuple[int, int]]:
    """(start, end) of each window of the answer holding enough of the phrase's n-gram weight.

    A window is the phrase's length plus slack for particles and inflection (「並列に学習」~「並列で学習する」).
    """
    width = phrase.length + max(2, phrase.length // 3) - 1  # n-gram starts that fit in the window
    found = {n: np.zeros(max(len(answer), 1)) for n in hits}
    for n, ids in hits.items():
        found[n][: ids.size] = phrase.weights[ids]
    per_start = sum(found.values(), np.zeros(max(len(answer), 1)))
    window = np.convolve(per_start, np.ones(width))[width - 1 : width - 1 + per_start.size]
    return {_matched_span(found, int(start), width) for start in np.nonzero(window >= COVERED_AT)[0]}


def _matched_span(found: dict[int, np.ndarray], start: int, width: int) -> tuple[int, int]:
    """From the first matching n-gram in the window to the end of the last: what a negation must follow."""
    first, end = [], []
    for n, weights in found.items():
        at = np.nonzero(weights[start : start + width])[0]
        if at.size:
            first.append(start + int(at[0]))
            end.append(start + int(at[-1]) + n)
    return min(first), max(end)


def _feedback(ref: _Reference, verdicts: list[str], similarity: float) -> Feedback:
    covered = [p.phrase for p, v in zip(ref.points, verdicts, strict=True) if v == COVERED]
    contradicted = tuple(p.phrase for p, v in zip(ref.points, verdicts, strict=True) if v == CONTRADICTED)
    missed = [p.phrase for p, v in zip(ref.points, verdicts, strict=True) if v != COVERED]
    coverage = len(covered) / len(ref.points)
    closeness = min(1.0, similarity / SIMILARITY_FULL)
    raw = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * closeness - NEGATION_PENALTY * len(contradicted)
    score = round(100 * min(1.0, max(0.0, raw)))
    return Feedback(score, covered, missed, True, _message(covered, missed, contradicted), contradicted)


def _message(covered: list[str], missed: list[str], contradicted: tuple[str, ...]) -> str:
    if contradicted:
        return (f"逆の意味になっているポイントがあります: {'、'.join(contradicted)}。"
                "否定や主語の取り違えがないか、模範解答と見比べてみましょう。")
    if not missed:
        return "キーポイントをすべて押さえています。"
    if covered:
        return f"キーポイント {len(covered)}/{len(covered) + len(missed)} 個に触れています。足りない点を模範解答で確認しましょう。"
    return "キーポイントが見つかりませんでした。模範解答で要点を確認しましょう。"
