"""/privacy export, forget and its confirmation through the command layer, with a front end that says who
manages the server and who is still in it."""
from __future__ import annotations

import asyncio
import gzip
import json

import pytest

from bot.bootstrap import build_services
from bot.commands import privacy
from bot.commands.spec import Invocation, MemberRef, Reply
from bot.commands.table import command
from bot.core.errors import StudyError
from tests.commands.test_handlers import CHANNEL, GUILD, USER, StubSurface

OTHER = 31


class Surface(StubSurface):
    def __init__(self, *, manager: bool = False, present: bool | None = False):
        super().__init__(scheduled=True)
        self.manager, self.present = manager, present
        self.asked: list[int] = []

    def manages_server(self) -> bool:
        return self.manager

    async def in_server(self, guild_id: int, user_id: int) -> bool | None:
        self.asked.append(user_id)
        return self.present


def run(services, name: str, surface: Surface | None = None, user: int = USER, **args) -> Reply:
    ctx = Invocation(services, surface or Surface(), user, "太郎", GUILD, CHANNEL)
    return asyncio.run(command(name).handler(ctx, args))


@pytest.fixture
def services(study):
    services = build_services(study)
    for user, text in ((USER, "太郎の回答です、過学習を防ぎます"), (OTHER, "花子の回答です")):
        study.draw(GUILD, user, "junior", display_name="太郎" if user == USER else "花子")
        services.answering.answer(GUILD, user, text, display_name="太郎" if user == USER else "花子")
    study.draw(GUILD + 1, USER, "junior")
    services.answering.answer(GUILD + 1, USER, "別のサーバーの回答")
    return services


def test_export_is_a_json_file_of_the_members_rows_in_this_server(services):
    reply = run(services, "privacy export")
    assert not reply.public and len(reply.attachments) == 1 and reply.attachments[0].filename.endswith(".json")
    data = json.loads(reply.attachments[0].data)
    assert [a["text"] for a in data["answers"]] == ["太郎の回答です、過学習を防ぎます"]
    assert "花子" not in reply.attachments[0].data.decode() and "別のサーバー" not in reply.attachments[0].data.decode()
    assert reply.attachments[0].filename in reply.cards[0].description
    assert "回答 (answers, with scores and feedback): 1" in reply.cards[0].fields[0][1]


def test_a_large_export_is_compressed(services, monkeypatch):
    plain = len(run(services, "privacy export").attachments[0].data)
    monkeypatch.setattr(privacy, "ATTACHMENT_LIMIT", plain - 1)
    reply = run(services, "privacy export")
    assert reply.attachments[0].filename.endswith(".json.gz")
    assert json.loads(gzip.decompress(reply.attachments[0].data))["answers"][0]["text"].startswith("太郎の回答")


def test_forget_asks_first_and_the_confirmation_deletes(services, clock):
    asked = run(services, "privacy forget")
    assert [a.kind for a in asked.actions] == ["forget", "forget_cancel"]
    assert asked.actions[0].value == f"{USER}:{int(clock.now.timestamp())}" and asked.actions[0].typed == "/privacy confirm"
    assert "回答 (answers, with scores and feedback): 1" in asked.cards[0].fields[0][1]
    assert services.privacy.stored(GUILD, USER)["answers"] == 1  # nothing deleted yet
    clock.advance(minutes=14)
    done = run(services, "privacy confirm", member=MemberRef(USER, ""), issued=int(asked.actions[0].value.split(":")[1]))
    assert done.cards[0].title == "削除しました (forgotten)" and "回答 (answers, with scores and feedback): 1" in done.cards[0].fields[0][1]
    assert not any(services.privacy.stored(GUILD, USER).values())
    assert services.privacy.stored(GUILD, OTHER)["answers"] == 1 and services.privacy.stored(GUILD + 1, USER)["answers"] == 1
    nothing = run(services, "privacy forget")
    assert nothing.actions == () and "保存されているデータはありません" in nothing.cards[0].title


def test_an_old_confirmation_is_refused(services, clock):
    asked = run(services, "privacy forget")
    clock.advance(minutes=16)
    with pytest.raises(StudyError, match="期限切れ"):
        run(services, "privacy confirm", issued=int(asked.actions[0].value.split(":")[1]))
    assert services.privacy.stored(GUILD, USER)["answers"] == 1


def test_cancel_deletes_nothing(services):
    assert "キャンセル" in run(services, "privacy cancel").cards[0].title
    assert services.privacy.stored(GUILD, USER)["answers"] == 1


def test_only_a_manager_forgets_another_member_and_only_one_who_left(services):
    hanako = MemberRef(OTHER, "花子")
    with pytest.raises(StudyError, match="サーバー管理者"):
        run(services, "privacy forget", Surface(manager=False, present=False), member=hanako)
    with pytest.raises(StudyError, match="花子 さんはまだこのサーバーのメンバーです"):
        run(services, "privacy forget", Surface(manager=True, present=True), member=hanako)
    with pytest.raises(StudyError, match="花子 さんはまだ"):  # checked again on confirming (a button knows only the id)
        run(services, "privacy confirm", Surface(manager=True, present=True), member=MemberRef(OTHER, ""))
    asked = run(services, "privacy forget", Surface(manager=True, present=False), member=hanako)
    assert asked.actions[0].value.startswith(f"{OTHER}:") and asked.actions[0].typed == "/privacy confirm 花子"
    assert "花子 さんのデータを削除しますか" in asked.cards[0].title
    done = run(services, "privacy confirm", Surface(manager=True, present=None), member=hanako)  # the terminal: no member list
    assert "花子 さん" in done.cards[0].description and services.privacy.stored(GUILD, OTHER)["answers"] == 0
    assert services.privacy.stored(GUILD, USER)["answers"] == 1


def test_naming_yourself_is_your_own_forget(services):
    surface = Surface(manager=False)
    asked = run(services, "privacy forget", surface, member=MemberRef(USER, "太郎"))
    assert asked.actions[0].typed == "/privacy confirm" and surface.asked == []
