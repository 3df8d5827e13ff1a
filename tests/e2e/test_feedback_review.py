"""Answer feedback, recall rating, /review and /stats through the real discord.py client."""
from __future__ import annotations

import pytest

from tests.conftest import FakeClock

from .fake_discord import FakeDiscord, custom_ids, running_bot
from .helpers import TOKYO, answer_daily, at, daily_posts, embed_text, field, ids, make_bot, make_study_bot, running, setup_daily

pytestmark = pytest.mark.asyncio

GOOD_ANSWER = ("バギングはブートストラップで作ったランダムなサブセットで並列にモデルを学習し、分散を減らします。"
               "ブースティングは前のモデルの誤りを修正するように逐次的に学習し、バイアスを減らします。")


def fields(record) -> dict[str, str]:
    return {f["name"]: f["value"] for e in record.embeds for f in e.get("fields", [])}


async def test_an_answer_gets_a_score_and_the_points_it_covered(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("reveal", {"question": "junior-06"})  # reading the answer does not draw it
        bot.study.set_current(fake_discord.guild_id, int(fake_discord.alice["id"]), "junior-06", via="test")
        good = await fake_discord.slash("answer", {"text": GOOD_ANSWER})
        wrong = await fake_discord.slash("answer", {"text": "バギングは逐次的に学習してバイアスを減らす手法で、ブースティングは並列です。"})
        english = await fake_discord.slash("answer", {"text": "Bagging trains models in parallel on bootstrap samples."})
    score = fields(good)["自動採点 (score)"]
    assert good.ephemeral and "/ 100" in score and int(score.split("**")[1].split(" /")[0]) >= 60
    assert "✅" in fields(good)["押さえたポイント (covered)"]
    assert int(fields(wrong)["自動採点 (score)"].split("**")[1].split(" /")[0]) < int(score.split("**")[1].split(" /")[0])
    assert "/ 100" not in fields(english)["自動採点 (score)"]  # an honest message, no misleading score
    stored = [r["score"] for r in bot.study.db.query("select score from answers order by id")]
    assert stored[0] >= 60 and stored[2] is None


async def test_rating_after_a_reveal_schedules_the_review(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        nothing = await fake_discord.slash("review")
        revealed = await fake_discord.slash("reveal", {"question": "senior-04"})
        assert {"review:rate:senior-04:again", "review:rate:senior-04:good", "review:rate:senior-04:easy"} <= set(ids(revealed))
        rated = await fake_discord.click(revealed, "review:rate:senior-04:good")
        not_yet = await fake_discord.slash("review")
        bot.study.clock.advance(days=3)
        due = await fake_discord.slash("review")
        answered = await fake_discord.slash("answer", {"text": "k分割交差検証はデータをk個に分けて検証を繰り返します"})
    assert nothing.ephemeral and "まだありません" in embed_text(nothing)
    revealed_ids = [r["question_id"] for r in bot.study.db.query("select question_id from reveals")]
    assert revealed_ids == ["senior-04"]  # the reveal is recorded (a daily question's points need it)
    assert rated.ephemeral and "次の復習: 2日後" in embed_text(rated)
    assert "いま復習する問題はありません" in embed_text(not_yet)
    assert due.ephemeral and "senior-04" in embed_text(due) and "復習できる問題が **1** 問" in embed_text(due)
    assert {"study:answer:senior-04", "study:reveal:senior-04"} <= set(ids(due))
    assert "senior-04" in embed_text(answered)  # the reviewed question became the current one


async def test_rating_buttons_work_after_a_restart(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        revealed = await fake_discord.slash("reveal", {"question": "junior-02"})
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rated = await fake_discord.click(revealed, "review:rate:junior-02:again")
    assert "次の復習: 1日後" in embed_text(rated)


async def test_stats_is_a_png_chart_only_for_the_caller(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("question")
        await fake_discord.slash("answer", {"text": GOOD_ANSWER})
        mine = await fake_discord.slash("stats")
        await mine.finished()
        theirs = await fake_discord.slash("stats", {"member": fake_discord.owner["id"]})
        await theirs.finished()
        files = fake_discord.files_of(mine.final)
        their_files = fake_discord.files_of(theirs.final)
    assert mine.callback_type == 5 and mine.ephemeral  # deferred: drawing may take a moment
    assert [f.filename for f in files] == ["stats.png"] and files[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert mine.final["embeds"][0]["image"]["url"] == "attachment://stats.png"
    assert "さんの学習の記録" in mine.final["embeds"][0]["title"]
    assert theirs.ephemeral and len(their_files) == 1
    assert theirs.final["embeds"][0]["title"].startswith("Guild Owner さんの学習の記録")


async def test_daily_points_count_the_first_answer_before_the_reveal(fake_discord: FakeDiscord, tmp_path):
    fake, clock = fake_discord, FakeClock()
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    bot = make_bot(tmp_path / "bot.sqlite3", clock)
    async with running(fake, bot):
        await setup_daily(fake, channel)
        clock.now = at(TOKYO, 11, 26, 9)
        await bot.daily_scheduler.fire_slot(fake.guild_id)
        [post] = daily_posts(fake, channel)
        post_id = custom_ids(post)[0].split(":")[2]
        clock.now = at(TOKYO, 11, 26, 9, 5)
        first = await answer_daily(fake, post, fake.alice, GOOD_ANSWER)
        retry = await answer_daily(fake, post, fake.alice, GOOD_ANSWER + "追記です。")
        asked = await fake.click(post, f"daily:reveal:{post_id}", user=fake.owner)  # the Reveal button under the post
        show = next(i for i in ids(asked) if i.startswith("study:reveal-ok:"))
        await fake.click(asked, show, user=fake.owner)  # Show, on the card that asked first
        clock.now = at(TOKYO, 11, 26, 9, 10)
        after_reveal = await answer_daily(fake, post, fake.owner, GOOD_ANSWER)
        rated = await fake.click(await fake.slash("reveal", {"question": "junior-06"}), "review:rate:junior-06:again")
        board = await fake.slash("leaderboard", {"period": "all", "by": "points"})
    assert field(first, "ポイント (points)").startswith("**+")
    assert "最初に採点された回答" in field(retry, "ポイント (points)")
    assert "模範解答を表示した後" in field(after_reveal, "ポイント (points)") and "連続 1 回" in embed_text(after_reveal)
    assert "2026-11-27 (Asia/Tokyo)" in embed_text(rated)  # the review day is the server's day
    assert "Alice" in embed_text(board) and "Guild Owner" not in embed_text(board)


async def test_charts_are_drawn_in_other_processes_while_other_commands_are_answered(fake_discord: FakeDiscord, db_path):
    import multiprocessing

    fake = fake_discord
    bot = make_study_bot(db_path)
    async with running_bot(fake, bot):
        charts = [await fake.slash("stats", wait=False) for _ in range(5)]
        probe = await fake.slash("help")  # while the charts are drawn
        for rec in charts:
            await rec.finished(timeout=60)
        workers = multiprocessing.active_children()
    assert probe.latency is not None and probe.latency < 1.0
    assert all(fake.files_of(rec.final)[0].data[:8] == b"\x89PNG\r\n\x1a\n" for rec in charts)
    assert 1 <= len(workers) <= 2  # the bounded pool drew them (bot.frontends.discord.drawing)
