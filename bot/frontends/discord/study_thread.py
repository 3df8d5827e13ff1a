"""Commands run beside the event loop: a few study threads, each with its own event loop and database
connection, run the command handlers, so the loop that talks to Discord never waits for SQLite or the scorer.

Why threads, and several: a handler is an async function calling sync services (bot.commands), and the
terminal runs the same handlers on its own loop. In a worker thread it runs to completion on that thread's
loop; what it asks of Discord or of the main loop's objects (asyncio locks, the scheduler, discord.py) hops
back to the main loop (`to_main`, `call_on_main`). One thread would let one slow command (a database held
by a backup, a long answer to score) hold up every other member's; a few let the others pass, while SQLite
keeps writers one at a time (db.connection.writing). An in-memory database is one connection, which one
thread must own: then commands run on the main loop as before.

`watch_stalls` is the loop stall monitor the benches read (bench/bench_commands.py): with
STUDYBOT_STALL_LOG_MS set, every time the main loop was late by more than that many milliseconds is logged.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

# Threads running commands at once. SQLite writes one at a time and the GIL runs one thread's Python at a
# time, so more threads add no speed; they are there so that a few commands stuck waiting (a busy
# database, up to db.connection.WRITE_WAIT_SECONDS) do not hold up everyone else's.
WORKERS = 4
# How long a hop back to the main loop may take before a sync caller gives up (the loop is closing).
HOP_TIMEOUT = 10.0
STALL_ENV = "STUDYBOT_STALL_LOG_MS"
STALL_TICK = 0.005  # the monitor's sleep: lateness beyond it is time the loop could not run


class StudyThreads:
    """Runs coroutines in worker threads (`run`) once started; before `start` (or after `stop`) on the loop."""

    def __init__(self, workers: int = WORKERS):
        self.workers = workers
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._local = threading.local()
        self.main_loop: asyncio.AbstractEventLoop | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self) -> None:
        """From the main loop; the threads start as commands come."""
        self.main_loop = asyncio.get_running_loop()
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="study")

    async def run(self, make: Callable[[], Awaitable[T]]) -> T:
        """`make()`'s coroutine, run in a study thread (on this loop when not started)."""
        if self._pool is None:
            return await make()
        return await asyncio.wrap_future(self._pool.submit(self._run, make))

    def _run(self, make: Callable[[], Awaitable[T]]) -> T:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:  # one loop per thread, kept: a new loop for every command costs more than the command
            loop = self._local.loop = asyncio.new_event_loop()
            self._loops.append(loop)
        return loop.run_until_complete(make())

    async def stop(self) -> None:
        """Lets running commands finish (bounded), then closes the threads' loops."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True), HOP_TIMEOUT)
        except TimeoutError:
            log.warning("study threads still busy after %.0f s at shutdown", HOP_TIMEOUT)
            return
        for loop in self._loops:
            loop.close()
        self._loops.clear()


def on_loop(loop: asyncio.AbstractEventLoop | None) -> bool:
    """Whether the caller runs on `loop` (or there is no other loop to hop to)."""
    if loop is None or loop.is_closed():
        return True
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


async def to_main(loop: asyncio.AbstractEventLoop | None, coro: Awaitable[T]) -> T:
    """Await `coro` on `loop` (the Discord client's), from wherever the caller runs."""
    if on_loop(loop):
        return await coro
    assert loop is not None
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_awaited(coro), loop))


def call_on_main(loop: asyncio.AbstractEventLoop | None, call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` on `loop`, waiting for it: what a sync method does to touch the loop's objects."""
    if on_loop(loop):
        return call(*args)
    assert loop is not None

    async def run() -> T:
        return call(*args)

    return asyncio.run_coroutine_threadsafe(run(), loop).result(HOP_TIMEOUT)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def stall_threshold() -> float | None:
    """Seconds from STUDYBOT_STALL_LOG_MS, or None when the monitor is off."""
    value = os.environ.get(STALL_ENV, "").strip()
    try:
        return float(value) / 1000 if value else None
    except ValueError:
        log.warning("%s=%r is not a number of milliseconds; no stall monitor", STALL_ENV, value)
        return None


async def watch_stalls(threshold: float) -> None:
    """Logs every stall of the running loop longer than `threshold` seconds, until cancelled."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(STALL_TICK)
        late = time.perf_counter() - before - STALL_TICK
        if late > threshold:
            log.warning("event loop stalled %.1f ms", late * 1000)
