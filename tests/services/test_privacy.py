"""A member's export and forget stay inside one server and one member; a server the bot left is deleted
after the grace period, unless the bot is invited back first."""
from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from bot.services import Study
from bot.services.daily import Daily
from bot.services.privacy import SNOWFLAKE_MIN, Privacy
from bot.services.progress import Progress
from bot.services.review import Review
from db import privacy as store
from db import progress as progress_store
from tests.services.test_progress import START, TOKYO, Days, ScriptedGrader, Server

A, B = 1, 2  # servers
HANAKO, TARO = 7, 8  # members (of both servers)


@pytest.fixture
def world(loaded_db, clock):
    """Three daily questions in server A answered (with scores) by both members; Hanako also drew, revealed
    and rated there, and practised in server B; server B has a daily question set up too."""
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(loaded_db, clock, random.Random(5), grader=ScriptedGrader())
    daily.setup(A, 100, "09:00", "Asia/Tokyo", "mixed", by=HANAKO)
    daily.setup(B, 200, "09:00", "Asia/Tokyo", "mixed", by=TARO)
    server = Server(daily, A, TOKYO)
    study = Study(loaded_db, clock, random.Random(3))
    for day in range(3):
        days.at(9)
        server.post()
        days.at(12)
        server.answer(HANAKO, "はなこ", text=f"{60 + day} はなこの回答 {day}")
        server.answer(TARO, "たろう", text=f"{50 + day} たろうの回答 {day}")
        days.next()
    days.at(13)
    study.draw(A, HANAKO, display_name="はなこ")
    question = study.reveal(A, HANAKO, "junior-06")
    Review(loaded_db, clock).rate(A, HANAKO, question.id, "good")
    study.draw(B, HANAKO, display_name="はなこB")
    study.answer(B, HANAKO, "サーバーBでの回答", display_name="はなこB")
    study.draw(B, TARO, display_name="たろうB")
    return Privacy(loaded_db, clock), loaded_db, clock


def test_export_holds_every_row_of_the_member_in_that_server_and_nothing_else(world):
    privacy, _, _ = world
    data = json.loads(json.dumps(privacy.export(A, HANAKO), ensure_ascii=False))  # JSON-ready as it is
    assert (data["guild_id"], data["user_id"], data["member"]["display_name"]) == (A, HANAKO, "はなこ")
    assert [a["text"] for a in data["answers"]] == ["60 はなこの回答 0", "61 はなこの回答 1", "62 はなこの回答 2"]
    assert data["answers"][0]["score"] == 60 and data["answers"][0]["covered"] == ["a"]  # feedback as values, not JSON text
    assert all(a["daily_post_id"] for a in data["answers"])
    assert [d["question_id"] for d in data["draws"]] and data["reveals"][0]["question_id"] == "junior-06"
    assert data["review_cards"][0]["question_id"] == "junior-06" and data["review_log"][0]["rating"] == "good"
    assert data["streak"]["run"] == 3 and data["streak"]["answered"] == 3
    assert {row["period_key"] for row in data["board_stats"]} >= {"all"}
    assert sum(row["points"] for row in data["board_stats"] if row["period_key"] == "all") == 60 + 61 + 62
    assert data["changed_daily_settings_last"] is True
    text = json.dumps(data, ensure_ascii=False)
    assert "たろう" not in text and "サーバーB" not in text and "はなこB" not in text
    assert privacy.stored(A, HANAKO) == {"answers": 3, "draws": 1, "reveals": 1, "hints": 0, "review_cards": 1, "review_log": 1,
                                         "streaks": 1, "board_stats": len(data["board_stats"]), "members": 1,
                                         "milestones": 0, "milestone_grants": 0, "reminders": 0, "reminder_log": 0}


def test_forget_deletes_only_that_member_in_that_server_and_the_boards_follow(world):
    privacy, db, _ = world
    taro_before = progress_store.streak_state(db, A, TARO)
    others_before = {t: store.member_counts(db, A, TARO)[t] for t in store.MEMBER_TABLES}
    hanako_in_b = store.member_counts(db, B, HANAKO)
    assert [e.user_id for e in Progress(db).leaderboard(A, "all", "points").entries] == [HANAKO, TARO]

    forgotten = privacy.forget(A, HANAKO)

    assert forgotten.name == "はなこ" and forgotten.deleted["answers"] == 3 and forgotten.deleted["members"] == 1
    assert forgotten.total == sum(forgotten.deleted.values()) > 8
    assert not any(store.member_counts(db, A, HANAKO).values())
    assert store.member_counts(db, A, TARO) == others_before and store.member_counts(db, B, HANAKO) == hanako_in_b
    assert progress_store.streak_state(db, A, TARO) == taro_before
    for by in ("streak", "answers", "points"):
        assert [e.user_id for e in Progress(db).leaderboard(A, "all", by).entries] == [TARO], by
    assert store.changed_daily_settings(db, A, HANAKO) is False  # the settings stay, without her id
    assert Daily(db, world[2]).settings(A).channel_id == 100
    boards = list(db.query("select * from board_stats where guild_id = ? order by period_key, user_id", [A]))
    progress_store.rebuild(db, A)
    assert list(db.query("select * from board_stats where guild_id = ? order by period_key, user_id", [A])) == boards
    assert privacy.forget(A, HANAKO).total == 0  # twice: nothing left to delete


def test_a_server_left_is_deleted_after_the_grace_period_and_only_that_server(world):
    privacy, db, clock = world
    a_before = {u: store.member_counts(db, A, u) for u in (HANAKO, TARO)}
    privacy.departed(B)
    clock.advance(days=29, hours=23)
    assert privacy.sweep(timedelta(days=30)) == {} and store.guilds_with_data(db) >= {A, B}
    clock.advance(hours=1)
    swept = privacy.sweep(timedelta(days=30))
    assert list(swept) == [B] and swept[B]["answers"] == 1 and swept[B]["daily_settings"] == 1
    assert B not in store.guilds_with_data(db) and privacy.pending() == {}
    assert {u: store.member_counts(db, A, u) for u in (HANAKO, TARO)} == a_before
    assert Daily(db, clock).schedules()[0].guild_id == A


def test_coming_back_before_the_grace_period_ends_cancels_the_deletion(world):
    privacy, db, clock = world
    privacy.departed(B)
    clock.advance(days=10)
    privacy.departed(B)  # a second removal notice keeps the first time
    assert privacy.pending()[B] == clock.now - timedelta(days=10)
    assert privacy.returned(B) is True and privacy.returned(B) is False
    clock.advance(days=60)
    assert privacy.sweep(timedelta(days=30)) == {} and B in store.guilds_with_data(db)


def test_start_up_notes_servers_left_and_rejoined_while_offline(loaded_db, clock):
    privacy = Privacy(loaded_db, clock)
    left, staying, back = SNOWFLAKE_MIN * 10, SNOWFLAKE_MIN * 11, SNOWFLAKE_MIN * 12
    study = Study(loaded_db, clock, random.Random(1))
    for guild in (left, staying, back, 1):  # 1: the terminal's simulated server, never a Discord server
        study.draw(guild, HANAKO)
    privacy.departed(back)
    found = privacy.reconcile([staying, back])
    assert (found.marked, found.cancelled) == ((left,), (back,))
    assert set(privacy.pending()) == {left}
    assert privacy.reconcile([staying, back]).marked == ()  # already counting down: its first time is kept


def test_every_table_with_member_or_server_ids_is_covered(loaded_db):
    tables = {t.name: set(t.columns_dict) for t in loaded_db.tables}
    with_members = {name for name, columns in tables.items() if "user_id" in columns}
    with_servers = {name for name, columns in tables.items() if "guild_id" in columns}
    assert with_members == set(store.MEMBER_TABLES)
    assert with_servers - {"guild_departures"} == set(store.MEMBER_TABLES + store.SERVER_TABLES)
