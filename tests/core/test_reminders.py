"""The rules of DM reminders (when due, what they say) and of streak milestones (reached, roles held)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.milestones import reached, roles_held
from bot.core.reminders import Nudge, ReminderSettings, due_day, nudge
from bot.core.streaks import StreakNow, StreakState

TOKYO = ZoneInfo("Asia/Tokyo")
SET_AT = datetime(2026, 11, 27, 1, tzinfo=UTC)  # 10:00 in Tokyo
AT_21 = ReminderSettings(1, 2, streak=True, review=True, time="21:00", updated_at=SET_AT)


def tokyo(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def test_a_reminder_is_due_from_its_time_and_late_past_two_hours():
    assert due_day(AT_21, tokyo(20, 59), TOKYO) is None
    assert due_day(AT_21, tokyo(21), TOKYO) == (tokyo(21).astimezone(TOKYO).date(), True)
    assert due_day(AT_21, tokyo(23), TOKYO)[1] is True and due_day(AT_21, tokyo(23, 1), TOKYO)[1] is False


def test_a_time_set_after_it_passed_starts_tomorrow_and_closed_dms_or_off_send_nothing():
    late_setup = ReminderSettings(1, 2, True, False, "09:00", updated_at=SET_AT)
    assert due_day(late_setup, tokyo(9, 30), TOKYO) is None and due_day(late_setup, tokyo(9, 30, day=28), TOKYO) is not None
    closed = ReminderSettings(1, 2, True, True, "21:00", updated_at=SET_AT, dm_closed_at=SET_AT)
    off = ReminderSettings(1, 2, False, False, "21:00", updated_at=SET_AT)
    assert due_day(closed, tokyo(21), TOKYO) is None and due_day(off, tokyo(21), TOKYO) is None


def test_what_a_reminder_says():
    streak = StreakNow(current=5, best=5, freezes=1, answered=5)
    assert nudge(AT_21, streak, answered_open=False, daily_open=True, reviews_due=2) == Nudge(5, 1, 2)
    assert nudge(AT_21, streak, answered_open=True, daily_open=True, reviews_due=0) == Nudge() and not Nudge()
    assert nudge(AT_21, streak, answered_open=False, daily_open=False, reviews_due=0) == Nudge()  # paused: no next post
    assert nudge(AT_21, StreakNow(0, 3, 0, 3), answered_open=False, daily_open=True, reviews_due=0) == Nudge()
    only_streak = ReminderSettings(1, 2, True, False, "21:00")
    assert nudge(only_streak, streak, answered_open=False, daily_open=True, reviews_due=4) == Nudge(5, 1, 0)


def test_a_milestone_is_reached_by_the_answer_that_makes_the_run_that_long_and_only_recently():
    assert reached(StreakState(run=7, best=7, freezes=1, answered=7, last_seq=7), latest_seq=7) == 7
    assert reached(StreakState(7, 7, 1, 7, 7), latest_seq=8) == 7  # announced a post late after downtime
    assert reached(StreakState(7, 7, 1, 7, 7), latest_seq=9) is None
    assert reached(StreakState(8, 8, 1, 8, 8), latest_seq=8) is None and reached(StreakState(30, 30, 2, 30, 40), 40) == 30


def test_roles_are_held_while_the_current_streak_is_long_enough():
    roles = {7: 70, 30: 300}
    assert roles_held(StreakNow(12, 12, 1, 12), roles) == {7: 70}
    assert roles_held(StreakNow(30, 30, 2, 30), roles) == {7: 70, 30: 300}
    assert roles_held(StreakNow(0, 30, 0, 30), roles) == {}
