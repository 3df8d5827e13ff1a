"""The APScheduler adapter: a timer per server, armed at the domain's own next slot, and a sweep.

It keeps nothing the database does not and does no date arithmetic of its own. The slot timer is a
one-shot DateTrigger at Daily.next_wake (the next posting time, or sooner the retry of a failed post),
armed again after every run and on every change; the reveal timer likewise at Daily.next_reveal_wake.
(APScheduler 3's CronTrigger computed its own dates and lost whole days around DST changes near
midnight: New York's 00:00 after the spring change, Beirut or Santiago whose change is at midnight.)
Every SWEEP_EVERY a sweep runs whatever is owed now - a due slot, an intent a crash or a failure left,
a retry whose time has come, a due reveal - so a lost timer costs minutes, never a day.
Once at start-up and then once a day it also runs the front end's `housekeeping` (Discord: deleting the
data of servers the bot left longer ago than the grace period).
Whether a run posts is decided by bot.services.daily, under a per-server lock that /daily now shares
(`exclusive`), so a late, repeated or concurrent run is harmless. Knows nothing of Discord: the front
end passes `on_slot` / `on_reveal` (e.g. services.daily.run_slot over its channel), and `spacing`, how far
apart it can take the runs of servers whose timers share an instant (`Spread`): a thousand servers at
09:00 then wake one after another from 09:00 on, never before it, instead of all doing their database
work on the loop in the same instant. The slot timer also wakes for a discussion thread still owed.

With a DailyBackup it also runs one job a day, at its UTC time (a CronTrigger in UTC has no DST to lose a
day to), that copies the database; a failure is one WARNING line and the next day tries again.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.backups import DailyBackup
from bot.services.daily import Daily

log = logging.getLogger(__name__)
GuildCallback = Callable[[int], Awaitable[object]]
T = TypeVar("T")
# Run however late: a blocked loop or a suspended machine must not silently lose a day. The service
# refuses anything not owed (a past day, a slot not yet due), and coalescing makes a backlog one run.
JOB_OPTIONS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1, "replace_existing": True}
SWEEP_EVERY = timedelta(minutes=5)
SWEEP_JOB = "daily:sweep"
HOUSEKEEPING_EVERY = timedelta(days=1)  # e.g. deleting the data of servers the bot left (bot.services.privacy)
HOUSEKEEPING_JOB = "housekeeping"
BACKUP_JOB = "backup:daily"
PERIODIC_JOB = "periodic"  # the front end's own every-so-often job (Discord: reminder DMs and streak milestones)


class Spread:
    """Timers armed for the same instant fire `step` apart, in the order they were armed (the k-th at
    instant + k * step): never before the instant, and no later than the front end could serve them."""

    def __init__(self, step: timedelta = timedelta(0)):
        self.step = step
        self._taken: dict[datetime, set[int]] = {}  # instant -> places in its queue
        self._of: dict[int, tuple[datetime, int]] = {}  # guild -> its place

    def place(self, guild_id: int, at: datetime | None) -> datetime | None:
        """When the guild's timer for `at` fires (it gives up any place it had)."""
        self.release(guild_id)
        if at is None or not self.step:
            return at
        taken = self._taken.setdefault(at, set())
        index = len(taken) if len(taken) not in taken else next(i for i in range(len(taken)) if i not in taken)
        taken.add(index)
        self._of[guild_id] = (at, index)
        return at + index * self.step

    def release(self, guild_id: int) -> None:
        at, index = self._of.pop(guild_id, (None, 0))
        if at is not None:
            self._taken[at].discard(index)
            if not self._taken[at]:
                del self._taken[at]


def slot_job_id(guild_id: int) -> str:
    return f"daily:{guild_id}"


def reveal_job_id(guild_id: int) -> str:
    return f"reveal:{guild_id}"


class DailyScheduler:
    def __init__(self, daily: Daily, on_slot: GuildCallback, on_reveal: GuildCallback | None = None, *,
                 scheduler: AsyncIOScheduler | None = None, housekeeping: Callable[[], Awaitable[object]] | None = None,
                 backup: DailyBackup | None = None, spacing: timedelta = timedelta(0),
                 periodic: tuple[timedelta, Callable[[], Awaitable[object]]] | None = None):
        self.daily = daily
        self._slot_spread, self._reveal_spread = Spread(spacing), Spread(spacing)
        self._periodic = periodic  # (every, job): run at that interval; a failure is logged
        self._housekeeping = housekeeping  # run once at start and every HOUSEKEEPING_EVERY
        self.backup = backup
        self._on_slot = on_slot
        self._on_reveal = on_reveal
        self._scheduler = scheduler or AsyncIOScheduler(timezone=UTC)
        # one run per server at a time: its timer, the sweep and /daily now may meet
        self._locks: dict[int, asyncio.Lock] = {}
        # jobs submitted and not yet finished (counted by APScheduler's own events), for run_pending
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._scheduler.add_listener(self._count, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    async def start(self) -> None:
        """Arm every server, start, then catch up. Timers start first so a slot that passes during
        catch-up is not lost; the per-server lock and the service keep the two from double-posting."""
        for settings in self.daily.schedules():
            self.reschedule(settings.guild_id)
        self._scheduler.add_job(self._sweep_job, IntervalTrigger(seconds=SWEEP_EVERY.total_seconds(), timezone=UTC),
                                id=SWEEP_JOB, **JOB_OPTIONS)
        if self._housekeeping is not None:
            self._scheduler.add_job(self.housekeeping, IntervalTrigger(seconds=HOUSEKEEPING_EVERY.total_seconds(), timezone=UTC),
                                    id=HOUSEKEEPING_JOB, **JOB_OPTIONS)
        if self.backup is not None:
            at = self.backup.at
            self._scheduler.add_job(self.run_backup, CronTrigger(hour=at.hour, minute=at.minute, timezone=UTC),
                                    id=BACKUP_JOB, **JOB_OPTIONS)
        if self._periodic is not None:
            self._scheduler.add_job(self.run_periodic, IntervalTrigger(seconds=self._periodic[0].total_seconds(), timezone=UTC),
                                    id=PERIODIC_JOB, **JOB_OPTIONS)
        self._scheduler.start()
        await self.catch_up()
        await self.housekeeping()

    async def housekeeping(self) -> None:
        """The daily chores that are not a server's question (start-up, then once a day); a failure is logged."""
        if self._housekeeping is None:
            return
        try:
            await self._housekeeping()
        except Exception:  # tomorrow's run tries again; the daily question is not held up
            log.exception("housekeeping failed")

    async def catch_up(self) -> None:
        """Whatever is owed now (at start-up, and every SWEEP_EVERY): today's post if its time has come,
        left intents, retries that are due, due reveals. A server whose timer is missing gets it back."""
        now = self.daily.clock()
        for guild_id in sorted(set(self.daily.needs_catch_up()) | set(self.daily.guilds_owing_threads())):
            armed = self.next_run_time(guild_id)
            if armed is not None and now < armed < now + SWEEP_EVERY:
                continue  # its own timer comes first: its place in its minute's spread, not one by one here
            await self.fire_slot(guild_id)
        for settings in self.daily.schedules():
            if self._on_reveal is not None and self.daily.reveals_due(settings.guild_id):
                await self.fire_reveal(settings.guild_id)
            if self._scheduler.get_job(slot_job_id(settings.guild_id)) is None:
                self.reschedule(settings.guild_id)

    def reschedule(self, guild_id: int) -> None:
        """Arm the server's timers from the database: call after /daily setup, pause, resume or now."""
        wakes = [at for at in (self.daily.next_wake(guild_id), self.daily.next_thread_wake(guild_id)) if at is not None]
        self._arm(slot_job_id(guild_id), self._slot_job, self._slot_spread.place(guild_id, min(wakes, default=None)),
                  guild_id)
        # reveals continue while paused: the questions already out still get their answers
        reveal_at = self.daily.next_reveal_wake(guild_id) if self._on_reveal is not None else None
        self._arm(reveal_job_id(guild_id), self._reveal_job, self._reveal_spread.place(guild_id, reveal_at), guild_id)

    def _arm(self, job_id: str, func: Callable[[int], Awaitable[None]], at: datetime | None, guild_id: int) -> None:
        if at is None:
            self._remove(job_id)
        else:
            self._scheduler.add_job(func, DateTrigger(run_date=at, timezone=UTC), id=job_id, args=[guild_id],
                                    **JOB_OPTIONS)

    def _remove(self, job_id: str) -> None:
        with suppress(JobLookupError):  # nothing armed: nothing to remove
            self._scheduler.remove_job(job_id)

    def next_run_time(self, guild_id: int) -> datetime | None:
        """In UTC: a local time in a DST gap or repeat never compares equal across zones (PEP 495)."""
        job = self._scheduler.get_job(slot_job_id(guild_id))
        return job.next_run_time.astimezone(UTC) if job and job.next_run_time else None

    async def fire_slot(self, guild_id: int) -> None:
        """The timer went off: run the slot if anything is owed (asked under the lock, so the timer, the
        sweep and /daily now never run it twice), then arm the timer again. A timer that went off before
        its time (by the injected clock) finds nothing owed and is armed again for that time."""
        async def owed_slot() -> None:
            if self.daily.owes(guild_id) or self.daily.threads_due(guild_id):
                await self._on_slot(guild_id)

        await self._run(guild_id, owed_slot, "slot")
        self._rearm(guild_id)

    async def fire_reveal(self, guild_id: int) -> None:
        on_reveal = self._on_reveal
        if on_reveal is None:
            return

        async def due_reveals() -> None:
            if self.daily.reveals_due(guild_id):
                await on_reveal(guild_id)

        await self._run(guild_id, due_reveals, "reveal")
        self._rearm(guild_id)

    def _rearm(self, guild_id: int) -> None:
        try:
            self.reschedule(guild_id)
        except Exception:  # the run is done; the sweep gives a server without a timer its timer back
            log.exception("arming the daily timers of guild %s failed", guild_id)

    async def exclusive(self, guild_id: int, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` (e.g. /daily now) under the server's lock: never beside its timer or the sweep."""
        async with self._locks.setdefault(guild_id, asyncio.Lock()):
            return await work()

    async def _run(self, guild_id: int, work: Callable[[], Awaitable[None]], what: str) -> None:
        try:
            await self.exclusive(guild_id, work)
        except Exception:  # one server's failure must not stop the others' catch-up
            log.exception("daily %s for guild %s failed", what, guild_id)

    # APScheduler's jobs (async def: AsyncIOScheduler runs them as tasks on the bot's loop)
    async def _slot_job(self, guild_id: int) -> None:
        await self.fire_slot(guild_id)

    async def _reveal_job(self, guild_id: int) -> None:
        await self.fire_reveal(guild_id)

    async def _sweep_job(self) -> None:
        await self.catch_up()

    async def run_periodic(self) -> None:
        if self._periodic is None:
            return
        try:
            await self._periodic[1]()
        except Exception:  # the next run tries again
            log.exception("periodic job failed")

    async def run_backup(self) -> None:
        """The daily backup job: the copy runs in a worker thread (the loop keeps serving), and a failure is
        logged as one WARNING line, never raised: the bot goes on and tomorrow's run tries again."""
        backup = self.backup
        if backup is None:
            return
        try:
            result = await asyncio.to_thread(backup.run)
        except Exception as exc:  # noqa: BLE001 - any failure is one line in the log, not a traceback
            log.warning("daily backup into %s failed: %s", backup.directory, " ".join(str(exc).split()) or type(exc).__name__)
            return
        log.info("daily backup written: %s (%d bytes)%s", result.path, result.size,
                 f"; removed {', '.join(p.name for p in result.removed)}" if result.removed else "")

    def next_backup_time(self) -> datetime | None:
        job = self._scheduler.get_job(BACKUP_JOB)
        return job.next_run_time.astimezone(UTC) if job and job.next_run_time else None

    def _count(self, event: JobEvent) -> None:
        self._running += 1 if event.code == EVENT_JOB_SUBMITTED else -1
        if self._running > 0:
            self._idle.clear()
        else:
            self._idle.set()

    async def run_pending(self) -> None:
        """Run the jobs whose time has come and wait for them. Tests move the clock (time-machine) and
        call this instead of sleeping; it also suits a front end that knows the machine just woke up."""
        self._scheduler.wakeup()
        await asyncio.sleep(0)  # wakeup runs on the loop: it submits each due job as a task
        await self._idle.wait()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
