"""Charts are drawn in a small pool of processes, in parallel and bounded, so the event loop stays free.

matplotlib holds the GIL for most of a 0.5-3 s chart: in threads, twenty /stats at once were drawn one
after another and slowed every other member's command (issue 15). A figure's `draw` is a picklable call
(a module-level function and its data, bot.services.study.stats_chart), so it runs in another process.
"spawn" starts clean workers: forking a process with an event loop and threads is unsafe.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.commands.spec import Figure

log = logging.getLogger(__name__)
WORKERS = 2  # charts drawn at once; more wait their turn (each /stats is deferred, so Discord waits too)
# Drawing is background work: at a lower CPU priority, two workers drawing on a two-core machine do not take
# the bot's event loop's core from it (the loop answers everyone else meanwhile).
NICENESS = 10


class ChartPool:
    def __init__(self, workers: int = WORKERS):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:  # started on the first chart: most runs never draw one
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=os.nice, initargs=(NICENESS,))
        return self._pool

    async def draw(self, figure: Figure) -> bytes:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), figure.draw)
        except (pickle.PicklingError, AttributeError, TypeError) as error:  # a draw that cannot cross processes
            log.warning("drawing %s in a thread (%s)", figure.filename, error)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a fresh pool for the next chart
            log.warning("the chart pool broke; drawing %s in a thread and starting a new pool", figure.filename)
            self._pool = None
        return await asyncio.to_thread(figure.draw)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
