"""Streaks, derived: a pure fold over a server's posted daily questions and one member's answers.

A server's posted daily questions are numbered 1, 2, 3... in posting order (their `seq`). A day the bot
did not post has no number, so it breaks nobody's streak. A question stays open until the next one is
posted; an unanswered question is a miss only once it is closed. Only answers given while the question
was open reach this module (the service stores a late answer as plain practice).

Rules:
- Each answered daily question adds one to the streak; answering the same question again adds nothing.
- Every 7th answer of a streak (7, 14, 21...) earns a freeze; a member holds at most 2.
- A miss spends a freeze and keeps the streak as it is; a miss with no freeze left ends the streak.
- In a period (a week or month of the server's calendar, or all time), the period streak is the part of
  the current streak that falls in the period: its answers to that period's questions. It starts again
  from 0 at the period's start, so a newcomer competes on equal terms, and is 0 once the streak ends.

`fold` is the definition, day by day. `answer` + `now` compute the same thing incrementally, from a small
state kept per member (`StreakState`), so a query needs no history; `board_answer` does the same per period.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class StreakState:
    """A member's state right after their last counted answer."""

    run: int = 0
    best: int = 0
    freezes: int = 0
    answered: int = 0
    last_seq: int = 0  # 0: never answered

    @property
    def alive_until(self) -> int:
        """The largest latest-seq at which this streak is still alive: each closed miss after
        `last_seq` spends a freeze, and the latest question is still open."""
        return self.last_seq + self.freezes + 1


@dataclass(frozen=True)
class StreakNow:
    current: int
    best: int
    freezes: int
    answered: int


@dataclass(frozen=True)
class BoardRow:
    """A member's standing in one period: answers there, and the period streak at their last answer."""

    answers: int = 0
    run: int = 0
    alive_until: int = 0


def answer(state: StreakState, seq: int) -> StreakState:
    """The state after answering the open question `seq` (answers come in posting order)."""
    if seq <= state.last_seq:
        return state
    misses = seq - state.last_seq - 1
    if state.run and misses <= state.freezes:
        run, freezes = state.run + 1, state.freezes - misses
    else:
        run, freezes = 1, 0
    if run % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return StreakState(run, max(state.best, run), freezes, state.answered + 1, seq)


def now(state: StreakState, latest_seq: int) -> StreakNow:
    """The streak while `latest_seq` is the open question: the closed misses since the last answer
    spend freezes, or end the streak when there are too many."""
    misses = max(0, latest_seq - 1 - state.last_seq)
    if state.run and misses <= state.freezes:
        return StreakNow(state.run, state.best, state.freezes - misses, state.answered)
    return StreakNow(0, state.best, 0, state.answered)


def board_answer(row: BoardRow | None, after: StreakState) -> BoardRow:
    """A period's row after an answer in that period that moved the member's state to `after`."""
    if row is None:
        return BoardRow(1, 1, after.alive_until)
    continued = after.run > 1  # run == 1: this answer started a new streak
    return BoardRow(row.answers + 1, row.run + 1 if continued else 1, after.alive_until)


def board_value(row: BoardRow, latest_seq: int) -> int:
    """The period streak while `latest_seq` is open."""
    return row.run if latest_seq <= row.alive_until else 0


def replay(answered_seqs: Iterable[int]) -> StreakState:
    state = StreakState()
    for seq in sorted(answered_seqs):
        state = answer(state, seq)
    return state


@dataclass(frozen=True)
class Post:
    seq: int
    periods: tuple[str, ...] = ("all",)  # the period keys the question belongs to


@dataclass(frozen=True)
class Folded:
    streak: StreakNow
    period_answers: dict[str, int]
    period_streaks: dict[str, int]  # for the latest question's periods


def fold(posts: Sequence[Post], answered: Collection[int]) -> Folded:
    """The definition: walk the server's posted questions in order. The last one is still open."""
    run = best = freezes = count = 0
    in_period: dict[str, int] = {}
    period_answers: dict[str, int] = {}
    for i, post in enumerate(posts):
        if post.seq in answered:
            run, count = run + 1, count + 1
            if run % FREEZE_EVERY == 0:
                freezes = min(MAX_FREEZES, freezes + 1)
            best = max(best, run)
            for key in post.periods:
                in_period[key] = in_period.get(key, 0) + 1
                period_answers[key] = period_answers.get(key, 0) + 1
        elif i < len(posts) - 1:
            if freezes:
                freezes -= 1
            else:
                run = 0
                in_period.clear()
    latest = posts[-1].periods if posts else ()
    return Folded(StreakNow(run, best, freezes, count), period_answers, {k: in_period.get(k, 0) for k in latest})
