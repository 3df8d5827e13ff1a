"""Commands under load, as issue 15 measured them (/work/shared/perf-method.md), against a floor bot.

    .venv/bin/python bench/bench_commands.py [--quick] [--sequential 200] [--burst 500] [--stats 20]

The bot runs as `studybot discord` and the floor (a bare discord.py bot answering /ping with "pong") as
processes of their own, each against its own fake Discord in this process (bench/harness.py), with rounds
interleaved. Latency: from INTERACTION_CREATE to the message the member finally sees.

- Sequential: /question, /reveal and /answer (300 Japanese characters), one interaction at a time, in 4
  rounds interleaved with the floor's /ping; p50/p99 and p50 as a ratio to the floor's p50.
- Burst: 100 members x 5 servers send at once, half /question, half /answer: late (> 3 s, Discord's
  10062), p50/p99 against the floor's own burst of /ping, and every answer stored exactly once.
- Loop blocking: /help every 20 ms, idle and while 20 members' /stats run; p50/p99/max and the ratio to
  idle, and the longest stall the bot's loop monitor logged meanwhile.
Every goal of the issue is printed with PASS or FAIL. Figures are ratios: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    DEADLINE,
    BotProcess,
    floor_bot,
    new_fake,
    populate,
    processes,
    studybot,
    summary,
    timed,
    verdict,
    workdir,
)

GUILDS, MEMBERS = 5, 100
ROUNDS = 4
PROBE_EVERY = 0.02
IDLE_PROBES = 100
WAIT = 60.0  # the longest any one interaction is waited for before the bench gives up on it
ANSWER = ("勾配ブースティングは弱い学習器を順番に学習し、前のモデルが間違えた部分（残差）を次のモデルが補正していく手法です。"
          "学習率を小さくして木の数を増やすと汎化しやすく、早期終了で過学習を防ぎます。バギングは並列に独立したモデルを学習して"
          "平均するので分散を下げますが、ブースティングは偏りを下げます。特徴量の重要度も確認できます。")


def answer_text(tag: str) -> str:
    head = f"[{tag}] "
    return head + (ANSWER * 3)[: 300 - len(head)]


class Driver:
    """One fake and the bot connected to it: sends interactions and measures them."""

    def __init__(self, fake: Any, guilds: list[int], users: list[dict[str, Any]]):
        self.fake, self.guilds, self.users = fake, guilds, users
        self.pairs = [(u, g) for g in guilds for u in users]  # every member in every server

    async def send(self, name: str, pair: tuple[dict[str, Any], int], options: dict[str, Any] | None = None) -> Any:
        user, guild = pair
        return await self.fake.slash(name, options or {}, user=user, guild_id=guild, wait=False, timeout=WAIT)

    async def done(self, rec: Any) -> float:
        """The interaction's latency once the member sees its answer (or Discord refused it: late)."""
        await self.fake.wait_for(lambda: rec.late or timed(self.fake, rec) is not None, timeout=WAIT,
                                 what=f"{rec!r} to be answered")
        latency = timed(self.fake, rec)
        return latency if latency is not None else rec.callback_at - rec.dispatched_at

    async def one(self, name: str, pair: tuple[dict[str, Any], int], options: dict[str, Any] | None = None) -> float:
        return await self.done(await self.send(name, pair, options))


async def sequential(bot: Driver, floor: Driver, n: int) -> dict[str, list[float]]:
    """n of each command one at a time, in ROUNDS rounds alternating the floor and the bot."""
    times: dict[str, list[float]] = {"ping": [], "question": [], "reveal": [], "answer": []}
    per_round = max(1, n // ROUNDS)
    for r in range(ROUNDS):
        for i in range(per_round):
            times["ping"].append(await floor.one("ping", floor.pairs[(r * per_round + i) % len(floor.pairs)]))
        for i in range(per_round):
            pair = bot.pairs[(r * per_round + i) % len(bot.pairs)]
            times["question"].append(await bot.one("question", pair))
            times["reveal"].append(await bot.one("reveal", pair))
            times["answer"].append(await bot.one("answer", pair, {"text": answer_text(f"seq-{r}-{i}")}))
    return times


async def burst(driver: Driver, n: int, make: Callable[[int, tuple[dict[str, Any], int]], Awaitable[Any]]) -> list[Any]:
    """n interactions dispatched at once (one per member and server); their records once all are answered."""
    driver.fake.hold()
    records = [await make(i, driver.pairs[i % len(driver.pairs)]) for i in range(n)]
    cpu = time.process_time()
    await driver.fake.release()
    await asyncio.gather(*(driver.done(rec) for rec in records))
    print(f"  (the driver's CPU per interaction: {(time.process_time() - cpu) / n * 1000:.2f} ms)")
    return list(records)


def latencies(driver: Driver, records: list[Any]) -> tuple[list[float], int]:
    values, late = [], 0
    for rec in records:
        latency = timed(driver.fake, rec)
        if rec.late or latency is None or latency > DEADLINE:
            late += 1
        values.append(latency if latency is not None else rec.callback_at - rec.dispatched_at)
    return values, late


async def stored_once(database: Path, texts: list[str]) -> tuple[int, int]:
    """(answers stored exactly once, answers stored more than once) among `texts`, once the bot has stored
    them all or has stopped storing (a late interaction's answer is still being stored when Discord refuses it)."""
    previous, still, deadline = -1, 0, time.monotonic() + WAIT
    while True:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            counts = dict(conn.execute("select text, count(*) from answers where text like '[burst-%' group by text"))
        stored = sum(counts.values())
        still = still + 1 if stored == previous else 0
        if stored >= len(texts) or still >= 5 or time.monotonic() > deadline:
            return sum(counts.get(t, 0) == 1 for t in texts), sum(counts.get(t, 0) > 1 for t in texts)
        previous = stored
        await asyncio.sleep(1.0)  # outside every timed figure


async def probes(driver: Driver, until: Callable[[], bool], limit: int) -> list[float]:
    """/help every PROBE_EVERY seconds (on schedule, not after the previous answer) until `until()`."""
    sent, loop = [], asyncio.get_running_loop()
    start = loop.time()
    while len(sent) < limit and not (sent and until()):
        sent.append(await driver.send("help", driver.pairs[len(sent) % len(driver.pairs)]))
        await asyncio.sleep(max(0.0, start + len(sent) * PROBE_EVERY - loop.time()))
    return [await driver.done(rec) for rec in sent]


async def loop_blocking(driver: Driver, bot: BotProcess, stats: int) -> tuple[list[float], list[float], list[float]]:
    idle = await probes(driver, lambda: False, IDLE_PROBES)
    mark = bot.mark()
    charts = [await driver.send("stats", driver.pairs[i]) for i in range(stats)]
    waiting = asyncio.gather(*(driver.done(rec) for rec in charts))
    loaded = await probes(driver, waiting.done, 10_000)
    await waiting
    return idle, loaded, bot.stalls(mark)


def line(label: str, values: list[float], floor: float | None = None) -> str:
    p50, p99, top = summary(values)
    ratio = f"  x{p50 / floor:5.2f} floor p50" if floor else ""
    return f"  {label:<22} n={len(values):4d}  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  max {top:8.1f} ms{ratio}"


async def run(args: argparse.Namespace) -> int:
    work = workdir()
    fakes = [new_fake(), new_fake()]
    worlds = [populate(f, GUILDS, MEMBERS) for f in fakes]
    for f in fakes:
        await f.start()
    bot_fake, floor_fake = fakes
    started = time.monotonic()
    try:
        bot_proc, floor_proc = await asyncio.gather(studybot(bot_fake, work), floor_bot(floor_fake, work))
        async with processes(bot_proc, floor_proc):
            bot, floor = Driver(bot_fake, *worlds[0]), Driver(floor_fake, *worlds[1])
            print(f"bench_commands: bot (pid {bot_proc.proc.pid}) and floor ready in {time.monotonic() - started:.1f} s "
                  f"({work})", flush=True)
            # every member's current question in every server, for /answer and /reveal (untimed)
            for pair in bot.pairs[: max(args.burst, args.sequential, args.stats)]:
                await bot.one("question", pair)
            return await measure(args, bot, floor, bot_proc, floor_proc, work)
    finally:
        for f in fakes:
            await f.stop()


async def measure(args: argparse.Namespace, bot: Driver, floor: Driver, bot_proc: BotProcess, floor_proc: BotProcess,
                  work: Path) -> int:
    goals: list[tuple[str, bool]] = []
    if args.sequential:
        goals += await measure_sequential(args, bot, floor)
    if args.burst:
        goals += await measure_burst(args, (bot, bot_proc), (floor, floor_proc), work)
    if args.stats:
        goals += await measure_blocking(args, bot, bot_proc)
    print("\nGoals")
    for what, ok in goals:
        print(f"  {verdict(ok)}  {what}")
    return 0 if all(ok for _, ok in goals) else 1


async def measure_sequential(args: argparse.Namespace, bot: Driver, floor: Driver) -> list[tuple[str, bool]]:
    goals = []
    seq = await sequential(bot, floor, args.sequential)
    floor_p50 = summary(seq["ping"])[0]
    print(f"\nSequential ({args.sequential} each, {ROUNDS} interleaved rounds)")
    print(line("floor /ping", seq["ping"]))
    for name in ("question", "reveal", "answer"):
        print(line(f"/{name}", seq[name], floor_p50))
        goals.append((f"/{name} p50 <= 2x floor", summary(seq[name])[0] <= 2 * floor_p50))
    return goals


async def measure_burst(args: argparse.Namespace, bot_and_process: tuple[Driver, BotProcess],
                        floor_and_process: tuple[Driver, BotProcess], work: Path) -> list[tuple[str, bool]]:
    (bot, bot_proc), (floor, floor_proc) = bot_and_process, floor_and_process
    cpu = floor_proc.cpu()
    floor_records = await burst(floor, args.burst, lambda i, pair: floor.send("ping", pair))
    floor_cpu = floor_proc.cpu() - cpu
    texts = [answer_text(f"burst-{i}") for i in range(args.burst)]

    async def bot_one(i: int, pair: tuple[dict[str, Any], int]) -> Any:
        return await (bot.send("question", pair) if i % 2 else bot.send("answer", pair, {"text": texts[i]}))

    cpu = bot_proc.cpu()
    bot_records = await burst(bot, args.burst, bot_one)
    floor_values, floor_late = latencies(floor, floor_records)
    values, late = latencies(bot, bot_records)
    answered = [texts[i] for i in range(0, args.burst, 2)]
    once, twice = await stored_once(work / "bot.sqlite3", answered)
    bot_cpu = bot_proc.cpu() - cpu
    await asyncio.sleep(1.0)  # the bot's backlog drains before the idle probes (outside every timed figure)
    floor_p99 = summary(floor_values)[1]
    print(f"\nBurst ({args.burst} at once: {MEMBERS} members x {GUILDS} servers, half /question, half /answer)")
    print(line("floor /ping", floor_values) + f"  late {floor_late}")
    print(line("studybot", values) + f"  late {late}  x{summary(values)[1] / floor_p99:.2f} floor p99")
    print(f"  answers stored exactly once: {once}/{len(answered)}, more than once: {twice}")
    print(f"  CPU per interaction: floor {floor_cpu / args.burst * 1000:.2f} ms, studybot {bot_cpu / args.burst * 1000:.2f} ms "
          f"(x{bot_cpu / floor_cpu:.2f})")
    return [("burst: 0 late", late == 0), ("burst p99 <= 2x floor burst p99", summary(values)[1] <= 2 * floor_p99),
            ("burst: every answer stored exactly once", once == len(answered) and twice == 0)]


async def measure_blocking(args: argparse.Namespace, bot: Driver, bot_proc: BotProcess) -> list[tuple[str, bool]]:
    """Twice: the first /stats of a process also loads matplotlib (bot.services.charts) into it."""
    goals = []
    print(f"\nLoop blocking (/help every {PROBE_EVERY * 1000:.0f} ms; {args.stats} /stats at once)")
    for run in ("first", "again"):
        idle, loaded, stalls = await loop_blocking(bot, bot_proc, args.stats)
        idle_p50, idle_p99, _ = summary(idle)
        p50, p99, _ = summary(loaded)
        print(line(f"probe idle ({run})", idle))
        print(line("probe during /stats", loaded) + f"  x{p50 / idle_p50:.2f} p50, x{p99 / idle_p99:.2f} p99 of idle")
        print(f"  loop stalls > 10 ms logged meanwhile: {len(stalls)}, longest {max(stalls, default=0):.1f} ms")
        goals.append((f"probe p99 during {args.stats} /stats <= 2x idle ({run})", p99 <= 2 * idle_p99))
    return goals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 sequential interactions of each command")
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--burst", type=int, default=GUILDS * MEMBERS)
    parser.add_argument("--stats", type=int, default=20)
    args = parser.parse_args()
    if args.quick:
        args.sequential = 40
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
