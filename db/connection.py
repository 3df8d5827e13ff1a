"""Opening the database: one place sets WAL, foreign keys and applies pending migrations, gives each thread
its own connection to a file; and `writing`, the one way db/ writes."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import Table

from bot.core.errors import StorageBusy
from db.schema import migrations

# How long a writer waits for another connection's write lock (a backup, `studybot load`, an sqlite3
# shell) before giving up with StorageBusy. Below Discord's 3 s interaction deadline on purpose: the
# Discord front end defers a command only once it has run for a while (bot.frontends.discord.invoke), so a
# member whose answer could not be saved still gets the reply that gives their text back (bot.commands.practice).
WRITE_WAIT_SECONDS = 2.5
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


BUSY_TIMEOUT_MS = 5000


class ThreadedDatabase(Database):
    """A file database whose `conn` is the calling thread's own connection, opened on first use with the
    pragmas every connection needs. Why: the Discord front end runs commands in worker threads beside the
    event loop (bot.frontends.discord.study_thread). One sqlite3 connection cannot serve two threads'
    transactions at once (their BEGIN, savepoints and COMMIT would interleave); separate connections in WAL
    mode let readers run beside the one writer, and `writing` makes writers wait their turn.
    `close()` closes every thread's connection."""

    per_thread = True  # what a front end checks before using it from other threads (in-memory: one thread)

    def __init__(self, path: Path):
        self._path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opening = threading.Lock()
        super().__init__(_connect(path))  # assigns self.conn: the opening thread's connection

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self._path)
            self.conn = conn
        return conn

    @conn.setter
    def conn(self, conn: sqlite3.Connection) -> None:
        _prepare(conn)
        self._local.conn = conn
        with self._opening:
            self._opened.append(conn)

    def close(self) -> None:
        with self._opening:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()


def _connect(path: Path) -> sqlite3.Connection:
    # each connection is used by the thread that opened it only; close() may run on another thread
    return sqlite3.connect(str(path), check_same_thread=False)


def _prepare(conn: sqlite3.Connection) -> None:
    """What SQLite keeps per connection, not in the file (WAL is in the file: open_database sets it once).
    In WAL mode NORMAL still survives a crash of the bot (a commit is in the WAL when it returns); only a
    power loss or OS crash may lose the last commits, never corrupting the file. FULL waited for the disk
    on every commit: 5-12x the cost of /question and /answer (issue 15)."""
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets on the connection it opens


def open_database(path: Path | str | None) -> Database:
    """Open (creating if needed) and migrate; `None` or ':memory:' gives an in-memory database.

    A file database is a ThreadedDatabase: one connection per thread. An in-memory database is one
    connection, so it belongs to one thread: another connection would be another, empty database, and a
    shared one cannot keep two threads' transactions apart. The few tests that use one stay on one thread
    (the Discord front end runs their commands on the event loop: bot.frontends.discord.study_thread)."""
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = ThreadedDatabase(Path(path))
        db.enable_wal()
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
