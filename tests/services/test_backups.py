"""The daily backup job, driven directly with a clock moved by hand: one file a day, named by its UTC date,
the newest `keep` kept, nothing else in the directory touched."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.services.backups import DailyBackup
from db.backup import daily_backups
from tests.conftest import FakeClock, bank_database


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "data" / "studybot.sqlite3"
    path.parent.mkdir()
    bank_database(path).close()
    return path


def test_a_week_of_daily_backups_keeps_the_newest_three(tmp_path, database):
    clock = FakeClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    directory = tmp_path / "backups"  # created by the first run
    job = DailyBackup(database, directory, keep=3, clock=clock)
    results = []
    for _ in range(7):
        results.append(job.run())
        clock.advance(days=1)
    names = sorted(p.name for p in directory.iterdir())
    assert names == ["studybot-2026-11-24.sqlite3", "studybot-2026-11-25.sqlite3", "studybot-2026-11-26.sqlite3"]
    assert [r.path.name for r in results] == [f"studybot-2026-11-{day}.sqlite3" for day in range(20, 27)]
    assert [len(r.removed) for r in results] == [0, 0, 0, 1, 1, 1, 1]
    assert results[3].removed == (directory / "studybot-2026-11-20.sqlite3",)
    con = sqlite3.connect(directory / "studybot-2026-11-26.sqlite3")
    assert con.execute("SELECT count(*) FROM questions").fetchone() == (29,)
    assert results[-1].size == (directory / "studybot-2026-11-26.sqlite3").stat().st_size


def test_the_date_is_the_utc_date_and_a_second_run_that_day_replaces_the_first(tmp_path, database):
    clock = FakeClock(datetime(2026, 11, 25, 23, 30, tzinfo=UTC))  # 08:30 on the 26th in Tokyo
    job = DailyBackup(database, tmp_path / "backups", keep=2, clock=clock)
    assert job.run().path.name == "studybot-2026-11-25.sqlite3"
    clock.advance(minutes=20)
    assert job.run().path.name == "studybot-2026-11-25.sqlite3"
    assert [p.name for p in daily_backups(tmp_path / "backups")] == ["studybot-2026-11-25.sqlite3"]


def test_only_its_own_files_are_ever_deleted(tmp_path, database):
    directory = tmp_path / "backups"
    directory.mkdir()
    others = ["studybot-2026-11-01.sqlite3.bak", "notes.txt", "studybot-manual.sqlite3", "other-2026-11-01.sqlite3"]
    for name in others:
        (directory / name).write_text("mine")
    clock = FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    job = DailyBackup(database, directory, keep=1, clock=clock)
    for _ in range(3):
        job.run()
        clock.advance(days=1)
    assert sorted(p.name for p in directory.iterdir()) == sorted([*others, "studybot-2026-11-27.sqlite3"])


def test_a_clock_set_back_never_deletes_the_backup_just_written(tmp_path, database):
    directory = tmp_path / "backups"
    directory.mkdir()
    for day in (26, 27):  # from a clock that ran ahead
        (directory / f"studybot-2026-11-{day}.sqlite3").write_bytes(b"")
    result = DailyBackup(database, directory, keep=2, clock=FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))).run()
    assert result.path.exists() and result.removed == ()


def test_a_failed_copy_deletes_nothing(tmp_path, database):
    directory = tmp_path / "backups"
    directory.mkdir()
    old = [directory / f"studybot-2026-11-{day}.sqlite3" for day in (23, 24)]
    for path in old:
        path.write_bytes(b"")
    job = DailyBackup(tmp_path / "missing.sqlite3", directory, keep=1, clock=FakeClock())
    with pytest.raises(sqlite3.OperationalError):
        job.run()
    assert all(path.exists() for path in old) and len(list(directory.iterdir())) == 2
