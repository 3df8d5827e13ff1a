"""One command table: what Discord syncs and what /help shows in Discord come from bot.commands.table,
as do the terminal's /help (tests/test_console.py) and the README's table (tests/test_readme.py)."""
from __future__ import annotations

import random

import pytest

from bot.commands.table import COMMANDS
from bot.config import Config
from bot.frontends.discord.launch import build_discord_bot
from bot.services import Study
from tests.conftest import CONTENT, FakeClock, bank_database

from .fake_discord import FakeDiscord, running_bot
from .helpers import field, setup_daily

pytestmark = pytest.mark.asyncio
SUBCOMMAND = 1


def make_study(path) -> Study:
    return Study(bank_database(path), FakeClock(), random.Random(1), CONTENT)


def synced_table(commands: list[dict]) -> dict[str, set[str]]:
    """Each synced command (a group's subcommands as "daily setup") with its option names."""
    table = {}
    for c in commands:
        subs = [o for o in c.get("options", []) if o["type"] == SUBCOMMAND]
        for sub in subs:
            table[f"{c['name']} {sub['name']}"] = {o["name"] for o in sub.get("options", [])}
        if not subs:
            table[c["name"]] = {o["name"] for o in c.get("options", [])}
    return table


async def test_discord_syncs_exactly_the_table_and_help_lists_it(fake_discord: FakeDiscord, tmp_path):
    async with running_bot(fake_discord, build_discord_bot(Config(), make_study(tmp_path / "bot.sqlite3"))):
        synced = synced_table(fake_discord.commands())
        rec = await fake_discord.slash("help")
    expected = {c.name: {o.name for o in c.options} for c in COMMANDS if c.in_discord}
    assert synced == expected
    help_text = rec.embeds[0]["description"]
    assert [c.usage for c in COMMANDS if f"**{c.usage}**" in help_text] == [c.usage for c in COMMANDS if c.in_discord]


async def test_a_channel_on_a_card_is_a_link_in_discord(fake_discord: FakeDiscord, tmp_path):
    async with running_bot(fake_discord, build_discord_bot(Config(), make_study(tmp_path / "bot.sqlite3"), daily_jobs=False)):
        rec = await setup_daily(fake_discord, fake_discord.channel_id)
    assert field(rec, "チャンネル") == f"<#{fake_discord.channel_id}>"
