"""Streaks and leaderboards: fair rules, derived data that always equals the pure fold, any history."""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.boards import InvalidBoard
from bot.core.streaks import Post, fold
from bot.presenters.progress import leaderboard_card, member_name, streak_card
from bot.services import Study
from bot.services.daily import Daily, run_slot
from bot.services.feedback import Feedback
from bot.services.progress import Progress
from tests.services.test_daily import FakeChannel

PERIODS = ("week", "month", "all")


@dataclass
class ScriptedGrader:
    """Scores by the answer's text ("70 …" scores 70; "english …" is not judged), so tests decide each score."""

    def grade(self, question_id: str, text: str) -> Feedback:
        if text.startswith("english"):
            return Feedback(None, [], [], False, "英語の回答は採点しません")
        return Feedback(int(text.split()[0]), ["a"], ["b"], True, "")


@dataclass
class Server:
    """One server's daily question, driven day by day, with a record of what should count."""

    daily: Daily
    guild: int
    zone: ZoneInfo
    channel: FakeChannel = field(default_factory=FakeChannel)
    posts: list[Post] = field(default_factory=list)
    counted: dict[int, set[int]] = field(default_factory=dict)
    # the points rule, kept independently of the code under test: (user, seq) -> points of the first
    # judged answer, 0 when the member had revealed the model answer or it was public before it
    points: dict[tuple[int, int], int] = field(default_factory=dict)
    reveals: dict[tuple[int, str], list[datetime]] = field(default_factory=dict)
    public: dict[int, datetime] = field(default_factory=dict)

    @property
    def open_post(self):
        return self.daily.status(self.guild, recent=1).recent[0].post

    def post(self) -> None:
        outcome = asyncio.run(run_slot(self.daily, self.guild, self.channel))
        assert outcome.kind == "posted", outcome
        p = outcome.post
        self.posts.append(Post(p.seq, ("all", p.week_key, p.month_key)))

    def answer(self, user: int, name: str | None = None, post_id: int | None = None, text: str = "回答です") -> bool:
        post = self.open_post if post_id is None else self.daily.post(self.guild, post_id)
        receipt = self.daily.answer(self.guild, user, post.id, text, display_name=name)
        if receipt.counted:
            self.counted.setdefault(user, set()).add(post.seq)
            if receipt.feedback is not None and receipt.feedback.judged and (user, post.seq) not in self.points:
                now = self.daily.clock()
                seen = self.public.get(post.seq, now) < now or any(
                    post.posted_at <= at < now for at in self.reveals.get((user, post.question_id), []))
                self.points[user, post.seq] = 0 if seen else receipt.feedback.score
        return receipt.counted

    def reveal(self, study: Study, user: int) -> None:
        """The member opens the open question's model answer (the Reveal button)."""
        question = study.reveal(self.guild, user, self.open_post.question_id)
        self.reveals.setdefault((user, question.id), []).append(study.now())

    def reveal_publicly(self) -> None:
        post = self.daily.mark_revealed(self.open_post.id)
        self.public[post.seq] = post.revealed_at

    def expected_points(self, user: int, period_key: str) -> int:
        periods = {p.seq: p.periods for p in self.posts}
        return sum(v for (u, seq), v in self.points.items() if u == user and period_key in periods[seq])


class Days:
    """A clock that moves to a local time, day after day."""

    def __init__(self, clock, zone: ZoneInfo, start: datetime):
        self.clock, self.zone, self.day = clock, zone, start

    def at(self, hour: int, minute: int = 0) -> None:
        self.clock.now = self.day.replace(hour=hour, minute=minute, tzinfo=self.zone).astimezone(UTC)

    def next(self, days: int = 1) -> None:
        self.day += timedelta(days=days)


TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 20)


@pytest.fixture
def server(loaded_db, clock) -> tuple[Server, Days]:
    days = Days(clock, TOKYO, START)
    days.at(8)
    daily = Daily(loaded_db, clock, random.Random(5))
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    return Server(daily, 1, TOKYO), days


def run_days(server: Server, days: Days, n: int, answering: dict[int, str] | None = None) -> None:
    for _ in range(n):
        days.at(9)
        server.post()
        days.at(20)
        for user, name in (answering or {}).items():
            server.answer(user, name)
        days.next()


def test_streak_grows_earns_freezes_and_caps_them(server, loaded_db):
    s, days = server
    progress = Progress(loaded_db)
    run_days(s, days, 6, {7: "はなこ"})
    view = progress.streak(1, 7)
    assert (view.current, view.freezes, view.next_freeze_in, view.answered_open) == (6, 0, 1, True)
    run_days(s, days, 8, {7: "はなこ"})
    assert (progress.streak(1, 7).current, progress.streak(1, 7).freezes) == (14, 2)
    run_days(s, days, 7, {7: "はなこ"})
    view = progress.streak(1, 7)
    assert (view.current, view.best, view.answered, view.freezes, view.next_freeze_in) == (21, 21, 21, 2, None)
    assert "🔥 21 回" in dict(streak_card(view).fields)["現在の連続"]


def test_a_missed_question_spends_a_freeze_then_the_streak_breaks(server, loaded_db):
    s, days = server
    progress = Progress(loaded_db)
    run_days(s, days, 7, {7: "はなこ"})
    run_days(s, days, 1)  # missed, but still open: nothing spent yet
    assert (progress.streak(1, 7).current, progress.streak(1, 7).freezes) == (7, 1)
    run_days(s, days, 1)  # the miss is closed: the freeze is spent
    view = progress.streak(1, 7)
    assert (view.current, view.freezes, view.answered_open) == (7, 0, False)
    run_days(s, days, 1)  # another closed miss, no freeze
    view = progress.streak(1, 7)
    assert (view.current, view.best) == (0, 7)
    s.answer(7)
    assert progress.streak(1, 7).current == 1


def test_days_without_a_post_break_nobody(server, loaded_db):
    s, days = server
    run_days(s, days, 3, {7: "はなこ"})
    s.daily.pause(1)  # a week without posts
    days.next(7)
    days.at(8)
    s.daily.resume(1)
    run_days(s, days, 2, {7: "はなこ"})
    assert Progress(loaded_db).streak(1, 7).current == 5


def test_an_answer_after_the_next_question_does_not_count_for_the_old_one(server, loaded_db):
    s, days = server
    run_days(s, days, 1, {7: "はなこ"})
    first = s.open_post
    run_days(s, days, 1)
    assert not s.answer(8, "たろう", post_id=first.id)  # too late for day 1
    assert s.answer(8, "たろう")  # day 2 is open
    view = Progress(loaded_db).streak(1, 8)
    assert (view.current, view.answered) == (1, 1)


def test_leaderboard_top_ten_and_the_callers_rank_beneath(server, loaded_db):
    s, days = server
    for day in range(4):
        days.at(9)
        s.post()
        for user in range(1, 15):
            if user <= 12 - day * 3 or user == 14:  # fewer members keep up each day; 14 always answers
                s.answer(user, f"member{user}")
        days.next()
    board = Progress(loaded_db).leaderboard(1, "all", "answers", caller_id=13)
    assert [(e.user_id, e.value) for e in board.entries] == [
        (1, 4), (2, 4), (3, 4), (14, 4), (4, 3), (5, 3), (6, 3), (7, 2), (8, 2), (9, 2)]
    assert [e.rank for e in board.entries] == [1, 1, 1, 1, 5, 5, 5, 8, 8, 8]  # ties share a rank
    assert board.caller.user_id == 13 and board.caller.rank is None  # never answered
    board = Progress(loaded_db).leaderboard(1, "all", "answers", caller_id=12)
    assert not board.caller_in_top and (board.caller.rank, board.caller.value) == (11, 1)
    text = leaderboard_card(board).description
    assert text.startswith("🥇 member1 — 4 問") and text.endswith("…\n11. member12 — 1 問")


def test_weekly_board_lets_a_newcomer_compete(server, loaded_db):
    s, days = server  # 2026-11-20 is a Friday: three days in W47, then W48
    run_days(s, days, 3, {7: "ベテラン"})
    run_days(s, days, 2, {7: "ベテラン", 8: "しんじん"})
    progress = Progress(loaded_db)
    week = progress.leaderboard(1, "week", "streak")
    assert week.period_key == "2026-W48"
    assert {e.name: (e.rank, e.value) for e in week.entries} == {"ベテラン": (1, 2), "しんじん": (1, 2)}
    everything = progress.leaderboard(1, "all", "streak")
    assert [(e.name, e.value) for e in everything.entries] == [("ベテラン", 5), ("しんじん", 2)]


def test_leaving_and_deleted_members_keep_a_name(server, loaded_db):
    s, days = server
    run_days(s, days, 2, {7: "いなくなった人", 8: None})
    loaded_db.execute("delete from members where user_id = 7")  # e.g. data removed on request
    board = Progress(loaded_db).leaderboard(1, "all", "streak", caller_id=8)
    names = [member_name(e.user_id, e.name) for e in board.entries]
    assert names == ["メンバー #7", "メンバー #8"]
    assert "メンバー #8" in leaderboard_card(board).description
    assert member_name(1, "*bold*_x_") == "\\*bold\\*\\_x\\_"


def test_boards_before_any_question_and_bad_arguments(loaded_db):
    progress = Progress(loaded_db)
    board = progress.leaderboard(1, "week", "answers", caller_id=3)
    assert board.entries == [] and board.caller is None
    assert "まだ" in leaderboard_card(board).description
    assert progress.streak(1, 3).current == 0
    with pytest.raises(InvalidBoard):
        progress.leaderboard(1, "year", "streak")
    with pytest.raises(InvalidBoard):
        progress.leaderboard(1, "week", "likes")


def derived_rows(db, guild: int) -> tuple[list, list]:
    return (db.execute("select * from streaks where guild_id = ? order by user_id", [guild]).fetchall(),
            db.execute("select * from board_stats where guild_id = ? order by period_key, user_id", [guild]).fetchall())


def assert_matches_the_fold(s: Server, progress: Progress, users: range) -> None:
    latest = s.posts[-1]
    for user in users:
        expected = fold(s.posts, s.counted.get(user, set()))
        view = progress.streak(s.guild, user)
        assert (view.current, view.best, view.freezes, view.answered) == (
            expected.streak.current, expected.streak.best, expected.streak.freezes, expected.streak.answered)
        for period, key in zip(PERIODS, (latest.periods[1], latest.periods[2], "all"), strict=False):
            points = {key: s.expected_points(user, key)}
            for by, values in (("answers", expected.period_answers), ("streak", expected.period_streaks), ("points", points)):
                board = progress.leaderboard(s.guild, period, by, caller_id=user, limit=len(users))
                shown = {e.user_id: e.value for e in board.entries}
                assert shown.get(user, 0) == values.get(key, 0), (period, by, user)
                assert board.caller.value == values.get(key, 0)


@pytest.mark.parametrize("seed", range(6))
def test_derived_data_equals_the_pure_fold_on_random_histories(loaded_db, clock, seed):
    rng = random.Random(seed)
    days = Days(clock, TOKYO, datetime(2026, 12, 20))
    days.at(8)
    daily = Daily(loaded_db, clock, rng, grader=ScriptedGrader())
    daily.setup(3, 300, "09:00", "Asia/Tokyo", "mixed")
    study = Study(loaded_db, clock, rng)
    s = Server(daily, 3, TOKYO)
    progress = Progress(loaded_db)
    users = range(1, 9)
    keen = {u: rng.random() for u in users}

    def text() -> str:
        return "english answer" if rng.random() < 0.15 else f"{rng.randint(0, 100)} 回答"

    for _ in range(45):
        days.next(rng.choice([1, 1, 1, 2, 4]))  # some days the bot does not post
        days.at(9)
        s.post()
        public_after = rng.choice([None, *users])  # the thread shows the model answer after this member's turn
        for u in users:
            clock.advance(minutes=rng.choice([0, 1, 30]))  # 0: reveals and answers in the same instant
            if rng.random() < 0.15:
                s.reveal(study, u)
            if rng.random() < keen[u]:
                s.answer(u, f"u{u}", text=text())
            if rng.random() < 0.15:
                s.answer(u, text=text())  # a second answer to the same question
            if rng.random() < 0.1 and len(s.posts) > 1:
                s.answer(u, post_id=daily.status(3, recent=3).recent[-1].post.id, text=text())  # late, for an older one
            if u == public_after:
                s.reveal_publicly()
        if rng.random() < 0.2:
            assert_matches_the_fold(s, progress, users)
    assert_matches_the_fold(s, progress, users)
    before = derived_rows(loaded_db, 3)
    assert progress.rebuild(3) == len(s.counted)
    assert derived_rows(loaded_db, 3) == before


def test_two_servers_in_different_timezones_over_several_days(loaded_db, clock):
    """Tokyo posts at 09:00 JST, New York at 09:00 EST (23:00 JST); the same member in both keeps two
    independent streaks, and each server's day is its own local date."""
    clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    daily = Daily(loaded_db, clock, random.Random(11))
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "junior")
    daily.setup(2, 200, "09:00", "America/New_York", "senior")
    channel = FakeChannel()
    posted: dict[int, list] = {1: [], 2: []}
    for hour in range(24 * 5):  # the scheduler, hour by hour
        clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC) + timedelta(hours=hour)
        for guild in (1, 2):
            outcome = asyncio.run(run_slot(daily, guild, channel))
            if outcome.kind == "posted":
                posted[guild].append((outcome.post.local_date.isoformat(), clock.now.hour))
                if not (guild == 2 and len(posted[2]) == 3):  # member 5 misses New York's third question
                    daily.answer(guild, 5, outcome.post.id, "回答", display_name="ふたつのサーバー")
    assert posted[1] == [(f"2026-11-{d}", 0) for d in (25, 26, 27, 28, 29)]
    assert posted[2] == [(f"2026-11-{d}", 14) for d in (24, 25, 26, 27, 28)]
    assert all(m["question"].startswith("junior-") for m in channel.sent(100))
    assert all(m["question"].startswith("senior-") for m in channel.sent(200))
    progress = Progress(loaded_db)
    assert progress.streak(1, 5).current == 5
    view = progress.streak(2, 5)
    assert (view.current, view.best, view.answered) == (2, 2, 4)
