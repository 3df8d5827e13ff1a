"""Nothing a member writes is lost, and nothing they write pings anyone: through the real discord.py client
and the fake Discord (which also checks that every message carries allowed_mentions allowing no ping)."""
from __future__ import annotations

import sqlite3

import pytest

from bot.presenters.kept import KEPT_FILENAME
from db import connection, practice
from tests.conftest import FakeClock, write_lock_held

from .fake_discord import FakeDiscord, custom_ids, find_component, running_bot
from .helpers import TOKYO, answer_daily, at, daily_posts, embed_text, ids, make_bot, make_study_bot, running, setup_daily

pytestmark = pytest.mark.asyncio

SHORT = "バイアスとバリアンスのトレードオフです。\n<@123> @everyone も普通の文字です"
LONG = "正則化は重みの大きさに罰則を課して過学習を抑えます。" * 60


def box_text(record) -> str:
    """What the answer box opened by `record` already holds."""
    return find_component(record.modal, "answer_text").get("value", "")


def stored(bot) -> list[dict]:
    return list(bot.study.db.query("select question_id, text, daily_post_id from answers order by id"))


async def test_the_answer_button_gives_the_text_back_when_the_database_is_busy_and_sends_it_again(
        fake_discord: FakeDiscord, db_path, monkeypatch):
    fake = fake_discord
    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.2)
    bot = make_study_bot(db_path)
    async with running_bot(fake, bot):
        question = await fake.slash("question", {"level": "senior"})
        qid = ids(question)[0].split(":")[2]
        opened = await fake.click(question, f"study:answer:{qid}")
        with write_lock_held(db_path):  # another process (a backup, an sqlite3 shell) holds the write lock
            kept = await fake.submit_modal(opened, {"answer_text": SHORT})
        assert stored(bot) == []
        again = await fake.click(kept, f"study:again:{qid}")
        assert again.callback_type == 9 and box_text(again) == SHORT
        saved = await fake.submit_modal(again, {})  # sent as the box holds it
    assert kept.ephemeral and kept.callback_type == 4
    description = kept.embeds[0]["description"]
    assert "データベースが混み合っていたため、回答を保存できませんでした" in description
    assert f"```\n{SHORT}\n```" in description and "もう一度送る" in description
    assert ids(kept) == [f"study:again:{qid}"] and kept.attachments == []
    assert kept.callback_data["allowed_mentions"] == {"parse": []}  # pings nobody, whatever the text says
    assert saved.ephemeral and "回答を記録しました" in embed_text(saved)
    assert stored(bot) == [{"question_id": qid, "text": SHORT, "daily_post_id": None}]


async def posted(fake: FakeDiscord, bot, clock: FakeClock, channel: int) -> dict:
    """The daily question set up in `channel` and posted at 09:00 Tokyo."""
    await setup_daily(fake, channel)
    clock.now = at(TOKYO, 11, 26, 9)
    await bot.daily_scheduler.fire_slot(fake.guild_id)
    [post] = daily_posts(fake, channel)
    return post


async def test_a_long_daily_answer_comes_back_as_a_file_and_its_button_refills_the_box(fake_discord: FakeDiscord, tmp_path,
                                                                                      monkeypatch):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.2)
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        post = await posted(fake, bot, clock, channel)
        post_id = int(custom_ids(post)[0].split(":")[2])
        with write_lock_held(db_path):
            kept = await answer_daily(fake, post, fake.alice, LONG)
        again = await fake.click(kept, f"daily:again:{post_id}")  # the text is read back from the attached file
        assert again.callback_type == 9 and box_text(again) == LONG
        assert again.modal["custom_id"] == f"daily:answer-modal:{post_id}"
        saved = await fake.submit_modal(again, {})
    assert kept.ephemeral and "回答を保存できませんでした" in embed_text(kept) and KEPT_FILENAME in embed_text(kept)
    assert [(f.filename, f.text) for f in fake.files_of(kept.message)] == [(KEPT_FILENAME, LONG)]
    assert ids(kept) == [f"daily:again:{post_id}"]
    assert "回答を記録しました" in embed_text(saved) and "連続" in embed_text(saved)
    assert [(a["text"], a["daily_post_id"]) for a in stored(bot)] == [(LONG, post_id)]  # counted for the streak


async def test_answer_with_text_gives_it_back_on_any_database_error(fake_discord: FakeDiscord, db_path, monkeypatch):
    fake = fake_discord
    bot = make_study_bot(db_path)

    def broken(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    async with running_bot(fake, bot):
        await fake.slash("question", {"level": "junior"})
        monkeypatch.setattr(practice, "record_answer", broken)
        kept = await fake.slash("answer", {"text": "交差検証で汎化性能を確かめます"})
    text = embed_text(kept)
    assert kept.ephemeral and "保存中にエラーが起きたため" in text and "```\n交差検証で汎化性能を確かめます\n```" in text
    assert "予期しないエラー" not in text and ids(kept)[0].startswith("study:again:junior-")


async def test_names_that_look_like_mentions_are_shown_as_text_and_ping_nobody(fake_discord: FakeDiscord, tmp_path):
    fake, clock, db_path = fake_discord, FakeClock(), tmp_path / "bot.sqlite3"
    mallory = fake.add_user("mallory", global_name="Mallory")
    fake.add_member(fake.guild_id, mallory, nick=f"\u202e<@{fake.owner['id']}> @everyone\u200b")
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(db_path, clock)
    async with running(fake, bot):
        post = await posted(fake, bot, clock, channel)
        await answer_daily(fake, post, mallory, "ドロップアウトで過学習を抑えます")
        board = await fake.slash("leaderboard", {"period": "all", "by": "answers", "share": True})
    assert not board.ephemeral
    shown = embed_text(board)
    assert f"<＠{fake.owner['id']}> ＠everyone" in shown and "@" not in shown and "\u202e" not in shown
    assert bot.study.db.execute("select display_name from members").fetchall() == [(f"<＠{fake.owner['id']}> ＠everyone",)]
    assert board.callback_data["allowed_mentions"] == {"parse": []}
