"""Shared plumbing of the load benches (/work/shared/perf-method.md): the fake Discord in this driver
process, the bots under test as processes of their own, and the floor bot.

    from bench.harness import BenchFake, BotProcess, floor_bot, studybot, populate, timed

- `BenchFake`: the e2e tests' fake Discord (tests/e2e/fake_discord) with schema validation off, Discord's
  3 s deadline on, and the arrival time of every interaction callback, follow-up and edit taken when the
  request arrives (before its body is read). `timed(rec)` is an interaction's latency as the method
  defines it: dispatch of INTERACTION_CREATE until the callback, or for a deferred one until the edit or
  follow-up that delivers the answer.
- `BotProcess`: a bot process against one BenchFake (stderr to a log file, read for readiness and the
  loop stall monitor's lines). `studybot(...)` starts `python -m bot discord`; `floor_bot(...)` the floor:
  a bare discord.py `commands.Bot` with one `/ping` answered `interaction.response.send_message("pong")`,
  which is this file run as a script (`python bench/harness.py floor`).
- `populate(fake, guilds, members)`: a world of servers and members, the same in every fake of a run.

One fake per bot: the fake sends each interaction to the last bot connected, so the floor and the bot
under test each get their own, in this one process (same code, same loop, rounds interleaved by the bench).
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOOR_SCRIPT = Path(__file__).resolve()  # this file: run as a script, it is the floor bot
TOKEN = "bench-token"
STALL_MS = 10  # the bot's loop stall monitor logs stalls above this (bot.frontends.discord.study_thread)
DEADLINE = 3.0
_UNCHECKED = SimpleNamespace(operation_id=None, operation=None, errors=())
_TOKEN_PATH = re.compile(r"^/(?:interactions/\d+|webhooks/\d+)/(?P<token>[^/]+)")


class _NoSchema:
    """Validation off while timing: every request passes unchecked (the tests check the bodies)."""

    def check(self, method: str, path: str, body: Any, *, has_body: bool = True) -> Any:
        return _UNCHECKED


def _fake_class() -> Any:
    from tests.e2e.fake_discord import FakeDiscord

    class BenchFake(FakeDiscord):
        def __init__(self) -> None:
            super().__init__(spec=_NoSchema(), token=TOKEN)  # type: ignore[arg-type]
            self.arrivals: dict[str, list[float]] = {}  # interaction token -> arrival of each callback/webhook request
            self.identified_at: float | None = None  # the first IDENTIFY: READY goes out at once

        async def _identify(self, conn: Any, d: dict[str, Any]) -> None:
            self.identified_at = self.identified_at or asyncio.get_running_loop().time()
            await super()._identify(conn, d)

        async def _rest_handler(self, request: Any) -> Any:
            found = _TOKEN_PATH.match("/" + request.match_info.get("tail", ""))
            if found and request.method in ("POST", "PATCH"):
                self.arrivals.setdefault(found["token"], []).append(asyncio.get_running_loop().time())
            return await super()._rest_handler(request)

        def hold(self) -> None:
            """Interactions sent from now on are built but not dispatched until `release`: building one costs
            the driver more than sending it, and a burst should reach the bot at once."""
            session = self._live_sessions()[-1]
            real = session.dispatch
            held: list[dict[str, Any]] = []

            async def dispatch(event: str, data: Any) -> None:
                if event == "INTERACTION_CREATE":
                    held.append(data)
                else:
                    await real(event, data)

            session.dispatch = dispatch  # type: ignore[method-assign]
            self._held = (session, real, held)

        async def release(self) -> None:
            session, real, held = self._held
            del session.dispatch  # the class's again
            loop = asyncio.get_running_loop()
            for payload in held:
                self._by_token[payload["token"]].dispatched_at = loop.time()
                await real("INTERACTION_CREATE", payload)

    return BenchFake


def new_fake() -> Any:
    return _fake_class()()


def timed(fake: Any, rec: Any) -> float | None:
    """Seconds from dispatch to the message the member finally sees; None while it is not there yet."""
    arrived = fake.arrivals.get(rec.token, [])
    if rec.dispatched_at is None or not arrived or (rec.callback is None and not rec.late):
        return None
    if rec.deferred:
        return arrived[1] - rec.dispatched_at if len(arrived) > 1 else None
    return arrived[0] - rec.dispatched_at


def populate(fake: Any, guilds: int, members: int) -> tuple[list[int], list[dict[str, Any]]]:
    """`guilds` servers (the fake's own first) with a text channel each and `members` users in all of them.
    Returns (guild ids, users). Call before any bot connects: GUILD_CREATE then carries them all."""
    ids = [int(fake.guild_id)] + [fake.add_guild(f"Bench {n}", owner=fake.owner).id for n in range(1, guilds)]
    for gid in ids[1:]:
        fake.add_channel(gid, "general")
    users = [fake.add_user(f"member{n:03d}", global_name=f"メンバー{n:03d}") for n in range(members)]
    for gid in ids:
        for user in users:
            fake.add_member(gid, user, dispatch=False)
    return ids, users


@dataclass
class BotProcess:
    name: str
    proc: asyncio.subprocess.Process
    log: Path
    _seen: int = field(default=0)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def wait_for_line(self, pattern: str, within: float) -> None:
        deadline = time.monotonic() + within
        while pattern not in self.text():
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no {pattern!r} in its log ({self.log}):\n{self.text()[-3000:]}")
            await asyncio.sleep(0.1)  # start-up is outside every timed figure

    def stalls(self, since: int = 0) -> list[float]:
        """Loop stalls (ms) the bot's monitor logged, from character `since` of the log."""
        return [float(m) for m in re.findall(r"event loop stalled ([\d.]+) ms", self.text()[since:])]

    def cpu(self) -> float:
        """CPU seconds the process has used (all its threads; not its chart workers): less noisy than wall time."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def mark(self) -> int:
        return len(self.text())

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def _start(name: str, args: list[str], env: dict[str, str], workdir: Path) -> BotProcess:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    full_env = {**{k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}, **env, "DISCORD_TOKEN": TOKEN}
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=full_env,
                                                stdin=asyncio.subprocess.DEVNULL, stdout=handle, stderr=handle)
    handle.close()
    return BotProcess(name, proc, log)


async def studybot(fake: Any, workdir: Path, *, stall_ms: int = STALL_MS) -> BotProcess:
    """`python -m bot discord` over a new database in `workdir`, ready once its answer scorer is fitted."""
    config = workdir / "studybot.toml"
    config.write_text(
        f'[bot]\ndatabase = "{workdir / "bot.sqlite3"}"\ncontent_dir = "{ROOT / "content"}"\nlog_level = "INFO"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n', encoding="utf-8")
    bot = await _start("studybot", ["-m", "bot", "discord", "--config", str(config)],
                       {"STUDYBOT_STALL_LOG_MS": str(stall_ms)}, workdir)
    await bot.wait_for_line("answer scorer ready", 120)
    await fake.wait_for(lambda: fake.commands(), timeout=30, what="studybot's commands")
    return bot


async def floor_bot(fake: Any, workdir: Path) -> BotProcess:
    bot = await _start("floor", [str(FLOOR_SCRIPT), "floor", fake.api_base, fake.gateway_url], {}, workdir)
    await bot.wait_for_line("floor ready", 60)
    await fake.wait_for(lambda: fake.commands(), timeout=30, what="the floor's /ping")
    return bot


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="studybot-bench-"))


def percentile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max in milliseconds."""
    return (statistics.median(values) * 1000, percentile(values, 99) * 1000, max(values) * 1000) if values else (
        float("nan"),) * 3


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


@contextlib.asynccontextmanager
async def processes(*bots: BotProcess) -> Any:
    try:
        yield bots
    finally:
        for bot in bots:
            await bot.stop()


# --- the floor bot, run as `python bench/harness.py floor API_BASE GATEWAY_URL` ---------------------------


def run_floor(api_base: str, gateway_url: str) -> None:
    import discord
    import yarl
    from discord.ext import commands

    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    class Floor(commands.Bot):
        async def setup_hook(self) -> None:
            await self.tree.sync()

        async def on_ready(self) -> None:
            print("floor ready", file=sys.stderr, flush=True)

    bot = Floor(command_prefix="!", intents=discord.Intents.default(),
                allowed_mentions=discord.AllowedMentions.none())

    @bot.tree.command(name="ping", description="pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__" and sys.argv[1:2] == ["floor"]:
    run_floor(sys.argv[2], sys.argv[3])
