"""`studybot run` as a member would start it: a real process with a token, against the fake Discord."""
from __future__ import annotations

import asyncio

import pytest

from .fake_discord import FAKE_TOKEN, FakeDiscord, custom_ids
from .helpers import process_config, start_process

pytestmark = pytest.mark.asyncio


async def test_studybot_run_answers_question_junior(fake_discord: FakeDiscord, tmp_path):
    proc = await start_process(process_config(tmp_path, fake_discord), FAKE_TOKEN)
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
    proc = await start_process(process_config(tmp_path, fake_discord), "not-the-token")
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 2
    lines = [line for line in stderr.decode().splitlines() if line.startswith("studybot:")]
    assert lines == ["studybot: Discord rejected the token in DISCORD_TOKEN (reset it in the Developer Portal and try again)."]
    assert "Traceback" not in stderr.decode()
