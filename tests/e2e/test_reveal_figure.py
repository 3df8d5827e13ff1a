"""A snippet that draws: its stored figure is attached to the reveal and shown in the embed."""
from __future__ import annotations

import random
import shutil

import pytest

from bot.config import Config
from bot.content.check import read_bank
from bot.content.runner import run_bank
from bot.frontends.discord.launch import build_discord_bot
from bot.services import Study, load_bank
from db.connection import open_database
from tests.conftest import CONTENT, T0, FakeClock

from .fake_discord import FakeDiscord, running_bot

pytestmark = pytest.mark.asyncio

PLOT = '''---
id: plot-01
level: junior
number: 1
category: 可視化
title: 学習曲線をどう描きますか?
source: test.txt
---

matplotlib で描きます。

```python
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [0.6, 0.8, 0.9])
plt.title("learning curve")
plt.show()
print("描きました")
```
'''


async def test_reveal_attaches_the_figure_a_snippet_drew(fake_discord: FakeDiscord, tmp_path, sandbox):
    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    shutil.copy(CONTENT / "questions" / "junior-06.md", content / "questions")
    (content / "questions" / "plot-01.md").write_text(PLOT, encoding="utf-8")
    questions, problems = read_bank(content)
    assert problems == []
    run_bank([q for q in questions if q.id == "plot-01"], content / "outputs", sandbox=sandbox, report=lambda line: None)
    db = open_database(tmp_path / "bot.sqlite3")
    assert load_bank(db, content, T0).problems == []
    bot = build_discord_bot(Config(), Study(db, FakeClock(), random.Random(1), content))
    async with running_bot(fake_discord, bot):
        rec = await fake_discord.slash("reveal", {"question": "plot-01"})
        last = next(c for row in rec.components for c in row["components"] if c.get("custom_id", "").endswith(":next"))
        page = await fake_discord.click(rec, last["custom_id"])
        files = fake_discord.files_of(page.message)
    assert "描きました" in page.embeds[0]["description"] and "図 1 枚" in page.embeds[0]["description"]
    assert page.embeds[0]["image"]["url"] == "attachment://plot-01-1-fig1.png"
    assert [f.filename for f in files] == ["plot-01-1-fig1.png"] and files[0].data[:4] == b"\x89PNG"
