"""The daily question's use-cases: settings, the posting protocol, reveals and answers.

The database decides what is owed. Posting is two-phase so that no restart or crash double-posts:
`begin_post` records an intent (or finds one a crash left) before anything is sent, and the front end
reports back with `mark_posted`, `mark_skipped` or, for a left-over intent, `reconcile` (whether the
message carrying the intent's marker is in the channel). `run_slot` drives that protocol over any
`DailyChannel`, so Discord and the terminal only implement sending and finding messages.
"""
from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from sqlite_utils import Database

from bot.core import daily as rules
from bot.core.answers import clean_answer
from bot.core.boards import month_key, week_key
from bot.core.daily import (EXPIRED, INTENDED, NO_QUESTIONS, PENDING, POSTED, SKIPPED, DailyNotSetUp, DailyPost,
                            DailySettings, UnknownDailyPost)
from bot.core.models import Question
from bot.core.streaks import StreakNow, now as streak_now
from bot.services.grading import grade_safely
from db import bank

if TYPE_CHECKING:  # the scorer pulls in scikit-learn
    from bot.services.feedback import Feedback, Grader
from db import daily as store
from db import progress as progress_store

Clock = Callable[[], datetime]

# why begin_post did not ask for a post (NoPost.reason)
NOT_SET_UP, PAUSED, NOT_DUE, ALREADY_POSTED, IN_PROGRESS, WAS_SKIPPED = (
    "not_set_up", "paused", "not_due", "already_posted", "in_progress", "skipped")


@dataclass(frozen=True)
class PostNow:
    """Send this question to post.channel_id with buttons post.answer_custom_id / reveal_custom_id."""

    post: DailyPost
    question: Question


@dataclass(frozen=True)
class CheckExisting:
    """An intent a crash left: look for post.answer_custom_id in the channel, then call `reconcile`."""

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


class PostFailed(Exception):
    """Raised by a DailyChannel when the post cannot be made; `reason` is a code from bot.core.daily."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def stored(self) -> str:
        return f"{self.reason}: {self.detail[:200]}" if self.detail else self.reason


class DailyChannel(Protocol):
    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        """The message in post.channel_id whose button has post.answer_custom_id, if any (recent ones)."""

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        """Post the question with its buttons and open its thread; raise PostFailed when impossible."""

    async def send_reveal(self, post: DailyPost, question: Question) -> None:
        """Post the model answer in the post's thread (or under the message); PostFailed when impossible."""


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


@dataclass(frozen=True)
class SlotOutcome:
    kind: str  # posted | skipped | none
    post: DailyPost | None = None
    reason: str | None = None


@dataclass
class Daily:
    db: Database
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    grader: Grader | None = None  # the same fitted scorer as Study's; None: daily answers are unscored
    # intents this process is posting right now: another begin_post must wait, not check the channel
    # (the message may not be there yet); after a restart the set is empty, so a left intent is checked
    _in_flight: set[int] = field(default_factory=set, init=False, repr=False)

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
        return store.all_settings(self.db)

    def next_post_at(self, settings: DailySettings) -> datetime | None:
        if settings.paused:
            return None
        return rules.next_slot(self.clock(), settings.post_time, settings.zone).astimezone(settings.zone)

    def status(self, guild_id: int, recent: int = 14) -> DailyStatus:
        settings = self.settings(guild_id)
        posts = store.recent_posts(self.db, guild_id, recent)
        titles = store.question_titles(self.db, {p.question_id for p in posts if p.question_id})
        cycle, used, _ = store.cycle_usage(self.db, guild_id)
        return DailyStatus(
            settings, rules.local_date(self.clock(), settings.zone), self.next_post_at(settings),
            [PostLine(p, titles.get(p.question_id)) for p in posts], cycle, len(used),
            len(bank.active_ids(self.db, settings.bank_level)))

    # -- posting ----------------------------------------------------------------------------------
    def needs_catch_up(self) -> list[int]:
        """Servers to run a slot for at start-up: today's slot is due but not done, or an intent is left."""
        now = self.clock()
        guilds = set(store.guilds_with_unresolved(self.db))
        for s in store.all_settings(self.db):
            if not s.paused and rules.is_due(now, s) and store.post_for_date(self.db, s.guild_id, rules.local_date(now, s.zone)) is None:
                guilds.add(s.guild_id)
        return sorted(guilds)

    def begin_post(self, guild_id: int, *, force: bool = False) -> SlotAction:
        """What to do for this server now. `force` (/daily now): post today's question even before the
        slot, while paused, or again after a skip. Never a second post for a day, never a past day."""
        settings = store.get_settings(self.db, guild_id)
        if settings is None:
            return NoPost(NOT_SET_UP)
        now = self.clock()
        today = rules.local_date(now, settings.zone)
        for old in store.unresolved_before(self.db, guild_id, today):
            if old.state == INTENDED:
                return self._check(old)
            store.set_state(self.db, old.id, SKIPPED, EXPIRED)  # known unposted, and its day is over
        post = store.post_for_date(self.db, guild_id, today)
        if post is None:
            return self._start(settings, today, now, force)
        if post.state == POSTED:
            return NoPost(ALREADY_POSTED, post)
        if post.state == INTENDED:
            return self._check(post)
        if settings.paused and not force:
            return NoPost(PAUSED, post)
        if post.state == SKIPPED and not force:
            return NoPost(WAS_SKIPPED, post)
        return self._intend(settings, post, now)

    def _check(self, post: DailyPost) -> SlotAction:
        return NoPost(IN_PROGRESS, post) if post.id in self._in_flight else CheckExisting(post)

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
                                       reason=None if qid else NO_QUESTIONS)
        except sqlite3.IntegrityError:  # another process wrote today's row first
            return NoPost(IN_PROGRESS, store.post_for_date(self.db, settings.guild_id, today))
        if qid is None:
            return NoPost(NO_QUESTIONS, post)
        self._in_flight.add(post.id)
        return PostNow(post, bank.get_question(self.db, qid))

    def _intend(self, settings: DailySettings, post: DailyPost, now: datetime) -> SlotAction:
        """Post a pending or skipped day again, under the same id (and so the same marker)."""
        qid, cycle = post.question_id, post.cycle
        if qid is None:
            qid, cycle = self._choose(settings) or (None, 0)
            if qid is None:
                return NoPost(NO_QUESTIONS, store.set_state(self.db, post.id, SKIPPED, NO_QUESTIONS))
        post = store.retry_intent(self.db, post.id, qid, cycle, settings.channel_id, now, INTENDED)
        self._in_flight.add(post.id)
        return PostNow(post, bank.get_question(self.db, qid))

    def _choose(self, settings: DailySettings) -> tuple[str, int] | None:
        cycle, used, last = store.cycle_usage(self.db, settings.guild_id)
        return rules.choose_daily_question(bank.active_ids(self.db, settings.bank_level), cycle, used, last, self.rng)

    def reconcile(self, post_id: int, found: PostedMessage | None) -> DailyPost:
        """The front end looked for a left intent's marker. Found: it was posted. Not found: today's is
        posted again (next begin_post), a past day's is given up, never back-filled."""
        post = self._post(post_id)
        if post.state != INTENDED:
            return post
        self._in_flight.discard(post_id)
        if found is not None:
            return store.mark_posted(self.db, post_id, found.message_id, found.thread_id, self.clock())
        today = rules.local_date(self.clock(), self.settings(post.guild_id).zone)
        return store.set_state(self.db, post_id, SKIPPED if post.local_date < today else PENDING,
                               EXPIRED if post.local_date < today else None)

    def mark_posted(self, post_id: int, message_id: int, thread_id: int | None = None) -> DailyPost:
        self._in_flight.discard(post_id)
        return store.mark_posted(self.db, post_id, message_id, thread_id, self.clock())

    def mark_skipped(self, post_id: int, reason: str) -> DailyPost:
        """The channel is gone, the bot may not post there, ...: the day is skipped, the reason shown."""
        self._in_flight.discard(post_id)
        post = self._post(post_id)
        return post if post.state == POSTED else store.set_state(self.db, post_id, SKIPPED, reason)

    def release(self, post_id: int) -> None:
        """Sending failed in an unknown way (it may have reached the channel): check before retrying."""
        self._in_flight.discard(post_id)

    # -- reveals ----------------------------------------------------------------------------------
    def reveals_due(self, guild_id: int, *, before_next: bool = False) -> list[RevealDue]:
        """Posted questions whose answer is to be shown now: at reveal_time (unless the question went
        out after it), once a newer question is out, or all of them just before the next one."""
        posts = store.unrevealed(self.db, guild_id)
        if not posts:
            return []
        settings, now = self.settings(guild_id), self.clock()
        open_seq = progress_store.latest(self.db, guild_id).seq

        def due(p: DailyPost) -> bool:
            at = rules.reveal_instant(p.local_date, settings)
            on_time = at is not None and now >= at and p.posted_at is not None and p.posted_at <= at
            return before_next or p.seq < open_seq or on_time

        return [RevealDue(p, bank.get_question(self.db, p.question_id)) for p in posts if due(p)]

    def mark_revealed(self, post_id: int, note: str | None = None) -> DailyPost:
        """Done (or given up on, with `note`): a reveal is attempted once."""
        return store.mark_revealed(self.db, post_id, self.clock(), note)

    # -- members ----------------------------------------------------------------------------------
    def post(self, guild_id: int, post_id: int) -> DailyPost:
        post = store.get_post(self.db, post_id)
        if post is None or post.guild_id != guild_id or post.question_id is None:
            raise UnknownDailyPost()
        return post

    def _post(self, post_id: int) -> DailyPost:
        post = store.get_post(self.db, post_id)
        if post is None:
            raise UnknownDailyPost()
        return post

    def question(self, guild_id: int, post_id: int) -> Question:
        """The question of a daily post (the Reveal button shows its answer to the member who asks)."""
        return bank.get_question(self.db, self.post(guild_id, post_id).question_id)

    def answer(self, guild_id: int, user_id: int, post_id: int, text: str | None,
               display_name: str | None = None) -> DailyAnswerReceipt:
        """Counts for streaks while the post is the server's open question; later it is kept as practice."""
        cleaned = clean_answer(text)
        post = self.post(guild_id, post_id)
        recorded = progress_store.record_daily_answer(self.db, post, user_id, cleaned, self.clock(), display_name)
        open_now = progress_store.latest(self.db, guild_id)
        streak = streak_now(recorded.state, open_now.seq if open_now else 0)
        feedback = self._grade(recorded.answer_id, post.question_id, cleaned)
        return DailyAnswerReceipt(recorded.answer_id, post, self.question(guild_id, post_id), cleaned, recorded.counted,
                                  streak, feedback)

    def _grade(self, answer_id: int, question_id: str, text: str) -> Feedback | None:
        feedback = grade_safely(self.grader, answer_id, question_id, text)
        if feedback is not None and feedback.judged:
            progress_store.record_daily_score(self.db, answer_id, feedback.score, feedback.covered, feedback.missed)
        return feedback

async def run_slot(daily: Daily, guild_id: int, channel: DailyChannel, *, force: bool = False) -> SlotOutcome:
    """The whole protocol for one server's slot (the scheduler's job, catch-up, /daily now)."""
    for _ in range(20):  # each round resolves one row; the bound only guards against a bug looping
        action = daily.begin_post(guild_id, force=force)
        if isinstance(action, NoPost):
            return SlotOutcome("none", action.post, action.reason)
        if isinstance(action, CheckExisting):
            try:
                found = await channel.find_post(action.post)
            except PostFailed as failed:
                daily.mark_skipped(action.post.id, failed.stored)
                continue
            daily.reconcile(action.post.id, found)
            continue
        return await _send(daily, action, channel)
    raise RuntimeError(f"daily slot for {guild_id} did not settle")


async def _send(daily: Daily, action: PostNow, channel: DailyChannel) -> SlotOutcome:
    await run_reveals(daily, action.post.guild_id, channel, before_next=True)
    try:
        sent = await channel.send_post(action.post, action.question)
    except PostFailed as failed:
        post = daily.mark_skipped(action.post.id, failed.stored)
        return SlotOutcome("skipped", post, post.reason)
    except BaseException:
        daily.release(action.post.id)
        raise
    return SlotOutcome("posted", daily.mark_posted(action.post.id, sent.message_id, sent.thread_id))


async def run_reveals(daily: Daily, guild_id: int, channel: DailyChannel, *, before_next: bool = False) -> int:
    """Show the answers that are due; returns how many were shown."""
    shown = 0
    for due in daily.reveals_due(guild_id, before_next=before_next):
        try:
            await channel.send_reveal(due.post, due.question)
        except PostFailed as failed:
            daily.mark_revealed(due.post.id, failed.stored)
            continue
        daily.mark_revealed(due.post.id)
        shown += 1
    return shown
