"""/privacy export and /privacy forget, and a server the bot leaves, through the real discord.py client and the
fake Discord (every request checked against Discord's OpenAPI description)."""
from __future__ import annotations

import json

import pytest

from db import privacy as store
from tests.conftest import FakeClock

from .fake_discord import FakeDiscord, custom_ids
from .helpers import answer_daily, daily_posts, ids, make_bot, running, setup_daily, text

pytestmark = pytest.mark.asyncio


def alice_id(fake: FakeDiscord) -> int:
    return int(fake.alice["id"])


async def post_and_answer(fake: FakeDiscord, *members: dict) -> dict:
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    await setup_daily(fake, channel)
    now = await fake.slash("daily", subcommand="now", user=fake.owner)
    await now.finished()
    [post] = daily_posts(fake, channel)
    for member in members:
        saved = await answer_daily(fake, post, member, f"{member['username']} の回答: 正則化で過学習を防ぎます")
        assert "記録しました" in text(saved), text(saved)
    return post


async def test_export_is_an_ephemeral_json_file_with_the_members_answer(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    async with running(fake, make_bot(tmp_path / "bot.sqlite3", FakeClock())):
        await post_and_answer(fake, fake.alice, fake.owner)
        rec = await fake.slash("privacy", subcommand="export")
        await rec.finished()
    assert rec.ephemeral and "あなたのデータ" in text(rec)
    [file] = rec.files
    data = json.loads(file.data)
    assert file.filename.endswith(".json") and data["user_id"] == alice_id(fake)
    assert [a["text"] for a in data["answers"]] == ["alice の回答: 正則化で過学習を防ぎます"]
    assert data["streak"]["answered"] == 1 and data["member"]["display_name"] == "Alice"
    assert "owner" not in file.data.decode() and fake.violations == []


async def test_forget_with_the_confirm_button_removes_the_answers_and_the_leaderboard_entry(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    bot = make_bot(tmp_path / "bot.sqlite3", FakeClock())
    async with running(fake, bot):
        await post_and_answer(fake, fake.alice, fake.owner)
        before = await fake.slash("leaderboard", {"period": "all", "by": "answers"})
        asked = await fake.slash("privacy", subcommand="forget")
        kept = await fake.click(asked, "privacy:cancel")
        asked = await fake.slash("privacy", subcommand="forget")
        shown, buttons = text(asked), ids(asked)
        confirm = next(i for i in buttons if i.startswith("privacy:forget:"))
        done = await fake.click(asked, confirm)  # replaces the question (the record shows the message as it is now)
        after = await fake.slash("leaderboard", {"period": "all", "by": "answers"})
    assert "Alice" in text(before) and "Guild Owner" in text(before)
    assert asked.ephemeral and "あなたのデータを削除しますか" in shown and "回答 (answers, with scores and feedback): 1" in shown
    assert confirm.startswith(f"privacy:forget:{alice_id(fake)}:") and "privacy:cancel" in buttons
    assert kept.callback_type == 7 and "キャンセルしました" in text(kept) and custom_ids(kept.message) == []
    assert done.callback_type == 7 and "削除しました" in text(done) and custom_ids(done.message) == []  # the buttons go
    assert "Alice" not in text(after) and "Guild Owner" in text(after)
    db = bot.study.db
    assert not any(store.member_counts(db, fake.guild_id, alice_id(fake)).values())
    assert store.member_counts(db, fake.guild_id, int(fake.owner["id"]))["answers"] == 1
    assert fake.violations == []


async def test_a_manager_forgets_a_member_who_left_never_one_still_here(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    bob = fake.add_user("bob", global_name="Bob")
    fake.add_member(fake.guild_id, bob)
    bot = make_bot(tmp_path / "bot.sqlite3", FakeClock())
    async with running(fake, bot):
        await post_and_answer(fake, fake.alice, bob)
        fake.remove_member(fake.guild_id, bob)
        not_a_manager = await fake.slash("privacy", {"member": bob}, subcommand="forget")
        still_here = await fake.slash("privacy", {"member": fake.alice}, subcommand="forget", user=fake.owner)
        asked = await fake.slash("privacy", {"member": bob}, subcommand="forget", user=fake.owner)
        shown = text(asked)
        done = await fake.click(asked, next(i for i in ids(asked) if i.startswith("privacy:forget:")), user=fake.owner)
    assert "サーバー管理者" in text(not_a_manager) and "まだこのサーバーのメンバーです" in text(still_here)
    assert "Bob さんのデータを削除しますか" in shown and "Bob さんのデータを削除しました" in text(done)
    db = bot.study.db
    assert store.member_counts(db, fake.guild_id, int(bob["id"]))["answers"] == 0
    assert store.member_counts(db, fake.guild_id, alice_id(fake))["answers"] == 1
    assert fake.violations == []


async def test_a_server_the_bot_left_is_forgotten_after_the_grace_period_unless_it_comes_back(fake_discord: FakeDiscord,
                                                                                              tmp_path):
    fake, clock = fake_discord, FakeClock()
    other = fake.add_guild("Other Guild")
    fake.add_member(other.id, fake.alice)
    other_channel = int(fake.add_channel(other.id, "general")["id"])
    kept_channel = fake.channels[other_channel]
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        for guild, channel in ((fake.guild_id, fake.channel_id), (other.id, other_channel)):
            await fake.slash("question", guild_id=guild, channel_id=channel)
            await fake.slash("answer", {"text": "バイアスとバリアンスのバランスです"}, guild_id=guild, channel_id=channel)
        fake.remove_guild(other.id)
        await fake.wait_for(lambda: other.id in bot.services.privacy.pending(), what="the removal to be recorded")
        clock.advance(days=29)
        await bot.forget_departed_servers()
        assert store.member_counts(bot.study.db, other.id, alice_id(fake))["answers"] == 1  # still in the grace period
        fake.guilds[other.id], fake.channels[other_channel] = other, kept_channel  # invited back
        joined = {k: v for k, v in fake._guild_create_payload(other).items() if k != "unavailable"}  # as on a join
        await fake.dispatch("GUILD_CREATE", joined)
        await fake.wait_for(lambda: other.id not in bot.services.privacy.pending(), what="the rejoin to cancel it")
        clock.advance(days=30)
        await bot.forget_departed_servers()
        assert store.member_counts(bot.study.db, other.id, alice_id(fake))["answers"] == 1

        fake.remove_guild(other.id)
        await fake.wait_for(lambda: other.id in bot.services.privacy.pending(), what="the second removal")
        clock.advance(days=30)
        await bot.forget_departed_servers()
    db = bot.study.db
    assert other.id not in store.guilds_with_data(db) and bot.services.privacy.pending() == {}
    assert store.member_counts(db, fake.guild_id, alice_id(fake))["answers"] == 1
    assert fake.violations == []


async def test_a_removal_while_offline_is_noticed_at_start_up(fake_discord: FakeDiscord, tmp_path):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    other = fake.add_guild("Other Guild")
    fake.add_member(other.id, fake.alice)
    other_channel = int(fake.add_channel(other.id, "general")["id"])
    async with running(fake, make_bot(db_path, clock)):
        await fake.slash("question", guild_id=other.id, channel_id=other_channel)
    fake.remove_guild(other.id)  # while the bot is down
    restarted = make_bot(db_path, clock)
    async with running(fake, restarted):  # start-up runs the scheduler's housekeeping once
        assert set(restarted.services.privacy.pending()) == {other.id}
    clock.advance(days=30)
    again = make_bot(db_path, clock)
    async with running(fake, again):
        pass
    assert other.id not in store.guilds_with_data(again.study.db)
