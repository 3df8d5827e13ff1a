"""kill -9 at random points: the bot as a process, driven through the fake Discord by a scripted mix of
answers, daily answers, reveals and daily posts, killed 30 times at seeded random moments. After every
restart: each answer a member saw acknowledged is stored exactly once (and none twice), no daily question
was posted twice, and the streaks and boards equal a recomputation from the stored answers."""
from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from dataclasses import dataclass, field

import pytest
from sqlite_utils import Database

from db import progress

from .fake_discord import FAKE_TOKEN, FakeDiscord, HarnessTimeout, custom_ids, message_text
from .helpers import daily_posts, process_config, setup_daily, start_process

pytestmark = pytest.mark.asyncio

KILLS = 30
SEED = 20261201
ANSWER = "回答{n}: バギングは並列に独立したモデルを学習して平均し、ブースティングは前のモデルの誤りを順に補正します。"


@dataclass
class Script:
    """What the members sent, and which of those answers they saw acknowledged."""

    fake: FakeDiscord
    rng: random.Random
    members: list
    channel: int
    answers: list[tuple[str, object]] = field(default_factory=list)  # (text, its interaction record)
    counter: int = 0

    @property
    def sent(self) -> list[str]:
        return [text for text, _ in self.answers]

    @property
    def acknowledged(self) -> list[str]:
        """Answers whose member saw the receipt (the bot may have been killed the moment after)."""
        return [text for text, rec in self.answers if rec.final and "記録しました" in message_text(rec.final)]

    def text(self) -> str:
        self.counter += 1
        return ANSWER.format(n=self.counter)

    async def step(self) -> None:
        fake, member = self.fake, self.rng.choice(self.members)
        kind = self.rng.choices(["draw", "answer", "daily", "daily_answer", "reveal"], [3, 4, 1, 4, 1])[0]
        if kind == "draw":
            await fake.slash("question", {"level": self.rng.choice(["junior", "senior"])}, user=member, wait=False)
        elif kind == "answer":
            await self._answered(await fake.slash("answer", {"text": self.text()}, user=member, wait=False))
        elif kind == "daily":
            await fake.slash("daily", subcommand="now", user=fake.owner, wait=False)
        elif kind == "daily_answer" and (posts := daily_posts(fake, self.channel)):
            opened = await fake.click(posts[-1], custom_ids(posts[-1])[0], user=member, wait=False)
            await opened.wait(timeout=5)
            if opened.callback_type == 9:
                await self._answered(await fake.submit_modal(opened, {"answer_text": self.text()}, user=member, wait=False))
        elif kind == "reveal":
            await fake.slash("reveal", user=member, wait=False)
        await asyncio.sleep(self.rng.uniform(0, 0.05))

    async def _answered(self, rec) -> None:
        self.answers.append((ANSWER.format(n=self.counter), rec))
        await rec.finished(timeout=5)


async def run_until_killed(fake: FakeDiscord, script: Script, config, *, kill: bool) -> str:
    mark = len(fake.gateway_log)
    proc = await start_process(config, FAKE_TOKEN)
    try:
        await fake.wait_until_connected(since=mark, timeout=60)
        await fake.wait_for(lambda: fake.commands(), timeout=10)
        if not script.sent:
            await setup_daily(fake, script.channel, time="00:00", zone="Pacific/Kiritimati")
        steps = asyncio.ensure_future(_steps(script, 1_000 if kill else 6))
        if kill:
            await asyncio.sleep(script.rng.uniform(0.05, 2.0))  # a random point of the script
            proc.kill()
            await proc.wait()
            steps.cancel()  # what was in flight got no answer: the member saw no receipt
        with contextlib.suppress(HarnessTimeout, asyncio.CancelledError):
            await asyncio.wait_for(steps, timeout=60)
    finally:
        if proc.returncode is None:
            proc.terminate()
        _, stderr = await proc.communicate()
    return stderr.decode(errors="replace")


async def _steps(script: Script, count: int) -> None:
    for _ in range(count):
        await script.step()


def check_nothing_lost_or_repeated(db_path, script: Script, fake: FakeDiscord) -> None:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        stored = [row[0] for row in db.execute("select text from answers")]
        posts = db.execute("select guild_id, local_date, count(*) from daily_posts group by 1, 2").fetchall()
    assert [t for t in script.acknowledged if stored.count(t) != 1] == []
    assert [t for t in set(stored) if stored.count(t) > 1] == []
    assert all(count == 1 for *_, count in posts)
    assert len(daily_posts(fake, script.channel)) <= len(posts) or not posts


def check_boards_recompute(db_path, tmp_path) -> None:
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(db_path) as live, sqlite3.connect(copy) as target:
        live.backup(target)
    db = Database(copy)
    before = {t: sorted(map(tuple, db.execute(f"select * from {t}").fetchall())) for t in ("streaks", "board_stats")}
    progress.rebuild(db)
    after = {t: sorted(map(tuple, db.execute(f"select * from {t}").fetchall())) for t in ("streaks", "board_stats")}
    db.close()
    copy.unlink()
    assert before == after


async def test_kill_9_at_random_points_loses_nothing_and_repeats_nothing(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    members = [fake.alice] + [fake.add_user(f"member{i}", global_name=f"メンバー{i}") for i in range(2)]
    for member in members[1:]:
        fake.add_member(fake.guild_id, member)
    channel = int(fake.add_channel(fake.guild_id, "daily-question")["id"])
    script = Script(fake, random.Random(SEED), members, channel)
    config = process_config(tmp_path, fake)
    for kill in range(KILLS + 1):
        last = kill == KILLS
        stderr = await run_until_killed(fake, script, config, kill=not last)
        assert "Traceback" not in stderr, stderr
        check_nothing_lost_or_repeated(tmp_path / "bot.sqlite3", script, fake)
        fake.take_late_callbacks()  # a killed bot leaves interactions unanswered; the next one starts clean
    check_boards_recompute(tmp_path / "bot.sqlite3", tmp_path)
    assert len(script.acknowledged) >= 20 and len(daily_posts(fake, channel)) == 1
