"""Shared fixtures: a migrated in-memory database, the real content, a fixed clock."""
from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services import Study, load_bank
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db():
    return open_database(None)


@pytest.fixture
def loaded_db(db):
    result = load_bank(db, CONTENT, T0)
    assert result.problems == []
    return db


@pytest.fixture
def study(loaded_db, clock) -> Study:
    return Study(loaded_db, clock, random.Random(7), CONTENT)
