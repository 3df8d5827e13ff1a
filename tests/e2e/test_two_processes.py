"""Sharding, and several bot processes on one database.

Two real `studybot run` processes on one database file and one fake Discord, both given every server
(the worst case: two processes started with the same shards by mistake, or a resharding), post each
server's daily question exactly once, with its thread. In-process: the bot runs the shards Discord
recommends (GET /gateway/bot), or those of its config, and each shard gets its own servers.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config
from bot.core.shards import Shards, shard_of
from bot.frontends.discord.launch import build_discord_bot
from bot.services.daily import Daily
from tests.conftest import bank_database

from .fake_discord import FAKE_TOKEN, FakeDiscord
from .helpers import daily_posts, make_study, make_study_bot, process_config, running, start_process, text

pytestmark = pytest.mark.asyncio

SERVERS = 12  # half set up before the processes start, half while both run


def on_shard(fake: FakeDiscord, shard: int, count: int, name: str) -> int:
    """A new server whose id puts it on `shard` of `count`."""
    base = (fake.snowflake() >> 22) + 10_000  # ids from the future, clear of the fake's own snowflakes
    gid = (((base // count) * count + shard) << 22) | 0x3FFFFF
    fake.add_guild(name, guild_id=gid)
    assert shard_of(gid, count) == shard
    return gid


def set_up_before_start(db_path, channels: dict[int, int], slot: datetime) -> None:
    """Settings in the database before the processes start, with today's slot passed: both catch up at start."""
    db = bank_database(db_path)
    for guild, channel in channels.items():
        Daily(db, lambda: slot - timedelta(minutes=1)).setup(guild, channel, slot.strftime("%H:%M"), "UTC", "mixed")
    db.close()


async def set_up_in_both(fake: FakeDiscord, channels: dict[int, int], slot: datetime) -> None:
    """/daily setup sent to each process (each arms its own timer at `slot`)."""
    for session in connected(fake):
        for guild, channel in channels.items():
            reply = await fake.slash("daily", {"channel": channel, "time": slot.strftime("%H:%M"), "timezone": "UTC",
                                               "level": "mixed"}, subcommand="setup", user=fake.owner, guild_id=guild,
                                     channel_id=channel, session=session)
            assert slot.strftime("%H:%M") in text(reply), text(reply)


def connected(fake: FakeDiscord) -> list:
    return [s for s in fake.sessions.values() if s.connected and s.ready_sent]


def posted_with_threads(fake: FakeDiscord, channels) -> bool:
    return all(daily_posts(fake, c) and all(int(p["id"]) in fake.channels for p in daily_posts(fake, c))
               for c in channels)


async def test_two_processes_with_every_server_post_each_daily_question_once(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    guilds = [fake.guild_id] + [fake.add_guild(f"Server {n}").id for n in range(SERVERS - 1)]
    channels = {g: int(fake.add_channel(g, "daily-question")["id"]) for g in guilds}
    early, timed = dict(list(channels.items())[::2]), dict(list(channels.items())[1::2])
    now = datetime.now(UTC)
    set_up_before_start(tmp_path / "bot.sqlite3", early, max(now.replace(second=0, microsecond=0) - timedelta(minutes=1),
                                                             now.replace(hour=0, minute=1, second=0, microsecond=0)))
    config = process_config(tmp_path, fake)  # Discord recommends one shard: every server
    same = tmp_path / "same.toml"
    same.write_text(config.read_text(encoding="utf-8") + "shard_count = 1\n", encoding="utf-8")  # every server too
    processes = [await start_process(config, FAKE_TOKEN), await start_process(same, FAKE_TOKEN)]
    try:
        await fake.wait_for(lambda: len(connected(fake)) == 2 and posted_with_threads(fake, early.values()),
                            timeout=60, what="both processes connected and the servers set up before caught up")
        soon = (datetime.now(UTC) + timedelta(seconds=65)).replace(second=0, microsecond=0)  # 5-65 s from now
        await set_up_in_both(fake, timed, soon)
        assert daily_posts(fake, next(iter(timed.values()))) == []
        await fake.wait_for(lambda: posted_with_threads(fake, timed.values()),
                            timeout=(soon - datetime.now(UTC)).total_seconds() + 30, what="the posts at the minute")
        # both processes' timers fire at `soon`; a second post would follow the first within moments
        await asyncio.sleep(max(0.0, (soon + timedelta(seconds=3) - datetime.now(UTC)).total_seconds()))
    finally:
        for proc in processes:
            if proc.returncode is None:
                proc.terminate()
        stderr = [(await proc.communicate())[1].decode(errors="replace") for proc in processes]
    assert all("Traceback" not in e for e in stderr), stderr
    assert {g: len(daily_posts(fake, c)) for g, c in channels.items()} == dict.fromkeys(guilds, 1)
    threads = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/threads") and r.status == 201]
    assert len(threads) == SERVERS
    db = bank_database(tmp_path / "bot.sqlite3")
    rows = list(db.query("select guild_id, state, message_id, claimed_by from daily_posts"))
    assert sorted(r["guild_id"] for r in rows) == sorted(guilds)
    assert {(r["state"], r["claimed_by"]) for r in rows} == {("posted", None)}
    assert {r["message_id"] for r in rows} == {int(daily_posts(fake, c)[0]["id"]) for c in channels.values()}


async def test_the_bot_runs_the_shards_discord_recommends_each_with_its_servers(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    fake.shard_count = 2
    far = on_shard(fake, 1 - shard_of(fake.guild_id, 2), 2, "Far Server")
    fake.add_member(far, fake.alice)
    fake.add_channel(far, "general")
    bot = make_study_bot(tmp_path / "bot.sqlite3")
    async with running(fake, bot):
        assert any(r.path == "/gateway/bot" for r in fake.requests)
        sessions = list(fake.sessions.values())
        assert sorted(s.identify["shard"] for s in sessions) == [[0, 2], [1, 2]]
        for s in sessions:  # each shard got the servers of its shard, and only those
            created = [int(e["d"]["id"]) for e in s.events if e["t"] == "GUILD_CREATE"]
            assert created == [g for g in fake.guilds if shard_of(g, 2) == s.identify["shard"][0]]
        assert {g.id for g in bot.guilds} == set(fake.guilds) and bot.shard_count == 2
        reply = await fake.slash("question", {"level": "junior"}, guild_id=far)
        assert "junior-" in text(reply)


async def test_a_process_given_some_shards_connects_those_and_posts_for_their_servers(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    mine = shard_of(fake.guild_id, 2)
    other = on_shard(fake, 1 - mine, 2, "Other Process's Server")
    study = make_study(tmp_path / "bot.sqlite3")
    bot = build_discord_bot(Config(shard_count=2, shard_ids=(mine,)), study)
    assert bot.services.daily.serves == Shards(2, frozenset({mine}))
    async with running(fake, bot):
        assert [s.identify["shard"] for s in fake.sessions.values()] == [[mine, 2]]
        assert [g.id for g in bot.guilds] == [fake.guild_id]
        daily = bot.services.daily
        for guild in (fake.guild_id, other):
            daily.setup(guild, fake.channel_id, "09:00", "Asia/Tokyo", "mixed")
        assert [s.guild_id for s in daily.schedules()] == [fake.guild_id]
