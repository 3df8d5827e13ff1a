"""Opening the database: one place sets WAL, foreign keys and applies pending migrations."""
from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import Table

from db.schema import migrations


def open_database(path: Path | str | None) -> Database:
    """Open (creating if needed) and migrate; `None` or ':memory:' gives an in-memory database."""
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(Path(path))
        db.enable_wal()
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
