"""Points for a daily question: one number per member, that retries and copying cannot raise.

Rule: a member's points for a daily question are the score of their FIRST judged answer to it (given
while it was open), and only when that answer came before the model answer was shown to them: their
own reveal of the question since the post went out, or the public reveal in the daily thread. Later
answers are practice: they get feedback, and count for streaks, but no points. Each hint (a key point
shown with the Hint button or /hint) taken since the post and before that answer costs HINT_COST percent
of its score, rounded down, never below 0; the feedback score itself is unchanged.

Everything here is pure: db.progress reads the rows, turns them into `DailyAnswer`s and an `Exposure`,
and stores what `verdict` (the live path, as an answer is scored) and `first_verdict` (the rebuild
replay) decide. Both go through `first_verdict`, so a rebuild cannot disagree with the live path.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

POINTS = "points"  # the first judged answer, before any reveal: its score counts
NOT_FIRST = "not_first"  # an earlier answer to the question was judged already
REVEALED = "revealed"  # the member opened the model answer before answering
PUBLIC = "public"  # the model answer was already posted in the daily thread
UNJUDGED = "unjudged"  # no score (too short, English, copied): the next judged answer is the first
LATE = "late"  # the question was closed: practice
HINT_COST = 10  # percent of the score each hint taken before the answer costs


@dataclass(frozen=True)
class PointsVerdict:
    reason: str
    points: int = 0  # what this answer earned
    question_points: int = 0  # what the member holds for the question (from its first judged answer)
    hints: int = 0  # hints taken before the first judged answer (since the post): each cost HINT_COST percent
    score: int = 0  # with hints: that answer's score before their cost


@dataclass(frozen=True)
class DailyAnswer:
    """One answer a member gave to a daily question while it was open."""

    answer_id: int  # ids grow in the order answers are given: the lowest judged one is the first
    score: int | None  # None: not judged (too short, English, copied), so it does not use up the first
    answered_at: datetime


@dataclass(frozen=True)
class Exposure:
    """When a daily question's model answer was shown to one member."""

    posted_at: datetime | None  # the question went out; own reveals before it were practice
    public_reveal_at: datetime | None  # the first page of the answer in the daily thread (public_reveal_at())
    own_reveals: tuple[datetime, ...] = ()  # every time the member opened this question's model answer
    hints: tuple[datetime, ...] = ()  # every hint of this question the member was shown


def after_hints(score: int, hints: int) -> int:
    """A score less HINT_COST percent per hint, rounded down, at least 0."""
    return score * max(0, 100 - HINT_COST * hints) // 100


def hints_before(answered_at: datetime, posted_at: datetime | None, hints: Iterable[datetime]) -> int:
    """Hints taken since the post and strictly before the answer (as for reveals: a tie came after it)."""
    return sum(1 for at in hints if (posted_at is None or posted_at <= at) and at < answered_at)


def public_reveal_at(started_at: datetime | None, revealed_at: datetime | None, note: str | None) -> datetime | None:
    """When the daily thread showed the model answer: from its first page out (a reveal can fail half
    way); a reveal marked done with a note and no page out was given up and showed nothing."""
    if started_at is not None:
        return started_at
    return revealed_at if not note else None


def model_answer_seen(answered_at: datetime, posted_at: datetime | None, public_reveal_at: datetime | None,
                      own_reveals: Iterable[datetime]) -> str | None:
    """REVEALED or PUBLIC when the model answer was shown to the member before `answered_at`, else None.
    Strictly before: the live path judges an answer when it is given, so a reveal stamped with the very
    same instant can only have come after it, and a rebuild must agree (real clocks never tie anyway)."""
    if public_reveal_at is not None and public_reveal_at < answered_at:
        return PUBLIC
    if any((posted_at is None or posted_at <= at) and at < answered_at for at in own_reveals):
        return REVEALED
    return None


def first_verdict(answers: Iterable[DailyAnswer], shown: Exposure) -> tuple[int, PointsVerdict] | None:
    """(the first judged answer's id, what it earned) of one member's answers to a daily question;
    None while none of them is judged."""
    judged = [(a.answer_id, a.score, a.answered_at) for a in answers if a.score is not None]
    if not judged:
        return None
    answer_id, score, answered_at = min(judged)
    seen = model_answer_seen(answered_at, shown.posted_at, shown.public_reveal_at, shown.own_reveals)
    if seen:
        return answer_id, PointsVerdict(seen)
    hints = hints_before(answered_at, shown.posted_at, shown.hints)
    earned = after_hints(score, hints)
    return answer_id, PointsVerdict(POINTS, earned, earned, hints, score if hints else 0)


def verdict(answer_id: int, answers: Iterable[DailyAnswer], shown: Exposure) -> PointsVerdict:
    """What the answer `answer_id`, one of a member's `answers` to an open daily question, earned and why."""
    answers = list(answers)
    first = first_verdict(answers, shown)
    if first is None or not any(a.answer_id == answer_id and a.score is not None for a in answers):
        return PointsVerdict(UNJUDGED)
    first_id, held = first
    if first_id != answer_id:
        return PointsVerdict(NOT_FIRST, 0, held.question_points)
    return held
