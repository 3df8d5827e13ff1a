"""Copying the live database with SQLite's online backup API: safe while the bot runs and writes.

The copy is read in one step, inside one read transaction, so it is the database as of one moment; in WAL
mode that transaction never blocks the bot's writes. It is written beside the target under a temporary name,
checked, made a self-contained file (no -wal to carry along) and renamed over the target: a reader of the
target sees the old backup or the new one, never half of one. The daily backups' file names are here too,
so the job that writes them and the start-up warning that points to the newest agree.
"""
from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

from db.health import BUSY_SECONDS, SIDE_FILES, connect

DAILY_NAME = re.compile(r"studybot-\d{4}-\d{2}-\d{2}\.sqlite3")


def daily_name(day: date) -> str:
    """The daily backup's file name for `day`: studybot-YYYY-MM-DD.sqlite3."""
    return f"studybot-{day.isoformat()}.sqlite3"


def daily_backups(directory: Path) -> list[Path]:
    """The daily backups in `directory`, newest first (ISO dates sort as text); none if it cannot be listed."""
    try:
        found = [p for p in directory.iterdir() if DAILY_NAME.fullmatch(p.name) and p.is_file()]
    except OSError:  # no directory yet, or not readable
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


class LiveTarget(ValueError):
    """The target is the live database itself (or one of its -wal, -shm or -journal files)."""


def backup_database(source: Path | str, target: Path | str) -> int:
    """Copy the database at `source` to `target` (replaced atomically if it exists); returns its size in bytes.
    Raises LiveTarget, sqlite3.Error (e.g. the copy fails its check) or OSError."""
    source, target = Path(source), Path(target)
    if is_live(source, target):
        raise LiveTarget(f"{target} is the live database {source}")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        src = connect(source)
        try:
            dst = sqlite3.connect(partial, isolation_level=None, timeout=BUSY_SECONDS)
            try:
                src.backup(dst)  # all pages in one step: one consistent snapshot
                dst.execute("PRAGMA journal_mode = DELETE")  # the copy keeps the source's WAL flag otherwise
                problems = dst.execute("PRAGMA quick_check").fetchall()
                if problems != [("ok",)]:
                    raise sqlite3.DatabaseError(f"the copy failed its check: {problems[0][0]}")
            finally:
                dst.close()
        finally:
            src.close()
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    _sync_directory(target.parent)
    return target.stat().st_size


def is_live(source: Path, target: Path) -> bool:
    """Whether writing `target` would overwrite the database at `source` or a file SQLite keeps beside it."""
    live = source.resolve()
    if target.resolve() in {live, *(live.with_name(live.name + side) for side in (*SIDE_FILES, "-journal"))}:
        return True
    with contextlib.suppress(OSError):  # another name for the same file (a hard link)
        return os.path.samefile(source, target)
    return False


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
