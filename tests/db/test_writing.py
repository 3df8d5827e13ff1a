"""Every write takes the write lock at its start and waits for it within a bound (db.connection.writing)."""
from __future__ import annotations

import time

import pytest

from bot.core.errors import StorageBusy
from db import connection, practice
from db.connection import open_database, writing
from tests.conftest import T0, bank_database, write_lock_held


@pytest.fixture
def file_db(tmp_path):
    db = bank_database(tmp_path / "bot.sqlite3")
    yield db
    db.close()


def test_an_answer_waits_for_a_lock_held_two_seconds_and_is_stored(file_db, tmp_path):
    with write_lock_held(tmp_path / "bot.sqlite3", seconds=2):
        started = time.monotonic()
        answer_id = practice.record_answer(file_db, 1, 2, "junior-06", "バギングは並列に学習します", T0, display_name="花子")
        waited = time.monotonic() - started
    assert 1.0 < waited < connection.WRITE_WAIT_SECONDS + 1
    assert [(a["id"], a["text"]) for a in practice.answers_of(file_db, 1, 2)] == [(answer_id, "バギングは並列に学習します")]


def test_a_read_before_the_write_no_longer_fails_at_once(file_db, tmp_path):
    """db.atomic()'s deferred BEGIN read first and then asked for the lock: SQLite refuses that upgrade at
    once (SQLITE_BUSY, no wait) while another process writes. The lock is now taken before the read."""
    with write_lock_held(tmp_path / "bot.sqlite3", seconds=1), writing(file_db):
        seen = file_db.execute("select count(*) from lock_holder").fetchone()[0]
        practice.record_reveal(file_db, 1, 2, "junior-06", T0)
    assert seen == 1  # the holder's row: the transaction began after it committed
    assert practice.reveal_times(file_db, 1, 2, "junior-06") == [T0]


def test_a_lock_held_past_the_bound_is_storage_busy_and_nothing_is_written(file_db, tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.3)
    with write_lock_held(tmp_path / "bot.sqlite3"):
        started = time.monotonic()
        with pytest.raises(StorageBusy) as raised:
            practice.record_answer(file_db, 1, 2, "junior-06", "保存されない回答", T0)
        waited = time.monotonic() - started
    assert 0.25 < waited < 2
    assert "混み合っていて" in raised.value.message
    assert practice.answers_of(file_db, 1, 2) == []
    assert not file_db.conn.in_transaction  # the connection is usable again once the lock is free
    practice.record_answer(file_db, 1, 2, "junior-06", "あとで保存", T0)
    assert [a["text"] for a in practice.answers_of(file_db, 1, 2)] == ["あとで保存"]


def test_writing_rolls_back_everything_on_an_error_and_nests_as_a_savepoint():
    db = open_database(None)
    with pytest.raises(RuntimeError), writing(db):
        db.table("members").insert({"guild_id": 1, "user_id": 2, "display_name": "a", "updated_at": "x"})
        raise RuntimeError("half-way")
    assert db["members"].count == 0
    with writing(db):
        db.table("members").insert({"guild_id": 1, "user_id": 2, "display_name": "a", "updated_at": "x"})
        with pytest.raises(RuntimeError), writing(db):
            db.table("members").insert({"guild_id": 1, "user_id": 3, "display_name": "b", "updated_at": "x"})
            raise RuntimeError("inner")
    assert [r["user_id"] for r in db["members"].rows] == [2]
    assert not db.conn.in_transaction


def test_a_file_database_is_wal_with_normal_sync(tmp_path):
    from db.connection import open_database

    db = open_database(tmp_path / "bot.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL (FULL is 2)
