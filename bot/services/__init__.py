"""Use-cases over the study domain and the database; the front ends call only these.

One module per group of use-cases, so each can grow without touching the others.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.answering import Answering
from bot.services.daily import Daily
from bot.services.engage import Engage
from bot.services.privacy import Privacy
from bot.services.progress import Progress
from bot.services.reminders import Reminders
from bot.services.review import Review
from bot.services.study import AnswerReceipt, BankLoad, Clock, Study, load_bank
from db import practice

if TYPE_CHECKING:  # the scorer pulls in scikit-learn
    from bot.services.feedback import Grader


@dataclass
class Services:
    """Everything a front end may call, built once by the composition root (bot/bootstrap.py, for bot/app.py)."""

    study: Study
    daily: Daily
    progress: Progress
    review: Review
    answering: Answering  # which question an answer is for, and whether it counts for the daily streak

    def install_grader(self, grader: Grader, since: datetime) -> int:
        """The scorer, fitted after the bot connected (bot.frontends.discord.client): from now on answers are
        scored as they come, and those saved unscored since `since` (while it was fitted) are scored now.
        Returns how many of those were scored."""
        self.study.grader = grader
        self.daily.grader = grader
        scored = 0
        for row in practice.unscored_since(self.study.db, since):
            if row["daily_post_id"] is not None:
                feedback, _ = self.daily.grade(row["id"], row["question_id"], row["text"])
            else:
                feedback = self.study.grade_answer(row["id"], row["question_id"], row["text"])
            scored += bool(feedback is not None and feedback.judged)
        return scored

    @property
    def privacy(self) -> Privacy:
        """A member's export and forget, and forgetting servers the bot left (it keeps no state of its own)."""
        return Privacy(self.study.db, self.study.clock)

    @property
    def reminders(self) -> Reminders:
        """Members' DM reminders (settings and what is due; it keeps no state of its own)."""
        return Reminders(self.study.db, self.study.clock)

    @property
    def engage(self) -> Engage:
        """The daily post's role ping and streak milestones (no state of its own)."""
        return Engage(self.study.db, self.study.clock)


__all__ = ["AnswerReceipt", "Answering", "BankLoad", "Clock", "Daily", "Engage", "Privacy", "Progress", "Reminders", "Review",
           "Services", "Study", "load_bank"]
