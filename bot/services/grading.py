"""Scoring a saved answer without letting a scorer fault cost the member their answer."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the scorer pulls in scikit-learn; callers work without one
    from bot.services.feedback import Feedback, Grader

log = logging.getLogger(__name__)


def grade_safely(grader: Grader | None, answer_id: int, question_id: str, text: str) -> Feedback | None:
    """The grader's verdict, or None when there is no grader or it failed (logged): the answer is
    already stored, so a scorer bug must not turn that into an error."""
    if grader is None:
        return None
    try:
        return grader.grade(question_id, text)
    except Exception:
        log.exception("grading answer %s failed", answer_id)
        return None
