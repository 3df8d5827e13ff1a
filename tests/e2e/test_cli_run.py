"""`studybot run` as a member would start it: a real process with a token, against the fake Discord."""
from __future__ import annotations

import asyncio
import os
import sys

import pytest

from tests.conftest import CONTENT, ROOT

from .fake_discord import FAKE_TOKEN, FakeDiscord, custom_ids

pytestmark = pytest.mark.asyncio


def write_config(tmp_path, fake: FakeDiscord):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\ncontent_dir = "{CONTENT}"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n',
        encoding="utf-8",
    )
    return config


async def start(config, token: str):
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"DISCORD_TOKEN": token}
    return await asyncio.create_subprocess_exec(
        # the order the README writes: `make run ARGS="--config config.toml"` = `studybot run --config ...`
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_studybot_run_answers_question_junior(fake_discord: FakeDiscord, tmp_path):
    proc = await start(write_config(tmp_path, fake_discord), FAKE_TOKEN)
    try:
        await fake_discord.wait_until_connected(timeout=60)
        await fake_discord.wait_for(lambda: fake_discord.commands(), timeout=10)
        rec = await fake_discord.slash("question", {"level": "junior"})
    finally:
        proc.terminate()
        await proc.wait()
    assert rec.callback_type == 4 and rec.embeds and rec.embeds[0]["title"].startswith("問題:")
    assert any(i.startswith("study:answer:junior-") for i in custom_ids({"components": rec.components}))
    assert fake_discord.violations == []


async def test_a_rejected_token_ends_with_one_sentence(fake_discord: FakeDiscord, tmp_path):
    proc = await start(write_config(tmp_path, fake_discord), "not-the-token")
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 2
    lines = [line for line in stderr.decode().splitlines() if line.startswith("studybot:")]
    assert lines == ["studybot: Discord rejected the token in DISCORD_TOKEN (reset it in the Developer Portal and try again)."]
    assert "Traceback" not in stderr.decode()
