"""The command layer on its own: handlers take an Invocation and give a Reply, whatever front end asks."""
from __future__ import annotations

import asyncio

import pytest

from bot.bootstrap import build_services
from bot.commands.spec import Invocation, MemberRef, Reply
from bot.commands.table import COMMANDS, command
from bot.core.daily import DailyNotSetUp
from bot.core.errors import InvalidAnswer
from bot.services.daily import PostedMessage

GUILD, CHANNEL, USER = 10, 20, 30


class StubSurface:
    """A front end that can do everything and records what it was asked."""

    def __init__(self, *, scheduled: bool):
        self.posts_on_schedule = scheduled
        self.has_buttons = scheduled
        self.rescheduled: list[int] = []
        self.sent: list[int] = []

    def daily_channel(self):
        surface = self

        class Channel:
            async def find_post(self, post):
                return None

            async def send_post(self, post, question):
                surface.sent.append(post.id)
                return PostedMessage(1000 + post.id)

            async def send_reveal(self, post, question, sent):
                sent(1)

        return Channel()

    async def exclusive(self, guild_id, run):
        return await run()

    def reschedule(self, guild_id):
        self.rescheduled.append(guild_id)

    async def channel_problems(self, channel_id):
        return ()

    def default_timezone(self):
        return "Asia/Tokyo"

    def own_help(self):
        return (("/own", "front end's own"),)

    def shown_here(self):
        return ()


def run(study, name: str, *, scheduled: bool = True, guild: int | None = GUILD, **args) -> Reply:
    services = build_services(study)
    ctx = Invocation(services, StubSurface(scheduled=scheduled), USER, "太郎", guild, CHANNEL)
    return asyncio.run(command(name).handler(ctx, args))


def test_levels_are_understood_however_they_are_typed(study):
    for typed in ("junior", "ジュニア", "ｊｕｎｉｏｒ"):
        reply = run(study, "question", level=typed)
        assert reply.public and [a.kind for a in reply.actions] == ["answer", "reveal", "hint"]
        assert study.question(reply.actions[0].question_id).level == "junior"


def test_an_unknown_category_lists_the_categories(study):
    reply = run(study, "question", level="junior", category="量子計算")
    assert reply.cards[0].kind == "error" and "Pythonとプログラミング" in reply.cards[0].fields[0][1]


def test_answer_without_text_asks_for_it_and_a_server_is_needed(study):
    drawn = run(study, "question", level="senior").actions[0].question_id
    box = run(study, "answer").ask
    assert box is not None and box.question_id == drawn and box.post_id == 0
    with pytest.raises(InvalidAnswer, match="サーバー内") as refused:
        run(study, "answer", guild=None, text="DM からの回答")
    assert refused.value.text == "DM からの回答"  # every front end hands the text back with the reason


def test_an_answer_with_no_question_to_answer_keeps_its_text(study):
    with pytest.raises(InvalidAnswer, match="/question") as refused:
        run(study, "answer", text="まだ問題を引いていないのに書いた回答")
    assert refused.value.text == "まだ問題を引いていないのに書いた回答"
    with pytest.raises(InvalidAnswer) as unknown_post:
        run(study, "daily answer", post=999, text="存在しない投稿への回答")
    assert unknown_post.value.text == "存在しない投稿への回答"


def test_daily_now_sets_up_only_where_nothing_posts_on_schedule(study):
    scheduled = run(study, "daily now", scheduled=True)
    assert "/daily setup" in scheduled.cards[0].description and not scheduled.notes
    with pytest.raises(DailyNotSetUp):
        build_services(study).daily.settings(GUILD)  # nothing was set up behind the manager's back
    reply = run(study, "daily now", scheduled=False)
    assert "ターミナル用に日替わり問題を設定しました" in reply.notes[0] and "Asia/Tokyo" in reply.notes[0]


def test_a_shared_leaderboard_is_public_and_a_streak_can_be_anothers(study):
    assert run(study, "leaderboard", share=True).public and not run(study, "leaderboard").public
    card = run(study, "streak", member=MemberRef(99, "花子")).cards[0]
    assert "花子" in card.title


def test_help_lists_the_table_and_the_front_ends_own(study):
    text = run(study, "help", scheduled=False).cards[0].description
    assert all(f"**{c.usage}**" in text for c in COMMANDS) and "**/own**" in text
    in_discord = run(study, "help", scheduled=True).cards[0].description
    assert "/rate" not in in_discord  # a button there


# --- an answer that cannot be saved comes back to its writer ---------------------------------------


def _unsaved(monkeypatch, busy: bool = True):
    from bot.core.errors import StorageBusy
    from db import practice, progress

    def fail(*args, **kwargs):
        raise StorageBusy() if busy else RuntimeError("disk full")

    monkeypatch.setattr(practice, "record_answer", fail)
    monkeypatch.setattr(progress, "record_daily_answer", fail)


@pytest.mark.parametrize("busy", [True, False])
def test_an_unsaved_short_answer_comes_back_inline_with_a_send_again_button(study, monkeypatch, busy):
    from bot.presenters.kept import text_in_card

    q = study.draw(GUILD, USER, "junior")
    _unsaved(monkeypatch, busy)
    reply = run(study, "answer", text="  バギングは並列に学習します\n<@123>  ")
    card = reply.cards[0]
    assert card.kind == "error" and reply.error and reply.attachments == ()
    assert ("混み合っていた" if busy else "保存中にエラー") in card.description
    assert text_in_card(card.description) == "バギングは並列に学習します\n<@123>"
    assert [(a.kind, a.question_id, a.post_id) for a in reply.actions] == [("answer_again", q.id, 0)]


def test_an_unsaved_long_answer_comes_back_as_a_file(study, monkeypatch):
    from bot.presenters.kept import KEPT_FILENAME, text_in_card

    study.draw(GUILD, USER, "junior")
    _unsaved(monkeypatch)
    text = "長い回答です。" * 200
    reply = run(study, "answer", text=text)
    assert [(a.filename, a.data.decode()) for a in reply.attachments] == [(KEPT_FILENAME, text)]
    assert text_in_card(reply.cards[0].description) is None and KEPT_FILENAME in reply.cards[0].description
    with_fence = run(study, "answer", text="```python\nprint(1)\n```")  # its own fence would end the block
    assert with_fence.attachments[0].data.decode() == "```python\nprint(1)\n```"


def test_without_buttons_the_text_is_always_an_attachment_to_print(study, monkeypatch):
    study.draw(GUILD, USER, "junior")
    _unsaved(monkeypatch)
    reply = run(study, "answer", scheduled=False, text="短い回答")
    assert reply.attachments[0].data.decode() == "短い回答" and "```" not in reply.cards[0].description
    assert "/answer" in reply.cards[0].description


def test_send_again_opens_the_box_holding_the_text(study):
    q = study.draw(GUILD, USER, "junior")
    reply = run(study, "answer", question=q.id, draft="保存できなかった回答")
    assert reply.ask is not None and (reply.ask.question_id, reply.ask.text) == (q.id, "保存できなかった回答")
    assert run(study, "answer", question=q.id).ask.text == ""
