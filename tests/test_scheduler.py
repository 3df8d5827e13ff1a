"""The APScheduler adapter: per-server cron in the server's zone, DST, catch-up, rescheduling.

Time moves with time-machine and `run_pending()` runs what is due; nothing waits for real time.
"""
from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
import time_machine

from bot.scheduler import DailyScheduler, Spread, reveal_job_id, slot_job_id
from bot.services.backups import DailyBackup
from bot.services.daily import Daily, PostFailed, run_reveals, run_slot
from tests.conftest import FakeClock, bank_database
from tests.e2e.helpers import ManualScheduler
from tests.services.test_daily import FakeChannel

UTC = UTC


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def wall_clock() -> datetime:
    return datetime.now(UTC)  # what production injects; time-machine moves it here


class Bot:
    """What the Discord adapter will provide: callbacks that run the service protocol over a channel."""

    def __init__(self, daily: Daily, fail_for: set[int] = frozenset()):
        self.daily, self.channel, self.fail_for = daily, FakeChannel(), fail_for
        self.slots: list[tuple[int, datetime]] = []
        self.outcomes = []

    async def on_slot(self, guild_id: int) -> None:
        self.slots.append((guild_id, wall_clock()))
        if guild_id in self.fail_for:
            raise RuntimeError("discord is down")
        self.outcomes.append(await run_slot(self.daily, guild_id, self.channel))

    async def on_reveal(self, guild_id: int) -> None:
        await run_reveals(self.daily, guild_id, self.channel)

    def posted(self, channel_id: int = 100) -> list[str]:
        return [m["date"].isoformat() for m in self.channel.sent(channel_id)]


@pytest.fixture
def travel():
    with time_machine.travel(utc(2026, 3, 27, 12, 0), tick=False) as traveller:
        yield traveller


async def started(loaded_db, *setups, fail_for=frozenset(), spacing=timedelta(0)) -> tuple[DailyScheduler, Bot]:
    daily = Daily(loaded_db, wall_clock, random.Random(3))
    for guild, time, zone, *reveal in setups:
        daily.setup(guild, guild * 100, time, zone, "mixed", reveal_time=reveal[0] if reveal else None)
    bot = Bot(daily, fail_for)
    scheduler = DailyScheduler(daily, bot.on_slot, bot.on_reveal, spacing=spacing)
    await scheduler.start()
    return scheduler, bot


@pytest.mark.asyncio
async def test_berlin_keeps_nine_oclock_across_the_spring_change(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Europe/Berlin"))
    try:
        assert scheduler.next_run_time(1) == utc(2026, 3, 28, 8, 0)  # CET
        travel.move_to(utc(2026, 3, 28, 8, 0))
        await scheduler.run_pending()
        assert scheduler.next_run_time(1) == utc(2026, 3, 29, 7, 0)  # CEST
        assert bot.daily.status(1).next_post_at.astimezone(UTC) == utc(2026, 3, 29, 7, 0)
        travel.move_to(utc(2026, 3, 29, 7, 0))
        await scheduler.run_pending()
        assert bot.posted() == ["2026-03-28", "2026-03-29"]
        assert [o.post.posted_at for o in bot.outcomes] == [utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 7, 0)]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_new_york_across_the_autumn_change(loaded_db, travel):
    travel.move_to(utc(2026, 10, 30, 20, 0))
    scheduler, bot = await started(loaded_db, (1, "09:00", "America/New_York"))
    try:
        for expected in (utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 14, 0), utc(2026, 11, 2, 14, 0)):
            assert scheduler.next_run_time(1) == expected
            travel.move_to(expected)
            await scheduler.run_pending()
        assert bot.posted() == ["2026-10-31", "2026-11-01", "2026-11-02"]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_a_skipped_and_a_repeated_local_time_post_once(loaded_db, travel):
    travel.move_to(utc(2026, 3, 28, 12, 0))
    scheduler, bot = await started(loaded_db, (1, "02:30", "Europe/Berlin"))
    try:
        assert scheduler.next_run_time(1) == utc(2026, 3, 29, 1, 30)  # 02:30 does not exist: 03:30 CEST
        travel.move_to(utc(2026, 3, 29, 1, 30))
        await scheduler.run_pending()
        assert bot.posted() == ["2026-03-29"]
        travel.move_to(utc(2026, 10, 24, 12, 0))
        scheduler.reschedule(1)
        assert scheduler.next_run_time(1) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first of the two
        travel.move_to(utc(2026, 10, 25, 0, 30))
        await scheduler.run_pending()
        assert scheduler.next_run_time(1) == utc(2026, 10, 26, 1, 30)  # not again at 02:30 CET the same night
        travel.move_to(utc(2026, 10, 25, 1, 30))
        await scheduler.run_pending()
        assert bot.posted() == ["2026-03-29", "2026-10-25"] and len(bot.slots) == 2
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_start_up_catches_up_the_missed_slot_once(loaded_db, travel):
    daily = Daily(loaded_db, wall_clock)
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")  # 21:00 JST on the 27th
    travel.move_to(utc(2026, 3, 30, 3, 0))  # the bot was down for days; it is 12:00 in Tokyo
    scheduler, bot = await started(loaded_db)
    scheduler.shutdown()
    assert bot.posted() == ["2026-03-30"]  # today only, never the days it was down
    again, bot2 = await started(loaded_db)  # and another restart
    again.shutdown()
    assert bot2.slots == [] and bot2.channel.sent() == []


@pytest.mark.asyncio
async def test_a_late_wake_up_runs_once_for_today(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo"))
    try:
        travel.move_to(utc(2026, 3, 31, 5, 0))  # the machine slept through three slots
        await scheduler.run_pending()
        assert len(bot.slots) == 1 and bot.posted() == ["2026-03-31"]
        assert scheduler.next_run_time(1) == utc(2026, 4, 1, 0, 0)
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_pause_resume_and_setup_reschedule(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo"))
    try:
        assert scheduler.next_run_time(1) == utc(2026, 3, 28, 0, 0)
        bot.daily.pause(1)
        scheduler.reschedule(1)
        assert scheduler.next_run_time(1) is None
        travel.move_to(utc(2026, 3, 28, 0, 0))
        await scheduler.run_pending()
        assert bot.slots == []
        travel.move_to(utc(2026, 3, 28, 0, 30))
        bot.daily.resume(1)
        scheduler.reschedule(1)
        assert scheduler.next_run_time(1) == utc(2026, 3, 29, 0, 0)
        bot.daily.setup(1, 100, "07:30", "Asia/Tokyo", "mixed")
        scheduler.reschedule(1)
        assert scheduler.next_run_time(1) == utc(2026, 3, 28, 22, 30)
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_reveal_job_in_the_servers_zone(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo", "21:00"))
    try:
        travel.move_to(utc(2026, 3, 28, 0, 0))
        await scheduler.run_pending()
        travel.move_to(utc(2026, 3, 28, 12, 0))  # 21:00 JST
        await scheduler.run_pending()
        post = bot.outcomes[0].post
        assert bot.channel.reveals == [(post.id, post.question_id)]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_one_servers_failure_does_not_stop_the_others(loaded_db, travel):
    daily = Daily(loaded_db, wall_clock)
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    daily.setup(2, 200, "09:00", "Asia/Tokyo", "mixed")
    travel.move_to(utc(2026, 3, 28, 1, 0))
    scheduler, bot = await started(loaded_db, fail_for={1})
    scheduler.shutdown()
    assert [g for g, _ in bot.slots] == [1, 2]
    assert bot.posted(200) == ["2026-03-28"] and bot.posted(100) == []


# --- DST around midnight: the timer is armed at the domain's own next slot, never a cron trigger's -------


@pytest.mark.asyncio
@pytest.mark.parametrize("time, zone, start, fires, dates", [
    # New York at midnight: APScheduler's cron went from 8 March straight to 10 March
    ("00:00", "America/New_York", utc(2026, 3, 7, 12, 0),
     [utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0), utc(2026, 3, 10, 4, 0)], ["2026-03-08", "2026-03-09", "2026-03-10"]),
    # Beirut skips 00:00-01:00 on 29 March: 00:30 is 01:30 that day (the cron never fired on the 29th)
    ("00:30", "Asia/Beirut", utc(2026, 3, 27, 12, 0),
     [utc(2026, 3, 27, 22, 30), utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 21, 30)], ["2026-03-28", "2026-03-29", "2026-03-30"]),
    # Santiago skips 00:00-01:00 on 6 September
    ("00:00", "America/Santiago", utc(2026, 9, 4, 12, 0),
     [utc(2026, 9, 5, 4, 0), utc(2026, 9, 6, 4, 0), utc(2026, 9, 7, 3, 0)], ["2026-09-05", "2026-09-06", "2026-09-07"]),
])
async def test_a_midnight_post_is_never_lost_to_a_dst_change(loaded_db, time, zone, start, fires, dates):
    with time_machine.travel(start, tick=False) as travel:
        scheduler, bot = await started(loaded_db, (1, time, zone))
        try:
            for fire in fires:
                assert scheduler.next_run_time(1) == fire
                travel.move_to(fire)
                await scheduler.run_pending()
            assert bot.posted() == dates and len(bot.slots) == len(dates)
        finally:
            scheduler.shutdown()


# --- the sweep: retries, lost timers -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_failed_post_is_retried_by_the_timer_the_same_day(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo"))
    try:
        bot.channel.send_errors = [PostFailed("error", "503 Service Unavailable"), OSError("connection reset")]
        travel.move_to(utc(2026, 3, 28, 0, 0))
        await scheduler.run_pending()
        assert bot.posted() == [] and bot.outcomes[-1].kind == "failed"
        assert scheduler.next_run_time(1) == utc(2026, 3, 28, 0, 5)  # +5 minutes, not tomorrow
        travel.move_to(utc(2026, 3, 28, 0, 5))
        await scheduler.run_pending()
        assert scheduler.next_run_time(1) == utc(2026, 3, 28, 0, 20)  # then +15
        travel.move_to(utc(2026, 3, 28, 0, 20))
        await scheduler.run_pending()
        assert bot.posted() == ["2026-03-28"] and scheduler.next_run_time(1) == utc(2026, 3, 29, 0, 0)
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_the_sweep_runs_what_is_owed_even_without_a_timer(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo", "21:00"))
    try:
        scheduler._remove(slot_job_id(1))  # however a timer got lost
        scheduler._remove(reveal_job_id(1))
        travel.move_to(utc(2026, 3, 28, 0, 3))
        await scheduler.run_pending()  # the sweep comes every few minutes
        assert bot.posted() == ["2026-03-28"] and scheduler.next_run_time(1) == utc(2026, 3, 29, 0, 0)
        scheduler._remove(reveal_job_id(1))
        travel.move_to(utc(2026, 3, 28, 12, 4))  # 21:04 JST
        await scheduler.run_pending()
        assert bot.channel.reveals == [(bot.outcomes[0].post.id, bot.outcomes[0].post.question_id)]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_servers_sharing_a_minute_fire_one_after_another_from_it_never_before(loaded_db, travel):
    step = timedelta(milliseconds=500)
    travel.move_to(utc(2026, 3, 27, 23, 59))  # set up at 08:59 in Tokyo: the sweep is not due before 09:04
    tokyo = [(g, "09:00", "Asia/Tokyo", "21:00") for g in (1, 2, 3)]
    scheduler, bot = await started(loaded_db, *tokyo, (4, "09:01", "Asia/Tokyo"), spacing=step)
    try:
        nine = utc(2026, 3, 28, 0, 0)
        assert [scheduler.next_run_time(g) for g in (1, 2, 3, 4)] == [nine, nine + step, nine + 2 * step,
                                                                      utc(2026, 3, 28, 0, 1)]
        assert [scheduler._scheduler.get_job(reveal_job_id(g)).next_run_time for g in (1, 2, 3)] == [
            utc(2026, 3, 28, 12, 0) + n * step for n in range(3)]  # the reveals of 21:00 too
        travel.move_to(nine + step)
        await scheduler.run_pending()
        assert [g for g, _ in bot.slots] == [1, 2]  # the third's turn has not come
        travel.move_to(nine + 2 * step)
        await scheduler.run_pending()
        assert [g for g, _ in bot.slots] == [1, 2, 3]
        tomorrow = nine + timedelta(days=1)  # the same order the next day
        assert [scheduler.next_run_time(g) for g in (1, 2, 3)] == [tomorrow, tomorrow + step, tomorrow + 2 * step]
    finally:
        scheduler.shutdown()


def test_a_place_given_up_is_taken_by_the_next_timer_armed_for_that_instant():
    spread, at, step = Spread(timedelta(seconds=1)), utc(2026, 3, 28), timedelta(seconds=1)
    assert [spread.place(g, at) for g in (1, 2, 3)] == [at, at + step, at + 2 * step]
    assert spread.place(2, None) is None  # paused
    assert spread.place(4, at) == at + step and spread.place(5, at) == at + 3 * step
    assert Spread().place(1, at) == at  # no spacing: exactly on time


@pytest.mark.asyncio
async def test_a_timer_that_fires_before_its_minute_posts_nothing_and_waits_for_it(loaded_db):
    clock = FakeClock(utc(2026, 3, 27, 12, 0))
    daily = Daily(loaded_db, clock, random.Random(3))
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    bot = Bot(daily)
    scheduler = DailyScheduler(daily, bot.on_slot, scheduler=ManualScheduler(timezone=UTC))
    await scheduler.start()
    try:
        clock.now = utc(2026, 3, 28, 0, 0) - timedelta(milliseconds=20)  # its clock reads a moment early
        await scheduler.fire_slot(1)
        assert bot.slots == [] and scheduler.next_run_time(1) == utc(2026, 3, 28, 0, 0)
        clock.now = utc(2026, 3, 28, 0, 0)
        await scheduler.fire_slot(1)
        assert bot.posted() == ["2026-03-28"]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_daily_now_shares_the_servers_lock_with_the_timer(loaded_db, travel):
    scheduler, bot = await started(loaded_db, (1, "09:00", "Asia/Tokyo"))
    try:
        travel.move_to(utc(2026, 3, 28, 0, 0))
        finished_before = []

        async def now():  # an admin's /daily now while the timer's run is on the network
            finished_before.append(len(bot.outcomes))
            return await run_slot(bot.daily, 1, bot.channel, force=True)

        _, forced = await asyncio.gather(scheduler.fire_slot(1), scheduler.exclusive(1, now))
        assert finished_before == [1]  # it waited for the timer's run to finish
        assert forced.reason == "already_posted" and len(bot.channel.sent(100)) == 1
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_the_daily_backup_runs_once_a_day_at_its_utc_time_and_keeps_the_newest(loaded_db, travel, tmp_path):
    database = tmp_path / "studybot.sqlite3"
    bank_database(database).close()
    backup = DailyBackup(database, tmp_path / "backups", keep=2, clock=wall_clock, at=clock_time(3, 30))
    scheduler = DailyScheduler(Daily(loaded_db, wall_clock), Bot(Daily(loaded_db, wall_clock)).on_slot, backup=backup)
    await scheduler.start()
    try:
        for day in (28, 29, 30):  # Berlin changes its clocks on the 29th; a UTC time does not move
            assert scheduler.next_backup_time() == utc(2026, 3, day, 3, 30)
            travel.move_to(utc(2026, 3, day, 3, 30))
            await scheduler.run_pending()
        assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
            "studybot-2026-03-29.sqlite3", "studybot-2026-03-30.sqlite3"]
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_a_failed_daily_backup_is_one_warning_and_the_job_stays(loaded_db, travel, tmp_path, caplog):
    backup = DailyBackup(tmp_path / "gone.sqlite3", tmp_path / "backups", keep=2, clock=wall_clock)
    scheduler = DailyScheduler(Daily(loaded_db, wall_clock), Bot(Daily(loaded_db, wall_clock)).on_slot, backup=backup)
    await scheduler.start()
    try:
        await scheduler.run_backup()  # the job's own function, as APScheduler calls it
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [(r.name, r.levelname, r.getMessage(), r.exc_info) for r in warnings] == [
            ("bot.scheduler", "WARNING", f"daily backup into {tmp_path / 'backups'} failed: unable to open database file", None)]
        assert scheduler.next_backup_time() == utc(2026, 3, 28, 3, 0)  # tomorrow tries again
    finally:
        scheduler.shutdown()


@pytest.mark.asyncio
async def test_no_backup_job_unless_configured(loaded_db, travel):
    scheduler, _ = await started(loaded_db)
    try:
        assert scheduler.next_backup_time() is None
    finally:
        scheduler.shutdown()
