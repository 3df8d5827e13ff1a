"""The daily fan-out under Discord's rate limits, end to end: 429s are waited out and the post made once,
a post still refused after discord.py's own tries is made again at once (not left to the 5-minute retry),
a thread that fails is opened later that day, and many servers sharing a minute post from that minute,
never before it, under the fake's global limit.

Single-server tests: the injected FakeClock, timers fired by hand (as test_daily_recovery.py). The fan-out
tests: the production scheduler over the wall clock, which time-machine moves (`Timeline`); the pacer's
own pace is real time (a monotonic clock), so they take a second or a few.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.conftest import FakeClock

from .fake_discord import DiscordHTTPError, FakeDiscord
from .fake_discord.model import DISCORD_EPOCH
from .helpers import TOKYO, at, daily_posts, make_bot, make_timed_bot, running, setup_daily, thread_of

pytestmark = pytest.mark.asyncio


def threads_fail(fake: FakeDiscord, times: int) -> None:
    """The next `times` threads opened from a message are answered 503 (Discord having a bad moment)."""
    table = fake._routes()
    index = next(i for i, (method, _, handler, _) in enumerate(table) if handler.__name__ == "_r_thread_from_message")
    method, pattern, create, auth = table[index]
    left = [times]

    async def flaky(req, **params):
        if left[0] > 0:
            left[0] -= 1
            raise DiscordHTTPError(503, 0, "Service Unavailable")
        return await create(req, **params)

    flaky.__name__ = create.__name__
    table[index] = (method, pattern, flaky, auth)


def created(fake: FakeDiscord, operation: str) -> list:
    return [r for r in fake.requests_for(operation) if r.status is not None and r.status < 300]


async def test_a_global_429_is_waited_out_and_the_post_made_once_with_its_thread(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        fake.refuse_next(2, operation_id="create_message")
        fake.refuse_next(1, operation_id="create_thread_from_message")
        clock.now = at(TOKYO, 11, 26, 9)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
        next_run = bot.daily_scheduler.next_run_time(fake.guild_id)
    posts = daily_posts(fake, channel)
    assert len(posts) == 1 and len(created(fake, "create_message")) == 1
    assert len(created(fake, "create_thread_from_message")) == 1 and posts[0].get("thread")
    assert len(fake.refused()) == 3 and bot.pacer.global_429s == 3
    assert next_run == at(TOKYO, 11, 27, 9)  # nothing left to a retry


async def test_a_post_refused_past_discordpys_tries_is_made_again_now_not_in_five_minutes(fake_discord: FakeDiscord,
                                                                                          tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        fake.refuse_next(6, operation_id="create_message", is_global=False)  # discord.py gives up after 5
        clock.now = at(TOKYO, 11, 26, 9)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
        next_run = bot.daily_scheduler.next_run_time(fake.guild_id)
        failures = next(bot.study.db.query("select failures from daily_posts"))["failures"]
    assert len(daily_posts(fake, channel)) == 1 and len(created(fake, "create_message")) == 1
    assert len(fake.refused()) == 6 and bot.pacer.global_429s == 0  # a route's limit holds nothing else
    assert failures == 0 and next_run == at(TOKYO, 11, 27, 9)


async def test_a_thread_that_fails_is_opened_later_that_day_and_the_answer_goes_there(fake_discord: FakeDiscord,
                                                                                       tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        scheduler, guild = bot.daily_scheduler, fake.guild_id
        await setup_daily(fake, channel, reveal_time="21:00")
        threads_fail(fake, 2)  # at posting time, and at the first retry
        clock.now = at(TOKYO, 11, 26, 9)
        await scheduler.fire_slot(guild)
        assert not daily_posts(fake, channel)[0].get("thread")
        assert scheduler.next_run_time(guild) == at(TOKYO, 11, 26, 9, 1)
        clock.now = at(TOKYO, 11, 26, 9, 1)
        await scheduler.fire_slot(guild)
        assert scheduler.next_run_time(guild) == at(TOKYO, 11, 26, 9, 6)  # then 5 minutes later
        clock.now = at(TOKYO, 11, 26, 9, 6)
        await scheduler.fire_slot(guild)
        assert scheduler.next_run_time(guild) == at(TOKYO, 11, 27, 9)
        clock.now = at(TOKYO, 11, 26, 21)
        await scheduler.fire_reveal(guild)
    post = daily_posts(fake, channel)[0]
    assert len(daily_posts(fake, channel)) == 1 and post.get("thread")
    assert thread_of(fake, post), "the answer is revealed in the thread made late"
    assert len(created(fake, "create_thread_from_message")) == 1


async def setup_servers(fake: FakeDiscord, count: int) -> list[int]:
    channels = []
    for n in range(count):
        guild = fake.add_guild(f"Server {n}")
        channel = int(fake.add_channel(guild.id, "daily")["id"])
        await setup_daily(fake, channel, guild=guild.id)
        channels.append(channel)
    return channels


def created_at_ms(message: dict) -> int:
    return (int(message["id"]) >> 22) + DISCORD_EPOCH  # the fake's snowflakes carry the (travelled) wall clock


@pytest.mark.parametrize("limit", [50, 20])
async def test_servers_sharing_a_minute_all_post_from_it_under_the_global_limit(tmp_path, limit):
    # 50/s as Discord: the pacer stays under it, no 429 at all. 20/s: below the pacer's own rate, so
    # Discord's 429s slow it down, and still every post and thread is made, none left to a retry.
    # The clock ticks (from just before 09:00): the timers fire at their own instants, one after another.
    servers, nine = 30, at(TOKYO, 11, 25, 9)
    with time_machine.travel(at(TOKYO, 11, 25, 8, 51), tick=False):  # the sweep's 5-minute grid misses 09:00
        async with FakeDiscord(global_limit=limit) as fake:
            bot = make_timed_bot(tmp_path / "bot.sqlite3", grader=None)
            async with running(fake, bot):
                channels = await setup_servers(fake, servers)
                with time_machine.travel(nine - timedelta(milliseconds=300), tick=True):
                    await bot.daily_scheduler.run_pending()  # re-arms its wake-up on the new time

                    def all_out() -> bool:
                        return all(len(p) == 1 and p[0].get("thread") for p in (daily_posts(fake, c) for c in channels))

                    await fake.wait_for(all_out, timeout=30)
                    failures = next(bot.study.db.query("select sum(failures) n from daily_posts"))["n"]
                    bot.daily_scheduler.shutdown()  # before the clock goes back
    posts = [daily_posts(fake, c)[0] for c in channels]
    assert min(created_at_ms(p) for p in posts) >= nine.timestamp() * 1000, "nothing before its minute"
    assert failures == 0
    if limit == 50:
        assert fake.refused() == []
    else:
        assert fake.refused() and bot.pacer.global_429s > 0
