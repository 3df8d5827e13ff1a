"""Shared fixtures: a migrated in-memory database, the real content, a fixed clock.

The bank is parsed and loaded once per session into a template database; each test that needs it gets
its own copy (SQLite's backup API), and the answer scorer is fitted once per distinct bank (fitting takes
about a second and the fitted scorer is only read afterwards). Tests stay isolated: nothing mutable is shared.
"""
from __future__ import annotations

import contextlib
import functools
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.content.check import read_bank
from bot.content.files import Problem
from bot.core.models import Question
from bot.services import Study, load_bank
from bot.services.feedback import Grader
from db.connection import open_database

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SEEDS = CONTENT / "sources"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


# Another process holding the database's write lock (an sqlite3 shell's BEGIN EXCLUSIVE, a backup, a load):
# it writes a row, so a connection that read before it committed cannot simply carry on (SQLITE_BUSY).
_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("create table if not exists lock_holder (at real)")
conn.execute("insert into lock_holder values (?)", [time.time()])
print("locked", flush=True)
if sys.argv[2] == "until-released":
    sys.stdin.read()
else:
    time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@contextlib.contextmanager
def write_lock_held(path: Path, seconds: float | None = None):
    """Another process holds `path`'s write lock (BEGIN EXCLUSIVE) for `seconds`, or until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), "until-released" if seconds is None else str(seconds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db():
    return open_database(None)


@functools.cache
def _parsed() -> tuple[tuple[Question, ...], tuple[Problem, ...]]:
    questions, problems = read_bank(CONTENT)
    return tuple(questions), tuple(problems)


def parsed_bank() -> tuple[list[Question], list[Problem]]:
    """The real bank's questions and problems as read_bank gives them, parsed once per session (the
    questions are frozen; the lists are fresh for each caller)."""
    questions, problems = _parsed()
    return list(questions), list(problems)


@functools.cache
def _bank_template() -> Database:
    db = open_database(None)
    result = load_bank(db, CONTENT, T0)
    assert result.problems == []
    return db


def bank_database(path: Path | None = None) -> Database:
    """A database holding the real bank as loaded at T0, copied from the session's template: in memory, or
    a file at `path` (WAL, as open_database makes it). Same as open_database + load_bank(CONTENT, T0); a file
    that exists already (a restart in a test) is opened and loaded as the bot does at start-up."""
    if path is not None and Path(path).exists():
        db = open_database(path)
        assert load_bank(db, CONTENT, T0).problems == []
        return db
    if path is not None:  # copied, then opened as the bot opens it (a connection per thread)
        copy = sqlite3.connect(path)
        _bank_template().conn.backup(copy)
        copy.close()
        return open_database(path)
    db = Database(memory=True)
    _bank_template().conn.backup(db.conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    return db


_real_fit = Grader.fit.__func__  # type: ignore[attr-defined]
_fitted: dict[str, Grader] = {}


def _fit_once(cls: type[Grader], questions: list) -> Grader:
    questions = list(questions)
    key = repr(questions)
    if key not in _fitted:
        _fitted[key] = _real_fit(cls, questions)
    return _fitted[key]


@pytest.fixture(autouse=True, scope="session")
def fit_each_bank_once():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Grader, "fit", classmethod(_fit_once))
        yield


@pytest.fixture
def loaded_db():
    return bank_database()


@pytest.fixture
def study(loaded_db, clock) -> Study:
    return Study(loaded_db, clock, random.Random(7), CONTENT)


def sandbox_here():
    """The bubblewrap sandbox; `make test` installs or checks bubblewrap first, so its absence is a failure."""
    from bot.sandbox import find_sandbox

    found = find_sandbox()
    if isinstance(found, str):
        pytest.fail(found)
    return found


@pytest.fixture(scope="session")
def sandbox():
    return sandbox_here()
