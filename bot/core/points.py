"""Points for a daily question: one number per member, that retries and copying cannot raise.

Rule: a member's points for a daily question are the score of their FIRST judged answer to it (given
while it was open), and only when that answer came before the model answer was shown to them: their
own reveal of the question since the post went out, or the public reveal in the daily thread. Later
answers are practice: they get feedback, and count for streaks, but no points.

`model_answer_seen` decides; the live path (db.progress.record_daily_score) and the rebuild replay
(db.progress._replay_points) both judge a first answer with it, through db.progress._first_points.
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


@dataclass(frozen=True)
class PointsVerdict:
    reason: str
    points: int = 0  # what this answer earned
    question_points: int = 0  # what the member holds for the question (from its first judged answer)


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

