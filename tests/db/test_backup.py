"""`studybot backup` and the copy under it: SQLite's online backup while another connection writes, the
target replaced atomically, never the live database."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.app import main
from db import health
from db.backup import LiveTarget, backup_database
from tests.conftest import CONTENT


def config_for(tmp_path: Path, database: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[bot]\ndatabase = "{database}"\ncontent_dir = "{CONTENT}"\n', encoding="utf-8")
    return str(path)


class Writer(threading.Thread):
    """Another connection (as the bot's would be) committing one row at a time until told to stop."""

    def __init__(self, database: Path):
        super().__init__(daemon=True)
        self.database, self.committed, self.stop = database, 0, threading.Event()
        self.started_writing = threading.Event()

    def run(self) -> None:
        con = sqlite3.connect(self.database, timeout=5)
        con.execute("CREATE TABLE scratch (n INTEGER)")
        con.commit()
        while not self.stop.is_set():
            con.execute("INSERT INTO scratch VALUES (?)", (self.committed + 1,))
            con.commit()
            self.committed += 1
            if self.committed == 50:
                self.started_writing.set()
        con.close()


def test_backup_while_another_connection_writes_is_a_valid_database_with_the_data(tmp_path, live, capsys):
    writer = Writer(live)
    writer.start()
    assert writer.started_writing.wait(10)
    target = tmp_path / "backup.sqlite3"
    try:
        assert main(["backup", str(target), "--config", config_for(tmp_path, live)]) == 0
        during = writer.committed
        writing_on = threading.Event()  # the writer was never held up: it goes on committing
        while not writing_on.wait(0.01) and writer.is_alive():
            if writer.committed > during + 20:
                writing_on.set()
        assert writing_on.is_set()
    finally:
        writer.stop.set()
        writer.join(10)
    assert capsys.readouterr().out == f"backed up {live} to {target} ({target.stat().st_size:,} bytes)\n"
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file, no -wal
    assert con.execute("SELECT count(*) FROM questions").fetchone() == (29,)
    count, last = con.execute("SELECT count(*), max(n) FROM scratch").fetchone()
    assert 50 <= count == last <= during + 1  # one moment's rows, all of them: 1..count, nothing torn
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_the_target_is_replaced_whole_and_a_failed_copy_leaves_the_old_one(tmp_path, live, monkeypatch):
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"yesterday's backup")
    size = backup_database(live, target)
    assert size == target.stat().st_size and target.read_bytes().startswith(b"SQLite format 3\x00")
    before = target.read_bytes()
    monkeypatch.setattr("db.backup.connect", lambda path: _Failing(path))
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        backup_database(live, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "data"]  # no partial file left


class _Failing:
    """A source connection whose backup fails half-way, as a full disk would make it."""

    def __init__(self, path: Path):
        self.con = health.connect(path)

    def backup(self, target: sqlite3.Connection, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    def close(self) -> None:
        self.con.close()


def test_backup_refuses_the_live_database_and_its_side_files(tmp_path, live, capsys):
    config = config_for(tmp_path, live)
    before = live.read_bytes()
    for target in (live, live.with_name(live.name + "-wal"), live.parent / ".." / "data" / live.name):
        assert main(["backup", str(target), "--config", config]) == 2
        err = capsys.readouterr().err
        assert err == (f"studybot: {target} is the live database itself (or its -wal or -shm file): give another path "
                       "for the backup.\n")
    link = tmp_path / "hard-link.sqlite3"
    link.hardlink_to(live)
    with pytest.raises(LiveTarget):
        backup_database(live, link)
    assert live.read_bytes() == before


def test_backup_to_a_directory_or_a_missing_one_is_one_sentence(tmp_path, live, capsys):
    config = config_for(tmp_path, live)
    assert main(["backup", str(tmp_path), "--config", config]) == 2
    assert capsys.readouterr().err == (f"studybot: {tmp_path} is a directory: give the backup file's name, like "
                                       f"{tmp_path / 'studybot-backup.sqlite3'}.\n")
    assert main(["backup", str(tmp_path / "nope" / "b.sqlite3"), "--config", config]) == 2
    assert capsys.readouterr().err == (f"studybot: The directory {tmp_path / 'nope'} does not exist: create it, or give "
                                       "the backup another path.\n")
