"""Text rules for grading a free-text answer: one normal form, whether it can be judged, negation cues.

Plain string rules without statistics; the scorer (bot/services/feedback.py) builds on them.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass

MIN_MEANINGFUL_CHARS = 15
# an answer whose letters are mostly Latin and that has hardly any Japanese is English (or romaji): the
# key points are Japanese. Japanese with English terms (「バギング（Bagging）は bootstrap sampling で…」) is
# judged, however many terms it borrows: a Japanese sentence needs far more than 10 kana or kanji.
MAX_LATIN_SHARE = 0.6
MIN_JAPANESE_CHARS = 10
NEGATION_REACH = 20  # characters after a matched phrase, within its clause, that can still negate it
# Copying: a run of COPY_RUN letters shared with the model answer is no coincidence. On the labelled
# answers written in members' own words, such runs make up at most ~71% of an answer and ~53% of a model
# answer; a paste, even lightly edited, is near 100%.
COPY_RUN = 8
COPIED_AT = 0.85
COPY_CHECK_FROM = 30  # letters: shorter answers are judged as they are (a shared phrase is not a copy)
WHOLE_COPY_FROM = 60  # letters: a model answer this long, pasted whole inside an answer, is a copy
COPIED_MESSAGE = ("模範解答の写しのようです。自分の言葉で書き直すと採点されます。"
                  " (This looks copied from the model answer; write it in your own words to get a score.)")

_MARKUP = re.compile(r"[*`#>|_~]+|^\s*(?:[-・•]|\d+\.)\s+", re.M)
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9.+\-/]*")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。!?！？\n]")
_CLAUSE_END = re.compile(r"[、。,.!?！？;；:：\n()（）]")
# a conjunction starts a new clause: 「0に近づけるが完全に0にはならない」 does not negate 「0に近づける」
_CONJUNCTION = re.compile(r"(?:ます|です|[るた])が|けど|けれど|ものの")
# 「少ない」「危ない」「必ず」「少しずつ」 look like negations but are not, nor is 「変わっていないか確認」 (a check)
_NEGATION = re.compile(r"(?<![少危])ない(?!か(?!ら))|ません|(?<![必まいはわ])ず(?![つっ])|ではなく|じゃなく|不要|無関係|誤り|間違い")
_TOPIC = re.compile(r"^([^\sはがでのと、。()（）]{1,12})\s*は(?=.)")  # 「バギングは…」 at the start of a key point
_TOPIC_MARK = re.compile(r"[^、。はが\s]{0,4}\s*(?:は|が|:|=)")  # after a mention: 「バギングは」「f1 スコアは」「pca:」


def normalize(text: str) -> str:
    """NFKC (full-width Ｆ１ → f1), lower case, no Markdown marks, and spaces around Latin words.

    The spaces give short Latin terms word edges, so the n-grams of 「ci」 are not found inside 「precision」.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MARKUP.sub(" ", text)
    text = _ASCII_WORD.sub(lambda m: f" {m.group(0)} ", text)
    return _SPACES.sub(" ", text).strip()


def _is_japanese(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "々"


def meaningful_chars(text: str) -> int:
    """Letters and digits: punctuation, spaces and emoji do not make an answer longer."""
    return sum(1 for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN")


def japanese_chars(text: str) -> int:
    """Kana and kanji."""
    return sum(1 for ch in unicodedata.normalize("NFKC", text) if _is_japanese(ch))


def latin_share(text: str) -> float:
    """Share of Latin letters among Latin letters plus Japanese characters (0 when there are neither)."""
    text = unicodedata.normalize("NFKC", text)
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    japanese = japanese_chars(text)
    return latin / (latin + japanese) if latin + japanese else 0.0


def is_english(text: str) -> bool:
    """Mostly Latin letters and fewer than MIN_JAPANESE_CHARS kana or kanji."""
    return japanese_chars(text) < MIN_JAPANESE_CHARS and latin_share(text) > MAX_LATIN_SHARE


def unjudgeable_reason(text: str) -> str | None:
    """Why the scorer should not put a number on this answer, for the member; None when it can judge it."""
    if meaningful_chars(text) < MIN_MEANINGFUL_CHARS:
        return (f"回答が短すぎるため採点していません（{MIN_MEANINGFUL_CHARS} 文字以上で判定します）。"
                "模範解答と見比べてみましょう。 (Too short to score.)")
    if is_english(text):
        return ("英語の回答はまだ自動採点できません。キーポイントは日本語で用意しているため、"
                "日本語で書くと採点されます。 (English answers are not scored yet; answer in Japanese to get a score.)")
    return None


def letters_only(text: str) -> str:
    """The normal form without spaces and punctuation: reformatting a paste does not hide it."""
    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")


def _runs(letters: str) -> set[str]:
    return {letters[i : i + COPY_RUN] for i in range(len(letters) - COPY_RUN + 1)}


def _share_in(letters: str, runs: Set[str]) -> float:
    """Share of `letters` lying inside some COPY_RUN-long run that is in `runs`."""
    inside = [False] * len(letters)
    for i in range(len(letters) - COPY_RUN + 1):
        if letters[i : i + COPY_RUN] in runs:
            inside[i : i + COPY_RUN] = [True] * COPY_RUN
    return sum(inside) / len(letters) if letters else 0.0


@dataclass(frozen=True)
class CopySource:
    """What a member could paste from a reveal: the model answer's prose and its code."""

    prose: str  # letters_only
    runs: frozenset[str]  # of the prose and the code

    @classmethod
    def of(cls, prose: str, *code: str) -> CopySource:
        letters = letters_only(prose)
        return cls(letters, frozenset(_runs(letters).union(*(_runs(letters_only(c)) for c in code))))

    def copied(self, answer: str) -> bool:
        """Most of the answer is runs of the model answer, or the answer holds most of the model answer."""
        letters = letters_only(answer)
        if len(letters) < COPY_CHECK_FROM:
            return False
        if _share_in(letters, self.runs) >= COPIED_AT:
            return True
        return len(self.prose) >= WHOLE_COPY_FROM and _share_in(self.prose, _runs(letters)) >= COPIED_AT


def negated_after(text: str, end: int) -> bool:
    """Whether the clause right after text[:end] negates it (「過学習を防がない」「精度ではなく」)."""
    tail = text[end : end + NEGATION_REACH]
    for stop in (_CLAUSE_END.search(tail), _CONJUNCTION.search(tail)):
        if stop:
            tail = tail[: stop.start()]
    return bool(_NEGATION.search(tail))


def split_topic(phrase: str) -> tuple[str | None, str]:
    """「バギングは並列にトレーニング」 → ("バギング", "並列にトレーニング"), normalised; (None, phrase) without a topic."""
    text = normalize(phrase)
    match = _TOPIC.match(text)
    return (match.group(1), text[match.end() :].strip()) if match else (None, text)


def subject_near(text: str, start: int, end: int, topics: set[str]) -> str | None:
    """Which of `topics` the words text[start:end] are said about, or None when the answer does not say.

    Only mentions marked as the topic count (「バギングは」「PCA:」): the nearest in the clause, else the
    last one earlier in the sentence, else earlier in the answer. 「バギングは逐次的に学習し」 is about バギング;
    in 「適合率と再現率の調和平均」 neither is the topic.
    """
    marked = sorted((m.start(), m.end(), t) for t in topics for m in re.finditer(re.escape(t), text)
                    if _TOPIC_MARK.match(text, m.end()))
    if not marked:
        return None
    left, right = _bounds(text, start, end, _CLAUSE_END)
    in_clause = [m for m in marked if left <= m[0] and m[1] <= right]
    if in_clause:
        return min(in_clause, key=lambda m: max(start - m[1], m[0] - end, 0))[2]
    sentence_start, _ = _bounds(text, start, end, _SENTENCE_END)
    before = [m for m in marked if m[1] <= start]
    in_sentence = [m for m in before if m[0] >= sentence_start]
    nearest = in_sentence or before
    return nearest[-1][2] if nearest else None


def _bounds(text: str, start: int, end: int, stops: re.Pattern[str]) -> tuple[int, int]:
    left = max((m.end() for m in stops.finditer(text, 0, start)), default=0)
    after = stops.search(text, end)
    return left, after.start() if after else len(text)
