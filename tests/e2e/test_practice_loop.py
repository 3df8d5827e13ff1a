"""The practice loop through the real discord.py client: answering a named question, the ask before revealing
the open daily question, and hints with what they cost."""
from __future__ import annotations

import pytest

from tests.conftest import FakeClock

from .fake_discord import FakeDiscord, custom_ids
from .helpers import TOKYO, ScriptedGrader, answer_daily, at, daily_posts, field, ids, make_bot, running, setup_daily, text

pytestmark = pytest.mark.asyncio


async def posted(fake: FakeDiscord, tmp_path, clock: FakeClock):
    """A bot with a scripted scorer, and a channel of its own for the daily question (see post_today)."""
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock, grader=ScriptedGrader())
    return bot, channel


async def post_today(fake: FakeDiscord, bot, channel: int, clock: FakeClock) -> tuple[dict, str, str]:
    """Set up the daily question and post it at 09:00 Tokyo: the message, its post id and its question id."""
    await setup_daily(fake, channel)
    clock.now = at(TOKYO, 11, 26, 9)
    await bot.daily_scheduler.fire_slot(fake.guild_id)
    [post] = daily_posts(fake, channel)
    return post, custom_ids(post)[0].split(":")[2], field_of(post, "ID")


async def test_answer_names_its_question_and_the_daily_one_stays_current(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    bot, channel = await posted(fake, tmp_path, clock)
    async with running(fake, bot):
        _, _, daily_id = await post_today(fake, bot, channel, clock)
        clock.now = at(TOKYO, 11, 26, 9, 5)
        choices = await fake.autocomplete("answer", "question", "junior-0")
        other = next(c["value"] for c in choices if c["value"] != daily_id)
        named = await fake.slash("answer", {"question": other, "text": "60 名指しの回答"})
        drawn = field(await fake.slash("question", {"level": "senior" if daily_id.startswith("junior") else "junior"}), "ID")
        clock.now = at(TOKYO, 11, 26, 9, 6)
        default = await fake.slash("answer", {"text": "70 日替わりのつもり"})
        after = await fake.slash("answer", {"text": "50 引いた問題へ"})
    assert choices and all(c["name"].startswith(c["value"]) for c in choices)  # id and title, like /reveal's
    assert named.ephemeral and f"`{other}`" in field(named, "問題") and "日替わり" not in text(named)
    assert f"`{daily_id}`" in field(default, "問題") and "日替わり問題への回答" in text(default)
    assert f"/answer question:{drawn.strip('`')}" in field(default, "ℹ 回答した問題 (which question)")
    assert field(default, "ポイント (points)").startswith("**+70**")
    assert drawn in field(after, "問題") and "日替わり" not in text(after)  # answered: the draw is current again


def field_of(message: dict, name: str) -> str:
    return next(f["value"] for e in message["embeds"] for f in e.get("fields", []) if f["name"] == name).strip("`")


async def test_revealing_the_open_daily_question_asks_once(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    bot, channel = await posted(fake, tmp_path, clock)
    async with running(fake, bot):
        post, post_id, daily_id = await post_today(fake, bot, channel, clock)
        clock.now = at(TOKYO, 11, 26, 9, 5)
        asked = await fake.click(post, f"daily:reveal:{post_id}")
        asked_text, asked_ids = text(asked), ids(asked)  # before the card is edited by its buttons
        kept = await fake.click(asked, f"study:reveal-no:{daily_id}")
        asked_again = await fake.slash("reveal")
        asked_again_text = text(asked_again)
        shown = await fake.click(asked_again, f"study:reveal-ok:{daily_id}")
        not_asked = await fake.slash("reveal", {"question": daily_id})
        answered = await answer_daily(fake, post, fake.owner, "70 答えてから見ます")
        owner_reveal = await fake.click(post, f"daily:reveal:{post_id}", user=fake.owner)
        clock.now = at(TOKYO, 11, 26, 9, 10)
        late = await answer_daily(fake, post, fake.alice, "80 見た後の回答")
    assert asked.ephemeral and "模範解答を表示しますか" in asked_text and "ポイントはつかなくなります" in asked_text
    assert asked_ids == [f"study:reveal-ok:{daily_id}", f"study:reveal-no:{daily_id}"]
    assert kept.callback_type == 7 and "キャンセルしました" in text(kept) and custom_ids(kept.message) == []
    assert "模範解答を表示しますか" in asked_again_text  # cancelled: still asked
    assert shown.callback_type == 7 and "模範解答: " in text(shown) and f"review:rate:{daily_id}:good" in custom_ids(shown.message)
    assert "模範解答: " in text(not_asked) and "表示しますか" not in text(not_asked)  # after Show, never again
    assert field(answered, "ポイント (points)").startswith("**+70**")
    assert "模範解答: " in text(owner_reveal)  # the owner answered first: nothing to ask
    assert "模範解答を表示した後" in field(late, "ポイント (points)")


async def test_hints_show_one_more_key_point_each_and_lower_the_daily_points(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    bot, channel = await posted(fake, tmp_path, clock)
    async with running(fake, bot):
        post, post_id, daily_id = await post_today(fake, bot, channel, clock)
        question = bot.study.question(daily_id)
        clock.now = at(TOKYO, 11, 26, 9, 1)
        first = await fake.click(post, f"daily:hint:{post_id}")
        clock.now = at(TOKYO, 11, 26, 9, 2)
        second = await fake.click(first, f"study:hint:{daily_id}")
        clock.now = at(TOKYO, 11, 26, 9, 3)
        answered = await answer_daily(fake, post, fake.alice, "70 ヒント二つのあと")
        bob_answer = await answer_daily(fake, post, fake.owner, "70 ヒントなし")
        drawn = await fake.slash("question", {"level": "junior"})
        practice_hint = await fake.click(drawn, f"study:hint:{field(drawn, 'ID').strip('`')}")
    assert first.ephemeral and f"1. {question.key_points[0].phrase}" in text(first)
    assert question.key_points[1].phrase not in text(first) and "10% 減ります" in text(first)
    assert f"2. {question.key_points[1].phrase}" in text(second) and f"ヒント 2/{len(question.key_points)}" in text(second)
    assert f"study:answer:{daily_id}" in ids(second)
    assert field(answered, "ポイント (points)") == "**+56**（この問題の最初に採点された回答です） ・ ヒント 2 個で −20%（70 → 56 点）"
    assert field(bob_answer, "ポイント (points)") == "**+70**（この問題の最初に採点された回答です）"
    assert f"study:hint:{field(drawn, 'ID').strip('`')}" in ids(drawn) and "ヒント 1/" in text(practice_hint)
    assert "減ります" not in text(practice_hint)  # a practice question's hints cost nothing
