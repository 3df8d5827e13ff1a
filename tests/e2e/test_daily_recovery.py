"""The daily question when things go wrong, end to end: Discord errors, a crash between sending and
recording, a channel the cache does not have, a timezone change, over-long input.

As in test_daily.py: the injected FakeClock is the time, timers are planned but only run when a test
fires them, and the scheduler's periodic sweep is `catch_up()`, called by hand after moving the clock.
"""
from __future__ import annotations

import pytest

from bot.presenters.progress import daily_reveal_pages
from bot.services.daily import PostNow
from tests.conftest import FakeClock

from .fake_discord import DiscordHTTPError, FakeDiscord, Perm, custom_ids, message_text
from .helpers import TOKYO, at, daily_posts, field, make_bot, running, setup_daily, text

pytestmark = pytest.mark.asyncio
RETRIES = "失敗と再試行 (failures and retries)"


def discord_fails(fake: FakeDiscord, channel_id: int, *, times: int = 1, after_creating: bool = False,
                  let_through: int = 0) -> None:
    """After `let_through` more messages, the next `times` messages posted to `channel_id` are answered
    503, Discord's "try again later" (with `after_creating`, the message is created first: Discord did
    the work, then failed to say so)."""
    table = fake._routes()
    index = next(i for i, (method, _, handler, _) in enumerate(table)
                 if method == "POST" and handler.__name__ == "_r_create_message")
    method, pattern, create, auth = table[index]
    passes, fails = [let_through], [times]

    async def flaky(req, channel_id: str):
        if int(channel_id) == target and passes[0] > 0:
            passes[0] -= 1
        elif int(channel_id) == target and fails[0] > 0:
            fails[0] -= 1
            if after_creating:
                await create(req, channel_id=channel_id)
            raise DiscordHTTPError(503, 0, "Service Unavailable")
        return await create(req, channel_id=channel_id)

    flaky.__name__ = create.__name__  # a later call wraps the original again
    flaky.__wrapped__ = create
    target = channel_id
    table[index] = (method, pattern, flaky, auth)


async def test_a_discord_outage_at_posting_time_is_retried_not_lost_nor_doubled(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        scheduler, guild = bot.daily_scheduler, fake.guild_id
        await setup_daily(fake, channel)
        # 11/26: Discord creates the message but answers 503; the retry finds it instead of posting again
        discord_fails(fake, channel, after_creating=True)
        clock.now = at(TOKYO, 11, 26, 9)
        await scheduler.fire_slot(guild)
        failed = await fake.slash("daily", subcommand="status", user=fake.owner)
        assert scheduler.next_run_time(guild) == at(TOKYO, 11, 26, 9, 5)
        clock.now = at(TOKYO, 11, 26, 9, 5)
        await scheduler.catch_up()
        found = await fake.slash("daily", subcommand="status", user=fake.owner)
        assert len(daily_posts(fake, channel)) == 1
        # 11/27: refused outright twice; posted at the second retry (+5, then +15 minutes)
        discord_fails(fake, channel, times=2)
        clock.now = at(TOKYO, 11, 27, 9)
        await scheduler.fire_slot(guild)
        clock.now = at(TOKYO, 11, 27, 9, 5)
        await scheduler.catch_up()
        assert len(daily_posts(fake, channel)) == 1  # still only 11/26's
        assert scheduler.next_run_time(guild) == at(TOKYO, 11, 27, 9, 20)
        clock.now = at(TOKYO, 11, 27, 9, 20)
        await scheduler.fire_slot(guild)
    lines = field(failed, RETRIES)
    assert "11月26日(木): 投稿に 1 回失敗" in lines and "503" in lines and "11月26日(木) 09:05 (JST) に再試行" in lines
    assert "11月26日(木) 投稿済み" in field(found, "最近の投稿") and "その後投稿済み" in field(found, RETRIES)
    posts = daily_posts(fake, channel)
    assert len(posts) == 2 and "11月26日(木)" in message_text(posts[0]) and "11月27日(金)" in message_text(posts[1])


async def test_daily_now_after_a_check_that_could_not_read_the_channel_does_not_post_twice(fake_discord: FakeDiscord,
                                                                                           tmp_path):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        clock.now = at(TOKYO, 11, 26, 9)
        action = bot.services.daily.begin_post(fake.guild_id)
        assert isinstance(action, PostNow)
        await bot.daily_channel().send_post(action.post, action.question)  # out, then the process dies

    fake.deny_bot(channel, Perm.READ_MESSAGE_HISTORY)  # meanwhile someone took Read Message History away
    clock.advance(minutes=5)
    restarted = make_bot(db_path, clock)
    async with running(fake, restarted):  # start-up catch-up cannot look: the day is skipped, not re-posted
        skipped = await fake.slash("daily", subcommand="status", user=fake.owner)
        fake.set_overwrite(channel, fake.app_id, type=1)
        await fake.flush()
        now = await fake.slash("daily", subcommand="now", user=fake.owner)
        await now.finished()
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
    assert "ボットにチャンネルへの投稿権限がありません" in field(skipped, "スキップした日と理由")
    assert "メッセージ履歴を読む (Read Message History)" in field(skipped, "⚠ ボットの権限が足りません (missing permissions)")
    assert "今日の問題はもう投稿済みです" in text(now)  # found in the channel: not posted again
    assert len(daily_posts(fake, channel)) == 1 and "11月26日(木) 投稿済み" in field(status, "最近の投稿")


async def test_a_channel_missing_from_the_cache_is_looked_up_not_skipped(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        bot.get_guild(fake.guild_id)._remove_channel(bot.get_channel(channel))  # the cache lost it
        assert bot.get_channel(channel) is None
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
        clock.now = at(TOKYO, 11, 26, 9)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
    assert "チャンネルが見つかりません" not in text(status) and "権限が足りません" not in text(status)
    assert len(daily_posts(fake, channel)) == 1


async def test_a_timezone_change_onto_a_posted_day_says_when_the_next_post_is(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        first = await setup_daily(fake, channel)
        clock.now = at(TOKYO, 11, 26, 9)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
        clock.now = at(TOKYO, 11, 26, 10)  # 17:00 on 11/25 in Los Angeles
        moved = await setup_daily(fake, channel, "09:00", "America/Los_Angeles")
        later = await setup_daily(fake, channel, "21:00", "Asia/Tokyo")  # back, and later the same day
        clock.now = at(TOKYO, 11, 26, 22)
        evening = await setup_daily(fake, channel, "23:00", "Asia/Tokyo")
        clock.now = at(TOKYO, 11, 27, 23)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
    assert "次の投稿について" not in text(first)
    assert "11月26日(木) の問題はすでに投稿済み" in field(moved, "ℹ 次の投稿について (next post)")
    assert field(moved, "次回の投稿") == "11月27日(金) 09:00 (PST)"
    assert "11月26日(木) の問題はすでに投稿済み" in text(later) and field(later, "次回の投稿") == "11月27日(金) 21:00 (JST)"
    assert field(evening, "次回の投稿") == "11月27日(金) 23:00 (JST)"
    assert ["11月26日(木)" in message_text(p) for p in daily_posts(fake, channel)] == [True, False]


async def test_a_timezone_is_limited_and_quoted_briefly(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    async with running(fake, make_bot(tmp_path / "bot.sqlite3", FakeClock())):
        setup = next(o for o in next(c for c in fake.commands() if c["name"] == "daily")["options"] if o["name"] == "setup")
        with pytest.raises(ValueError, match="max_length=64"):  # Discord itself refuses longer input
            await setup_daily(fake, fake.channel_id, zone="A" * 5000)
        refused = await setup_daily(fake, fake.channel_id, zone="Mars/" + "x" * 59)
        directory = await setup_daily(fake, fake.channel_id, zone="America")
    assert next(o for o in setup["options"] if o["name"] == "timezone")["max_length"] == 64
    assert refused.ephemeral and "IANA" in text(refused) and "x" * 60 not in text(refused) and len(text(refused)) < 300
    assert "IANA" in text(directory)


async def test_a_reveal_that_fails_half_way_resumes_without_repeating_pages(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        scheduler, guild = bot.daily_scheduler, fake.guild_id
        await setup_daily(fake, channel, reveal_time="21:00")
        clock.now = at(TOKYO, 11, 26, 9)
        await scheduler.fire_slot(guild)
        [post] = daily_posts(fake, channel)
        thread = int(post["id"])
        clock.now = at(TOKYO, 11, 26, 21)
        discord_fails(fake, thread, let_through=1)  # the first page goes out, then Discord answers 503
        await scheduler.fire_reveal(guild)
        partly = len(fake.messages_in(thread))
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
        clock.now = at(TOKYO, 11, 26, 21, 5)
        await scheduler.catch_up()
        pages = fake.messages_in(thread)
        done = await fake.slash("daily", subcommand="status", user=fake.owner)
        post_id = int(custom_ids(post)[0].split(":")[2])
        expected = daily_reveal_pages(bot.services.daily.post(guild, post_id), bot.services.daily.question(guild, post_id),
                                      bot.study.outputs_dir)
    assert partly == 1
    assert "1 ページまで公開済み" in field(status, RETRIES) and "21:05 (JST) に再試行" in field(status, RETRIES)
    assert [p["embeds"][0]["title"] for p in pages] == [card.title for card in expected]  # each page once, in order
    assert RETRIES not in text(done)
