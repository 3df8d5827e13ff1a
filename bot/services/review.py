"""Spaced review: after a reveal the member rates how well they recalled the answer, and FSRS
(the `fsrs` package) decides when each of their questions comes back.

State is per (server, member, question), stored as the card's JSON. A question comes back on a day, not
at an instant: it is due from the start of its due day in the server's timezone (the daily question's
timezone once `/daily setup` ran, else UTC), stored in UTC. The clock may be in any timezone.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo

from fsrs import Card, Rating, Scheduler
from sqlite_utils import Database

from bot.core.errors import StudyError, UnknownQuestion
from bot.core.models import Question
from bot.services.progress import server_zone
from bot.services.study import Study
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
    next_due_at: datetime | None  # the earliest due time, in the server's timezone (past when something is due)


@dataclass
class Review:
    db: Database
    clock: Clock
    scheduler: Scheduler = field(default_factory=default_scheduler)

    def rate(self, guild_id: int, user_id: int, question_id: str, rating: str) -> datetime:
        """Record how well the member recalled the question; returns when it is due again: the start
        of its due day, in the server's timezone."""
        grade = RATINGS.get(rating.strip().lower())
        if grade is None:
            raise InvalidRating(rating)
        if bank.get_question(self.db, question_id) is None:
            raise UnknownQuestion(question_id)
        now = self.clock().astimezone(UTC)  # fsrs accepts UTC only
        zone = self.zone(guild_id)
        card, _ = self.scheduler.review_card(self._card(guild_id, user_id, question_id, now), grade, now)
        card.due = start_of_day(card.due, zone).astimezone(UTC)
        review.save_rating(self.db, guild_id, user_id, question_id, card=card.to_json(), due=card.due,
                           rating=grade.name.lower(), now=now)
        return card.due.astimezone(zone)

    def zone(self, guild_id: int) -> tzinfo:
        """Where the server's days begin and end."""
        return server_zone(self.db, guild_id)

    def due_questions(self, guild_id: int, user_id: int) -> list[str]:
        """Question ids due for review now, the longest overdue first."""
        return review.due_question_ids(self.db, guild_id, user_id, self.clock())

    def next_due(self, guild_id: int, user_id: int) -> str | None:
        due = self.due_questions(guild_id, user_id)
        return due[0] if due else None

    def counts(self, guild_id: int, user_id: int) -> ReviewCounts:
        summary = review.deck_summary(self.db, guild_id, user_id, self.clock())
        next_due = datetime.fromisoformat(summary["next_due"]).astimezone(self.zone(guild_id)) if summary["next_due"] else None
        return ReviewCounts(summary["total"], summary["due"], next_due)

    def _card(self, guild_id: int, user_id: int, question_id: str, now: datetime) -> Card:
        stored = review.card_json(self.db, guild_id, user_id, question_id)
        if stored:
            return Card.from_json(stored)
        # fsrs would stamp a new card from the wall clock and sleep 1 ms for a unique id: give both
        card_id = zlib.crc32(f"{guild_id}:{user_id}:{question_id}".encode())
        return Card(card_id=card_id, due=now)


def start_of_day(moment: datetime, zone: tzinfo) -> datetime:
    """Midnight at the start of `moment`'s calendar day in `zone`."""
    return datetime.combine(moment.astimezone(zone).date(), time(0), tzinfo=zone)


@dataclass(frozen=True)
class Served:
    """What /review gives: the next due question (now the member's current one) and the deck's counts."""

    question: Question | None
    counts: ReviewCounts
    now: datetime

    @property
    def question_id(self) -> str | None:
        return self.question.id if self.question else None


def serve_next(review_: Review, study: Study, guild_id: int, user_id: int, display_name: str | None = None) -> Served:
    """/review in every front end: the longest-overdue question becomes the member's current question,
    so /answer and /reveal work on it exactly as after /question."""
    question_id = review_.next_due(guild_id, user_id)
    question = None
    if question_id is not None:
        question = study.set_current(guild_id, user_id, question_id, via="review", display_name=display_name)
    return Served(question, review_.counts(guild_id, user_id), study.now())
