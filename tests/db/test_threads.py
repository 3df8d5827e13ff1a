"""A file database serves several threads at once: each has its own connection (db.connection.ThreadedDatabase)."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from db import practice
from db.connection import open_database, writing
from tests.conftest import T0, bank_database

THREADS, ANSWERS = 4, 25


def test_threads_read_and_write_one_file_database_at_once(tmp_path):
    db = bank_database(tmp_path / "bot.sqlite3")  # opened as the bot opens it
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def member(user_id: int) -> None:
        try:
            start.wait()
            for n in range(ANSWERS):
                with writing(db):  # a transaction of this thread's own, beside the others'
                    practice.record_answer(db, 1, user_id, "junior-06", f"回答 {n}", T0)
                    db.execute("select count(*) from answers").fetchone()
                assert len(practice.answers_of(db, 1, user_id)) == n + 1  # a read outside any transaction
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=member, args=(user_id,)) for user_id in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert db.per_thread
    assert db.execute("select count(*) from answers").fetchone()[0] == THREADS * ANSWERS
    db.close()


def test_each_thread_has_its_own_connection_with_the_same_pragmas_and_close_closes_all(tmp_path):
    db = open_database(tmp_path / "bot.sqlite3")
    seen: dict[str, object] = {}

    def other() -> None:
        seen["conn"] = db.conn
        seen["pragmas"] = [db.execute(f"PRAGMA {name}").fetchone()[0]
                           for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")]

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    mine = db.conn
    assert seen["conn"] is not mine
    assert seen["pragmas"] == ["wal", 1, 1, 5000]
    db.close()
    for conn in (seen["conn"], mine):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("select 1")  # type: ignore[attr-defined]


def test_an_in_memory_database_is_one_connection():
    db = open_database(None)
    assert not getattr(db, "per_thread", False)
