"""The daily question's posting protocol: once per server and local date, whatever restarts and crashes do."""
from __future__ import annotations

import asyncio
import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily import (
    CHANNEL_MISSING,
    EXPIRED,
    NO_PERMISSION,
    NO_QUESTIONS,
    PENDING,
    POSTED,
    SKIPPED,
    DailyNotSetUp,
    InvalidDailySetting,
    UnknownDailyPost,
)
from bot.presenters.progress import slot_outcome_card, status_card
from bot.services.daily import CheckExisting, Daily, NoPost, PostedMessage, PostFailed, PostNow, run_reveals, run_slot
from db.connection import open_database
from tests.conftest import bank_database

TOKYO = ZoneInfo("Asia/Tokyo")
GUILD, CHANNEL = 10, 100


class Crash(BaseException):
    """The process dies here."""


class FakeChannel:
    """Discord as the protocol sees it: messages per channel, each carrying its buttons' custom ids."""

    def __init__(self):
        self.messages: dict[int, list[dict]] = defaultdict(list)
        self.gone: dict[int, str] = {}  # channel id -> the reason code sending there fails with
        self.crash_after_send = False
        self.crash_on_find = False
        self.reveals: list[tuple[int, str]] = []
        self._ids = itertools.count(5000, 2)
        # passing failures, raised one per call: before sending, or after the message went out anyway
        self.find_errors: list[Exception] = []
        self.send_errors: list[Exception] = []
        self.send_errors_after: list[Exception] = []
        self.reveal_pages = 1
        self.reveal_errors: list[Exception] = []  # raised before a reveal page goes out
        self.crash_before_page: int | None = None
        self.pages: list[tuple[int, int]] = []  # (post id, page) in the order they went out

    async def find_post(self, post):
        await asyncio.sleep(0)
        if self.crash_on_find:
            raise Crash()
        if self.find_errors:
            raise self.find_errors.pop(0)
        if post.channel_id in self.gone:
            raise PostFailed(self.gone[post.channel_id])
        for m in self.messages[post.channel_id]:
            if ("post", post.id) in m["markers"]:
                return PostedMessage(m["id"], m["thread"])
        return None

    async def send_post(self, post, question):
        await asyncio.sleep(0)  # lets concurrent slots interleave, as real network calls do
        if post.channel_id in self.gone:
            raise PostFailed(self.gone[post.channel_id], "403 Forbidden")
        if self.send_errors:
            raise self.send_errors.pop(0)
        mid = next(self._ids)
        self.messages[post.channel_id].append(
            {"id": mid, "thread": mid + 1, "markers": (("post", post.id),),
             "question": question.id, "date": post.local_date})
        if self.crash_after_send:
            raise Crash()
        if self.send_errors_after:
            raise self.send_errors_after.pop(0)
        return PostedMessage(mid, mid + 1)

    async def send_reveal(self, post, question, sent):
        if post.channel_id in self.gone:
            raise PostFailed(self.gone[post.channel_id])
        for page in range(post.pages_revealed, self.reveal_pages):
            if self.reveal_errors:
                raise self.reveal_errors.pop(0)
            if self.crash_before_page == page:
                raise Crash()
            self.pages.append((post.id, page))
            sent(page + 1)
        self.reveals.append((post.id, question.id))

    def sent(self, channel_id: int = CHANNEL) -> list[dict]:
        return self.messages[channel_id]


def tokyo(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def slot(daily: Daily, channel: FakeChannel, guild: int = GUILD, force: bool = False):
    return asyncio.run(run_slot(daily, guild, channel, force=force))


def restart(daily: Daily) -> Daily:
    """A new process on the same database: nothing in memory survives."""
    return Daily(daily.db, daily.clock, random.Random(99))


@pytest.fixture
def daily(loaded_db, clock) -> Daily:
    clock.now = tokyo(25, 8)  # setup before the day's 09:00 slot
    d = Daily(loaded_db, clock, random.Random(7))
    d.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed", reveal_time="21:00", by=1)
    return d


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


def test_setup_validates_and_status_needs_setup(loaded_db, clock):
    d = Daily(loaded_db, clock)
    with pytest.raises(InvalidDailySetting):
        d.setup(GUILD, CHANNEL, "25:00", "Asia/Tokyo", "mixed")
    with pytest.raises(InvalidDailySetting):
        d.setup(GUILD, CHANNEL, "09:00", "Tokyo", "mixed")
    with pytest.raises(DailyNotSetUp):
        d.status(GUILD)
    assert isinstance(d.begin_post(GUILD), NoPost)


def test_posts_at_the_slot_once_even_across_restarts(daily, channel, clock):
    assert slot(daily, channel).reason == "not_due"
    clock.now = tokyo(25, 9)
    outcome = slot(daily, channel)
    assert outcome.kind == "posted" and outcome.post.seq == 1 and outcome.post.message_id == channel.sent()[0]["id"]
    assert slot(daily, channel).reason == "already_posted"
    again = restart(restart(daily))
    clock.advance(hours=3)
    assert again.needs_catch_up() == []
    assert slot(again, channel).reason == "already_posted"
    assert len(channel.sent()) == 1


def test_a_missed_slot_is_caught_up_once_the_same_day(daily, channel, clock):
    clock.now = tokyo(25, 15)  # the bot was down at 09:00
    back = restart(daily)
    assert back.needs_catch_up() == [GUILD]
    assert slot(back, channel).kind == "posted"
    assert back.needs_catch_up() == []
    assert slot(restart(back), channel).reason == "already_posted"
    assert [m["date"] for m in channel.sent()] == [date(2026, 11, 25)]


def test_no_back_fill_after_days_of_downtime(daily, channel, clock):
    clock.now = tokyo(25, 9)
    slot(daily, channel)
    clock.now = tokyo(28, 8)  # down from the 26th; today's slot has not come yet
    back = restart(daily)
    assert back.needs_catch_up() == []
    assert slot(back, channel).reason == "not_due"
    clock.now = tokyo(28, 9, 30)
    assert slot(back, channel).kind == "posted"
    assert [m["date"] for m in channel.sent()] == [date(2026, 11, 25), date(2026, 11, 28)]
    assert [p.post.local_date.day for p in back.status(GUILD).recent] == [28, 25]


def test_crash_after_sending_is_reconciled_from_the_channel(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(daily, channel)
    channel.crash_after_send = False
    intent = daily.status(GUILD).recent[0].post
    assert intent.state == "intended" and intent.message_id is None
    back = restart(daily)
    assert isinstance(back.begin_post(GUILD), CheckExisting)
    outcome = slot(back, channel)
    assert outcome.reason == "already_posted" and outcome.post.message_id == channel.sent()[0]["id"]
    assert outcome.post.seq == 1 and len(channel.sent()) == 1


def test_crash_before_sending_posts_once_after_restart(daily, channel, clock):
    clock.now = tokyo(25, 9)
    action = daily.begin_post(GUILD)
    assert isinstance(action, PostNow)  # the process dies before sending anything
    back = restart(daily)
    check = back.begin_post(GUILD)
    assert isinstance(check, CheckExisting) and check.post.id == action.post.id
    assert back.reconcile(check.post, None).state == PENDING
    outcome = slot(back, channel)
    assert outcome.kind == "posted" and outcome.post.id == action.post.id
    assert outcome.post.question_id == action.question.id and outcome.post.attempts == 2
    assert len(channel.sent()) == 1


def test_two_restarts_in_a_row_do_not_double_post(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(daily, channel)
    channel.crash_after_send, channel.crash_on_find = False, True
    with pytest.raises(Crash):
        slot(restart(daily), channel)  # dies again while checking
    channel.crash_on_find = False
    assert slot(restart(daily), channel).reason == "already_posted"
    assert len(channel.sent()) == 1


def test_restart_on_a_real_file(tmp_path, clock):
    path = tmp_path / "studybot.sqlite3"
    db = bank_database(path)
    clock.now = tokyo(25, 8)
    Daily(db, clock).setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "junior")
    clock.now = tokyo(25, 9)
    channel = FakeChannel()
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(Daily(db, clock), channel)
    db.close()
    channel.crash_after_send = False
    reopened = open_database(path)
    assert slot(Daily(reopened, clock), channel).reason == "already_posted"
    assert len(channel.sent()) == 1


def test_a_left_intent_of_a_past_day_is_resolved_never_back_filled(daily, channel, clock):
    clock.now = tokyo(25, 9)
    daily.begin_post(GUILD)  # dies before sending
    clock.now = tokyo(26, 9)
    outcome = slot(restart(daily), channel)
    assert outcome.kind == "posted" and outcome.post.local_date == date(2026, 11, 26) and outcome.post.seq == 1
    old = daily.status(GUILD).recent[1].post
    assert (old.state, old.reason) == (SKIPPED, EXPIRED)
    assert [m["date"] for m in channel.sent()] == [date(2026, 11, 26)]


def test_a_left_intent_of_a_past_day_found_in_the_channel_counts_as_posted(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(daily, channel)
    channel.crash_after_send = False
    clock.now = tokyo(26, 9)
    outcome = slot(restart(daily), channel)
    assert outcome.kind == "posted" and outcome.post.seq == 2
    assert [p.post.seq for p in daily.status(GUILD).recent] == [2, 1]
    assert len(channel.sent()) == 2


def test_concurrent_slots_in_one_process_post_once(daily, channel, clock):
    clock.now = tokyo(25, 9)

    async def both():
        return await asyncio.gather(run_slot(daily, GUILD, channel), run_slot(daily, GUILD, channel, force=True))

    outcomes = asyncio.run(both())
    assert sorted(o.kind for o in outcomes) == ["none", "posted"]
    assert len(channel.sent()) == 1


def test_a_missing_channel_skips_the_day_and_status_says_why(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.gone[CHANNEL] = CHANNEL_MISSING
    outcome = slot(daily, channel)
    assert outcome.kind == "skipped" and outcome.reason.startswith(CHANNEL_MISSING)
    assert slot(daily, channel).reason == "skipped"  # the scheduler does not retry by itself
    card = status_card(daily.status(GUILD))
    assert "チャンネルが見つかりません" in dict(card.fields)["スキップした日と理由"]
    assert "理由" in slot_outcome_card(slot(daily, channel)).description
    # an admin fixes the channel and posts by hand
    daily.setup(GUILD, 101, "09:00", "Asia/Tokyo", "mixed")
    outcome = slot(daily, channel, force=True)
    assert outcome.kind == "posted" and outcome.post.channel_id == 101 and len(channel.sent(101)) == 1


def test_lost_permission_when_checking_a_left_intent_skips(daily, channel, clock):
    clock.now = tokyo(25, 9)
    daily.begin_post(GUILD)
    channel.gone[CHANNEL] = NO_PERMISSION
    outcome = slot(restart(daily), channel)
    assert outcome.reason == "skipped" and outcome.post.reason == NO_PERMISSION


def test_daily_now_posts_early_and_while_paused_but_never_twice(daily, channel, clock):
    clock.now = tokyo(25, 7)
    daily.pause(GUILD)
    assert slot(daily, channel).reason == "paused"
    assert slot(daily, channel, force=True).kind == "posted"
    assert slot(daily, channel, force=True).reason == "already_posted"


def test_pause_and_resume(daily, channel, clock):
    daily.pause(GUILD)
    clock.now = tokyo(26, 9)
    assert daily.needs_catch_up() == [] and slot(daily, channel).reason == "paused"
    assert daily.status(GUILD).next_post_at is None
    clock.now = tokyo(26, 12)
    daily.resume(GUILD)
    assert slot(daily, channel).reason == "not_due"  # the 09:00 that passed while paused is not owed
    assert daily.status(GUILD).next_post_at == datetime(2026, 11, 27, 9, 0, tzinfo=TOKYO)
    clock.now = tokyo(27, 9)
    assert slot(daily, channel).kind == "posted"


def test_setup_after_the_slot_starts_tomorrow(loaded_db, clock, channel):
    clock.now = tokyo(25, 10)
    d = Daily(loaded_db, clock, random.Random(1))
    d.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "senior")
    assert d.needs_catch_up() == [] and slot(d, channel).reason == "not_due"
    clock.now = tokyo(26, 9)
    assert slot(d, channel).post.question_id.startswith("senior-")


def test_questions_cycle_without_repeats_then_reshuffle(daily, channel, clock):
    daily.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "junior")
    shown = []
    for day in range(32):
        clock.now = tokyo(26, 9) + timedelta(days=day)
        outcome = slot(daily, channel)
        shown.append((outcome.post.cycle, outcome.post.question_id))
    first = [q for c, q in shown if c == 1]
    assert len(first) == 15 and len(set(first)) == 15 and all(q.startswith("junior-") for q in first)
    second = [q for c, q in shown if c == 2]
    assert len(set(second)) == len(second) == 15 and second != first
    assert shown[15][1] != shown[14][1]
    status = daily.status(GUILD)
    assert (status.cycle, status.shown_in_cycle, status.cycle_size) == (3, 2, 15)


def test_an_empty_level_is_skipped_with_a_reason(db, clock, channel):
    clock.now = tokyo(25, 8)
    d = Daily(db, clock)
    d.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "junior")
    clock.now = tokyo(25, 9)
    outcome = slot(d, channel)
    assert outcome.reason == NO_QUESTIONS and outcome.post.state == SKIPPED
    assert "出題できる問題" in dict(status_card(d.status(GUILD)).fields)["スキップした日と理由"]


def test_reveal_at_reveal_time_in_the_thread(daily, channel, clock):
    clock.now = tokyo(25, 9)
    posted = slot(daily, channel).post
    clock.now = tokyo(25, 20, 59)
    assert daily.reveals_due(GUILD) == []
    clock.now = tokyo(25, 21)
    assert asyncio.run(run_reveals(daily, GUILD, channel)) == 1
    assert channel.reveals == [(posted.id, posted.question_id)]
    assert asyncio.run(run_reveals(daily, GUILD, channel)) == 0


def test_without_reveal_time_the_answer_comes_just_before_the_next_question(daily, channel, clock):
    daily.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    clock.now = tokyo(25, 9)
    first = slot(daily, channel).post
    clock.now = tokyo(25, 23)
    assert daily.reveals_due(GUILD) == []
    clock.now = tokyo(26, 9)
    slot(daily, channel)
    assert channel.reveals == [(first.id, first.question_id)]


def test_a_late_catch_up_post_is_not_revealed_at_once(daily, channel, clock):
    clock.now = tokyo(25, 22)  # posted after the day's 21:00 reveal time
    slot(restart(daily), channel)
    assert daily.reveals_due(GUILD) == []


def test_answers_count_only_while_the_question_is_open(daily, channel, clock):
    clock.now = tokyo(25, 9)
    first = slot(daily, channel).post
    receipt = daily.answer(GUILD, 7, first.id, " 過学習を防ぐため ", display_name="はなこ")
    assert receipt.counted and receipt.text == "過学習を防ぐため" and receipt.streak.current == 1
    clock.now = tokyo(26, 9)
    slot(daily, channel)
    late = daily.answer(GUILD, 8, first.id, "遅れて回答")
    assert not late.counted and late.streak.current == 0
    row = daily.db.execute("select daily_post_id from answers where id = ?", [late.answer_id]).fetchone()
    assert row[0] is None  # kept as practice
    with pytest.raises(UnknownDailyPost):
        daily.answer(GUILD + 1, 7, first.id, "別のサーバー")


def test_the_database_refuses_a_daily_answer_to_a_closed_question(daily, channel, clock):
    from db import practice

    clock.now = tokyo(25, 9)
    first = slot(daily, channel).post
    clock.now = tokyo(26, 9)
    slot(daily, channel)
    with pytest.raises(Exception, match="closed"):
        practice.record_answer(daily.db, GUILD, 7, first.question_id, "x", clock.now, daily_post_id=first.id)


def test_status_shows_the_next_post_in_the_servers_zone(daily, channel, clock):
    clock.now = tokyo(25, 9)
    slot(daily, channel)
    status = daily.status(GUILD)
    assert status.next_post_at == datetime(2026, 11, 26, 9, 0, tzinfo=TOKYO)
    assert status.recent[0].post.state == POSTED and status.recent[0].title
    fields = dict(status_card(status).fields)
    assert fields["次回の投稿"] == "11月26日(木) 09:00 (JST)"
    assert "投稿済み" in fields["最近の投稿"]


# --- recovery: concurrent runs, failed checks, passing failures, reveals -------------------------------------


def test_concurrent_checks_of_a_left_intent_post_once(daily, channel, clock):
    clock.now = tokyo(25, 9)
    daily.begin_post(GUILD)  # the intent is recorded, then the process dies before sending
    back = restart(daily)

    async def both():  # start-up catch-up and an admin's /daily now meet
        return await asyncio.gather(run_slot(back, GUILD, channel), run_slot(back, GUILD, channel, force=True))

    outcomes = asyncio.run(both())
    assert sorted(o.kind for o in outcomes) == ["none", "posted"]
    assert len(channel.sent()) == 1


def test_a_stale_not_found_does_not_reset_a_fresh_intent(daily, channel, clock):
    clock.now = tokyo(25, 9)
    daily.begin_post(GUILD)
    back = restart(daily)
    check = back.begin_post(GUILD)
    assert isinstance(check, CheckExisting)
    back.reconcile(check.post, None)
    fresh = back.begin_post(GUILD)  # this run is now sending attempt 2
    assert isinstance(fresh, PostNow) and fresh.post.attempts == 2
    assert back.reconcile(check.post, None).state == "intended"  # another run's late answer about attempt 1
    assert isinstance(back.begin_post(GUILD), NoPost)


def test_daily_now_after_a_failed_check_looks_before_posting_again(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(daily, channel)  # the message went out, then the process died
    channel.crash_after_send = False
    channel.gone[CHANNEL] = NO_PERMISSION  # e.g. Read Message History was taken away: it cannot look
    back = restart(daily)
    assert slot(back, channel).post.state == SKIPPED
    del channel.gone[CHANNEL]
    outcome = slot(back, channel, force=True)  # the admin fixed it and posts "again"
    assert outcome.reason == "already_posted" and outcome.post.message_id == channel.sent()[0]["id"]
    assert len(channel.sent()) == 1


def test_daily_now_after_a_refused_send_posts_once_fixed(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.gone[CHANNEL] = NO_PERMISSION
    assert slot(daily, channel).kind == "skipped"
    assert slot(daily, channel, force=True).post.state == SKIPPED  # still refused: no loop, no post
    del channel.gone[CHANNEL]
    assert slot(daily, channel, force=True).kind == "posted"
    assert len(channel.sent()) == 1


def test_a_passing_send_error_is_retried_later_the_same_day(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.send_errors = [OSError("connection reset"), PostFailed("error", "503 Service Unavailable")]
    first = slot(daily, channel)
    assert first.kind == "failed" and first.retry_at == datetime(2026, 11, 25, 9, 5, tzinfo=TOKYO)
    assert "OSError: connection reset" in first.reason
    assert "11月25日(水) 09:05 (JST) に自動で再試行します" in slot_outcome_card(first).description
    assert daily.needs_catch_up() == [] and daily.next_wake(GUILD) == tokyo(25, 9, 5)
    assert slot(daily, channel).reason == "retry_later"
    clock.now = tokyo(25, 9, 5)
    assert daily.needs_catch_up() == [GUILD]
    second = slot(daily, channel)
    assert second.kind == "failed" and second.retry_at == datetime(2026, 11, 25, 9, 20, tzinfo=TOKYO)
    fields = dict(status_card(daily.status(GUILD)).fields)
    assert "投稿に 2 回失敗" in fields["失敗と再試行 (failures and retries)"] and "09:20 (JST) に再試行" in fields[
        "失敗と再試行 (failures and retries)"]
    clock.now = tokyo(25, 9, 20)
    third = slot(daily, channel)
    assert third.kind == "posted" and third.post.failures == 2 and len(channel.sent()) == 1
    assert "その後投稿済み" in dict(status_card(daily.status(GUILD)).fields)["失敗と再試行 (failures and retries)"]
    assert slot(daily, channel).reason == "already_posted"


def test_a_send_that_failed_after_reaching_the_channel_is_found_not_reposted(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.send_errors_after = [PostFailed("error", "500 Internal Server Error")]
    assert slot(daily, channel).kind == "failed"
    clock.now = tokyo(25, 9, 5)
    outcome = slot(daily, channel)
    assert outcome.reason == "already_posted" and outcome.post.message_id == channel.sent()[0]["id"]
    assert len(channel.sent()) == 1 and outcome.post.seq == 1


def test_retries_back_off_and_stop_with_the_day(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.send_errors = [OSError("down")] * 5
    waits = []
    for _ in range(5):
        outcome = slot(daily, channel)
        waits.append(int((outcome.retry_at - clock.now).total_seconds() // 60))
        clock.now = outcome.retry_at.astimezone(UTC)
    assert waits == [5, 15, 60, 60, 60]
    clock.now = tokyo(26, 8)  # the next day: the left intent is looked for once more, then given up
    assert daily.needs_catch_up() == [GUILD]
    assert slot(daily, channel).reason == "not_due"
    old = daily.status(GUILD).recent[0].post
    assert (old.local_date.day, old.state, old.reason) == (25, SKIPPED, EXPIRED) and old.failures == 5
    clock.now = tokyo(26, 9)
    assert slot(daily, channel).kind == "posted"


def test_a_passing_check_error_keeps_the_intent_for_a_retry(daily, channel, clock):
    clock.now = tokyo(25, 9)
    daily.begin_post(GUILD)
    back = restart(daily)
    channel.find_errors = [PostFailed("error", "502 Bad Gateway")]
    outcome = slot(back, channel)
    assert outcome.kind == "failed" and outcome.post.state == "intended"
    clock.now = tokyo(25, 9, 5)
    assert slot(back, channel).kind == "posted" and len(channel.sent()) == 1


def test_a_deleted_channel_holds_no_post_so_daily_now_reposts_elsewhere(daily, channel, clock):
    clock.now = tokyo(25, 9)
    channel.crash_after_send = True
    with pytest.raises(Crash):
        slot(daily, channel)
    channel.crash_after_send = False
    channel.gone[CHANNEL] = CHANNEL_MISSING  # deleted, with the message in it
    back = restart(daily)
    assert slot(back, channel).post.reason.startswith(CHANNEL_MISSING)
    back.setup(GUILD, 101, "09:00", "Asia/Tokyo", "mixed")
    assert slot(back, channel, force=True).kind == "posted" and len(channel.sent(101)) == 1


def test_setup_or_resume_just_after_the_slot_starts_tomorrow(daily, channel, clock):
    clock.now = tokyo(26, 9) + timedelta(seconds=30)
    settings = daily.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    assert daily.needs_catch_up() == [] and slot(daily, channel).reason == "not_due"
    assert daily.next_post_at(settings) == datetime(2026, 11, 27, 9, 0, tzinfo=TOKYO)
    daily.pause(GUILD)
    clock.now = tokyo(27, 9)
    daily.resume(GUILD)  # at the very slot: the timer armed now is for tomorrow, so nothing is owed today
    assert daily.needs_catch_up() == [] and daily.next_wake(GUILD) == tokyo(28, 9)
    clock.now = tokyo(27, 8, 59) + timedelta(seconds=30)
    daily.setup(GUILD, CHANNEL, "09:00", "Asia/Tokyo", "mixed")
    assert daily.next_wake(GUILD) == tokyo(27, 9)
    clock.now = tokyo(27, 9)
    assert daily.needs_catch_up() == [GUILD] and slot(daily, channel).kind == "posted"


def test_a_timezone_change_onto_a_day_already_posted_says_so(daily, channel, clock):
    los_angeles = ZoneInfo("America/Los_Angeles")
    clock.now = tokyo(26, 9)
    slot(daily, channel)  # 11/26 in Tokyo
    clock.now = tokyo(26, 10)  # 17:00 on 11/25 in Los Angeles
    settings = daily.setup(GUILD, CHANNEL, "09:00", "America/Los_Angeles", "mixed")
    assert daily.day_already_posted(settings) == date(2026, 11, 26)
    assert daily.next_post_at(settings) == datetime(2026, 11, 27, 9, 0, tzinfo=los_angeles)
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=los_angeles).astimezone(UTC)
    assert slot(daily, channel).kind == "posted"
    assert daily.day_already_posted(daily.settings(GUILD)) is None


def test_a_reveal_resumes_after_the_pages_already_out(daily, channel, clock):
    channel.reveal_pages = 4
    clock.now = tokyo(25, 9)
    post = slot(daily, channel).post
    clock.now = tokyo(25, 21)
    channel.crash_before_page = 2
    with pytest.raises(Crash):
        asyncio.run(run_reveals(daily, GUILD, channel))
    channel.crash_before_page = None
    assert asyncio.run(run_reveals(restart(daily), GUILD, channel)) == 1
    assert channel.pages == [(post.id, 0), (post.id, 1), (post.id, 2), (post.id, 3)]


def test_a_failed_reveal_is_retried_then_shown_in_status(daily, channel, clock):
    channel.reveal_pages = 3
    clock.now = tokyo(25, 9)
    post = slot(daily, channel).post
    clock.now = tokyo(25, 21)
    real = channel.send_reveal

    async def second_page_fails(p, q, sent):  # page 1 goes out, page 2 hits a 503
        channel.reveal_pages, channel.reveal_errors = 1, []
        await real(p, q, sent)
        raise PostFailed("error", "posting the answer: 503 Service Unavailable")

    channel.send_reveal = second_page_fails
    assert asyncio.run(run_reveals(daily, GUILD, channel)) == 0
    lines = dict(status_card(daily.status(GUILD)).fields)["失敗と再試行 (failures and retries)"]
    assert "模範解答: 投稿中にエラーが起きました" in lines and "1 ページまで公開済み" in lines and "21:05 (JST) に再試行" in lines
    assert daily.reveals_due(GUILD) == [] and daily.next_reveal_wake(GUILD) == tokyo(25, 21, 5)
    channel.send_reveal, channel.reveal_pages = real, 3
    clock.now = tokyo(25, 21, 5)
    assert asyncio.run(run_reveals(daily, GUILD, channel)) == 1
    assert channel.pages == [(post.id, 0), (post.id, 1), (post.id, 2)]
    assert "失敗と再試行 (failures and retries)" not in dict(status_card(daily.status(GUILD)).fields)


def test_a_reveal_into_a_lost_channel_is_given_up_and_status_says_why(daily, channel, clock):
    clock.now = tokyo(25, 9)
    slot(daily, channel)
    clock.now = tokyo(25, 21)
    channel.gone[CHANNEL] = NO_PERMISSION
    assert asyncio.run(run_reveals(daily, GUILD, channel)) == 0
    assert daily.reveals_due(GUILD) == []
    lines = dict(status_card(daily.status(GUILD)).fields)["失敗と再試行 (failures and retries)"]
    assert "11月25日(水) の模範解答: ボットにチャンネルへの投稿権限がありません・公開を断念" in lines


def test_a_reveal_failure_does_not_stop_the_next_post(daily, channel, clock):
    clock.now = tokyo(25, 9)
    slot(daily, channel)
    channel.reveal_errors = [OSError("timeout")] * 4
    clock.now = tokyo(26, 9)  # the reveal before the next question fails: the question still goes out
    assert slot(daily, channel).kind == "posted" and len(channel.sent()) == 2
