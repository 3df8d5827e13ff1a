"""Reminders and milestones as services: each due reminder is claimed once (a second caller, or a restart,
gets nothing), a late one is recorded and not sent, a closed DM stops reminders until /remind; a milestone
is announced once, silently claimed while announcing is off, and roles follow the current streak."""
from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily import InvalidDailySetting
from bot.services.daily import Daily
from bot.services.engage import Engage
from bot.services.reminders import Reminders
from tests.conftest import FakeClock

G, ALICE, BOB = 10, 1, 2


def tokyo_utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


@pytest.fixture
def world(loaded_db):
    clock = FakeClock(tokyo_utc(26, 8))
    daily = Daily(loaded_db, clock, random.Random(1))
    daily.setup(G, 99, "09:00", "Asia/Tokyo", "mixed")
    return loaded_db, clock, daily


def post_and_answer(daily: Daily, clock: FakeClock, day: int, *members: int) -> None:
    clock.now = tokyo_utc(day, 9)
    action = daily.begin_post(G)
    daily.mark_posted(action.post.id, 1000 + day)
    for member in members:
        daily.answer(G, member, action.post.id, "回答です")


def test_a_due_reminder_is_claimed_once_and_a_late_one_is_not_sent(world):
    db, clock, daily = world
    post_and_answer(daily, clock, 26, ALICE, BOB)
    post_and_answer(daily, clock, 27, ALICE)
    reminders = Reminders(db, clock)
    reminders.set(G, ALICE, time="21:00")
    reminders.set(G, BOB, time="21:00", review=False)
    with pytest.raises(InvalidDailySetting):
        reminders.set(G, BOB, time="25時")
    clock.now = tokyo_utc(27, 21)
    [due] = reminders.due()
    assert (due.user_id, due.nudge.streak) == (BOB, 1) and Reminders(db, clock).due() == []
    assert reminders.view(G, ALICE).last_state == "nothing"  # answered: checked, nothing to say
    reminders.dm_closed(due)
    assert reminders.view(G, BOB).settings.dm_closed_at is not None
    clock.now = tokyo_utc(28, 21)
    assert reminders.due() == []  # closed until /remind
    reminders.set(G, BOB)
    clock.now = tokyo_utc(29, 23, 30)  # the bot was down from 21:00: too late to nudge
    assert reminders.due() == [] and reminders.view(G, BOB).last_state == "late"


def test_milestones_are_announced_once_and_roles_follow_the_streak(world):
    db, clock, daily = world
    engage = Engage(db, clock)
    engage.set_milestones(G, milestone=7, role_id=70)
    for day in range(20, 27):
        clock.now = tokyo_utc(day, 8)
        daily.setup(G, 99, "09:00", "Asia/Tokyo", "mixed")
        post_and_answer(daily, clock, day, ALICE, *([BOB] if day < 26 else []))
    [announced] = engage.announcements(G)
    assert (announced.user_id, announced.milestone) == (ALICE, 7) and engage.announcements(G) == []
    [give] = engage.role_changes(G)
    assert (give.user_id, give.role_id, give.give) == (ALICE, 70, True)
    engage.given(give)
    assert engage.role_changes(G) == []
    engage.role_trouble(G, "403 Missing Permissions")
    engage.set_milestones(G, milestone=7, role_id=71)
    assert engage.settings(G).note is None
    assert [(c.role_id, c.give) for c in engage.role_changes(G)] == [(70, False), (71, True)]
    engage.set_milestones(G, announce=False)
    assert engage.settings(G).announce is False
