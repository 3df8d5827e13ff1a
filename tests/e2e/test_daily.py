"""The daily question end to end: the real discord.py client, the fake Discord, a file database.

The clock is the injected FakeClock (`make_bot`, helpers.py): the scheduler's timers are armed but only
run when a test fires them (`fire_slot` / `fire_reveal`), right after moving the clock to the slot. The
timed scenarios, where the production scheduler fires by itself as time-machine moves the wall clock
(`make_timed_bot` + `Timeline`): test_daily_ten_days.py, test_daily_freezes.py. A restart is a new bot
(and new services) over the same database file.
"""
from __future__ import annotations

import dataclasses
import re

import pytest

from bot.frontends.discord import daily_channel as bot_daily_channel
from bot.services.daily import PostNow
from tests.conftest import FakeClock

from .fake_discord import FakeDiscord, Perm, custom_ids, message_text
from .helpers import TOKYO, answer_daily, at, daily_posts, field, make_bot, running, setup_daily, text

pytestmark = pytest.mark.asyncio


# --- commands ----------------------------------------------------------------------------------


async def test_daily_commands_are_for_server_managers_and_streaks_for_everyone(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    async with running(fake, make_bot(tmp_path / "bot.sqlite3", FakeClock())):
        synced = {c["name"]: c for c in fake.commands()}
        with pytest.raises(ValueError, match="default_member_permissions"):  # alice has no Manage Server: no /daily
            await fake.slash("daily", subcommand="status")
        zones = await fake.autocomplete("daily", "timezone", "tokyo", {"channel": fake.channel_id, "time": "09:00",
                                                                         "level": "mixed"}, subcommand="setup", user=fake.owner)
        york = await fake.autocomplete("daily", "timezone", "new_y", {"channel": fake.channel_id}, subcommand="setup",
                                       user=fake.owner)
        empty = await fake.autocomplete("daily", "timezone", "", subcommand="setup", user=fake.owner)
        not_set = await fake.slash("daily", subcommand="status", user=fake.owner)
        bad = await setup_daily(fake, fake.channel_id, time="25:00")
        unknown_zone = await setup_daily(fake, fake.channel_id, zone="Mars/Olympus")  # Tokyo names Asia/Tokyo (issue 13)
        board = await fake.slash("leaderboard")
        streak = await fake.slash("streak")
    daily = synced["daily"]
    assert daily["default_member_permissions"] == str(Perm.MANAGE_GUILD) and daily["contexts"] == [0]
    assert {o["name"] for o in daily["options"]} == {"setup", "status", "pause", "resume", "now", "milestones"}
    setup = next(o for o in daily["options"] if o["name"] == "setup")
    assert [o["name"] for o in setup["options"]] == ["channel", "time", "timezone", "level", "reveal_time", "ping_role",
                                                     "no_ping"]
    assert setup["description_localizations"]["ja"] == "毎日決まった時刻にチャンネルへ問題を投稿します"
    assert synced["streak"].get("default_member_permissions") is None and synced["leaderboard"]["contexts"] == [0]
    assert [c["value"] for c in zones] == ["Asia/Tokyo"] and [c["value"] for c in york] == ["America/New_York"]
    assert empty[0]["value"] == "Asia/Tokyo" and len(empty) <= 25
    assert not_set.ephemeral and "/daily setup" in text(not_set)
    assert bad.ephemeral and "HH:MM" in text(bad) and unknown_zone.ephemeral and "IANA" in text(unknown_zone)
    assert board.ephemeral and "まだ日替わり問題がありません" in text(board)
    assert streak.ephemeral and "🔥 0 回" in text(streak)


# --- one day: set up, post, answer, reveal, restart -------------------------------------------------


# a 1x1 PNG: the stand-in for a snippet's stored figure
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
                    "000100e221bc330000000049454e44ae426082")


async def test_a_day_from_setup_to_the_revealed_answer(fake_discord: FakeDiscord, tmp_path, monkeypatch):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"  # 18:00 in Tokyo on 11/25
    figure = tmp_path / "senior-99-1.png"
    figure.write_bytes(PNG)
    pages = bot_daily_channel.daily_reveal_pages  # the bank has no figure today: the last reveal page gets one
    monkeypatch.setattr(bot_daily_channel, "daily_reveal_pages",
                        lambda *args: [*pages(*args)[:-1], dataclasses.replace(pages(*args)[-1], image=figure)])
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        scheduler = bot.daily_scheduler
        set_up = await setup_daily(fake, channel, reveal_time="21:00")
        assert scheduler.next_run_time(fake.guild_id) is not None  # /daily setup rescheduled the server
        assert daily_posts(fake, channel) == []  # nothing owed for today: the first post is tomorrow 09:00

        clock.now = at(TOKYO, 11, 26, 9)
        await scheduler.fire_slot(fake.guild_id)
        [post] = daily_posts(fake, channel)
        post_id = custom_ids(post)[0].split(":")[2]
        assert custom_ids(post) == [f"daily:answer:{post_id}", f"daily:reveal:{post_id}", f"daily:hint:{post_id}"]
        qid = re.search(r"`([a-z]+-\d+)`", message_text(post)).group(1)
        question = bot.study.question(qid)
        assert f"今日の問題 11月26日(木): {question.title}" in message_text(post)
        assert "11月26日(木) 21:00 (JST) にスレッドで公開" in message_text(post)
        thread = fake.channel(post["id"])
        assert thread["type"] == 11 and thread["name"].startswith("11/26 ") and thread["parent_id"] == str(channel)

        saved = await answer_daily(fake, post, fake.alice, "ドロップアウトと早期終了で過学習を抑えます")
        again = await answer_daily(fake, post, fake.alice, "もう一度")  # a second answer counts once
        revealed = await fake.click(post, f"daily:reveal:{post_id}")
        mine = await fake.slash("streak")
        assert daily_posts(fake, thread["id"]) == [] and fake.messages_in(thread["id"]) == []  # nothing in public yet

        clock.now = at(TOKYO, 11, 26, 21)
        await scheduler.fire_reveal(fake.guild_id)
        in_thread = fake.messages_in(thread["id"])
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
    assert set_up.ephemeral and "毎日 09:00 (Asia/Tokyo)" in text(set_up) and "11月26日(木) 09:00 (JST)" in text(set_up)
    assert "権限が足りません" not in text(set_up)
    assert saved.ephemeral and "日替わり問題への回答を記録しました" in text(saved) and "連続 1 回" in text(saved)
    assert "連続 1 回" in text(again)
    assert revealed.ephemeral and f"模範解答: {question.title}" in text(revealed)
    assert mine.ephemeral and field(mine, "現在の連続") == "🔥 1 回" and field(mine, "今の日替わり問題") == "回答済み ✅"
    assert len(in_thread) >= 2 and "11月26日(木) の日替わり問題 ・ 模範解答" in message_text(in_thread[0])
    assert [f.filename for f in fake.files_of(in_thread[-1])] == ["senior-99-1.png"]  # one message per page, figure attached
    assert in_thread[-1]["embeds"][0]["image"]["url"] == "attachment://senior-99-1.png"
    assert all(not m.get("attachments") for m in in_thread[:-1])
    assert question.answer.splitlines()[0][:50] in "\n".join(message_text(m) for m in in_thread)
    assert "投稿済み" in text(status) and qid in text(status)
    assert [a["daily_post_id"] for a in bot.study.db.query("select daily_post_id from answers")] == [int(post_id)] * 2

    restarted = make_bot(db_path, clock)  # the same evening: nothing is owed, nothing is posted again
    async with running(fake, restarted):
        await restarted.daily_scheduler.fire_slot(fake.guild_id)
        await restarted.daily_scheduler.fire_reveal(fake.guild_id)
        late = await answer_daily(fake, post, fake.alice, "再起動後も回答できます")  # the buttons still work
    assert len(daily_posts(fake, channel)) == 1 and len(fake.messages_in(thread["id"])) == len(in_thread)
    assert late.ephemeral and "連続 1 回" in text(late)


async def test_pause_resume_and_daily_now(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel, "07:30", "Asia/Tokyo", level="senior")
        paused = await fake.slash("daily", subcommand="pause", user=fake.owner)
        assert bot.daily_scheduler.next_run_time(fake.guild_id) is None
        clock.now = at(TOKYO, 11, 26, 7, 30)
        await bot.daily_scheduler.fire_slot(fake.guild_id)  # a job that was already running: the service says paused
        assert daily_posts(fake, channel) == []
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
        resumed = await fake.slash("daily", subcommand="resume", user=fake.owner)
        assert bot.daily_scheduler.next_run_time(fake.guild_id) is not None
        now = await fake.slash("daily", subcommand="now", user=fake.owner)
        await now.finished()
        twice = await fake.slash("daily", subcommand="now", user=fake.owner)
        await twice.finished()
        # right after the post, /answer answers the daily question and counts (see bot/services/answering.py)
        answered = await fake.slash("answer", {"text": "特徴量の重要度を確認します"})
        drawn = await fake.slash("question", {"level": "junior"})  # drawn after the post: now the current question
        practice = await fake.slash("answer", {"text": "練習の回答です"})
    assert paused.ephemeral and "一時停止中" in text(paused)
    assert "一時停止中 (paused)" in text(status)
    assert resumed.ephemeral and "11月27日(金) 07:30 (JST)" in text(resumed)
    assert now.callback_type == 5 and now.ephemeral and "今日の問題を投稿しました" in text(now)  # deferred, then followed up
    assert "今日の問題はもう投稿済みです" in text(twice)
    [post] = daily_posts(fake, channel)
    assert "シニア (senior)" in message_text(post)
    assert "日替わり問題への回答を記録しました" in text(answered) and "連続 1 回" in text(answered)
    assert not drawn.ephemeral and "回答を記録しました (answer saved)" in text(practice) and "日替わり" not in text(practice)


# --- downtime, restarts, a crash -----------------------------------------------------------------------


async def test_restarts_post_once_and_a_crash_is_reconciled_not_reposted(fake_discord: FakeDiscord, tmp_path):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    async with running(fake, make_bot(db_path, clock)):
        await setup_daily(fake, channel)

    clock.now = at(TOKYO, 11, 28, 10)  # the bot was down through the slots of the 26th, 27th and 28th
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        [caught_up] = daily_posts(fake, channel)  # start-up catch-up after READY: today only, once
        await bot.daily_scheduler.fire_slot(fake.guild_id)
        assert len(daily_posts(fake, channel)) == 1

        clock.now = at(TOKYO, 11, 29, 9)
        action = bot.services.daily.begin_post(fake.guild_id)  # the intent is recorded ...
        assert isinstance(action, PostNow)
        await bot.daily_channel().send_post(action.post, action.question)  # ... the message goes out, and the process dies
    assert "11月28日(土)" in message_text(caught_up)
    assert len(daily_posts(fake, channel)) == 2

    clock.advance(minutes=5)
    restarted = make_bot(db_path, clock)
    async with running(fake, restarted):
        posts = daily_posts(fake, channel)
        status = await fake.slash("daily", subcommand="status", user=fake.owner)
        counted = await answer_daily(fake, posts[-1], fake.alice, "再起動の後の回答です")
    assert len(posts) == 2 and "11月29日(日)" in message_text(posts[-1])  # reconciled from the channel, not reposted
    lines = field(status, "最近の投稿")
    assert "11月29日(日) 投稿済み" in lines and "11月28日(土) 投稿済み" in lines and "11月27日" not in lines
    assert "連続 1 回" in text(counted)  # it is the open question: its marker was found, so it counts
    stored = list(restarted.study.db.query("select message_id, thread_id from daily_posts order by local_date"))
    assert [r["message_id"] for r in stored] == [int(caught_up["id"]), int(posts[-1]["id"])]
    assert stored[-1]["thread_id"] == int(posts[-1]["id"])


# --- a channel the bot cannot use -------------------------------------------------------------------------


async def test_lost_permission_or_a_deleted_channel_skips_the_day_with_the_reason(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    no_threads = int(fake.add_channel(fake.guild_id, "no-threads")["id"])
    fake.deny_bot(no_threads, Perm.CREATE_PUBLIC_THREADS)
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        guild, scheduler = fake.guild_id, bot.daily_scheduler
        await setup_daily(fake, channel)
        fake.deny_bot(channel)  # someone removes Send Messages
        await fake.flush()
        clock.now = at(TOKYO, 11, 26, 9)
        await scheduler.fire_slot(guild)
        denied = await fake.slash("daily", subcommand="status", user=fake.owner)
        fake.set_overwrite(channel, fake.app_id, type=1)  # fixed; /daily now posts the skipped day after all
        await fake.flush()
        now = await fake.slash("daily", subcommand="now", user=fake.owner)
        await now.finished()
        assert len(daily_posts(fake, channel)) == 1

        fake.delete_channel(channel)
        await fake.flush()
        clock.now = at(TOKYO, 11, 27, 9)
        await scheduler.fire_slot(guild)
        deleted = await fake.slash("daily", subcommand="status", user=fake.owner)

        warned = await setup_daily(fake, no_threads, reveal_time="21:00")  # saved, with a warning
        gone = int(fake.add_channel(fake.guild_id, "soon-gone")["id"])
        clock.now = at(TOKYO, 11, 28, 9)
        await scheduler.fire_slot(guild)  # posted without a thread
        clock.now = at(TOKYO, 11, 28, 21)
        await scheduler.fire_reveal(guild)  # the answer replies under the message
        await setup_daily(fake, gone)
        fake.delete_channel(gone, dispatch=False)  # the bot's cache still has it: Discord answers 404
        clock.now = at(TOKYO, 11, 29, 9)
        await scheduler.fire_slot(guild)
        stale = await fake.slash("daily", subcommand="status", user=fake.owner)
    assert "ボットにチャンネルへの投稿権限がありません" in field(denied, "スキップした日と理由")
    assert "メッセージを送信 (Send Messages)" in field(denied, "⚠ ボットの権限が足りません (missing permissions)")
    assert "今日の問題を投稿しました" in text(now)
    assert "11月27日(金): チャンネルが見つかりません" in field(deleted, "スキップした日と理由")
    assert "⚠ チャンネルが見つかりません (channel missing)" in text(deleted)
    assert "公開スレッドの作成 (Create Public Threads)" in text(warned) and "日替わり問題を設定しました" in text(warned)
    post, *reveal = fake.messages_in(no_threads)
    assert "11月28日(土)" in message_text(post) and post.get("thread") is None
    assert reveal and reveal[0]["message_reference"]["message_id"] == post["id"] and "模範解答" in message_text(reveal[0])
    assert "11月29日(日): チャンネルが見つかりません" in field(stale, "スキップした日と理由")
    assert fake.take_bot_errors() == []


# The ten-day scenario (two servers, three members, every board every day): test_daily_ten_days.py
