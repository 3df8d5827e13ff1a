"""Commands run beside the event loop: a few study threads, each with its own event loop and database
connection, run the command handlers, so the loop that talks to Discord never waits for SQLite or the scorer.
Commands marked slow have a thread of their own, so they never queue in front of the quick ones.

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
import contextlib
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

# Threads running commands at once. SQLite writes one at a time and the GIL runs one thread's Python at a
# time, so more threads add no speed, and each is one more taker of the GIL the event loop needs to answer
# anyone. Two: one command stuck waiting (a busy database, up to db.connection.WRITE_WAIT_SECONDS) does
# not hold up everyone else's.
WORKERS = 2
SLOW_WORKERS = 1  # commands marked slow, in a lane of their own (their drawing has its own processes)
# How long a thread may keep the GIL while another waits for it (Python's default is 5 ms). The event loop
# waits that long for a study thread busy scoring before it can answer anyone; 1 ms keeps it responsive.
SWITCH_INTERVAL = 0.001
# How long a hop back to the main loop may take before a sync caller gives up (the loop is closing).
HOP_TIMEOUT = 10.0
STALL_ENV = "STUDYBOT_STALL_LOG_MS"
STALL_TICK = 0.005  # the monitor's sleep: lateness beyond it is time the loop could not run


class StudyThreads:
    """Runs coroutines in worker threads (`run`) once started; before `start` (or after `stop`) on the loop.

    Two lanes: commands marked slow (a chart's data, a daily post, an export) queue for threads of their
    own, so twenty /stats at once never stand between a member and a /question.

    Why not concurrent.futures: its futures and idle semaphore are Python-level locks the loop and the
    workers both take, and a worker switched out while holding one stalls the loop until it runs again. Here
    the loop hands work over through a SimpleQueue (C, no Python lock) and gets the result back through
    call_soon_threadsafe."""

    def __init__(self, workers: int = WORKERS, slow_workers: int = SLOW_WORKERS):
        self.workers = {False: workers, True: slow_workers}
        self._queues: dict[bool, queue.SimpleQueue[_Job | None]] = {False: queue.SimpleQueue(), True: queue.SimpleQueue()}
        self._threads: list[tuple[threading.Thread, bool]] = []
        self.main_loop: asyncio.AbstractEventLoop | None = None
        self._switch_interval = sys.getswitchinterval()

    @property
    def started(self) -> bool:
        return bool(self._threads)

    def start(self) -> None:
        """From the main loop."""
        self.main_loop = asyncio.get_running_loop()
        if self._threads:
            return
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        for slow, count in self.workers.items():
            for n in range(count):
                name = f"study-{'slow-' if slow else ''}{n}"
                self._threads.append((threading.Thread(target=self._serve, args=(self._queues[slow],), name=name,
                                                       daemon=True), slow))
        for thread, _ in self._threads:
            thread.start()

    async def run(self, make: Callable[[], Awaitable[T]], *, slow: bool = False) -> T:
        """`make()`'s coroutine, run in a study thread of its lane (on this loop when not started)."""
        if not self._threads:
            return await make()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queues[slow].put(_Job(make, future, loop))
        return await future

    @staticmethod
    def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
        loop = asyncio.new_event_loop()  # one per thread, kept: a new loop for every command costs more than the command
        try:
            while (job := jobs.get()) is not None:
                try:
                    outcome: tuple[bool, Any] = (True, loop.run_until_complete(job.make()))
                except BaseException as error:  # noqa: BLE001 - handed to the awaiting command
                    outcome = (False, error)
                with contextlib.suppress(RuntimeError):  # the client's loop closed meanwhile: nobody waits
                    job.loop.call_soon_threadsafe(_settle, job.future, *outcome)
        finally:
            loop.close()

    async def stop(self) -> None:
        """Lets running commands finish (bounded); the threads then end."""
        threads, self._threads = self._threads, []
        if threads:
            sys.setswitchinterval(self._switch_interval)
        for _, slow in threads:
            self._queues[slow].put(None)
        deadline = time.monotonic() + HOP_TIMEOUT
        for thread, _ in threads:
            await asyncio.to_thread(thread.join, max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("study thread %s still busy at shutdown", thread.name)


@dataclass
class _Job:
    make: Callable[[], Awaitable[Any]]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


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
