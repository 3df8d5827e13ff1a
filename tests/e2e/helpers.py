"""What the e2e test modules share: building the bot over a file database, driving time, and reading
its answers.  Test modules import from here (and from ``fake_discord``), never from each other.

Two ways to drive time in the daily tests. `make_bot`: the injected FakeClock is the time; the
scheduler's timers are armed but only run when a test fires them (`fire_slot` / `fire_reveal`), right
after moving the clock to the slot. `make_timed_bot` + `Timeline`: the production scheduler over the
wall clock, which time-machine moves; its timers and sweep fire by themselves. A restart is a new bot
(and new services) over the same database file.  `make_study_bot` is the bot of the study-command tests:
its own FakeClock, the production scheduler, and `Config` overrides.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Config
from bot.frontends.discord.launch import build_discord_bot
from bot.services import Study
from bot.services.feedback import Feedback
from tests.conftest import CONTENT, ROOT, FakeClock, bank_database

from .fake_discord import FakeDiscord, custom_ids, message_text, running_bot

__all__ = [
    "NEW_YORK",
    "TOKYO",
    "UTC",
    "ManualScheduler",
    "ScriptedGrader",
    "Timeline",
    "answer_daily",
    "at",
    "daily_posts",
    "embed_text",
    "field",
    "ids",
    "make_bot",
    "make_study",
    "make_study_bot",
    "make_timed_bot",
    "process_config",
    "running",
    "setup_daily",
    "start_process",
    "streak_seen",
    "text",
    "thread_of",
    "wall_clock",
]

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")


# --- building the bot -----------------------------------------------------------------------------


class ManualScheduler(AsyncIOScheduler):
    """Real jobs and triggers, but nothing runs by itself: the injected clock is not the wall clock."""

    def start(self, paused: bool = False) -> None:
        super().start(paused=True)


def make_bot(db_path, clock: FakeClock, seed: int = 3, grader=None):
    """The bot on the injected `clock`, its scheduler's timers armed but fired only by the test; `grader=None`
    fits the real scorer."""
    db = bank_database(db_path)
    study = Study(db, clock, random.Random(seed), CONTENT, grader=grader)
    return build_discord_bot(Config(), study, scheduler=ManualScheduler(timezone=UTC))


def wall_clock() -> datetime:
    return datetime.now(UTC)  # what production injects; time-machine moves it in the timed tests


class ScriptedGrader:
    """Scores an answer by its first word ("70 …" scores 70; anything else is not judged), so a test pins
    every score and the points it earns. The real scorer end to end: test_feedback_review.py."""

    def grade(self, question_id: str, text: str) -> Feedback:
        first = text.split()[0]
        if not first.isdigit():
            return Feedback(None, [], [], False, "英語の回答は採点しません。 (not judged)")
        return Feedback(int(first), ["キーポイント"], [], True, "")


def make_timed_bot(db_path, seed: int = 3, grader=None):
    """The bot as production builds it, scheduler included (real APScheduler timers and sweep), over
    the wall clock; `grader=None` fits the real scorer."""
    db = bank_database(db_path)
    return build_discord_bot(Config(), Study(db, wall_clock, random.Random(seed), CONTENT, grader=grader))


def make_study(db_path, seed: int = 3) -> Study:
    db = bank_database(db_path)
    return Study(db, FakeClock(), random.Random(seed), CONTENT)


def make_study_bot(db_path, **config):
    """The bot of the study-command tests: `make_study`'s services, `Config(**config)`."""
    return build_discord_bot(Config(**config), make_study(db_path))


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, bot):
    """Connected, with the scheduler started and its start-up catch-up done."""
    async with running_bot(fake, bot):
        await asyncio.wait_for(bot.daily_started.wait(), 5)
        yield bot


def process_config(tmp_path, fake: FakeDiscord):
    """A config file for `studybot run` as a process, over a database under `tmp_path`, talking to `fake`."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.sqlite3"}"\ncontent_dir = "{CONTENT}"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n',
        encoding="utf-8",
    )
    return config


async def start_process(config, token: str):
    """`studybot run --config …` as its own process, with `token` as DISCORD_TOKEN."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"DISCORD_TOKEN": token}
    return await asyncio.create_subprocess_exec(
        # the order the README writes: `make run ARGS="--config config.toml"` = `studybot run --config ...`
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


# --- time -----------------------------------------------------------------------------------------


def at(zone: ZoneInfo, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


class Timeline:
    """Moves the wall clock (time-machine, not ticking) and lets the bot's scheduler run what came due,
    as its timers would have at that instant. Never backwards: a test's events are in time order."""

    def __init__(self, traveller, bot):
        self.traveller, self.bot = traveller, bot

    async def to(self, instant: datetime) -> None:
        assert instant >= wall_clock(), f"{instant} is before {wall_clock()}: keep the events in time order"
        self.traveller.move_to(instant)
        await self.bot.daily_scheduler.run_pending()


# --- the daily question ---------------------------------------------------------------------------


async def setup_daily(fake: FakeDiscord, channel, time: str = "09:00", zone: str = "Asia/Tokyo", *, guild=None,
                      reveal_time: str | None = None, level: str = "mixed"):
    options = {"channel": int(channel), "time": time, "timezone": zone, "level": level}
    if reveal_time:
        options["reveal_time"] = reveal_time
    return await fake.slash("daily", options, subcommand="setup", user=fake.owner, guild_id=guild, channel_id=channel)


async def answer_daily(fake: FakeDiscord, post: dict, user, text_: str):
    opened = await fake.click(post, custom_ids(post)[0], user=user)
    assert opened.callback_type == 9, text(opened)
    return await fake.submit_modal(opened, {"answer_text": text_})


def daily_posts(fake: FakeDiscord, channel) -> list[dict]:
    return [m for m in fake.messages_in(channel) if any(i.startswith("daily:answer:") for i in custom_ids(m))]


def thread_of(fake: FakeDiscord, post: dict) -> list[dict]:
    return fake.messages_in(post["id"])  # the discussion thread has the post's id


# --- reading the bot's answers --------------------------------------------------------------------


def text(record) -> str:
    return message_text(record.final if record.final is not None else {"embeds": record.embeds})


def field(record, name: str) -> str:
    for embed in record.embeds:
        for f in embed.get("fields", []):
            if f["name"] == name:
                return f["value"]
    raise AssertionError(f"no field {name!r} in {text(record)}")


def streak_seen(record) -> tuple[int, int, int, int, str]:
    """What /streak shows: current, best, answered, freezes, and whether the open question is answered."""
    def number(name: str) -> int:
        return int(re.search(r"(\d+) ", field(record, name)).group(1))

    answered_open = {"回答済み ✅": "yes", "まだ回答していません": "no"}[field(record, "今の日替わり問題")]
    return number("現在の連続"), number("最高記録"), number("回答した日替わり問題"), number("フリーズ (freeze)"), answered_open


def ids(record) -> list[str]:
    return custom_ids({"components": record.components})


def embed_text(record) -> str:
    return "\n".join(
        "\n".join([e.get("title", ""), e.get("description", "")] + [f["name"] + " " + f["value"] for f in e.get("fields", [])]
                  + [e.get("footer", {}).get("text", "")])
        for e in record.embeds
    )
