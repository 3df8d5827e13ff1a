"""Starting against Discord with a dev_guild_id of a server the bot is not in: one sentence, exit 2."""
from __future__ import annotations

import asyncio
import os
import random
import sys
from datetime import time

import pytest

from bot.config import BackupSettings, Config
from bot.frontends.discord.client import CommandSyncError
from bot.frontends.discord.launch import build_discord_bot
from bot.services import Study
from tests.conftest import CONTENT, ROOT, FakeClock, bank_database

from .fake_discord import FAKE_TOKEN, FakeDiscord, running_bot

pytestmark = pytest.mark.asyncio
NOT_OUR_SERVER = 123456789012345678


async def test_syncing_to_a_server_the_bot_is_not_in_is_refused_like_discord_does(fake_discord: FakeDiscord, tmp_path):
    db = bank_database(tmp_path / "bot.sqlite3")
    bot = build_discord_bot(Config(dev_guild_id=NOT_OUR_SERVER), Study(db, FakeClock(), random.Random(1), CONTENT))
    with pytest.raises(CommandSyncError, match=f"dev_guild_id {NOT_OUR_SERVER}: the bot is not in that server"):
        async with running_bot(fake_discord, bot):
            pass
    sync = fake_discord.requests_for("bulk_set_guild_application_commands")
    assert [r.status for r in sync] == [403] and fake_discord.commands(guild=NOT_OUR_SERVER) == []


async def test_studybot_run_with_a_wrong_dev_guild_id_ends_with_one_sentence(fake_discord: FakeDiscord, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\ncontent_dir = "{CONTENT}"\ndev_guild_id = {NOT_OUR_SERVER}\n'
        f'[discord]\napi_base = "{fake_discord.api_base}"\ngateway_url = "{fake_discord.gateway_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"DISCORD_TOKEN": FAKE_TOKEN}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    err = stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert [line for line in err.splitlines() if line.startswith("studybot:")] == [
        f"studybot: dev_guild_id {NOT_OUR_SERVER}: the bot is not in that server or lacks the applications.commands "
        "scope (invite it with the link in README: Connecting to Discord, or set dev_guild_id = 0)."
    ]


async def test_a_backup_section_gives_the_bots_scheduler_the_daily_backup(tmp_path):
    settings = BackupSettings(dir=tmp_path / "backups", keep=3, at=time(4, 15))
    study = Study(bank_database(tmp_path / "bot.sqlite3"), FakeClock(), random.Random(1), CONTENT)
    bot = build_discord_bot(Config(database=tmp_path / "bot.sqlite3", backup=settings), study)
    backup = bot.daily_scheduler.backup
    assert (backup.database, backup.directory, backup.keep, backup.at) == (tmp_path / "bot.sqlite3", tmp_path / "backups", 3, time(4, 15))
    assert backup.clock is study.clock
    assert build_discord_bot(Config(), study).daily_scheduler.backup is None  # off unless configured
