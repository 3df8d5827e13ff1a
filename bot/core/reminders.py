"""When a member's DM reminder is due and what it says, as pure rules.

A member sets a time (HH:MM in the server's daily timezone) and what to be reminded of: a streak at risk
(they have a streak, the open daily question is still unanswered, so the next post would count it as a
miss) and reviews due. At most one DM a day: the first check at or after their time decides, and is
recorded whether or not there was anything to say. A check later than LATE_LIMIT after the time (the bot
was down) sends nothing that day, and a time set after today's has passed starts tomorrow.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.daily import local_date, slot_instant
from bot.core.streaks import StreakNow

LATE_LIMIT = timedelta(hours=2)
# reminder_log.state
SENT, NOTHING, DM_CLOSED, FAILED, LATE = "sent", "nothing", "dm_closed", "failed", "late"


@dataclass(frozen=True)
class ReminderSettings:
    guild_id: int
    user_id: int
    streak: bool
    review: bool
    time: str  # HH:MM in the server's zone
    updated_at: datetime | None = None
    dm_closed_at: datetime | None = None

    @property
    def on(self) -> bool:
        return self.streak or self.review


@dataclass(frozen=True)
class Nudge:
    """What the DM says: the streak at risk (0: not reminded of it) and how many reviews are due."""

    streak: int = 0
    freezes: int = 0
    reviews_due: int = 0

    def __bool__(self) -> bool:
        return bool(self.streak or self.reviews_due)


def due_day(settings: ReminderSettings, now: datetime, zone: ZoneInfo) -> tuple[date, bool] | None:
    """(the local day, on time) if the member's reminder time of today has come and they set it before
    that time; on time is False past LATE_LIMIT (recorded as late, nothing sent). None: not yet."""
    if not settings.on or settings.dm_closed_at is not None:
        return None
    day = local_date(now, zone)
    at = slot_instant(day, settings.time, zone)
    if now < at or (settings.updated_at is not None and settings.updated_at > at):
        return None
    return day, now - at <= LATE_LIMIT


def nudge(settings: ReminderSettings, streak: StreakNow, answered_open: bool, daily_open: bool, reviews_due: int) -> Nudge:
    """`daily_open`: a daily question is open and another will be posted (not paused)."""
    at_risk = settings.streak and daily_open and streak.current > 0 and not answered_open
    return Nudge(streak.current if at_risk else 0, streak.freezes if at_risk else 0,
                 reviews_due if settings.review else 0)
