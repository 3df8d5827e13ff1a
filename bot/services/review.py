"""Spaced review: after a reveal the member rates how well they recalled the answer, and FSRS
(the `fsrs` package) decides when each of their questions comes back.

State is per (server, member, question), stored as the card's JSON. Times are aware UTC from the clock.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fsrs import Card, Rating, Scheduler
from sqlite_utils import Database

from bot.core.errors import StudyError, UnknownQuestion
from db import bank, review

Clock = Callable[[], datetime]
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


class InvalidRating(StudyError):
    def __init__(self, rating: str):
        super().__init__(f"評価 `{rating}` は使えません。again / hard / good / easy のどれかを選んでください。 (Unknown rating.)")


def default_scheduler() -> Scheduler:
    """Whole days between reviews: practice happens about once a day, so minute-long learning steps
    would only make questions due again before the member is back. No fuzzing: it draws from the
    global random generator, and schedules must be reproducible."""
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True)
class ReviewCounts:
    total: int  # questions the member has rated at least once
    due: int  # of those, due now
    next_due_at: datetime | None  # the earliest due time (in the past when something is due)


@dataclass
class Review:
    db: Database
    clock: Clock
    scheduler: Scheduler = field(default_factory=default_scheduler)

    def rate(self, guild_id: int, user_id: int, question_id: str, rating: str) -> datetime:
        """Record how well the member recalled the question; returns when it is due again (UTC)."""
        grade = RATINGS.get(rating.strip().lower())
        if grade is None:
            raise InvalidRating(rating)
        if bank.get_question(self.db, question_id) is None:
            raise UnknownQuestion(question_id)
        now = self.clock()
        card, _ = self.scheduler.review_card(self._card(guild_id, user_id, question_id, now), grade, now)
        review.save_rating(self.db, guild_id, user_id, question_id, card=card.to_json(), due=card.due,
                           rating=grade.name.lower(), now=now)
        return card.due

    def due_questions(self, guild_id: int, user_id: int) -> list[str]:
        """Question ids due for review now, the longest overdue first."""
        return review.due_question_ids(self.db, guild_id, user_id, self.clock())

    def next_due(self, guild_id: int, user_id: int) -> str | None:
        due = self.due_questions(guild_id, user_id)
        return due[0] if due else None

    def counts(self, guild_id: int, user_id: int) -> ReviewCounts:
        summary = review.deck_summary(self.db, guild_id, user_id, self.clock())
        next_due = datetime.fromisoformat(summary["next_due"]) if summary["next_due"] else None
        return ReviewCounts(summary["total"], summary["due"], next_due)

    def _card(self, guild_id: int, user_id: int, question_id: str, now: datetime) -> Card:
        stored = review.card_json(self.db, guild_id, user_id, question_id)
        if stored:
            return Card.from_json(stored)
        # fsrs would stamp a new card from the wall clock and sleep 1 ms for a unique id: give both
        card_id = zlib.crc32(f"{guild_id}:{user_id}:{question_id}".encode())
        return Card(card_id=card_id, due=now)


@dataclass(frozen=True)
class Served:
    """What /review gives: the next due question (now the member's current one) and the deck's counts."""

    question_id: str | None
    counts: ReviewCounts


def serve_next(review_: Review, set_current: Callable[[str], object], guild_id: int, user_id: int) -> Served:
    """The longest-overdue question becomes the member's current question, so /answer and /reveal work
    on it exactly as after /question."""
    question_id = review_.next_due(guild_id, user_id)
    if question_id is not None:
        set_current(question_id)
    return Served(question_id, review_.counts(guild_id, user_id))
