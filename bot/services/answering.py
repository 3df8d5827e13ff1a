"""Which question a member is answering, and whether the answer counts for the daily streak.

Every front end answers through here, so Discord's `/answer`, its buttons and the terminal agree:

- A member's current question is the one they saw last: the question they drew (`/question`), or the
  server's daily question once it is posted after that draw. So right after the daily post, `/answer`
  and `/reveal` (without an id) are about the daily question, until the member draws another one.
- An answer to the server's open daily question counts for streaks and leaderboards however it is
  given (the daily post's Answer button, `/answer`, or the Answer button of a `/question` post that
  happens to show the same question). Anything else is saved as practice, as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.daily import DailyPost
from bot.core.errors import NoCurrentQuestion
from bot.core.models import Question
from bot.core.points import PointsVerdict
from bot.services.daily import Daily, DailyAnswerReceipt
from bot.services.study import Study
from db import daily as daily_store
from db import practice


@dataclass(frozen=True)
class Answered:
    answer_id: int
    question: Question
    text: str  # as saved (cleaned)
    daily: DailyAnswerReceipt | None  # set when it went to a daily question (counted or kept as practice)
    feedback: Any = None  # bot.services.feedback.Feedback when a grader is configured
    points: PointsVerdict | None = None  # for a graded daily answer: the points it earned, and why (not)


@dataclass
class Answering:
    study: Study
    daily: Daily

    @property
    def db(self) -> Database:
        return self.study.db

    def open_daily(self, guild_id: int) -> DailyPost | None:
        """The server's open daily question: the latest one posted (it stays open until the next)."""
        return daily_store.latest_posted(self.db, guild_id)

    def current(self, guild_id: int, user_id: int) -> Question:
        """The member's last drawn question, or the daily question when it was posted after that draw."""
        drawn = practice.current_question_id(self.db, guild_id, user_id)
        post = self.open_daily(guild_id)
        if post is not None and post.question_id and _after(post.posted_at, self._last_draw(guild_id, user_id)):
            return self.study.question(post.question_id)
        if drawn is None:
            raise NoCurrentQuestion()
        return self.study.question(drawn)

    def _last_draw(self, guild_id: int, user_id: int) -> datetime | None:
        seen = practice.last_seen(self.db, guild_id, user_id)
        return max((datetime.fromisoformat(at) for at in seen.values()), default=None)

    def reveal(self, guild_id: int, user_id: int, question_id: str | None = None) -> Question:
        """Every front end's Reveal (buttons, /reveal, the terminal): recorded by Study.reveal."""
        return self.study.reveal(guild_id, user_id, question_id or self.current(guild_id, user_id).id)

    def answer(self, guild_id: int, user_id: int, text: str | None, question_id: str | None = None,
               display_name: str | None = None) -> Answered:
        """Answer `question_id` (default: the current question); the open daily question counts."""
        question = self.study.question(question_id) if question_id else self.current(guild_id, user_id)
        post = self.open_daily(guild_id)
        if post is not None and post.question_id == question.id:
            return self.answer_daily(guild_id, user_id, post.id, text, display_name)
        receipt = self.study.answer(guild_id, user_id, text, question_id=question.id, display_name=display_name)
        return Answered(receipt.answer_id, receipt.question, receipt.text, None, receipt.feedback)

    def answer_daily(self, guild_id: int, user_id: int, post_id: int, text: str | None,
                     display_name: str | None = None) -> Answered:
        """An answer to one daily post (its Answer button): counted while it is open, practice after."""
        receipt = self.daily.answer(guild_id, user_id, post_id, text, display_name)  # graded there, with points
        return Answered(receipt.answer_id, receipt.question, receipt.text, receipt, receipt.feedback, receipt.points)


def _after(posted_at: datetime | None, drawn_at: datetime | None) -> bool:
    """A draw at the same instant as the post wins (the member acted on what they saw)."""
    return drawn_at is None or (posted_at is not None and posted_at > drawn_at)
