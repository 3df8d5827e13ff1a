"""/question, /answer, /reveal, /help through the real discord.py client and the fake Discord."""
from __future__ import annotations

import logging

import pytest

from bot.core.errors import StudyError
from tests.conftest import parsed_bank

from .fake_discord import FakeDiscord, Perm, running_bot
from .helpers import embed_text, ids, make_study_bot

pytestmark = pytest.mark.asyncio


def next_button(record) -> dict:
    return next(c for row in record.components for c in row["components"] if c.get("custom_id", "").endswith(":next"))


async def test_commands_are_synced_with_japanese_descriptions(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        synced = {c["name"]: c for c in fake_discord.commands()}
    assert set(synced) >= {"question", "answer", "reveal", "help"}  # the daily commands: tests/e2e/test_daily.py
    assert synced["question"]["description_localizations"]["ja"] == "最近出ていない練習問題を出します"
    assert synced["question"]["contexts"] == [0]  # servers only: DMs do not offer it
    assert {o["name"] for o in synced["question"]["options"]} == {"level", "category"}


async def test_dev_guild_sync_puts_commands_in_that_server(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path, dev_guild_id=int(fake_discord.guild_id))):
        assert {c["name"] for c in fake_discord.commands(guild=fake_discord.guild_id)} >= {"question", "help"}
    assert fake_discord.requests_for("bulk_set_guild_application_commands")


async def test_question_is_posted_publicly_with_answer_and_reveal_buttons(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rec = await fake_discord.slash("question", {"level": "junior"})
    assert rec.callback_type == 4 and not rec.ephemeral and rec.latency < 3
    text = embed_text(rec)
    qid = next(i for i in ids(rec) if i.startswith("study:answer:")).split(":")[2]
    assert qid.startswith("junior-") and qid in text
    assert "希少性" in text and "難易度" in text
    assert f"study:reveal:{qid}" in ids(rec)


async def test_category_autocomplete_follows_the_level(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        choices = await fake_discord.autocomplete("question", "category", "", {"level": "senior"})
        narrowed = await fake_discord.autocomplete("question", "category", "特徴")
        rec = await fake_discord.slash("question", {"category": "特徴量エンジニアリング"})
    assert [c["value"] for c in choices] == ["高度な機械学習", "特徴量エンジニアリング", "モデルのデプロイと本番環境"]
    assert [c["value"] for c in narrowed] == ["特徴量エンジニアリング"]
    assert "特徴量エンジニアリング" in embed_text(rec)


async def test_answer_button_opens_a_modal_and_the_answer_is_stored(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        question = await fake_discord.slash("question", {"level": "senior"})
        qid = ids(question)[0].split(":")[2]
        opened = await fake_discord.click(question, f"study:answer:{qid}")
        assert opened.callback_type == 9
        saved = await fake_discord.submit_modal(opened, {"answer_text": "バイアスとバリアンスのバランスを取ります"})
    assert saved.ephemeral and "回答を記録しました" in embed_text(saved)
    answers = list(bot.study.db.query("select question_id, text from answers"))
    assert answers == [{"question_id": qid, "text": "バイアスとバリアンスのバランスを取ります"}]


async def test_answer_command_with_text_and_with_the_modal(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("question")
        direct = await fake_discord.slash("answer", {"text": "交差検証で汎化性能を確かめます"})
        opened = await fake_discord.slash("answer")
        assert opened.callback_type == 9
        via_modal = await fake_discord.submit_modal(opened, {"answer_text": "二回目の回答"})
    assert direct.ephemeral and via_modal.ephemeral
    assert [r["text"] for r in bot.study.db.query("select text from answers order by id")] == [
        "交差検証で汎化性能を確かめます", "二回目の回答"]


async def test_bad_input_gets_a_clear_ephemeral_message_and_nothing_is_stored(fake_discord: FakeDiscord, db_path):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        no_question = await fake_discord.slash("answer", {"text": "答え"})
        no_modal = await fake_discord.slash("answer")
        await fake_discord.slash("question")
        blank = await fake_discord.slash("answer", {"text": "   "})
        unknown = await fake_discord.slash("reveal", {"question": "junior-99"})
    for rec in (no_question, no_modal):
        assert rec.ephemeral and "/question" in embed_text(rec)
    assert blank.ephemeral and "回答が空です" in embed_text(blank)
    assert blank.attachments == []  # nothing typed, so no your_answer.txt to keep
    assert unknown.ephemeral and "junior-99" in embed_text(unknown)
    assert bot.study.db["answers"].count == 0


async def test_reveal_is_ephemeral_paged_and_shows_real_output(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rec = await fake_discord.slash("reveal", {"question": "junior-06"})
        assert rec.ephemeral and "模範解答" in embed_text(rec)
        pages = [embed_text(rec)]
        while not next_button(rec).get("disabled"):
            rec = await fake_discord.click(rec, next_button(rec)["custom_id"])
            assert rec.callback_type == 7 and rec.ephemeral
            pages.append(embed_text(rec))
            assert len(pages) < 10
    everything = "\n".join(pages)
    assert "バギング" in everything and "Random Forest CV: 0.899 (+/- 0.024)" in everything
    assert "ページ 1/" in pages[0]


async def test_reveal_discloses_the_code_added_to_run_a_snippet(fake_discord: FakeDiscord, db_path):
    """A snippet run with a setup (a stand-in model, say): the reveal, read back from the database, shows it."""
    questions, _ = parsed_bank()
    q = next(q for q in questions if q.snippets and q.snippets[-1].setup)
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rec = await fake_discord.slash("reveal", {"question": q.id})
        pages = [embed_text(rec)]
        while not next_button(rec).get("disabled") and len(pages) < 20:
            rec = await fake_discord.click(rec, next_button(rec)["custom_id"])
            pages.append(embed_text(rec))
    everything = "\n".join(pages)
    assert "実行のための準備" in everything and "前に実行 (setup)" in everything
    assert all(line in everything for line in q.snippets[-1].setup.splitlines())
    assert everything.index(q.snippets[-1].code.splitlines()[-1]) < everything.rindex("実行のための準備")


async def test_reveal_autocomplete_finds_ids_and_japanese_words(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        by_id = await fake_discord.autocomplete("reveal", "question", "senior-1")
        by_word = await fake_discord.autocomplete("reveal", "question", "不均衡")
    assert [c["value"] for c in by_id] == ["senior-10", "senior-11", "senior-12", "senior-13", "senior-14"]
    assert {"junior-07", "senior-08"} <= {c["value"] for c in by_word}
    assert all(len(c["name"]) <= 100 for c in by_id + by_word)


async def test_help_works_in_dms_and_lists_every_command(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rec = await fake_discord.slash("help", dm=True)
    text = embed_text(rec)
    assert all(c in text for c in ("/question", "/answer", "/reveal", "/help")) and "使い方" in text


async def test_question_is_posted_where_the_bot_itself_may_not_post_threads_included(fake_discord: FakeDiscord, db_path):
    # the question is the interaction's response: Discord takes it whatever the bot's channel permissions
    fake_discord.deny_bot(fake_discord.channel_id, Perm.SEND_MESSAGES | Perm.EMBED_LINKS)
    thread = fake_discord.add_thread(fake_discord.channel_id, "練習スレッド")
    async with running_bot(fake_discord, make_study_bot(db_path)):
        in_channel = await fake_discord.slash("question", {"level": "junior"})
        in_thread = await fake_discord.slash("question", {"level": "senior"}, channel_id=thread["id"])
        qid = ids(in_thread)[0].split(":")[2]
        reveal = await fake_discord.click(in_thread, f"study:reveal:{qid}")
    for rec in (in_channel, in_thread):
        assert rec.callback_type == 4 and not rec.ephemeral and embed_text(rec).startswith("問題:")
    assert in_thread.message["channel_id"] == thread["id"] and qid.startswith("senior-")
    assert reveal.ephemeral and "模範解答" in embed_text(reveal)


async def test_unexpected_errors_are_logged_and_the_member_gets_an_apology(fake_discord: FakeDiscord, db_path, caplog):
    bot = make_study_bot(db_path)

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    bot.study.draw = broken
    with caplog.at_level(logging.ERROR):
        async with running_bot(fake_discord, bot):
            rec = await fake_discord.slash("question")
    assert rec.ephemeral and "申し訳ありません" in embed_text(rec) and "database on fire" not in embed_text(rec)
    assert any("unexpected error in /question" in r.getMessage() for r in caplog.records)


async def test_buttons_on_a_message_posted_before_a_restart_still_work(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        question = await fake_discord.slash("question", {"level": "junior"})
    qid = ids(question)[0].split(":")[2]
    restarted = make_study_bot(db_path)
    async with running_bot(fake_discord, restarted):
        reveal = await fake_discord.click(question, f"study:reveal:{qid}")
        opened = await fake_discord.click(question, f"study:answer:{qid}")
        saved = await fake_discord.submit_modal(opened, {"answer_text": "再起動後の回答"})
    assert reveal.ephemeral and "模範解答" in embed_text(reveal)
    assert saved.ephemeral and restarted.study.db["answers"].count == 1


async def test_an_answer_box_opened_before_a_restart_is_not_lost(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        question = await fake_discord.slash("question", {"level": "junior"})
        qid = ids(question)[0].split(":")[2]
        opened = await fake_discord.click(question, f"study:answer:{qid}")
        opened_by_command = await fake_discord.slash("answer")
    restarted = make_study_bot(db_path)
    async with running_bot(fake_discord, restarted):
        saved = await fake_discord.submit_modal(opened, {"answer_text": "再起動の前に書き始めた回答"})
        blank = await fake_discord.submit_modal(opened_by_command, {"answer_text": "   "})
    assert saved.ephemeral and "回答を記録しました" in embed_text(saved)
    assert blank.ephemeral and "回答が空です" in embed_text(blank)
    rows = list(restarted.study.db.query("select question_id, text from answers"))
    assert rows == [{"question_id": qid, "text": "再起動の前に書き始めた回答"}]


async def test_reveal_without_a_current_question_says_to_draw_one(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        rec = await fake_discord.slash("reveal")
    assert rec.ephemeral and "/question" in embed_text(rec) and "模範解答" not in embed_text(rec)


async def test_previous_page_button_goes_back(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        first = await fake_discord.slash("reveal", {"question": "junior-06"})
        page_one = embed_text(first)  # the buttons edit this one message, so each page is read when shown
        assert ids(first)[0].endswith(":prev") and first.components[0]["components"][0].get("disabled")
        second = await fake_discord.click(first, next_button(first)["custom_id"])
        page_two = embed_text(second)
        back = await fake_discord.click(second, next(i for i in ids(second) if i.endswith(":prev")))
    assert "ページ 1/" in page_one and "ページ 2/" in page_two
    assert back.callback_type == 7 and back.ephemeral and embed_text(back) == page_one


async def test_page_buttons_of_a_reveal_work_after_a_restart(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        first = await fake_discord.slash("reveal", {"question": "junior-06"})
    async with running_bot(fake_discord, make_study_bot(db_path)):
        second = await fake_discord.click(first, next_button(first)["custom_id"])
    assert second.callback_type == 7 and "ページ 2/" in embed_text(second)


async def test_every_command_option_and_choice_has_a_japanese_localization(fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        synced = fake_discord.commands()
    missing = []

    def walk(item: dict, path: str) -> None:
        if not (item.get("description_localizations") or {}).get("ja"):
            missing.append(path)
        for option in item.get("options") or []:
            walk(option, f"{path} {option['name']}")
            missing.extend(f"{path} {option['name']}={c['value']}" for c in option.get("choices") or []
                           if not (c.get("name_localizations") or {}).get("ja"))

    for command in synced:
        walk(command, "/" + command["name"])
        assert not command.get("name_localizations"), "command names stay as the README writes them"
    assert len(synced) >= 9 and missing == []


async def test_over_long_options_are_refused_by_discord_and_the_longest_get_a_reply_within_limits(
        fake_discord: FakeDiscord, db_path):
    async with running_bot(fake_discord, make_study_bot(db_path)):
        options = {c["name"]: {o["name"]: o for o in c.get("options", [])} for c in fake_discord.commands()}
        for name, option, value in (("reveal", "question", "x" * 5000), ("question", "category", "y" * 5000)):
            with pytest.raises(ValueError, match="max_length"):  # Discord's client does not send it
                await fake_discord.slash(name, {option: value})
        unknown = await fake_discord.slash("reveal", {"question": "x" * 64})
        no_category = await fake_discord.slash("question", {"category": "y" * 100})
    assert options["reveal"]["question"]["max_length"] == 64 and options["question"]["category"]["max_length"] == 100
    for rec, typed in ((unknown, "x"), (no_category, "y")):
        text = embed_text(rec)
        assert rec.ephemeral and rec.callback_type == 4 and len(rec.embeds[0]["description"]) < 300
        assert typed * 40 in text and typed * 51 not in text  # quoted, shortened


async def test_a_message_discord_refuses_still_leaves_the_member_an_apology(fake_discord: FakeDiscord, db_path, caplog):
    bot = make_study_bot(db_path)

    def too_long(*args, **kwargs):
        raise StudyError("長" * 5000)

    bot.study.draw = too_long
    with caplog.at_level(logging.ERROR):
        async with running_bot(fake_discord, bot):
            rec = await fake_discord.slash("question")
    refused = fake_discord.take_violations()
    assert len(refused) == 1 and "4096" in " ".join(refused[0].errors)
    assert rec.ephemeral and "申し訳ありません" in embed_text(rec)
    assert any("Discord refused the message for StudyError in /question" in r.getMessage() for r in caplog.records)


async def test_an_interaction_answered_too_late_is_a_warning_and_no_apology_is_tried(fake_discord: FakeDiscord, db_path, caplog):
    fake = fake_discord
    bot = make_study_bot(db_path)
    async with running_bot(fake, bot):
        fake.interaction_deadline = 0.0  # every answer is late: Discord replies 10062 Unknown interaction
        with caplog.at_level(logging.WARNING, logger="bot"):
            rec = await fake.slash("help", wait=False)
            await fake.wait_for(lambda: rec.late, what="the late callback")
            await fake.wait_for(lambda: any("3 seconds" in r.getMessage() for r in caplog.records), what="the warning")
        fake.interaction_deadline = 3.0
        assert fake.take_late_callbacks() == [rec]
    late = [r for r in caplog.records if "3 seconds" in r.getMessage()]
    assert [r.levelno for r in late] == [logging.WARNING] and fake.bot_errors == []
    assert rec.followups == [] and not any(r.levelno >= logging.ERROR for r in caplog.records)


async def test_the_bot_answers_before_its_scorer_is_fitted_and_scores_those_answers_after(fake_discord: FakeDiscord, db_path,
                                                                                         monkeypatch):
    import threading

    from bot.config import Config
    from bot.frontends.discord import client
    from bot.frontends.discord.launch import build_discord_bot
    from db import practice

    from .helpers import make_study

    release = threading.Event()
    real_fit = client.fit_grader
    monkeypatch.setattr(client, "fit_grader", lambda questions: release.wait(30) and real_fit(questions))
    bot = build_discord_bot(Config(), make_study(db_path), scorer_later=True)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("question", {"level": "junior"})
        early = await fake_discord.slash("answer", {"text": "ドロップアウトや正則化で過学習を抑え、検証データで汎化性能を確かめます。"})
        assert "記録しました" in embed_text(early) and "自動採点" not in embed_text(early) and not bot.scorer_ready.is_set()
        release.set()
        await fake_discord.wait_for(bot.scorer_ready.is_set, what="the scorer to be fitted")
        [row] = practice.answers_of(bot.services.study.db, fake_discord.guild_id, int(fake_discord.alice["id"]))
        later = await fake_discord.slash("answer", {"text": "ドロップアウトや正則化で過学習を抑え、検証データで汎化性能を確かめます。"})
    assert row["score"] is not None and "自動採点" in embed_text(later)
