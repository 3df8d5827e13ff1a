"""Opening the database: one place sets WAL, foreign keys and applies pending migrations; and `writing`,
the one way db/ writes."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import Table

from bot.core.errors import StorageBusy
from db.schema import migrations

# How long a writer waits for another connection's write lock (a backup, `studybot load`, an sqlite3
# shell) before giving up with StorageBusy. Below Discord's 3 s interaction deadline on purpose: the
# bot answers on the event loop without deferring, so a member whose answer could not be saved must
# still get the reply that gives their text back (bot.commands.practice) within that deadline.
WRITE_WAIT_SECONDS = 2.5
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def open_database(path: Path | str | None) -> Database:
    """Open (creating if needed) and migrate; `None` or ':memory:' gives an in-memory database."""
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(Path(path))
        db.enable_wal()
        # In WAL mode NORMAL still survives a crash of the bot (a commit is in the WAL when it returns); only a
        # power loss or OS crash may lose the last commits, never corrupting the file. FULL waited for the disk
        # on every commit: 5-12x the cost of /question and /answer (issue 15).
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    migrations.apply(db)
    return db


def inserted_id(table: Table) -> int:
    """The id of the row `table.insert(...)` just wrote (tables keyed by an integer id). sqlite-utils types
    last_rowid as optional because it is unset before any insert; after one it is always there."""
    if table.last_rowid is None:
        raise RuntimeError(f"no row was inserted into {table.name}")
    return table.last_rowid


def is_busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (any extended code): another connection holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    return "locked" in str(error) or "busy" in str(error)


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction that takes SQLite's write lock at its start (`BEGIN IMMEDIATE`), waiting at
    most WRITE_WAIT_SECONDS for it; committed at the end, rolled back on any error. Inside a transaction
    already open (one writer calling another) it is a savepoint of that transaction.

    Why not sqlite-utils' `db.atomic()`: its `BEGIN` is deferred, so the lock is taken only at the first
    write, after the reads before it. Upgrading a read transaction to a write one cannot wait (in WAL mode
    SQLite answers SQLITE_BUSY at once if another connection wrote since the read began), so the busy
    timeout never applied there. A lock that stays taken past the wait raises StorageBusy, a member-facing
    error; nothing of the transaction is written.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # a savepoint: the outer transaction already holds the write lock
            yield db
        return
    conn.execute(f"PRAGMA busy_timeout = {round(WRITE_WAIT_SECONDS * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if is_busy(error):
            raise StorageBusy() from error
        raise
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if is_busy(error):
            raise StorageBusy() from error
        raise
