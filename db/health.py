"""Whether a database file can be used, checked before anything opens it: what start-up needs, in words a
caller can turn into one sentence (bot/bootstrap.py does).

The checks try what the bot will do rather than trust permission bits alone: a root process ignores mode
bits, a read-only mount refuses root too, and SQLite in WAL mode must create its -wal and -shm files beside
the database. So the directory gets a real file created and removed, the file is opened by SQLite and
checked (`PRAGMA quick_check`), and a write is tried in a transaction that is rolled back.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from db.connection import is_busy

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 5  # as open_database's busy_timeout: how long another writer may hold the database
SIDE_FILES = ("-wal", "-shm")

State = Literal["new", "empty", "ok"]
Kind = Literal["directory", "missing", "unreadable", "read_only", "read_only_dir", "not_sqlite", "corrupt", "busy", "unusable"]


class Unusable(Exception):
    """What is wrong (`kind`), with which file or directory (`path`), and SQLite's or the system's own words."""

    def __init__(self, kind: Kind, path: Path, detail: str = ""):
        super().__init__(f"{path}: {kind}" + (f" ({detail})" if detail else ""))
        self.kind, self.path, self.detail = kind, path, detail


def inspect(path: Path | str, *, write: bool = True) -> State:
    """Check the database at `path` for a caller that will write it (`write`, e.g. the bot, `studybot load`)
    or only read it (a backup). Returns "new" (no file yet; a writer creates it, and its directory, which this
    creates), "empty" (a file of 0 bytes: SQLite treats it as a new database) or "ok"; raises Unusable."""
    path = Path(path)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a directory on the way that cannot be entered
        raise Unusable("unreadable", path, _reason(exc)) from None
    if is_dir:
        raise Unusable("directory", path)
    if write:
        _check_directory(path.parent)
    if not exists:
        if not write:
            raise Unusable("missing", path)
        return "new"
    try:
        with path.open("rb") as stream:
            header = stream.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise Unusable("unreadable", path, _reason(exc)) from None
    if not header:
        return "empty"
    if header != SQLITE_HEADER:
        raise Unusable("not_sqlite", path)
    if write:
        for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
            if file.exists() and not os.access(file, os.W_OK):
                raise Unusable("read_only", file)
    _check_with_sqlite(path, write)
    return "ok"


def _check_directory(directory: Path) -> None:
    """The directory exists (created if not) and a file can be created in it, as SQLite's -wal and -shm are."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".studybot-write-check-")
    except OSError as exc:
        raise Unusable("read_only_dir", directory, _reason(exc)) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def connect(path: Path) -> sqlite3.Connection:
    """Open an existing database without creating one. Read-write even to read: closing the last connection
    then removes the -wal and -shm files it created, which a read-only one would leave behind (owned by whoever
    ran it, e.g. root running `studybot backup`, where the bot's own user could not write them)."""
    return sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=rw", uri=True, isolation_level=None,
                           timeout=BUSY_SECONDS)


def _check_with_sqlite(path: Path, write: bool) -> None:
    try:
        con = connect(path)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise Unusable("corrupt", path, "; ".join(str(row[0]) for row in rows[:3]))
            if write:  # a real write, undone: BEGIN IMMEDIATE alone succeeds on a read-only WAL database
                con.execute("BEGIN IMMEDIATE")
                try:
                    version = con.execute("PRAGMA user_version").fetchone()[0]
                    con.execute(f"PRAGMA user_version = {int(version)}")
                finally:
                    con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise Unusable(_kind(exc), path, str(exc)) from None


def _kind(exc: sqlite3.Error) -> Kind:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_READONLY"):
        return "read_only"
    if name.startswith("SQLITE_NOTADB"):
        return "not_sqlite"
    if name.startswith("SQLITE_CORRUPT"):
        return "corrupt"
    if is_busy(exc):
        return "busy"
    if name.startswith("SQLITE_PERM"):
        return "unreadable"
    return "unusable"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
