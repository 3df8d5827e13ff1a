"""A posted question's discussion thread is owed until made, the same day: a passing failure (Discord's
rate limit, a 5xx) is tried again at 1, 5, 15 minutes; a refusal (no permission) gives it up at once."""
from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from bot.core.daily import NO_PERMISSION, SEND_ERROR
from bot.services.daily import Daily, PostedMessage, PostFailed, run_slot
from tests.services.test_daily import CHANNEL, GUILD, Crash, FakeChannel, tokyo

BUSY = PostFailed(SEND_ERROR, "opening the thread: 429 You are being rate limited.")


class ThreadChannel(FakeChannel):
    """Each post's thread fails with the next of `thread_errors` (then opens): when sent, and when made later."""

    def __init__(self, *thread_errors: PostFailed):
        super().__init__()
        self.thread_errors = list(thread_errors)
        self.made: list[int] = []  # post ids whose owed thread was opened later

    async def send_post(self, post, question):
        sent = await super().send_post(post, question)
        return PostedMessage(sent.message_id, None, self.thread_errors.pop(0)) if self.thread_errors else sent

    async def make_thread(self, post, question):
        await asyncio.sleep(0)
        if self.thread_errors:
            return PostedMessage(post.message_id, None, self.thread_errors.pop(0))
        self.made.append(post.id)
        return PostedMessage(post.message_id, post.message_id + 1)


@pytest.fixture
def daily(loaded_db, clock) -> Daily:
    clock.now = tokyo(25, 8)
    d = Daily(loaded_db, clock, random.Random(7))
    d.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    return d


def run(daily: Daily, channel: FakeChannel):
    return asyncio.run(run_slot(daily, GUILD, channel))


def test_a_thread_that_failed_for_a_passing_reason_is_made_at_its_retry(daily, clock):
    channel = ThreadChannel(BUSY)
    clock.now = tokyo(25, 9)
    posted = run(daily, channel).post
    assert posted.state == "posted" and posted.thread_id is None
    assert daily.next_thread_wake(GUILD) == tokyo(25, 9, 1) and daily.threads_due(GUILD) == []
    assert daily.guilds_owing_threads() == []
    clock.now = tokyo(25, 9, 1)
    assert daily.guilds_owing_threads() == [GUILD]
    assert run(daily, channel).reason == "already_posted"  # the run made the thread, then found today posted
    assert channel.made == [posted.id]
    assert daily.post(GUILD, posted.id).thread_id == posted.message_id + 1
    assert daily.next_thread_wake(GUILD) is None and daily.threads_due(GUILD) == []


def test_retries_back_off_and_stop_when_the_day_is_over(daily, clock):
    channel = ThreadChannel(*[BUSY] * 20)
    clock.now = tokyo(25, 9)
    run(daily, channel)
    waits = []
    for _ in range(4):
        wake = daily.next_thread_wake(GUILD)
        waits.append(wake - clock.now)
        clock.now = wake
        run(daily, channel)
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 15)]
    clock.now = tokyo(25, 23, 50)  # the last retry of the day would fall tomorrow: given up
    run(daily, channel)
    assert daily.next_thread_wake(GUILD) is None and channel.made == []
    row = next(daily.db.query("select thread_id, thread_failures, thread_error from daily_posts"))
    assert row["thread_id"] is None and row["thread_failures"] == 6 and "429" in row["thread_error"]


def test_a_thread_still_owed_when_the_next_day_begins_is_given_up_not_made(daily, clock):
    channel = ThreadChannel(BUSY)
    clock.now = tokyo(25, 9)
    run(daily, channel)
    clock.now = tokyo(26, 9)  # the machine slept past the retry and into the next day's slot
    outcome = run(daily, channel)
    assert outcome.kind == "posted" and channel.made == []
    assert daily.next_thread_wake(GUILD) is None


def test_a_refusal_gives_the_thread_up_at_once(daily, clock):
    channel = ThreadChannel(PostFailed(NO_PERMISSION, "opening the thread: 403 Missing Permissions"))
    clock.now = tokyo(25, 9)
    posted = run(daily, channel).post
    assert posted.thread_id is None and daily.next_thread_wake(GUILD) is None and daily.threads_due(GUILD) == []


def test_a_crash_recovered_post_whose_thread_fails_owes_it_too(daily, clock):
    channel = ThreadChannel()
    channel.crash_after_send = True
    clock.now = tokyo(25, 9)
    with pytest.raises(Crash):
        run(daily, channel)
    channel.crash_after_send = False
    restarted = Daily(daily.db, daily.clock, random.Random(99))

    async def found_without_thread(post):
        found = await FakeChannel.find_post(channel, post)
        return PostedMessage(found.message_id, None, BUSY)

    channel.find_post = found_without_thread
    assert run(restarted, channel).reason == "already_posted"
    assert restarted.next_thread_wake(GUILD) == tokyo(25, 9, 1)
    clock.now = tokyo(25, 9, 1)
    run(restarted, channel)
    assert len(channel.made) == 1 and len(channel.sent(CHANNEL)) == 1
