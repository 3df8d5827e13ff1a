"""The APScheduler adapter: a cron job per server, in the server's own timezone, calls injected callbacks.

It keeps nothing the database does not: jobs are built from daily_settings at start and on every change,
and whether a run owes a post is decided by bot.services.daily. So a late, repeated (the hour a DST change
repeats) or concurrent run is harmless, and start-up catch-up is just "run the slot where one is owed".
Knows nothing of Discord: the front end passes `on_slot` / `on_reveal` (e.g. services.daily.run_slot over
its channel).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.daily import DailyNotSetUp, DailySettings, clock_time
from bot.services.daily import Daily

log = logging.getLogger(__name__)
GuildCallback = Callable[[int], Awaitable[object]]
# Run however late: a blocked loop or a suspended machine must not silently lose a day. The service
# refuses anything not owed (a past day, a slot not yet due), and coalescing makes a backlog one run.
JOB_OPTIONS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1, "replace_existing": True}


def slot_job_id(guild_id: int) -> str:
    return f"daily:{guild_id}"


def reveal_job_id(guild_id: int) -> str:
    return f"reveal:{guild_id}"


class DailyScheduler:
    def __init__(self, daily: Daily, on_slot: GuildCallback, on_reveal: GuildCallback | None = None, *,
                 scheduler: AsyncIOScheduler | None = None):
        self.daily = daily
        self._on_slot = on_slot
        self._on_reveal = on_reveal
        self._scheduler = scheduler or AsyncIOScheduler(timezone=timezone.utc)
        # one run per server at a time: the cron job and catch-up (or /daily now) may meet
        self._locks: dict[int, asyncio.Lock] = {}
        self._active: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Schedule every server, start, then catch up. Jobs start first so a slot that passes during
        catch-up is not lost; the per-server lock and the service keep the two from double-posting."""
        for settings in self.daily.schedules():
            self._schedule(settings)
        self._scheduler.start()
        await self.catch_up()

    async def catch_up(self) -> None:
        """What a restart or downtime left owed: today's missed post (once), left intents, due reveals."""
        for guild_id in self.daily.needs_catch_up():
            await self.fire_slot(guild_id)
        if self._on_reveal is not None:
            for settings in self.daily.schedules():
                if self.daily.reveals_due(settings.guild_id):
                    await self.fire_reveal(settings.guild_id)

    def reschedule(self, guild_id: int) -> None:
        """Call after /daily setup, pause or resume."""
        try:
            self._schedule(self.daily.settings(guild_id))
        except DailyNotSetUp:
            self._remove(slot_job_id(guild_id))
            self._remove(reveal_job_id(guild_id))

    def _schedule(self, settings: DailySettings) -> None:
        guild_id = settings.guild_id
        if settings.paused:
            self._remove(slot_job_id(guild_id))
        else:
            self._add(slot_job_id(guild_id), self.fire_slot, settings, settings.post_time)
        # reveals continue while paused: the questions already out still get their answers
        if settings.reveal_time and self._on_reveal is not None:
            self._add(reveal_job_id(guild_id), self.fire_reveal, settings, settings.reveal_time)
        else:
            self._remove(reveal_job_id(guild_id))

    def _add(self, job_id: str, func: Callable[[int], Awaitable[None]], settings: DailySettings, hhmm: str) -> None:
        at = clock_time(hhmm)
        trigger = CronTrigger(hour=at.hour, minute=at.minute, second=0, timezone=settings.zone)
        self._scheduler.add_job(func, trigger, id=job_id, args=[settings.guild_id], **JOB_OPTIONS)

    def _remove(self, job_id: str) -> None:
        try:
            self._scheduler.remove_job(job_id)
        except JobLookupError:
            pass

    def next_run_time(self, guild_id: int) -> datetime | None:
        """In UTC: a local time in a DST gap or repeat never compares equal across zones (PEP 495)."""
        job = self._scheduler.get_job(slot_job_id(guild_id))
        return job.next_run_time.astimezone(timezone.utc) if job and job.next_run_time else None

    async def fire_slot(self, guild_id: int) -> None:
        await self._run(guild_id, self._on_slot, "slot")

    async def fire_reveal(self, guild_id: int) -> None:
        if self._on_reveal is not None:
            await self._run(guild_id, self._on_reveal, "reveal")

    async def _run(self, guild_id: int, callback: GuildCallback, what: str) -> None:
        task = asyncio.current_task()
        self._active.add(task)
        try:
            async with self._locks.setdefault(guild_id, asyncio.Lock()):
                await callback(guild_id)
        except Exception:  # one server's failure must not stop the others' catch-up
            log.exception("daily %s for guild %s failed", what, guild_id)
        finally:
            self._active.discard(task)

    async def run_pending(self) -> None:
        """Run the jobs whose time has come and wait for them. Tests move the clock (time-machine) and
        call this instead of sleeping; it also suits a front end that knows the machine just woke up."""
        self._scheduler.wakeup()
        for _ in range(3):  # wakeup runs on the loop, then submits each job as a task
            await asyncio.sleep(0)
        while self._active:
            await asyncio.gather(*list(self._active))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
