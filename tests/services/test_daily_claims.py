"""Several bot processes on one database: a daily post (or its reveal) is claimed in the database by the
process sending it, so another process waits instead of posting it too; a claim whose holder died is
taken over (once its lease ran out, or at once when the holder is known to be gone), and the post is
looked for in the channel before anything is sent again."""
from __future__ import annotations

import asyncio
import itertools
import os
import random
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily import INTENDED, PENDING, POSTED
from bot.core.shards import Shards, shard_of
from bot.services.claims import LEASE, LOOKING, REVEALING, SENDING, Claimant
from bot.services.daily import (
    IN_PROGRESS,
    CheckExisting,
    Daily,
    NoPost,
    PostedMessage,
    PostFailed,
    PostNow,
    PostTakenOver,
    run_reveals,
    run_slot,
)
from db import daily as store
from db.connection import open_database
from tests.conftest import bank_database

TOKYO = ZoneInfo("Asia/Tokyo")
GUILD, CHANNEL = 10, 100
NODE = "host/boot/pid:[1]"  # the machine both "processes" of these tests run on


class Died(BaseException):
    """The process dies here."""


class Channel:
    """One Discord channel per id, shared by every process: messages carry their post's id."""

    def __init__(self):
        self.messages: dict[int, list[dict]] = defaultdict(list)
        self.reveals: list[int] = []
        self._ids = itertools.count(7000, 2)
        self.die_after_send = False
        self.send_errors: list[Exception] = []

    async def find_post(self, post):
        await asyncio.sleep(0)
        for m in self.messages[post.channel_id]:
            if m["post"] == post.id:
                return PostedMessage(m["id"], m["id"] + 1)
        return None

    async def send_post(self, post, question):
        await asyncio.sleep(0)  # the other process runs meanwhile, as during a real request
        if self.send_errors:
            raise self.send_errors.pop(0)
        mid = next(self._ids)
        self.messages[post.channel_id].append({"id": mid, "post": post.id})
        await asyncio.sleep(0)
        if self.die_after_send:
            raise Died()
        return PostedMessage(mid, mid + 1)

    async def send_reveal(self, post, question, sent):
        await asyncio.sleep(0)
        self.reveals.append(post.id)
        sent(1)

    def posts(self, channel_id: int = CHANNEL) -> list[dict]:
        return self.messages[channel_id]


def tokyo(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def process(db, clock, pid: int, node: str = NODE, **options) -> Daily:
    """The Daily of a bot process `pid` on `node` (its liveness is what os.kill says of `pid`)."""
    return Daily(db, clock, random.Random(pid), claimant=Claimant(f"p{pid}", pid, node), **options)


@pytest.fixture
def live(loaded_db, clock):
    """Two live processes on one database, the server set up before its 09:00 slot: `a` is this test
    process, `b` its parent (alive for as long as the test runs)."""
    clock.now = tokyo(8)
    a, b = process(loaded_db, clock, os.getpid()), process(loaded_db, clock, os.getppid())
    a.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed", reveal_time="21:00", by=1)
    clock.now = tokyo(9)
    return a, b


def slot(daily: Daily, channel: Channel, force: bool = False):
    return asyncio.run(run_slot(daily, GUILD, channel, force=force))


def test_the_process_that_writes_the_days_intent_holds_it_for_a_lease(live, clock):
    a, _ = live
    action = a.begin_post(GUILD)
    assert isinstance(action, PostNow)
    row = store.get_post(a.db, action.post.id)
    assert row.claimed_by == a.claimant.tag(SENDING) and row.claimed_until == clock.now + LEASE
    assert a.mark_posted(row.id, 1, 2).claimed_by is None  # posted: nobody holds it any more


def test_a_post_held_by_a_live_process_is_left_to_it(live, clock):
    a, b = live
    sending = a.begin_post(GUILD)
    assert isinstance(sending, PostNow)
    assert not b.owes(GUILD) and b.needs_catch_up() == []
    refused = b.begin_post(GUILD, force=True)  # /daily now in the other process
    assert isinstance(refused, NoPost) and refused.reason == IN_PROGRESS
    assert store.get_post(a.db, sending.post.id).claimed_by == a.claimant.tag(SENDING)


def test_an_expired_claim_is_taken_over_and_looked_for_before_posting(live, clock):
    a, b = live
    channel = Channel()
    channel.die_after_send = True
    with pytest.raises(Died):  # a hung or dead process that cannot be checked: only its lease ends
        slot(a, channel)
    a_row = a.status(GUILD).recent[0].post
    # as if it had not released it (hung, or died where its pid cannot be checked)
    assert store.claim_intent(a.db, a_row.id, a_row.attempts, a.claimant.tag(SENDING), clock.now + LEASE, clock.now, None)
    assert isinstance(b.begin_post(GUILD), NoPost)
    clock.advance(seconds=LEASE.total_seconds())
    assert b.owes(GUILD)
    check = b.begin_post(GUILD)
    assert isinstance(check, CheckExisting) and check.post.claimed_by == b.claimant.tag(LOOKING)
    outcome = slot(b, channel)  # b looks first, finds a's message: nothing is sent again
    assert outcome.reason == "already_posted" and outcome.post.message_id == channel.posts()[0]["id"]
    assert len(channel.posts()) == 1 and not a.renew(a_row.id)


def test_a_claim_whose_process_is_gone_is_taken_over_at_once(loaded_db, clock):
    clock.now = tokyo(8)
    gone, here = process(loaded_db, clock, dead_pid()), process(loaded_db, clock, os.getpid())
    gone.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    clock.now = tokyo(9)
    sent = gone.begin_post(GUILD)  # killed -9 right after writing its intent
    assert isinstance(sent, PostNow)
    assert here.owes(GUILD)
    outcome = slot(here, Channel())
    assert outcome.kind == "posted" and outcome.post.id == sent.post.id and outcome.post.attempts == 2


def test_a_holder_on_another_machine_is_waited_for_until_its_lease_ends(loaded_db, clock):
    clock.now = tokyo(8)
    elsewhere = process(loaded_db, clock, dead_pid(), node="other-host/boot/pid:[1]")
    here = process(loaded_db, clock, os.getpid())
    elsewhere.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    clock.now = tokyo(9)
    assert isinstance(elsewhere.begin_post(GUILD), PostNow)
    assert isinstance(here.begin_post(GUILD), NoPost)  # its pid means nothing here
    clock.advance(minutes=2, seconds=1)
    assert isinstance(here.begin_post(GUILD), CheckExisting)


def test_a_failed_send_releases_the_post_for_any_process_to_retry(live, clock):
    a, b = live
    channel = Channel()
    channel.send_errors.append(PostFailed("error", "503"))
    outcome = slot(a, channel)
    assert outcome.kind == "failed" and store.get_post(a.db, outcome.post.id).claimed_by is None
    clock.now = outcome.retry_at
    assert b.owes(GUILD)
    assert slot(b, channel).kind == "posted" and len(channel.posts()) == 1


def test_a_send_that_dies_in_an_unknown_way_is_released_and_looked_for(live, clock):
    a, b = live
    channel = Channel()
    channel.die_after_send = True
    with pytest.raises(Died):
        slot(a, channel)
    row = a.status(GUILD).recent[0].post
    assert row.state == INTENDED and row.claimed_by is None
    channel.die_after_send = False
    assert isinstance(b.begin_post(GUILD), CheckExisting)
    assert slot(b, channel).reason == "already_posted" and len(channel.posts()) == 1


def test_of_two_processes_that_found_it_pending_only_one_sends(live, clock):
    a, b = live
    a.begin_post(GUILD)
    store.release_claim(a.db, 1, a.claimant.tag(SENDING))  # died before sending, released
    check = b.begin_post(GUILD)
    assert isinstance(check, CheckExisting)
    assert b.reconcile(check.post, None).state == PENDING
    first = a.begin_post(GUILD)
    assert isinstance(first, PostNow) and first.post.claimed_by == a.claimant.tag(SENDING)
    assert not store.reintend(b.db, check.post.id, check.post.attempts, first.question.id, 1, CHANNEL, clock.now,
                              b.claimant.tag(SENDING), clock.now + LEASE)  # b's view of it was pending: too late
    assert isinstance(b.begin_post(GUILD), NoPost)


def test_two_processes_posting_at_the_same_moment_post_once(tmp_path, clock):
    path = tmp_path / "bot.sqlite3"
    bank_database(path).close()
    clock.now = tokyo(8)
    a = process(open_database(path), clock, os.getpid())
    b = process(open_database(path), clock, os.getppid())  # its own connection, as another process has
    guilds = range(GUILD, GUILD + 6)
    for guild in guilds:
        a.setup(guild, CHANNEL + guild, "09:00", "Asia/Tokyo", "mixed")
    clock.now = tokyo(9)
    channel = Channel()

    async def both():
        async def catch_up(daily: Daily) -> list[str]:
            return [(await run_slot(daily, g, channel)).kind for g in daily.needs_catch_up()]
        return await asyncio.gather(catch_up(a), catch_up(b))

    kinds = asyncio.run(both())
    assert sorted(kinds[0] + kinds[1]).count("posted") == len(guilds)
    assert all(len(channel.posts(CHANNEL + g)) == 1 for g in guilds)
    assert a.needs_catch_up() == b.needs_catch_up() == []


def test_a_reveal_is_made_by_one_process_only(live, clock):
    a, b = live
    channel = Channel()
    assert slot(a, channel).kind == "posted"
    clock.now = tokyo(21)
    due = a.reveals_due(GUILD)
    assert [d.post.id for d in due] == [1]
    assert b.reveals_due(GUILD) == []  # a holds it
    assert store.get_post(a.db, 1).claimed_by == a.claimant.tag(REVEALING)
    assert asyncio.run(run_reveals(a, GUILD, channel)) == 1  # a's own claim is no obstacle to a
    assert asyncio.run(run_reveals(b, GUILD, channel)) == 0
    assert channel.reveals == [1] and store.get_post(a.db, 1).claimed_by is None


def test_a_reveal_left_by_a_dead_process_is_resumed_by_another(loaded_db, clock):
    clock.now = tokyo(8)
    gone, here = process(loaded_db, clock, dead_pid()), process(loaded_db, clock, os.getpid())
    gone.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed", reveal_time="21:00")
    clock.now = tokyo(9)
    channel = Channel()
    assert slot(gone, channel).kind == "posted"
    clock.now = tokyo(21)
    assert len(gone.reveals_due(GUILD)) == 1  # then killed before revealing
    assert asyncio.run(run_reveals(here, GUILD, channel)) == 1 and channel.reveals == [1]


def test_renewing_keeps_a_post_only_while_the_process_still_holds_it(live, clock):
    a, b = live
    sending = a.begin_post(GUILD)
    clock.advance(minutes=1)
    assert a.renew(sending.post.id)
    clock.advance(minutes=1, seconds=30)
    assert isinstance(b.begin_post(GUILD), NoPost)  # renewed 90 s ago: still a's
    clock.advance(seconds=30)
    assert isinstance(b.begin_post(GUILD), CheckExisting)  # a stalled past its lease: b looks for it
    assert not a.renew(sending.post.id)  # so a must not send it now


class StalledChannel(Channel):
    """A send whose turn (the pacer's queue, a rate limit) came after the lease ran out and `other` took the
    post over, checking its claim at its turn as bot.frontends.discord.daily_channel does."""

    def __init__(self, daily: Daily, other: Daily, clock):
        super().__init__()
        self.daily, self.other, self.clock = daily, other, clock

    async def send_post(self, post, question):
        self.clock.advance(minutes=3)
        assert isinstance(self.other.begin_post(GUILD), CheckExisting)
        if not self.daily.renew(post.id):
            raise PostTakenOver(post.id)
        return await super().send_post(post, question)


def test_a_send_whose_turn_came_after_the_lease_leaves_the_post_to_the_process_that_took_it(live, clock):
    a, b = live
    channel = StalledChannel(a, b, clock)
    outcome = slot(a, channel)
    assert (outcome.kind, outcome.reason) == ("none", IN_PROGRESS) and channel.posts() == []
    row = store.get_post(a.db, outcome.post.id)
    assert row.state == INTENDED and row.failures == 0 and row.claimed_by and f"p{os.getppid()}" in row.claimed_by
    assert slot(b, Channel()).kind == "posted"  # b looked for it, found nothing, and posts it: once


def test_a_process_runs_the_timers_of_its_own_shards_only(loaded_db, clock):
    clock.now = tokyo(8)
    guilds = [(n << 22) | 5 for n in range(4)]  # shards 0, 1, 0, 1 of 2
    mine = process(loaded_db, clock, os.getpid(), serves=Shards(2, frozenset({0})))
    for guild in guilds:
        mine.setup(guild, CHANNEL, "09:00", "Asia/Tokyo", "mixed", reveal_time="21:00")
    clock.now = tokyo(9)
    assert [shard_of(g, 2) for g in guilds] == [0, 1, 0, 1]
    assert [s.guild_id for s in mine.schedules()] == guilds[0::2]
    assert mine.needs_catch_up() == guilds[0::2] and not mine.owes(guilds[1])
    channel = Channel()
    for guild in guilds[0::2]:
        assert asyncio.run(run_slot(mine, guild, channel)).kind == "posted"
    clock.now = tokyo(21)
    assert mine.reveals_due(guilds[1]) == [] and len(mine.reveals_due(guilds[0])) == 1


def test_the_claimant_of_this_process_outlives_an_earlier_one_of_the_same_process():
    """A restart inside one process (tests build a new Daily) takes over what the old Daily held."""
    old, new = Claimant(), Claimant()
    assert new.outlived(old.tag(SENDING)) and not new.holds(old.tag(SENDING))
    assert new.holds(new.tag(SENDING), SENDING) and not new.holds(new.tag(LOOKING), SENDING)
    parent = Claimant(pid=os.getppid())
    assert not new.outlived(parent.tag(SENDING))
    assert new.outlived(Claimant(pid=dead_pid()).tag(SENDING))
    assert not new.outlived(Claimant(pid=dead_pid(), node="elsewhere").tag(SENDING))


def test_claims_compare_as_instants_whatever_the_zone_or_precision(loaded_db, clock):
    clock.now = tokyo(8)
    a = process(loaded_db, clock, os.getpid())
    a.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    clock.now = tokyo(9)
    post = a.begin_post(GUILD).post
    until = post.claimed_until
    at_end = until.astimezone(TOKYO)
    assert not store.claim_intent(loaded_db, post.id, post.attempts, "x", at_end, at_end - timedelta(microseconds=1), None)
    assert store.claim_intent(loaded_db, post.id, post.attempts, "x", at_end, at_end, None)
    assert store.get_post(loaded_db, post.id).state == INTENDED != POSTED
