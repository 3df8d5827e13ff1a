"""The daily backup: one copy of the database a day, named by its UTC date, the newest `keep` kept.

The bot's scheduler (bot/scheduler.py) runs `DailyBackup.run` once a day; the clock comes in from the caller,
so tests run a week of backups without waiting. Only files named like its own are ever deleted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, time
from pathlib import Path

from bot.services.study import Clock
from db.backup import backup_database, daily_backups, daily_name


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    removed: tuple[Path, ...]


class DailyBackup:
    """`at` is the time of day in UTC: no daylight-saving gap or repeat, and the date in the name is that day's."""

    def __init__(self, database: Path, directory: Path, keep: int, clock: Clock, at: time = time(3, 0)):
        self.database, self.directory, self.keep, self.clock, self.at = database, directory, keep, clock, at

    def path_for_today(self) -> Path:
        return self.directory / daily_name(self.clock().astimezone(UTC).date())

    def run(self) -> BackupResult:
        """Write today's backup (replacing one written earlier today), then delete the oldest beyond `keep`.
        Raises what the copy raises (sqlite3.Error, OSError); old backups are only deleted after a good copy."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for_today()
        size = backup_database(self.database, path)
        removed = tuple(old for old in daily_backups(self.directory)[self.keep:] if old != path)  # a clock set back
        for old in removed:
            old.unlink()
        return BackupResult(path, size, removed)
