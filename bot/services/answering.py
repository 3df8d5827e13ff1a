"""Which question a member is answering, and whether the answer counts for the daily streak.

Every front end answers through here, so Discord's `/answer`, its buttons and the terminal agree:

- A member's current question (what `/answer`, `/reveal` and `/hint` without an id are about) is the
  server's open daily question while the member has not answered it, whatever else they drew since: a
  draw never takes the daily question away. Once they answered it, it is the question they saw last:
  the one they drew (`/question`, `/review`), or the daily question if it was posted after that draw.
  The receipt names the question an answer went to, and says how to answer a later draw instead.
- `question:` names any question instead (the Answer button of a post always names its own).
- An answer to the server's open daily question counts for streaks and leaderboards however it is
  given (the daily post's Answer button, `/answer`, or the Answer button of a `/question` post that
  happens to show the same question). Anything else is saved as practice, as before.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
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
from db import hints as hint_store
from db import practice
from db import progress as progress_store


@dataclass(frozen=True)
class Answered:
    answer_id: int
    question: Question
    text: str  # as saved (cleaned)
    daily: DailyAnswerReceipt | None  # set when it went to a daily question (counted or kept as practice)
    feedback: Any = None  # bot.services.feedback.Feedback when a grader is configured
    points: PointsVerdict | None = None  # for a graded daily answer: the points it earned, and why (not)
    drawn_since: Question | None = None  # went to the daily question by default, though this was drawn after it
    hints: int = 0  # for a practice answer: hints of the question taken since it was drawn


@dataclass(frozen=True)
class Hinted:
    """What one press of Hint showed: the first `shown` key points of the question."""

    question: Question
    shown: int
    new: bool  # False: every key point was shown already, nothing more to give
    total: int  # the question's key points
    costs: bool  # the question's daily points are still to be earned, so its hints lower them


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
        """The open daily question until the member answered it; then their last drawn question, or the daily
        question when it was posted after that draw (see the module's docstring)."""
        post = self.open_daily(guild_id)
        if post is not None and post.question_id and not progress_store.answered_post(self.db, post.id, user_id):
            return self.study.question(post.question_id)
        drawn = practice.current_question_id(self.db, guild_id, user_id)
        if post is not None and post.question_id and _after(post.posted_at, self._last_draw(guild_id, user_id)):
            return self.study.question(post.question_id)
        if drawn is None:
            raise NoCurrentQuestion()
        return self.study.question(drawn)

    def _drawn_since_daily(self, guild_id: int, user_id: int, post: DailyPost) -> Question | None:
        """A question the member drew after the daily post, other than the daily one (for the receipt)."""
        drawn = practice.current_question_id(self.db, guild_id, user_id)
        if drawn is None or drawn == post.question_id or _after(post.posted_at, self._last_draw(guild_id, user_id)):
            return None
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
            drawn = None if question_id else self._drawn_since_daily(guild_id, user_id, post)
            answered = self.answer_daily(guild_id, user_id, post.id, text, display_name)
            return replace(answered, drawn_since=drawn)
        hints = hint_store.shown_since(self.db, guild_id, user_id, question.id, self._hint_window(guild_id, user_id, question.id))
        receipt = self.study.answer(guild_id, user_id, text, question_id=question.id, display_name=display_name)
        return Answered(receipt.answer_id, receipt.question, receipt.text, None, receipt.feedback, hints=hints)

    def answer_daily(self, guild_id: int, user_id: int, post_id: int, text: str | None,
                     display_name: str | None = None) -> Answered:
        """An answer to one daily post (its Answer button): counted while it is open, practice after."""
        receipt = self.daily.answer(guild_id, user_id, post_id, text, display_name)  # graded there, with points
        return Answered(receipt.answer_id, receipt.question, receipt.text, receipt, receipt.feedback, receipt.points)


    def points_at_stake(self, guild_id: int, user_id: int, question_id: str, *, judged: bool = False) -> DailyPost | None:
        """The open daily post when `question_id` is its question and the member may still earn its points: no
        answer to it yet (with `judged`: no scored one) and its model answer not shown to them (bot.core.points)."""
        post = self.open_daily(guild_id)
        if post is None or post.question_id != question_id:
            return None
        answered = progress_store.answered_post(self.db, post.id, user_id, judged=judged)
        shown = progress_store.exposure(self.db, post.id, user_id)
        revealed = any(shown.posted_at is None or shown.posted_at <= at for at in shown.own_reveals)
        return None if answered or revealed or shown.public_reveal_at is not None else post

    def _hint_window(self, guild_id: int, user_id: int, question_id: str) -> datetime | None:
        """Hints count from the daily post for the open daily question (its points), else from the member's
        latest draw of the question, so practising it again weeks later starts with the first key point."""
        post = self.open_daily(guild_id)
        if post is not None and post.question_id == question_id:
            return post.posted_at
        drawn = practice.last_seen(self.db, guild_id, user_id).get(question_id)
        return datetime.fromisoformat(drawn) if drawn else None

    def hint(self, guild_id: int, user_id: int, question_id: str | None = None) -> Hinted:
        """One more of the question's key points (default: the current question), recorded for its points."""
        question = self.study.question(question_id) if question_id else self.current(guild_id, user_id)
        costs = self.points_at_stake(guild_id, user_id, question.id, judged=True) is not None
        since = self._hint_window(guild_id, user_id, question.id)
        before = hint_store.shown_since(self.db, guild_id, user_id, question.id, since)
        shown = hint_store.record(self.db, guild_id, user_id, question.id, self.study.now(), since=since,
                                  limit=len(question.key_points))
        return Hinted(question, shown, shown > before, len(question.key_points), costs)


def _after(posted_at: datetime | None, drawn_at: datetime | None) -> bool:
    """A draw at the same instant as the post wins (the member acted on what they saw)."""
    return drawn_at is None or (posted_at is not None and posted_at > drawn_at)
