"""Fixtures of the database tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bank_database


@pytest.fixture
def live(tmp_path) -> Path:
    """A database file with the bank loaded, in its own data directory, as the bot keeps it."""
    database = tmp_path / "data" / "studybot.sqlite3"
    database.parent.mkdir()
    bank_database(database).close()
    return database
