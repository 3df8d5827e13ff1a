"""Issue 13, what brings members back, end to end through the fake Discord: the daily post's role ping
(and no other mention), DM reminders at the member's time (a closed DM noted, never retried, nothing sent
twice across a restart), and streak milestones (the congratulation in the thread, the role given while
the streak lives and taken back when it breaks, a refused role change noted in /daily status).

The clock is the injected FakeClock (`make_bot`); the scheduler's periodic job (reminders and
milestones, every minute in production) is run by hand with `run_periodic` after moving the clock.
"""
from __future__ import annotations

import pytest

from tests.conftest import FakeClock

from .fake_discord import FakeDiscord, Perm, message_text
from .helpers import TOKYO, answer_daily, at, daily_posts, embed_text, make_bot, running, setup_daily, text, thread_of

pytestmark = pytest.mark.asyncio


DAYS = ((11, 26), (11, 27), (11, 28), (11, 29), (11, 30), (12, 1), (12, 2))


async def post_day(fake: FakeDiscord, bot, clock: FakeClock, channel: int, day: int, month: int = 11) -> dict:
    clock.now = at(TOKYO, month, day, 9)
    await bot.daily_scheduler.fire_slot(fake.guild_id)
    return daily_posts(fake, channel)[-1]


def congratulations(fake: FakeDiscord, posts: list[dict]) -> list[dict]:
    return [m for p in posts for m in thread_of(fake, p) if "連続 達成" in message_text(m)]


async def test_the_daily_post_pings_the_chosen_role_and_nothing_else(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()  # 18:00 in Tokyo on 11/25
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    role = fake.add_role(fake.guild_id, "daily-ping")
    role["mentionable"] = True
    fake.role_pings = frozenset({role["id"]})  # the fake refuses any other ping, here as everywhere
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    options = {"channel": channel, "time": "09:00", "timezone": "Asia/Tokyo", "level": "mixed"}
    async with running(fake, bot):
        everyone = await fake.slash("daily", {**options, "ping_role": fake.guild_id}, subcommand="setup", user=fake.owner)
        set_up = await fake.slash("daily", {**options, "ping_role": int(role["id"])}, subcommand="setup", user=fake.owner)
        pinged = await post_day(fake, bot, clock, channel, 26)
        answered = await answer_daily(fake, pinged, fake.alice, f"@everyone <@&{role['id']}> 回答です")
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
        cleared = await fake.slash("daily", {**options, "no_ping": True}, subcommand="setup", user=fake.owner)
        quiet = await post_day(fake, bot, clock, channel, 27)
    assert everyone.ephemeral and "@everyone は通知するロールにできません" in text(everyone)
    assert f"通知するロール (ping) <@&{role['id']}>" in embed_text(set_up) and "メンションできません" not in text(set_up)
    assert pinged["content"].startswith(f"<@&{role['id']}> 今日の問題です")
    pings = [r.json["allowed_mentions"] for r in fake.requests_for("create_message")
             if r.json and (r.json.get("allowed_mentions") or {}).get("roles")]
    assert pings == [{"parse": [], "roles": [int(role["id"])]}]  # that one send, that one role
    assert "回答を記録しました" in text(answered)  # the answer's own text pings nobody (checked by the fake)
    assert f"通知するロール (ping) <@&{role['id']}>" in embed_text(status)
    assert "通知するロール (ping) なし (none)" in embed_text(cleared) and not quiet.get("content")


async def test_setup_reads_times_and_zones_as_typed_and_warns_of_roles_it_cannot_use(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    role = fake.add_role(fake.guild_id, "quiet")  # not mentionable, and the bot may not mention every role
    async with running(fake, make_bot(tmp_path / "bot.sqlite3", FakeClock())):
        set_up = await fake.slash("daily", {"channel": fake.channel_id, "time": "9時", "timezone": "JST", "level": "mixed",
                                            "reveal_time": "21時", "ping_role": int(role["id"])}, subcommand="setup", user=fake.owner)
        same = await setup_daily(fake, fake.channel_id, time="09:00", reveal_time="09:00")
        ambiguous = await setup_daily(fake, fake.channel_id, zone="CST")
        no_manage = await fake.slash("daily", {"streak": "30", "role": int(role["id"])}, subcommand="milestones", user=fake.owner)
    assert "ロール quiet はメンションできません" in text(set_up) and "毎日 09:00 (Asia/Tokyo)" in text(set_up)
    assert "Asia/Tokyo として設定しました" in set_up.content and "毎日 21:00" in text(set_up)
    assert "reveal_time（09:00）が投稿時刻 time と同じです" in text(same)
    assert "America/Chicago" in text(ambiguous) and "Asia/Shanghai" in text(ambiguous)
    assert "ロールの管理 (Manage Roles)" in text(no_manage) and f"30 回: <@&{role['id']}>" in embed_text(no_manage)  # kept


async def test_reminders_arrive_at_their_time_once_and_a_closed_dm_is_noted(fake_discord: FakeDiscord, tmp_path):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bob, carol = fake.add_user("bob"), fake.add_user("carol")
    for user in (bob, carol):
        fake.add_member(fake.guild_id, user)
    fake.block_dms(carol)
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        first = await post_day(fake, bot, clock, channel, 26)
        for user in (fake.alice, bob, carol):
            await answer_daily(fake, first, user, "一日目の回答です")
        second = await post_day(fake, bot, clock, channel, 27)
        await answer_daily(fake, second, fake.alice, "二日目も回答します")  # bob and carol have not answered yet
        clock.now = at(TOKYO, 11, 27, 10)
        set_times = [await fake.slash("remind", {"streak": "on", "review": "off", "time": "21時"}, user=u)
                     for u in (fake.alice, bob, carol)]
        early = await fake.slash("remind", {"streak": "on", "time": "9:00"}, user=fake.owner)  # before now: from tomorrow
        clock.now = at(TOKYO, 11, 27, 20, 59)
        await bot.daily_scheduler.run_periodic()
        before = [fake.dm_messages(u) for u in (fake.alice, bob, carol, fake.owner)]
        clock.now = at(TOKYO, 11, 27, 21)
        await bot.daily_scheduler.run_periodic()
        clock.now = at(TOKYO, 11, 27, 21, 1)
        await bot.daily_scheduler.run_periodic()
    restarted = make_bot(db_path, clock)  # a restart in the same evening sends nothing again
    async with running(fake, restarted):
        clock.now = at(TOKYO, 11, 27, 21, 5)
        await restarted.daily_scheduler.run_periodic()
        carol_sees = await fake.slash("remind", user=carol)
        alice_sees = await fake.slash("remind", user=fake.alice)
    assert all("毎日 21:00 (Asia/Tokyo)" in text(r) and r.ephemeral for r in set_times)
    assert "毎日 09:00" in text(early)
    assert before == [[], [], [], []]
    [dm] = fake.dm_messages(bob)
    assert "連続 1 回の記録がかかっています" in message_text(dm) and "11/28 09:00 (JST)" in message_text(dm)
    assert "Study Guild" in message_text(dm)
    assert fake.dm_messages(fake.alice) == [] and fake.dm_messages(fake.owner) == []  # answered; set after 09:00
    dm_sends = [r for r in fake.requests_for("create_message") if r.path.endswith(f"/{fake.dm_channel_id(carol)}/messages")]
    assert len(dm_sends) == 1 and dm_sends[0].status == 403  # carol's: refused once, never tried again
    assert "DM が届きませんでした" in text(carol_sees)
    assert "知らせることがなかったので送っていません" in text(alice_sees)


async def test_a_seven_day_streak_is_congratulated_and_its_role_follows_the_streak(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    guild = fake.guilds[fake.guild_id]
    week, high = fake.add_role(fake.guild_id, "week-streak"), fake.add_role(fake.guild_id, "above-the-bot")
    bot_role = next(r for r in guild.roles.values() if r.get("managed"))
    bot_role.update(position=2, permissions=str(int(bot_role["permissions"]) | Perm.MANAGE_ROLES))
    week["position"], high["position"] = 1, 3
    alice_roles = guild.members[int(fake.alice["id"])]["roles"]
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        set_week = await fake.slash("daily", {"streak": "7", "role": int(week["id"])}, subcommand="milestones", user=fake.owner)
        posts = []
        for month, day in DAYS[:6]:
            posts.append(await post_day(fake, bot, clock, channel, day, month))
            await answer_daily(fake, posts[-1], fake.alice, "毎日の回答")
            await bot.daily_scheduler.run_periodic()
        six = (list(alice_roles), congratulations(fake, posts))
        posts.append(await post_day(fake, bot, clock, channel, *reversed(DAYS[6])))
        await answer_daily(fake, posts[6], fake.alice, "七日目の回答")
        await bot.daily_scheduler.run_periodic()
        await bot.daily_scheduler.run_periodic()  # once only
        seven = list(alice_roles)
        to_high = await fake.slash("daily", {"streak": "7", "role": int(high["id"])}, subcommand="milestones", user=fake.owner)
        await bot.daily_scheduler.run_periodic()  # week taken back, high refused: role changes stop with a note
        refused = (list(alice_roles), await fake.slash("daily", subcommand="status", user=fake.owner))
        await fake.slash("daily", {"streak": "7", "role": int(week["id"])}, subcommand="milestones", user=fake.owner)
        await bot.daily_scheduler.run_periodic()
        back = list(alice_roles)
        for day in (3, 4, 5):  # she answers none: the first miss spends her freeze, the second ends the streak
            await post_day(fake, bot, clock, channel, day, 12)
            await bot.daily_scheduler.run_periodic()
            if day == 4:
                kept = list(alice_roles)
        broken = list(alice_roles)
    assert "⚠" not in text(set_week) and f"7 回: <@&{week['id']}>" in embed_text(set_week)
    assert six == ([], [])
    [congratulation] = congratulations(fake, posts)
    assert congratulation["channel_id"] == posts[6]["id"]  # the thread of the question that made it seven
    assert "7 回連続 達成" in message_text(congratulation) and f"<@{fake.alice['id']}>" in message_text(congratulation)
    assert seven == [week["id"]]
    assert "ボットのロールをそれより上に移してください" in text(to_high)
    assert refused[0] == [] and "ロールの付け外しに失敗" in embed_text(refused[1])
    assert back == [week["id"]] and kept == [week["id"]] and broken == []
