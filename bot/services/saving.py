"""Saving what a member wrote: a failure gives them their text back instead of losing it.

The db layer waits a bounded time for the write lock (db.connection.writing); past it, or on any other
error while the answer is written, the answer services raise AnswerNotSaved with the text, and the
command layer (bot.commands.practice) replies with that text and a way to send it again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from bot.core.errors import AnswerNotSaved, StorageBusy
from bot.core.safe_text import safe_name

log = logging.getLogger(__name__)
T = TypeVar("T")


def member_name(display_name: str | None) -> str | None:
    """A display name as it is stored and shown to others (bot.core.safe_text.safe_name); None when
    nothing visible is left, so the stored name is kept and boards show a label."""
    return safe_name(display_name) or None


@contextmanager
def kept_on_failure(text: str, question_id: str, what: str) -> Iterator[None]:
    """Around writing an answer: StorageBusy, a sqlite error or any other failure becomes AnswerNotSaved
    carrying `text` (logged; a busy database is a warning, anything else an error with its traceback)."""
    try:
        yield
    except StorageBusy as error:
        log.warning("%s not saved: the database stayed locked by another connection", what)
        raise AnswerNotSaved(text, question_id, busy=True) from error
    except Exception as error:  # whatever it was, the member gets their words back
        log.exception("%s not saved", what)
        raise AnswerNotSaved(text, question_id, busy=False) from error


def score_stored(store: Callable[[], T], what: str) -> T | None:
    """Store the score of an answer already saved: the answer is safe, so a failure here is logged and
    the member still sees their feedback (the score, and so its points, are missing from the database)."""
    try:
        return store()
    except Exception:  # the answer is stored; the feedback is still shown
        log.exception("the score of %s was not stored", what)
        return None
