"""Commands run in study threads, off the event loop (bot.frontends.discord.study_thread): one member's slow
command never holds up another's, and a command slower than the budget is deferred, then delivered.

A "slow" command here is a service held on a threading.Event the test releases, so nothing sleeps."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from bot.frontends.discord import invoke

from .fake_discord import FakeDiscord, running_bot
from .helpers import embed_text, ids, make_study_bot

pytestmark = pytest.mark.asyncio
EPHEMERAL = 1 << 6


class Held:
    """Wraps a service method: every call waits until `release()` (at most 10 s), after saying it started."""

    def __init__(self, method: Callable[..., Any]):
        self.method, self.entered, self.released = method, threading.Event(), threading.Event()
        self.threads: list[str] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread().name)
        self.entered.set()
        assert self.released.wait(10), "the test never released the held service"
        return self.method(*args, **kwargs)

    def release(self) -> None:
        self.released.set()


async def test_a_slow_command_does_not_hold_up_another_members(fake_discord: FakeDiscord, db_path, monkeypatch):
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("question", {"level": "junior"})
        held = Held(bot.services.answering.answer)
        monkeypatch.setattr(bot.services.answering, "answer", held)
        slow = await fake_discord.slash("answer", {"text": "バギングは並列に学習します"}, wait=False)
        await fake_discord.wait_for(held.entered.is_set, what="alice's answer to reach the service")
        others = [await fake_discord.slash("question", user=fake_discord.owner), await fake_discord.slash("help")]
        assert slow.callback is None  # still held, while the others were answered
        held.release()
        await slow.finished()
    assert [r.callback_type for r in others] == [4, 4] and all(r.latency < 1 for r in others)
    assert "回答を記録しました" in embed_text(slow)
    assert held.threads and all(name.startswith("study") for name in held.threads)  # not the event loop's thread


async def test_a_command_slower_than_the_budget_is_deferred_then_delivered(fake_discord: FakeDiscord, db_path, monkeypatch):
    monkeypatch.setattr(invoke, "ANSWER_BUDGET", 0.05)
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        await fake_discord.slash("question", {"level": "junior"})
        held = Held(bot.services.answering.answer)
        monkeypatch.setattr(bot.services.answering, "answer", held)
        rec = await fake_discord.slash("answer", {"text": "バギングは並列に学習します"})
        assert rec.callback_type == 5 and rec.thinking and rec.ephemeral  # deferred, only to the member
        held.release()
        await rec.finished()
    assert not rec.thinking and rec.ephemeral and "回答を記録しました" in embed_text(rec)
    assert rec.latency < 1


async def test_a_deferred_public_reply_stays_public_and_a_wrong_guess_is_corrected(fake_discord: FakeDiscord, db_path,
                                                                                   monkeypatch):
    monkeypatch.setattr(invoke, "ANSWER_BUDGET", 0.05)
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        held = Held(bot.services.study.draw)
        monkeypatch.setattr(bot.services.study, "draw", held)
        drawn = await fake_discord.slash("question", {"level": "junior"})
        none_left = await fake_discord.slash("question", {"category": "存在しないカテゴリ"})
        assert drawn.callback_type == 5 and not drawn.ephemeral  # a question is for the channel
        assert none_left.callback_type == 5 and not none_left.ephemeral  # guessed public too...
        held.release()
        await drawn.finished()
        await fake_discord.wait_for(lambda: none_left.followups, what="the error as a follow-up")
    assert not drawn.ephemeral and any(i.startswith("study:answer:") for i in ids(drawn))
    assert none_left.message is None  # ...so the public "thinking" message went
    [error] = none_left.followups
    assert error["flags"] & EPHEMERAL and "問題が見つかりません" in error["embeds"][0]["description"]


async def test_a_deferred_answer_box_says_to_press_again_and_a_deferred_page_edits_its_message(
        fake_discord: FakeDiscord, db_path, monkeypatch):
    monkeypatch.setattr(invoke, "ANSWER_BUDGET", 0.05)
    bot = make_study_bot(db_path)
    async with running_bot(fake_discord, bot):
        question = await fake_discord.slash("question", {"level": "junior"})
        qid = ids(question)[0].split(":")[2]
        revealed = await fake_discord.slash("reveal")
        held = Held(bot.services.study.question)
        monkeypatch.setattr(bot.services.study, "question", held)
        box = await fake_discord.click(question, f"study:answer:{qid}")
        page = await fake_discord.click(revealed, f"study:page:{qid}:2:next")
        held.release()
        await box.finished()
        await page.finished()
    assert box.callback_type == 5 and "もう一度押してください" in box.final["content"]
    assert page.callback_type == 6 and page.edits  # deferred as an update: the reveal message itself shows page 2
    assert f"{qid} ・ ページ 2/" in embed_text(revealed)
