"""Use-cases over the study domain and the database; the front ends call only these.

One module per group of use-cases, so each can grow without touching the others.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.services.answering import Answering
from bot.services.daily import Daily
from bot.services.privacy import Privacy
from bot.services.progress import Progress
from bot.services.review import Review
from bot.services.study import AnswerReceipt, BankLoad, Clock, Study, load_bank


@dataclass
class Services:
    """Everything a front end may call, built once by the composition root (bot/bootstrap.py, for bot/app.py)."""

    study: Study
    daily: Daily
    progress: Progress
    review: Review
    answering: Answering  # which question an answer is for, and whether it counts for the daily streak

    @property
    def privacy(self) -> Privacy:
        """A member's export and forget, and forgetting servers the bot left (it keeps no state of its own)."""
        return Privacy(self.study.db, self.study.clock)


__all__ = ["AnswerReceipt", "Answering", "BankLoad", "Clock", "Daily", "Privacy", "Progress", "Review", "Services", "Study", "load_bank"]
