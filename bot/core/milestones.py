"""Streak milestones as pure rules: which are reached, announced once, and which roles a member holds.

A milestone (7, 30, 100 answered daily questions in a row) is reached by the answer that makes the run
exactly that long; it is announced once per run that reaches it (the key is the question that did). Its
role, if the server gave it one, is held while the current streak is at least that long, and taken back
once the streak breaks (a freeze that keeps the streak keeps the role).
"""
from __future__ import annotations

from bot.core.streaks import StreakNow, StreakState
from bot.core.streaks import now as streak_now

MILESTONES = (7, 30, 100)


def reached(state: StreakState, latest_seq: int) -> int | None:
    """The milestone the member's last counted answer reached, if it is recent (the open question or the
    one before it: announced late after downtime, never long after) and the streak still lives."""
    if state.run not in MILESTONES or state.last_seq < latest_seq - 1:
        return None
    return state.run if streak_now(state, latest_seq).current == state.run else None


def roles_held(current: StreakNow, roles: dict[int, int]) -> dict[int, int]:
    """{milestone: role id} the member should hold with this current streak."""
    return {m: role for m, role in roles.items() if current.current >= m}
