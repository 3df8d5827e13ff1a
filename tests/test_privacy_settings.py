"""The grace period before a left server's data is deleted: read from [privacy], run by the scheduler's
housekeeping at start-up and then once a day (a failure is logged and tried again the next day)."""
from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.config import Config, ConfigError, load_config
from bot.scheduler import DailyScheduler
from bot.services.daily import Daily


def config_from(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_forget_after_days_defaults_to_30_and_is_read_from_privacy(tmp_path):
    assert Config().forget_after_days == 30 and config_from(tmp_path, "[bot]\n").forget_after_days == 30
    assert config_from(tmp_path, "[privacy]\nforget_after_days = 7\n").forget_after_days == 7
    assert config_from(tmp_path, "[privacy]\nforget_after_days = 0\n").forget_after_days == 0
    example = load_config(Path(__file__).resolve().parents[1] / "config.example.toml")
    assert example.forget_after_days == 30


@pytest.mark.parametrize("value", ['"30"', "-1", "true", "1.5"])
def test_forget_after_days_must_be_whole_days(tmp_path, value):
    with pytest.raises(ConfigError, match=r"forget_after_days in \[privacy\] must be a whole number of days"):
        config_from(tmp_path, f"[privacy]\nforget_after_days = {value}\n")


@pytest.mark.asyncio
async def test_housekeeping_runs_at_start_and_then_daily_and_survives_a_failure(loaded_db, caplog):
    runs: list[datetime] = []

    async def housekeeping() -> None:
        runs.append(datetime.now(UTC))
        if len(runs) == 2:
            raise RuntimeError("database is locked")

    async def nothing(guild_id: int) -> None:
        return None

    with time_machine.travel(datetime(2026, 3, 27, 12, 0, tzinfo=UTC), tick=False) as traveller:
        daily = Daily(loaded_db, lambda: datetime.now(UTC), random.Random(1))
        scheduler = DailyScheduler(daily, nothing, housekeeping=housekeeping)
        await scheduler.start()
        assert len(runs) == 1
        try:
            with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
                for day in (1, 2):
                    traveller.move_to(datetime(2026, 3, 27, 12, 0, tzinfo=UTC) + timedelta(days=day, seconds=1))
                    await scheduler.run_pending()
        finally:
            scheduler.shutdown()
    assert len(runs) == 3 and "housekeeping failed" in caplog.text
