"""Start-up of `studybot discord` beside a floor bot, and `studybot grade` beside `import sklearn` (issues 14, 15).

    .venv/bin/python bench/bench_startup.py [--rounds 5]

Start-up (/work/shared/perf-method.md): the e2e tests' fake Discord runs in this process, schema validation
off; each bot is a process of its own pointed at a fresh fake: studybot (`python -m bot discord`) and the
floor, a bare discord.py `commands.Bot` whose one `/ping` answers "pong" (this file run as
`bench/harness.py floor API_BASE GATEWAY_URL`). Rounds alternate floor, studybot's first start (new
database, no cached scorer) and its restart (same database, scorer cached). Timed from just before the
process is spawned, on this loop's clock: READY (the fake answers IDENTIFY with it), and the first command
answered (`/ping`, `/question`: its callback request arriving, or for a deferred one the edit or follow-up).
Peak RSS is VmHWM from /proc, read once the bot has answered (and, for studybot, logged that its answer
scorer is ready: the fit is what start-up allocates most for), just before it is stopped.

grade: wall time of `python -m bot grade junior-01` with an answer on stdin, once with no cached scorer
(it fits and caches), then warm, alternating with `python -c "import sklearn"`, `--rounds` times.
Goals: READY <= 3x the floor's (issue 15); warm grade < 2x `import sklearn` (issue 14). Medians throughout.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import FLOOR_SCRIPT, TOKEN, new_fake, verdict  # noqa: E402

ANSWER = "大きすぎるデータはチャンクに分けてバッチ処理し、ジェネレーターで必要な分だけ読み込みます。分散処理も使えます。"


@dataclass
class Start:
    ready: float  # seconds from spawn
    answered: float
    rss_mb: float


def vm_hwm_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024  # type: ignore[union-attr]


def config_file(workdir: Path, fake: Any) -> Path:
    config = workdir / "studybot.toml"
    config.write_text(f'[bot]\ndatabase = "{workdir / "bot.sqlite3"}"\ncontent_dir = "{ROOT / "content"}"\n'
                      f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n', encoding="utf-8")
    return config


async def one_start(kind: str, workdir: Path) -> Start:
    """One process start of `kind` ("floor" or "studybot") against a fresh fake; stopped afterwards."""
    fake = new_fake()
    await fake.start()
    log = workdir / f"{kind}.log"
    args = ([str(FLOOR_SCRIPT), "floor", fake.api_base, fake.gateway_url] if kind == "floor"
            else ["-m", "bot", "discord", "--config", str(config_file(workdir, fake))])
    env = {**{k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}, "DISCORD_TOKEN": TOKEN}
    loop = asyncio.get_running_loop()
    with log.open("wb") as out:
        started = loop.time()
        proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                                    stdout=out, stderr=out)
    try:
        await fake.wait_for(lambda: fake.identified_at, timeout=120, what=f"{kind} to connect")
        rec = await (fake.slash("ping", wait=False) if kind == "floor" else fake.slash("question", {"level": "junior"}, wait=False))
        await rec.finished(timeout=30)
        arrived = fake.arrivals[rec.token]
        answered = arrived[1] if rec.deferred else arrived[0]
        if kind != "floor":
            await fake.wait_for(lambda: "answer scorer ready" in log.read_text(errors="replace"), timeout=120,
                                what="the answer scorer")
        return Start(fake.identified_at - started, answered - started, vm_hwm_mb(proc.pid))
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await fake.stop()


def wall(args: list[str], stdin: str = "") -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=True, timeout=120)
    return time.perf_counter() - began


def median(values: list[float]) -> float:
    return statistics.median(values)


async def startup(rounds: int) -> bool:
    runs: dict[str, list[Start]] = {"floor": [], "studybot first start": [], "studybot restart": []}
    for _ in range(rounds):
        workdir = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        try:
            runs["floor"].append(await one_start("floor", workdir))
            runs["studybot first start"].append(await one_start("studybot", workdir))
            runs["studybot restart"].append(await one_start("studybot", workdir))  # the database and scorer cache are there
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    floor = runs["floor"]
    base = {"ready": median([s.ready for s in floor]), "answered": median([s.answered for s in floor]),
            "rss": median([s.rss_mb for s in floor])}
    print(f"start-up, median of {rounds} rounds: seconds from spawn; peak RSS (VmHWM) in MB; (x the floor)")
    print(f"{'':22} {'READY':>14} {'first answer':>14} {'peak RSS':>16}")
    ok = True
    for name, starts in runs.items():
        ready, answered, rss = (median([s.ready for s in starts]), median([s.answered for s in starts]),
                                median([s.rss_mb for s in starts]))
        print(f"{name:22} {ready:6.2f} (x{ready / base['ready']:4.1f}) {answered:6.2f} (x{answered / base['answered']:4.1f})"
              f" {rss:6.0f} MB (x{rss / base['rss']:4.1f})")
        ok &= ready <= 3 * base["ready"]
    print(f"goal READY <= 3x the floor: {verdict(ok)}")
    return ok


def grade(rounds: int) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        config = workdir / "grade.toml"
        config.write_text(f'[bot]\ndatabase = "{workdir / "bot.sqlite3"}"\ncontent_dir = "{ROOT / "content"}"\n', encoding="utf-8")
        command = ["-m", "bot", "--config", str(config), "grade", "junior-01"]
        cold = wall(command, ANSWER)
        warm, sklearn = [], []
        for _ in range(rounds):
            sklearn.append(wall(["-c", "import sklearn"]))
            warm.append(wall(command, ANSWER))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    floor = median(sklearn)
    print(f"\nstudybot grade, wall seconds (median of {rounds}; x `python -c \"import sklearn\"`)")
    print(f"import sklearn        {floor:6.2f}")
    print(f"grade, no cache       {cold:6.2f} (x{cold / floor:4.2f})  fits and caches; once")
    print(f"grade, cached scorer  {median(warm):6.2f} (x{median(warm) / floor:4.2f})")
    ok = median(warm) < 2 * floor
    print(f"goal grade < 2x import sklearn: {verdict(ok)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    ok = asyncio.run(startup(rounds))
    ok &= grade(rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
