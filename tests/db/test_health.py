"""The database checks (db/health.py) where file modes cannot show them: what SQLite itself says when it can
only read the file (root passes every permission-bit check), and a database another writer holds."""
from __future__ import annotations

import sqlite3

import pytest

from db import health


def test_the_write_check_uses_sqlite_not_only_permission_bits(live, monkeypatch):
    """Root passes every os.access check; a database SQLite can only open read-only (a read-only mount, say)
    is still found, by the write the check tries and rolls back."""
    before = live.read_bytes()
    monkeypatch.setattr(health, "connect", lambda path: sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None))
    monkeypatch.setattr(health.os, "access", lambda *args, **kwargs: True)
    with pytest.raises(health.Unusable) as caught:
        health.inspect(live)
    assert (caught.value.kind, caught.value.path) == ("read_only", live)
    assert "readonly database" in caught.value.detail
    assert health.inspect(live, write=False) == "ok"  # reading it is fine
    assert live.read_bytes() == before  # the tried write was rolled back


def test_a_locked_database_is_busy_not_read_only(live, monkeypatch):
    holder = sqlite3.connect(live, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(health, "connect", lambda path: sqlite3.connect(path, isolation_level=None, timeout=0.1))
        with pytest.raises(health.Unusable) as caught:
            health.inspect(live)
        assert caught.value.kind == "busy"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
