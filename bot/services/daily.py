"""The daily question's use-cases: settings, the posting protocol, reveals and answers.

The database decides what is owed. Posting is two-phase so that no restart or crash double-posts:
`begin_post` records an intent (or finds one a crash left) before anything is sent, and the front end
reports back with `mark_posted`, `attempt_failed` or, for a left-over intent, `reconcile` (whether the
message carrying the intent's marker is in the channel). `run_slot` drives that protocol over any
`DailyChannel`, so Discord and the terminal only implement sending and finding messages.

Every write that resolves an intent is a compare-and-set on the attempt it was handed out for, so two
runs that meet (a timer and /daily now, start-up catch-up) cannot undo each other's fresh intent. Only a
missing channel or permission skips a day; any other failure leaves the intent to be looked for and
tried again later that day (`owes` / `next_wake` tell the scheduler when).

Several processes may share the database: whoever sends a post or looks for it, or reveals an answer,
first claims the row there (bot.services.claims), so a post being sent by one process is never looked
for, and sent again, by another. `serves` limits the timers to this process's servers (its shards).
"""
from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol

from sqlite_utils import Database

from bot.core import daily as rules
from bot.core.answers import clean_answer
from bot.core.boards import month_key, week_key
from bot.core.daily import (
    CHANNEL_MISSING,
    EXPIRED,
    INTENDED,
    NO_QUESTIONS,
    PENDING,
    POSTED,
    SEND_ERROR,
    SKIPPED,
    DailyNotSetUp,
    DailyPost,
    DailySettings,
    ThreadOwed,
    UnknownDailyPost,
)
from bot.core.models import Question
from bot.core.points import PointsVerdict
from bot.core.streaks import StreakNow
from bot.core.streaks import now as streak_now
from bot.services.claims import LEASE, LOOKING, REVEALING, SENDING, Claimant
from bot.services.grading import grade_safely
from bot.services.saving import kept_on_failure, member_name, score_stored
from db import bank

if TYPE_CHECKING:  # the scorer pulls in scikit-learn
    from bot.services.feedback import Feedback, Grader
from db import daily as store
from db import progress as progress_store

Clock = Callable[[], datetime]
PagesSent = Callable[[int], None]
log = logging.getLogger(__name__)

# why begin_post did not ask for a post (NoPost.reason)
NOT_SET_UP, PAUSED, NOT_DUE, ALREADY_POSTED, IN_PROGRESS, WAS_SKIPPED, RETRY_LATER = (
    "not_set_up", "paused", "not_due", "already_posted", "in_progress", "skipped", "retry_later")


@dataclass(frozen=True)
class PostNow:
    """Send this question to post.channel_id, marked with the post's id (the Discord front end puts it in its buttons)."""

    post: DailyPost
    question: Question


@dataclass(frozen=True)
class CheckExisting:
    """An intent a crash left: look for the message marked with the post's id in the channel, then call `reconcile`."""

    post: DailyPost


@dataclass(frozen=True)
class NoPost:
    reason: str
    post: DailyPost | None = None


SlotAction = PostNow | CheckExisting | NoPost


@dataclass(frozen=True)
class PostedMessage:
    message_id: int
    thread_id: int | None = None
    # no thread, and why: a passing failure is tried again that day (Daily.thread_failed); a final one
    # (no permission) leaves the answer to go under the message
    thread_failed: PostFailed | None = None


class PostFailed(Exception):
    """Raised by a DailyChannel when the post cannot be made; `reason` is a code from bot.core.daily."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def stored(self) -> str:
        return f"{self.reason}: {self.detail[:200]}" if self.detail else self.reason

    @property
    def final(self) -> bool:
        """Only a missing channel or permission (or an empty level) is not worth trying again by itself."""
        return self.reason in rules.FINAL_REASONS


class PostTakenOver(Exception):
    """Raised by a DailyChannel that waited so long for its turn to send (a queue, a rate limit) that the post's
    claim ran out and another process took it: that process looks for the message and posts; this one must not."""

    def __init__(self, post_id: int):
        super().__init__(f"daily post {post_id} was taken over by another process")
        self.post_id = post_id


class DailyChannel(Protocol):
    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        """The message in post.channel_id marked with post.id, if any (recent ones)."""

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        """Post the question with its buttons and open its thread; raise PostFailed when impossible."""

    async def make_thread(self, post: DailyPost, question: Question) -> PostedMessage:
        """Open the discussion thread of a posted question (post.message_id) that still has none."""

    async def send_reveal(self, post: DailyPost, question: Question, sent: PagesSent) -> None:
        """Post the model answer in the post's thread (or under the message), page by page, leaving out
        the first post.pages_revealed pages (already out before a crash); call sent(n) as soon as n pages
        are out. PostFailed when impossible."""


@dataclass(frozen=True)
class RevealDue:
    post: DailyPost
    question: Question


@dataclass(frozen=True)
class PostLine:
    post: DailyPost
    title: str | None


@dataclass(frozen=True)
class DailyStatus:
    settings: DailySettings
    today: date  # in the server's zone
    next_post_at: datetime | None  # in the server's zone; None while paused
    recent: list[PostLine]  # newest first
    cycle: int
    shown_in_cycle: int
    cycle_size: int


@dataclass(frozen=True)
class DailyAnswerReceipt:
    answer_id: int
    post: DailyPost
    question: Question
    text: str
    counted: bool  # False: the next question was already posted, so it is kept as practice only
    streak: StreakNow
    feedback: Feedback | None = None  # None without a grader
    points: PointsVerdict | None = None  # with feedback: the points it earned, and why (not)


@dataclass(frozen=True)
class SlotOutcome:
    kind: str  # posted | skipped | failed (tried again at retry_at) | none
    post: DailyPost | None = None
    reason: str | None = None
    retry_at: datetime | None = None  # in the server's zone


def _known(post: DailyPost | None) -> DailyPost:
    """A post looked up or changed by its id: None means no post has that id (rows are never deleted)."""
    if post is None:
        raise UnknownDailyPost()
    return post


@dataclass
class Daily:
    db: Database
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    grader: Grader | None = None  # the same fitted scorer as Study's; None: daily answers are unscored
    # who this is in the rows it claims: a post it holds is being sent or looked for right now, so another
    # begin_post (here or in another process) must wait, not look in the channel (it may not be there yet)
    claimant: Claimant = field(default_factory=Claimant)
    lease: timedelta = LEASE
    # the servers whose timers this process runs (its shards, bot.core.shards); None: all of them
    serves: Callable[[int], bool] | None = None

    # -- settings ---------------------------------------------------------------------------------
    def setup(self, guild_id: int, channel_id: int, time: str, timezone: str, level: str,
              reveal_time: str | None = None, by: int | None = None) -> DailySettings:
        """(Re)configure and activate. Slots before now are not owed: the first post is the next slot
        (or /daily now)."""
        now = self.clock()
        settings = DailySettings(
            guild_id, channel_id, rules.parse_hhmm(time, "time"), rules.parse_timezone(timezone), rules.parse_level(level),
            rules.parse_hhmm(reveal_time, "reveal_time") if reveal_time else None,
            paused=False, active_since=now, updated_at=now, updated_by=by)
        return store.save_settings(self.db, settings)

    def pause(self, guild_id: int, by: int | None = None) -> DailySettings:
        return store.save_settings(self.db, replace(self.settings(guild_id), paused=True, updated_at=self.clock(), updated_by=by))

    def resume(self, guild_id: int, by: int | None = None) -> DailySettings:
        """Slots that passed while paused are not owed."""
        now = self.clock()
        return store.save_settings(self.db, replace(self.settings(guild_id), paused=False, active_since=now,
                                                    updated_at=now, updated_by=by))

    def settings(self, guild_id: int) -> DailySettings:
        settings = store.get_settings(self.db, guild_id)
        if settings is None:
            raise DailyNotSetUp()
        return settings

    def schedules(self) -> list[DailySettings]:
        """The settings of the servers this process serves."""
        return [s for s in store.all_settings(self.db) if self._serves(s.guild_id)]

    def _serves(self, guild_id: int) -> bool:
        return self.serves is None or self.serves(guild_id)

    def next_post_at(self, settings: DailySettings) -> datetime | None:
        """The next posting time, in the server's zone (None while paused): the first slot after now on a
        day that has no question yet (a timezone change can land on a day already posted)."""
        if settings.paused:
            return None
        return self._next_free_slot(settings, self.clock()).astimezone(settings.zone)

    def _next_free_slot(self, settings: DailySettings, after: datetime) -> datetime:
        at = rules.next_slot(after, settings.post_time, settings.zone)
        for _ in range(3):  # rows exist up to today, in whatever zone the server had when they were made
            if store.post_for_date(self.db, settings.guild_id, rules.local_date(at, settings.zone)) is None:
                break
            at = rules.next_slot(at, settings.post_time, settings.zone)
        return at

    def day_already_posted(self, settings: DailySettings) -> date | None:
        """The day of the next slot if that day already has its question, as after moving the server to a
        zone where it is still the day just posted: the next post is then the following day's."""
        if settings.paused:
            return None
        at = rules.next_slot(self.clock(), settings.post_time, settings.zone)
        post = store.post_for_date(self.db, settings.guild_id, rules.local_date(at, settings.zone))
        return post.local_date if post is not None and post.state == POSTED else None

    def next_wake(self, guild_id: int) -> datetime | None:
        """When the scheduler should next run this server's slot (UTC): the next posting time or, sooner,
        the retry of a failed post. None: nothing to wait for."""
        settings = store.get_settings(self.db, guild_id)
        if settings is None:
            return None
        now = self.clock()
        times = [p.retry_at for p in store.unresolved(self.db, guild_id) if p.retry_at and p.retry_at > now]
        if not settings.paused:
            times.append(self._next_free_slot(settings, now))
        return min(times, default=None)

    def next_reveal_wake(self, guild_id: int) -> datetime | None:
        """When the scheduler should next look for due reveals (UTC): the next reveal_time or a retry."""
        settings = store.get_settings(self.db, guild_id)
        if settings is None:
            return None
        now = self.clock()
        times = [p.reveal_retry_at for p in store.unrevealed(self.db, guild_id)
                 if p.reveal_retry_at and p.reveal_retry_at > now]
        if settings.reveal_time:
            times.append(rules.next_slot(now, settings.reveal_time, settings.zone))
        return min(times, default=None)

    def status(self, guild_id: int, recent: int = 14) -> DailyStatus:
        settings = self.settings(guild_id)
        posts = store.recent_posts(self.db, guild_id, recent)
        titles = store.question_titles(self.db, {p.question_id for p in posts if p.question_id})
        cycle, used, _ = store.cycle_usage(self.db, guild_id)
        return DailyStatus(
            settings, rules.local_date(self.clock(), settings.zone), self.next_post_at(settings),
            [PostLine(p, titles.get(p.question_id) if p.question_id else None) for p in posts], cycle, len(used),
            len(bank.active_ids(self.db, settings.bank_level)))

    # -- posting ----------------------------------------------------------------------------------
    def needs_catch_up(self) -> list[int]:
        """Servers a slot run is owed to now (start-up, and the scheduler's periodic sweep)."""
        guilds = {s.guild_id for s in store.all_settings(self.db)} | set(store.guilds_with_unresolved(self.db))
        return sorted(g for g in guilds if self.owes(g))

    def owes(self, guild_id: int) -> bool:
        """Would a slot run of this process do something now: today's slot is due and not begun, an intent
        a crash or a failure left is to be looked for (once its retry time has come, and nobody holds it),
        or a past day's is to resolve. Never for a server another process serves."""
        settings = store.get_settings(self.db, guild_id)
        if settings is None or not self._serves(guild_id):
            return False
        now = self.clock()
        today = rules.local_date(now, settings.zone)
        for post in store.unresolved(self.db, guild_id):
            if self._held(post, now):
                continue
            if post.local_date < today:
                return True
            if post.state == INTENDED and (post.retry_at is None or post.retry_at <= now):
                return True
            if post.state == PENDING and not settings.paused:
                return True
        return (not settings.paused and rules.is_due(now, settings)
                and store.post_for_date(self.db, guild_id, today) is None)

    def begin_post(self, guild_id: int, *, force: bool = False) -> SlotAction:
        """What to do for this server now. `force` (/daily now): post today's question even before the
        slot, while paused, or again after a skip. Never a second post for a day, never a past day."""
        settings = store.get_settings(self.db, guild_id)
        if settings is None:
            return NoPost(NOT_SET_UP)
        now = self.clock()
        today = rules.local_date(now, settings.zone)
        for old in store.unresolved(self.db, guild_id, before=today):
            if old.state == INTENDED:
                return self._check(old)
            store.set_state(self.db, old.id, SKIPPED, EXPIRED)  # known unposted, and its day is over
        post = store.post_for_date(self.db, guild_id, today)
        if post is None:
            return self._start(settings, today, now, force)
        if post.state == POSTED:
            return NoPost(ALREADY_POSTED, post)
        if post.state == INTENDED:
            if not force and post.retry_at is not None and now < post.retry_at and not self._held(post, now):
                return NoPost(RETRY_LATER, post)
            return self._check(post)
        if settings.paused and not force:
            return NoPost(PAUSED, post)
        if post.state == SKIPPED:
            if not force:
                return NoPost(WAS_SKIPPED, post)
            if post.question_id is not None:
                return self._recheck(post)
        return self._intend(settings, post, now)

    def _check(self, post: DailyPost) -> SlotAction:
        """A left intent is looked for by whoever claims it; while someone holds it, it is in progress."""
        now = self.clock()
        if self._held(post, now):
            return NoPost(IN_PROGRESS, post)
        if store.claim_intent(self.db, post.id, post.attempts, self.claimant.tag(LOOKING), now + self.lease, now,
                              post.claimed_by):
            return CheckExisting(self._post(post.id))
        return NoPost(IN_PROGRESS, self._post(post.id))

    def _held(self, post: DailyPost, now: datetime) -> bool:
        """Is `post` being sent (by this Daily or another process), or looked for or revealed by another
        process, right now? This Daily's own looking is no obstacle to itself: looking twice is harmless,
        each answer is a compare-and-set (`reconcile`)."""
        tag, until = post.claimed_by, post.claimed_until
        if tag is None or until is None or until <= now:
            return False
        if self.claimant.holds(tag):
            return self.claimant.holds(tag, SENDING)
        return not self.claimant.outlived(tag)

    def _recheck(self, post: DailyPost) -> SlotAction:
        """/daily now after a skipped day: the skip may come from a check that could not read the channel,
        so the last intent may be out there. It becomes that intent again, to be looked for first."""
        now = self.clock()
        if store.reopen_skipped(self.db, post.id, post.attempts, claimed_by=self.claimant.tag(LOOKING),
                                claimed_until=now + self.lease):
            return CheckExisting(self._post(post.id))
        return NoPost(IN_PROGRESS, self._post(post.id))

    def _start(self, settings: DailySettings, today: date, now: datetime, force: bool) -> SlotAction:
        if settings.paused and not force:
            return NoPost(PAUSED)
        if not force and not rules.is_due(now, settings):
            return NoPost(NOT_DUE)
        choice = self._choose(settings)
        qid, cycle = choice if choice else (None, 0)
        try:
            post = store.insert_intent(self.db, settings.guild_id, today, qid, cycle, settings.channel_id, week_key(today),
                                       month_key(today), now, state=INTENDED if qid else SKIPPED,
                                       reason=None if qid else NO_QUESTIONS,
                                       claimed_by=self.claimant.tag(SENDING) if qid else None, claimed_until=now + self.lease)
        except sqlite3.IntegrityError:  # another process wrote today's row first
            return NoPost(IN_PROGRESS, store.post_for_date(self.db, settings.guild_id, today))
        if qid is None:
            return NoPost(NO_QUESTIONS, post)
        return PostNow(post, self._question_of(post))

    def _intend(self, settings: DailySettings, post: DailyPost, now: datetime) -> SlotAction:
        """Post a pending or skipped day again, under the same id (and so the same marker)."""
        qid, cycle = post.question_id, post.cycle
        if qid is None:
            qid, cycle = self._choose(settings) or (None, 0)
            if qid is None:
                return NoPost(NO_QUESTIONS, store.set_state(self.db, post.id, SKIPPED, NO_QUESTIONS))
        if not store.reintend(self.db, post.id, post.attempts, qid, cycle, settings.channel_id, now,
                              self.claimant.tag(SENDING), now + self.lease):  # another run (here or in another process) took it first
            return NoPost(IN_PROGRESS, self._post(post.id))
        return PostNow(self._post(post.id), self._question_of(post))

    def _choose(self, settings: DailySettings) -> tuple[str, int] | None:
        cycle, used, last = store.cycle_usage(self.db, settings.guild_id)
        return rules.choose_daily_question(bank.active_ids(self.db, settings.bank_level), cycle, used, last, self.rng)

    def reconcile(self, checked: DailyPost, found: PostedMessage | None) -> DailyPost:
        """The front end looked for the marker of `checked` (a CheckExisting's intent). Found: it was
        posted. Not found: today's is posted again (next begin_post), a past day's is given up, never
        back-filled. Only if the row is still that very intent: meanwhile another run may have
        reconciled it and recorded (and be sending) a new one, which this stale "not found" must not reset."""
        if found is not None:
            return _known(store.mark_posted(self.db, checked.id, found.message_id, found.thread_id, self.clock()))
        past = checked.local_date < rules.local_date(self.clock(), self.settings(checked.guild_id).zone)
        store.settle_intent(self.db, checked.id, checked.attempts, SKIPPED if past else PENDING, EXPIRED if past else None)
        return self._post(checked.id)

    def mark_posted(self, post_id: int, message_id: int, thread_id: int | None = None) -> DailyPost:
        return _known(store.mark_posted(self.db, post_id, message_id, thread_id, self.clock()))

    def attempt_failed(self, attempt: DailyPost, failed: PostFailed, *, checking: bool) -> SlotOutcome | None:
        """Looking for (`checking`) or sending `attempt` failed. A missing channel or permission skips the
        day (once fixed, /daily now posts it after all). Anything else may pass, and a failed send may
        even have reached the channel: the intent stays, to be looked for and tried again at retry_at,
        while its day lasts. A past day's intent that cannot be looked for is given up, so that today's
        post does not wait for it. None: the run goes on (a past day, or another run got there first).
        Either way this run no longer holds that attempt (a newer one may be in flight: that one it keeps)."""
        try:
            return self._failed(attempt, failed, checking)
        finally:
            doing = LOOKING if checking else SENDING
            store.release_claim(self.db, attempt.id, self.claimant.tag(doing), attempt.attempts)

    def _failed(self, attempt: DailyPost, failed: PostFailed, checking: bool) -> SlotOutcome | None:
        now = self.clock()
        zone = self.settings(attempt.guild_id).zone
        past = attempt.local_date < rules.local_date(now, zone)
        if failed.final or (checking and past):
            if not store.record_failure(self.db, attempt.id, attempt.attempts, SKIPPED, failed.stored, None) or past:
                return None
            post = self._post(attempt.id)
            return SlotOutcome("none", post, WAS_SKIPPED) if checking else SlotOutcome("skipped", post, post.reason)
        retry_at = now + rules.retry_delay(attempt.failures + 1)
        if not store.record_failure(self.db, attempt.id, attempt.attempts, INTENDED, failed.stored, retry_at):
            return None
        post = self._post(attempt.id)
        return SlotOutcome("failed", post, post.last_error, retry_at.astimezone(zone))

    def release(self, post_id: int) -> None:
        """The run died in an unknown way (it may have reached the channel): check before retrying."""
        store.release_claim(self.db, post_id, self.claimant.tag(SENDING))

    def renew(self, post_id: int) -> bool:
        """Keep holding a post this run is about to send after a wait (a queue, a rate limit). False: the
        lease ran out and another process took it over (it looks for the message first): do not send."""
        return store.renew_claim(self.db, post_id, self.claimant.tag(SENDING), self.clock() + self.lease)

    # -- reveals ----------------------------------------------------------------------------------
    def reveals_due(self, guild_id: int) -> list[RevealDue]:
        """Posted questions whose answer this process is to show now: at reveal_time (unless the question
        went out after it), or once a newer question is out; a reveal that failed for a passing reason
        waits for its retry time. Each is claimed for this process: one held by another is left to it."""
        if not self._serves(guild_id):
            return []
        posts = store.unrevealed(self.db, guild_id)
        open_now = progress_store.latest(self.db, guild_id)
        if not posts or open_now is None:  # posted questions have a seq: there are both or neither
            return []
        settings, now, open_seq = self.settings(guild_id), self.clock(), open_now.seq

        def due(p: DailyPost) -> bool:
            if p.reveal_retry_at is not None and now < p.reveal_retry_at:
                return False
            at = rules.reveal_instant(p.local_date, settings)
            on_time = at is not None and now >= at and p.posted_at is not None and p.posted_at <= at
            return (p.seq is not None and p.seq < open_seq) or on_time

        return [RevealDue(p, self._question_of(p)) for p in posts if due(p) and self._claim_reveal(p, now)]

    def _claim_reveal(self, post: DailyPost, now: datetime) -> bool:
        """This process's runs are one at a time per server (the scheduler's lock), so its own claim is no obstacle."""
        if self._held(post, now) and not self.claimant.holds(post.claimed_by):
            return False
        return store.claim_reveal(self.db, post.id, self.claimant.tag(REVEALING), now + self.lease, now, post.claimed_by)

    def page_revealed(self, post_id: int, pages: int) -> None:
        """`pages` pages of the reveal are out: a crash from here resumes after them."""
        store.page_revealed(self.db, post_id, pages, self.clock())

    def mark_revealed(self, post_id: int, note: str | None = None) -> DailyPost:
        """Done (or given up on, with `note`, which /daily status shows)."""
        return _known(store.mark_revealed(self.db, post_id, self.clock(), note))

    def reveal_failed(self, post: DailyPost, failed: PostFailed) -> DailyPost:
        """Tried again later (the pages already out are not sent again), unless the channel is gone or
        closed to the bot, or it failed REVEAL_TRIES times: then given up, and the note says why."""
        now = self.clock()
        tries = post.reveal_failures + 1
        if failed.final or tries >= rules.REVEAL_TRIES:
            store.reveal_failed(self.db, post.id, failed.stored, None)
            return _known(store.mark_revealed(self.db, post.id, now, failed.stored))
        return _known(store.reveal_failed(self.db, post.id, failed.stored, now + rules.retry_delay(tries)))

    # -- discussion threads still owed --------------------------------------------------------------
    def threads_due(self, guild_id: int) -> list[ThreadOwed]:
        """Posted questions whose thread is to be made now: its retry time has come, or its day is over
        (then run_threads gives it up: a thread is owed only while its question's day lasts)."""
        now = self.clock()
        return [o for o in store.owed_threads(self.db, guild_id) if o.retry_at <= now or self._day_over(o.post, now)]

    def next_thread_wake(self, guild_id: int) -> datetime | None:
        """When the scheduler should next make an owed thread (UTC), or None."""
        return min((o.retry_at for o in store.owed_threads(self.db, guild_id)), default=None)

    def guilds_owing_threads(self) -> list[int]:
        """Servers with a thread to make now (the scheduler's start-up catch-up and sweep)."""
        return [g for g in store.guilds_owing_threads(self.db) if self.threads_due(g)]

    def thread_made(self, post_id: int, thread_id: int) -> DailyPost:
        return _known(store.thread_made(self.db, post_id, thread_id))

    def thread_failed(self, post: DailyPost, failed: PostFailed) -> datetime | None:
        """The thread of posted `post` failed: tried again while its day lasts (returns when), unless the
        refusal is final (no permission): then the answer goes under the message, as without a thread."""
        now = self.clock()
        before = next((o for o in store.owed_threads(self.db, post.guild_id) if o.post.id == post.id), None)
        failures = (before.failures if before else 0) + 1
        retry_at = now + rules.retry_delay(failures, rules.THREAD_RETRY_DELAYS)
        again = None if failed.final or self._day_over(post, retry_at) else retry_at
        store.owe_thread(self.db, post.id, failed.stored, again)
        return again

    def thread_still_owed(self, post: DailyPost) -> bool:
        """Only while the question's day lasts (after it, the answer simply goes under the message)."""
        return not self._day_over(post, self.clock())

    def _day_over(self, post: DailyPost, at: datetime) -> bool:
        return post.local_date < rules.local_date(at, self.settings(post.guild_id).zone)

    # -- members ----------------------------------------------------------------------------------
    def post(self, guild_id: int, post_id: int) -> DailyPost:
        post = store.get_post(self.db, post_id)
        if post is None or post.guild_id != guild_id or post.question_id is None:
            raise UnknownDailyPost()
        return post

    def _post(self, post_id: int) -> DailyPost:
        return _known(store.get_post(self.db, post_id))

    def question(self, guild_id: int, post_id: int) -> Question:
        """The question of a daily post (the Reveal button shows its answer to the member who asks)."""
        return self._question_of(self.post(guild_id, post_id))

    def _question_of(self, post: DailyPost) -> Question:
        """The question a post shows (retired ones too: the post still shows it); a day skipped for want
        of questions has none to answer or reveal."""
        question = bank.get_question(self.db, post.question_id) if post.question_id is not None else None
        if question is None:
            raise UnknownDailyPost()
        return question

    def answer(self, guild_id: int, user_id: int, post_id: int, text: str | None,
               display_name: str | None = None) -> DailyAnswerReceipt:
        """Counts for streaks while the post is the server's open question; later it is kept as practice."""
        cleaned = clean_answer(text)
        post = self.post(guild_id, post_id)
        question = self._question_of(post)
        with kept_on_failure(cleaned, question.id, f"daily answer of member {user_id} to post {post.id}"):
            recorded = progress_store.record_daily_answer(self.db, post, user_id, cleaned, self.clock(), member_name(display_name))
        open_now = progress_store.latest(self.db, guild_id)
        streak = streak_now(recorded.state, open_now.seq if open_now else 0)
        feedback, verdict = self.grade(recorded.answer_id, question.id, cleaned)
        return DailyAnswerReceipt(recorded.answer_id, post, question, cleaned, recorded.counted, streak, feedback, verdict)

    def grade(self, answer_id: int, question_id: str, text: str) -> tuple[Feedback | None, PointsVerdict | None]:
        """Score a saved daily answer and store the score and its points; (None, None) without a scorer."""
        feedback = grade_safely(self.grader, answer_id, question_id, text)
        if feedback is None:
            return None, None
        if feedback.judged and feedback.score is not None:
            score = feedback.score
            return feedback, score_stored(lambda: progress_store.record_daily_score(self.db, answer_id, score, feedback.covered,
                                                                                    feedback.missed), f"daily answer {answer_id}")
        return feedback, progress_store.points_verdict(self.db, answer_id)

async def run_slot(daily: Daily, guild_id: int, channel: DailyChannel, *, force: bool = False) -> SlotOutcome:
    """The whole protocol for one server's slot (the scheduler's job and sweep, catch-up, /daily now):
    first the threads still owed to questions already out, then today's post."""
    await run_threads(daily, guild_id, channel)
    for _ in range(20):  # each round resolves one row; the bound only guards against a bug looping
        action = daily.begin_post(guild_id, force=force)
        if isinstance(action, NoPost):
            return SlotOutcome("none", action.post, action.reason)
        if isinstance(action, CheckExisting):
            try:
                found = await channel.find_post(action.post)
            except Exception as error:  # noqa: BLE001 - whatever it was, it is recorded and tried again
                failed = _failure(error, action.post, "looking for the post")
                if failed.reason != CHANNEL_MISSING:
                    outcome = daily.attempt_failed(action.post, failed, checking=True)
                    if outcome is not None:
                        return outcome
                    continue
                found = None  # a deleted channel took its messages with it: nobody sees the post there
            checked = daily.reconcile(action.post, found)
            if found is not None and found.thread_failed is not None:
                daily.thread_failed(checked, found.thread_failed)
            continue
        outcome = await _send(daily, action, channel)
        if outcome is not None:
            return outcome
    raise RuntimeError(f"daily slot for {guild_id} did not settle")


async def _send(daily: Daily, action: PostNow, channel: DailyChannel) -> SlotOutcome | None:
    try:
        sent = await channel.send_post(action.post, action.question)
    except PostTakenOver:  # nothing was sent, and the row is the other process's now: leave it alone
        log.warning("daily question of guild %s: another process took it over before its turn to send",
                    action.post.guild_id)
        return SlotOutcome("none", action.post, IN_PROGRESS)
    except Exception as error:  # noqa: BLE001 - a passing failure must not lose the day: see attempt_failed
        return daily.attempt_failed(action.post, _failure(error, action.post, "sending"), checking=False)
    except BaseException:  # the process is going down: the next run looks for the message first
        daily.release(action.post.id)
        raise
    posted = daily.mark_posted(action.post.id, sent.message_id, sent.thread_id)
    if sent.thread_failed is not None:
        daily.thread_failed(posted, sent.thread_failed)
    # only now is the previous question closed: revealing it before the send could make its answer public
    # while it stays open (a post that then fails would leave it answerable for another day)
    await run_reveals(daily, action.post.guild_id, channel)
    return SlotOutcome("posted", posted)


async def run_reveals(daily: Daily, guild_id: int, channel: DailyChannel) -> int:
    """Show the answers that are due; returns how many were shown in full. One reveal's failure is
    recorded (and tried again later) without stopping the others or the post that may follow."""
    shown = 0
    for due in daily.reveals_due(guild_id):
        try:
            await channel.send_reveal(due.post, due.question, partial(daily.page_revealed, due.post.id))
        except Exception as error:  # noqa: BLE001 - see Daily.reveal_failed
            daily.reveal_failed(due.post, _failure(error, due.post, "revealing"))
            continue
        daily.mark_revealed(due.post.id)
        shown += 1
    return shown


async def run_threads(daily: Daily, guild_id: int, channel: DailyChannel) -> int:
    """Open the discussion threads still owed whose time has come, oldest question first (each after its
    post, which is out already); returns how many were made. A failure is recorded and tried again later
    that day; a question whose day is over gets none (its answer goes under the message)."""
    made = 0
    for owed in daily.threads_due(guild_id):
        post = owed.post
        if not daily.thread_still_owed(post):
            daily.thread_failed(post, PostFailed(rules.EXPIRED, "its day is over"))
            continue
        try:
            result = await channel.make_thread(post, daily.question(guild_id, post.id))
        except Exception as error:  # noqa: BLE001 - whatever it was, the thread is tried again later
            daily.thread_failed(post, _failure(error, post, "opening the thread"))
            continue
        if result.thread_id is not None:
            daily.thread_made(post.id, result.thread_id)
            made += 1
        else:
            daily.thread_failed(post, result.thread_failed or PostFailed(SEND_ERROR, "no thread was opened"))
    return made


def _failure(error: Exception, post: DailyPost, doing: str) -> PostFailed:
    """A DailyChannel raises PostFailed for what Discord refused (and logs it); anything else (the
    network, a bug) is logged here and counts as a passing error."""
    if isinstance(error, PostFailed):
        return error
    log.warning("daily question of guild %s (%s): %s failed", post.guild_id, post.local_date, doing, exc_info=error)
    return PostFailed(SEND_ERROR, f"{doing}: {type(error).__name__}: {error}".strip())
