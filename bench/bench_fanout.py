"""The daily fan-out: N servers posting their daily question at the same minute, under Discord's global limit.

    .venv/bin/python bench/bench_fanout.py [--servers 200 1000] [--limit 50] [--lead 40]

As /work/shared/perf-method.md describes: the fake Discord (tests/e2e/fake_discord) runs here, in the driver,
enforcing `--limit` requests a second (429 with Discord's body and headers; interaction callbacks exempt;
schema validation off while timing). The bot is `studybot run` in its own process, started through this
file (`--serve`), which adds a loop monitor logging every stall over 10 ms. Every server has a daily
channel set to the same UTC minute, the first one at least `--lead` seconds away, so the bot is connected
and its timers armed before it. Then, from that minute: the time until every post and its thread exist,
429s per post, posts or threads left to a retry, requests before the minute, and the longest loop stall.
The floor is the ideal: accepted requests / limit (all of them at the full rate, none wasted).
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SELF = Path(__file__).resolve()
ROOT = SELF.parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.fake_discord import FAKE_TOKEN, FakeDiscord  # noqa: E402
from tests.e2e.helpers import process_config  # noqa: E402
from tests.e2e.openapi_check import CheckResult, get_spec  # noqa: E402

GOAL_RATIO, GOAL_STALL_MS = 1.25, 100.0
DAILY = ("create_message", "create_thread_from_message", "list_messages", "get_channel")
STALL = re.compile(r"BENCH stall (\d+) ms at ([\d.]+)")


# --- the bot process (--serve) ---------------------------------------------------------------------------


async def watch_loop() -> None:
    """A task sleeping 5 ms: any lateness over 10 ms is the loop blocked that long."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.005)
        late = loop.time() - before - 0.005
        if late > 0.010:
            print(f"BENCH stall {late * 1000:.0f} ms at {time.time():.3f}", file=sys.stderr, flush=True)


def watch_gc() -> None:
    """Which stalls are the garbage collector's: each collection over 10 ms is logged too."""
    import gc

    began = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        elif (took := time.perf_counter() - began[0]) > 0.010:
            print(f"BENCH gc {took * 1000:.0f} ms gen {info['generation']} at {time.time():.3f}", file=sys.stderr, flush=True)

    gc.callbacks.append(timed)


def serve(config: str) -> int:
    from bot.app import main
    from bot.frontends.discord import client

    original = client.StudyBot.setup_hook

    async def setup_hook(self: client.StudyBot) -> None:
        async def announce() -> None:
            await self.daily_started.wait()
            print(f"BENCH daily-started {time.time():.3f}", file=sys.stderr, flush=True)

        self._bench_tasks = [asyncio.create_task(watch_loop()), asyncio.create_task(announce())]
        await original(self)

    client.StudyBot.setup_hook = setup_hook  # type: ignore[method-assign]
    watch_gc()
    return main(["run", "--config", config])


# --- the driver ------------------------------------------------------------------------------------------


def match_only(spec):
    """The spec without validation (off while timing); operations are still named."""
    fast = copy.copy(spec)

    def check(method, path, body=None, *, has_body=False):
        found = spec.match(method, path)
        return CheckResult(found[0] if found else None, [])

    fast.check = check
    return fast


def set_up_database(path: Path, guilds: list[tuple[int, int]], minute: datetime) -> None:
    import random

    from bot.services import load_bank
    from bot.services.daily import Daily
    from db.connection import open_database

    now = datetime.now(UTC)
    db = open_database(path)
    load_bank(db, ROOT / "content", now)
    daily = Daily(db, lambda: now, random.Random(1))
    for guild_id, channel_id in guilds:
        daily.setup(guild_id, channel_id, minute.strftime("%H:%M"), "UTC", "mixed")
    db.close()


async def start_bot(config: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"DISCORD_TOKEN": FAKE_TOKEN}
    return await asyncio.create_subprocess_exec(
        sys.executable, str(SELF), "--serve", str(config), cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def read_log(proc: asyncio.subprocess.Process, lines: list[str], started: asyncio.Event) -> None:
    assert proc.stderr is not None
    async for raw in proc.stderr:
        line = raw.decode(errors="replace").rstrip()
        lines.append(line)
        if line.startswith("BENCH daily-started"):
            started.set()


class Progress:
    """Counts the posts and threads made, reading only the requests new since the last look."""

    def __init__(self, fake: FakeDiscord, since: int):
        self.fake, self.seen, self.posts, self.threads, self.last_at = fake, since, 0, 0, 0.0

    def __call__(self) -> tuple[int, int]:
        for r in self.fake.requests[self.seen:]:
            if r.status is not None and r.status < 300 and r.operation_id == "create_message":
                self.posts, self.last_at = self.posts + 1, r.at
            elif r.status is not None and r.status < 300 and r.operation_id == "create_thread_from_message":
                self.threads, self.last_at = self.threads + 1, r.at
        self.seen = len(self.fake.requests)
        return self.posts, self.threads


async def run_once(servers: int, limit: int, lead: float) -> dict:
    work = tempfile.TemporaryDirectory()
    tmp = Path(work.name)
    fake = FakeDiscord(spec=match_only(get_spec()), global_limit=limit, reject_invalid=False)
    await fake.start()
    guilds = []
    for n in range(servers):
        guild = fake.add_guild(f"Server {n}")
        guilds.append((guild.id, int(fake.add_channel(guild.id, "daily")["id"])))
    now = datetime.now(UTC)
    minute = (now + timedelta(seconds=lead + 60)).replace(second=0, microsecond=0)
    config = process_config(tmp, fake)
    set_up_database(tmp / "bot.sqlite3", guilds, minute)
    lines: list[str] = []
    started = asyncio.Event()
    proc = await start_bot(config)
    reader = asyncio.create_task(read_log(proc, lines, started))
    try:
        until_minute = minute.timestamp() - time.time()
        await asyncio.wait_for(started.wait(), max(1.0, until_minute - 2))
        ready_s = time.time() - now.timestamp()
        ready_at = time.time()
        since = len(fake.requests)
        minute_mono = time.monotonic() + (minute.timestamp() - time.time())
        progress = Progress(fake, since)
        ideal_guess = servers * 2 / limit
        await fake.wait_for(lambda: progress() == (servers, servers), timeout=until_minute + ideal_guess * 2 + 30,
                            what=f"{servers} posts and threads")
        done = True
        await recorded(tmp / "bot.sqlite3", servers)
    except (TimeoutError, AssertionError) as exc:
        done, ready_s, ready_at = False, float("nan"), time.time()
        print(f"  not finished: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        since = locals().get("since", 0)
        minute_mono = locals().get("minute_mono", time.monotonic())
        progress = locals().get("progress") or Progress(fake, since)
    finally:
        proc.terminate()
        await proc.wait()
        reader.cancel()
        await fake.stop()
    keep_log(lines, minute)
    result = measure(fake, since, minute_mono, minute, progress, servers, limit, lines, tmp / "bot.sqlite3")
    # the floor of the stalls: the same bot, idle, from shortly after its start-up to just before the minute
    idle = [int(ms) for ms, at in STALL.findall("\n".join(lines)) if ready_at + 2 <= float(at) <= minute.timestamp() - 0.5]
    result.update(done=done, ready_s=ready_s, idle_stall=max(idle, default=0),
                  idle_s=max(0.0, minute.timestamp() - 0.5 - ready_at - 2))
    work.cleanup()
    return result


async def recorded(db_path: Path, servers: int, within: float = 10.0) -> None:
    """The fake has every post and thread; wait (a little) for the bot to have written the last of them."""
    import sqlite3

    deadline = time.monotonic() + within
    query = "select count(*) from daily_posts where state = 'posted' and thread_id is not null"
    while time.monotonic() < deadline:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            if conn.execute(query).fetchone()[0] >= servers:
                return
        await asyncio.sleep(0.1)


def keep_log(lines: list[str], minute: datetime) -> None:
    if KEEP_LOG:
        Path(KEEP_LOG).write_text("\n".join(lines) + f"\nBENCH minute {minute.timestamp():.3f}\n", encoding="utf-8")


def measure(fake, since, minute_mono, minute, progress, servers, limit, lines, db_path) -> dict:
    import sqlite3

    posts, threads = progress()
    traffic = [r for r in fake.requests[since:] if not r.path.startswith(("/interactions/", "/webhooks/"))]
    after = [r for r in traffic if r.at >= minute_mono and r.at <= progress.last_at]
    accepted = [r for r in after if r.status != 429]
    early = [r for r in traffic if r.at < minute_mono and r.operation_id in DAILY]
    end = minute.timestamp() + (progress.last_at - minute_mono) + 1
    stalls = [int(ms) for ms, at in STALL.findall("\n".join(lines)) if minute.timestamp() - 1 <= float(at) <= end]
    with sqlite3.connect(db_path) as conn:
        retried = conn.execute("select count(*) from daily_posts where failures > 0 or state != 'posted'").fetchone()[0]
        no_thread = conn.execute("select count(*) from daily_posts where thread_id is null or thread_failures > 0").fetchone()[0]
    return {"servers": servers, "posts": posts, "threads": threads, "elapsed": progress.last_at - minute_mono,
            "ideal": len(accepted) / limit, "accepted": len(accepted), "refused": sum(r.status == 429 for r in after),
            "early": len(early), "retried": retried, "no_thread": no_thread,
            "max_stall": max(stalls, default=0), "stalls": len(stalls)}


def report(r: dict) -> bool:
    ratio = r["elapsed"] / r["ideal"] if r["ideal"] else float("inf")
    goals = {
        f"every post and thread within {GOAL_RATIO}x the ideal": r["done"] and ratio <= GOAL_RATIO,
        "none pushed to a retry": r["retried"] == 0 and r["no_thread"] == 0,
        "none before its minute": r["early"] == 0,
        f"loop never blocked over {GOAL_STALL_MS:.0f} ms": r["max_stall"] <= GOAL_STALL_MS,
    }
    print(f"{r['servers']:,} servers at {LIMIT}/s (bot ready {r['ready_s']:.1f} s after start): "
          f"{r['posts']} posts, {r['threads']} threads in {r['elapsed']:.1f} s after the minute")
    print(f"  ideal {r['ideal']:.1f} s ({r['accepted']} accepted requests / {LIMIT}/s): ratio x{ratio:.2f}")
    print(f"  429s {r['refused']} ({r['refused'] / max(r['servers'], 1):.2f} per post); left to a retry: "
          f"{r['retried']} posts, {r['no_thread']} threads; daily requests before the minute: {r['early']}")
    print(f"  loop stalls over 10 ms in the fan-out: {r['stalls']}, longest {r['max_stall']} ms "
          f"(floor: longest {r['idle_stall']} ms while idle for {r['idle_s']:.0f} s before the minute)")
    for goal, ok in goals.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    return all(goals.values())


LIMIT = 50
KEEP_LOG: str | None = None


def main() -> int:
    global LIMIT, KEEP_LOG
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--limit", type=int, default=50, help="the fake's global limit, requests a second")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds at least between start and the minute")
    parser.add_argument("--log", help="keep the bot's log of the last run here")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the bot process
    args = parser.parse_args()
    KEEP_LOG = args.log
    if args.serve:
        return serve(args.serve)
    LIMIT = args.limit
    results = [asyncio.run(run_once(n, args.limit, args.lead)) for n in args.servers]
    passed = [report(r) for r in results]  # every report printed, passed or not
    return 0 if all(passed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
