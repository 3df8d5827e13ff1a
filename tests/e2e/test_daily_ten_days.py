"""Ten days of the daily question in two servers, three members, asserted day by day through the fake Discord.

The production scheduler posts and reveals by itself: the wall clock is moved with time-machine and the
scheduler's due timers run (`Timeline.to`); the test never calls fire_slot. Every score is pinned
(`ScriptedGrader`: "70 …" scores 70), so points are hand-computable too.

Tokyo (Asia/Tokyo, posts 09:00, model answer in the thread at 21:00): alice and bob; carol joins on
Monday 11/30 and leaves on 12/3. New York (America/New_York, posts 09:00, the model answer once the
next question is out): bob and carol. Dates are 11/26 (Thu) to 12/5 (Sat), so both servers cross a Sunday
-> Monday week boundary and a 11/30 -> 12/1 month boundary in their own timezone.

What happens (README "Daily question" rules; seq = the server's nth posted question):
- Tokyo is paused from 11/27 22:00 to 11/28 12:00: 11/28 has no question, nobody misses it.
- Tokyo 11/29: bob opens the model answer (Reveal) before answering: it counts, without points. alice
  answers it at 00:30 on Monday 11/30 (after local midnight, before the 09:00 post): it counts, for
  Sunday's week; the model answer was in the thread since 21:00, so no points.
- Tokyo: alice answers 11/27 twice (only the first scored answer gives points) and every question (her
  7th answer, 12/3, earns a freeze); bob's first answer on 11/26 is not scored (English), his second is;
  bob misses 12/4 (he answers a practice question instead): his freeze is spent when 12/5 is posted.
- New York: bob misses 11/29 without a freeze: the streak ends when 11/30 is posted; his answer to
  11/29 after that is practice. On 12/1 the bot may not post (Send Messages denied): no question, no
  miss, and 11/30's stays open, its model answer still private: carol answers it at 00:30 on 12/1
  (points), bob at 18:00 on 12/1 (points too). The answer goes to 11/30's thread once 12/2's question
  is out. carol's 7th answer (12/3) earns a freeze.
- carol leaves Tokyo before 12/3's post: she misses it, her streak ends on 12/4, and the boards still
  show her name with her answers and points.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine

from .fake_discord import FakeDiscord, custom_ids, message_text
from .helpers import (
    NEW_YORK,
    TOKYO,
    UTC,
    ScriptedGrader,
    Timeline,
    answer_daily,
    at,
    daily_posts,
    field,
    ids,
    make_timed_bot,
    running,
    setup_daily,
    streak_seen,
    text,
    thread_of,
)


def model_answer(fake, post) -> list[dict]:
    """The thread's messages but for streak-milestone congratulations (issue 13; test_engage.py checks those)."""
    return [m for m in thread_of(fake, post) if "連続 達成" not in message_text(m)]


pytestmark = pytest.mark.asyncio

# The expectations, hand-computed from the README's rules. One row per server, day and member, as seen
# at 23:30 UTC that day (08:30 the next morning in Tokyo, 18:30 in New York): after the day's answers,
# before the next post. `open` is the open question (its local date, ISO week, month: the period the
# boards show). /streak: current, best, answered, freezes, "answered the open question" (yes/no; "left":
# not a member any more, /streak not asked). Boards: period streak, answers and points for the week and
# the month; for all time the streak is `current`, the answers `answered`, and the points the last column.
# Scores: alice 50, bob 70, carol 80 in Tokyo and 40 in New York, except where the story above says 0.
TOKYO_DAYS = """
day | open         | member | cur best ans frz open | week    | month   | points
0   | 11/26 W48 11 | alice  | 1   1    1   0   yes  | 1 1 50  | 1 1 50  | 50
0   | 11/26 W48 11 | bob    | 1   1    1   0   yes  | 1 1 70  | 1 1 70  | 70
1   | 11/27 W48 11 | alice  | 2   2    2   0   yes  | 2 2 100 | 2 2 100 | 100
1   | 11/27 W48 11 | bob    | 2   2    2   0   yes  | 2 2 140 | 2 2 140 | 140
2   | 11/27 W48 11 | alice  | 2   2    2   0   yes  | 2 2 100 | 2 2 100 | 100
2   | 11/27 W48 11 | bob    | 2   2    2   0   yes  | 2 2 140 | 2 2 140 | 140
3   | 11/29 W48 11 | alice  | 3   3    3   0   yes  | 3 3 100 | 3 3 100 | 100
3   | 11/29 W48 11 | bob    | 3   3    3   0   yes  | 3 3 140 | 3 3 140 | 140
4   | 11/30 W49 11 | alice  | 4   4    4   0   yes  | 1 1 50  | 4 4 150 | 150
4   | 11/30 W49 11 | bob    | 4   4    4   0   yes  | 1 1 70  | 4 4 210 | 210
4   | 11/30 W49 11 | carol  | 1   1    1   0   yes  | 1 1 80  | 1 1 80  | 80
5   | 12/1  W49 12 | alice  | 5   5    5   0   yes  | 2 2 100 | 1 1 50  | 200
5   | 12/1  W49 12 | bob    | 5   5    5   0   yes  | 2 2 140 | 1 1 70  | 280
5   | 12/1  W49 12 | carol  | 2   2    2   0   yes  | 2 2 160 | 1 1 80  | 160
6   | 12/2  W49 12 | alice  | 6   6    6   0   yes  | 3 3 150 | 2 2 100 | 250
6   | 12/2  W49 12 | bob    | 6   6    6   0   yes  | 3 3 210 | 2 2 140 | 350
6   | 12/2  W49 12 | carol  | 3   3    3   0   yes  | 3 3 240 | 2 2 160 | 240
7   | 12/3  W49 12 | alice  | 7   7    7   1   yes  | 4 4 200 | 3 3 150 | 300
7   | 12/3  W49 12 | bob    | 7   7    7   1   yes  | 4 4 280 | 3 3 210 | 420
7   | 12/3  W49 12 | carol  | 3   3    3   0   left | 3 3 240 | 2 2 160 | 240
8   | 12/4  W49 12 | alice  | 8   8    8   1   yes  | 5 5 250 | 4 4 200 | 350
8   | 12/4  W49 12 | bob    | 7   7    7   1   no   | 4 4 280 | 3 3 210 | 420
8   | 12/4  W49 12 | carol  | 0   3    3   0   left | 0 3 240 | 0 2 160 | 240
9   | 12/5  W49 12 | alice  | 9   9    9   1   yes  | 6 6 300 | 5 5 250 | 400
9   | 12/5  W49 12 | bob    | 8   8    8   0   yes  | 5 5 350 | 4 4 280 | 490
9   | 12/5  W49 12 | carol  | 0   3    3   0   left | 0 3 240 | 0 2 160 | 240
"""
NEW_YORK_DAYS = """
day | open         | member | cur best ans frz open | week    | month   | points
0   | 11/26 W48 11 | bob    | 1   1    1   0   yes  | 1 1 70  | 1 1 70  | 70
0   | 11/26 W48 11 | carol  | 1   1    1   0   yes  | 1 1 40  | 1 1 40  | 40
1   | 11/27 W48 11 | bob    | 2   2    2   0   yes  | 2 2 140 | 2 2 140 | 140
1   | 11/27 W48 11 | carol  | 2   2    2   0   yes  | 2 2 80  | 2 2 80  | 80
2   | 11/28 W48 11 | bob    | 3   3    3   0   yes  | 3 3 210 | 3 3 210 | 210
2   | 11/28 W48 11 | carol  | 3   3    3   0   yes  | 3 3 120 | 3 3 120 | 120
3   | 11/29 W48 11 | bob    | 3   3    3   0   no   | 3 3 210 | 3 3 210 | 210
3   | 11/29 W48 11 | carol  | 4   4    4   0   yes  | 4 4 160 | 4 4 160 | 160
4   | 11/30 W49 11 | bob    | 0   3    3   0   no   | 0 0 0   | 0 3 210 | 210
4   | 11/30 W49 11 | carol  | 4   4    4   0   no   | 0 0 0   | 4 4 160 | 160
5   | 11/30 W49 11 | bob    | 1   3    4   0   yes  | 1 1 70  | 1 4 280 | 280
5   | 11/30 W49 11 | carol  | 5   5    5   0   yes  | 1 1 40  | 5 5 200 | 200
6   | 12/2  W49 12 | bob    | 2   3    5   0   yes  | 2 2 140 | 1 1 70  | 350
6   | 12/2  W49 12 | carol  | 6   6    6   0   yes  | 2 2 80  | 1 1 40  | 240
7   | 12/3  W49 12 | bob    | 3   3    6   0   yes  | 3 3 210 | 2 2 140 | 420
7   | 12/3  W49 12 | carol  | 7   7    7   1   yes  | 3 3 120 | 2 2 80  | 280
8   | 12/4  W49 12 | bob    | 4   4    7   0   yes  | 4 4 280 | 3 3 210 | 490
8   | 12/4  W49 12 | carol  | 8   8    8   1   yes  | 4 4 160 | 3 3 120 | 320
9   | 12/5  W49 12 | bob    | 5   5    8   0   yes  | 5 5 350 | 4 4 280 | 560
9   | 12/5  W49 12 | carol  | 9   9    9   1   yes  | 5 5 200 | 4 4 160 | 360
"""
START = date(2026, 11, 26)
NAMES = {"alice": "Alice", "bob": "Bob", "carol": "Carol"}
# what /leaderboard calls the period of the open question
LABELS = {"W48": "2026年 第48週 (11/23〜11/29)", "W49": "2026年 第49週 (11/30〜12/6)", "11": "2026年11月",
          "12": "2026年12月", "all": "全期間 (all time)"}
BY = {"streak": ("連続記録", "回"), "answers": ("回答数", "問"), "points": ("ポイント", "点")}
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


@dataclass(frozen=True)
class Row:
    open_date: str
    week_key: str
    month_key: str
    current: int
    best: int
    answered: int
    freezes: int
    open: str  # yes | no | left
    week: tuple[int, int, int]  # period streak, answers, points
    month: tuple[int, int, int]
    points: int

    def value(self, period: str, by: str) -> int:
        if period == "all":
            return {"streak": self.current, "answers": self.answered, "points": self.points}[by]
        return (self.week if period == "week" else self.month)[list(BY).index(by)]


def parse(table: str) -> dict[int, dict[str, Row]]:
    days: dict[int, dict[str, Row]] = {}
    for line in table.strip().splitlines()[1:]:
        day, opened, member, streak, week, month, points = [cell.split() for cell in line.split("|")]
        cur, best, answered, freezes, open_ = streak
        days.setdefault(int(day[0]), {})[member[0]] = Row(
            *opened, int(cur), int(best), int(answered), int(freezes), open_, tuple(map(int, week)),
            tuple(map(int, month)), int(points[0]))
    return days


EXPECTED = {"tokyo": parse(TOKYO_DAYS), "new_york": parse(NEW_YORK_DAYS)}


def expected_board(rows: dict[str, Row], order: list[str], period: str, by: str, viewer: str):
    """(title, top lines, the viewer's own line beneath or None): members with a value above 0, best
    first, ties share a rank (listed by account age: alice, bob, carol); the viewer's own line appears
    below the top when they are not in it."""
    what, unit = BY[by]
    some = next(iter(rows.values()))
    label = LABELS[{"week": some.week_key, "month": some.month_key, "all": "all"}[period]]
    values = {m: r.value(period, by) for m, r in rows.items()}
    ranked = sorted((m for m in values if values[m] > 0), key=lambda m: (-values[m], order.index(m)))
    top = [f"{MEDALS[1 + sum(v > values[m] for v in values.values())]} {NAMES[m]} — {values[m]} {unit}" for m in ranked]
    own = None if values[viewer] > 0 else f"あなた: ランク外（0 {unit}）"
    return f"ランキング: {what} ・ {label}", top or ["まだ誰もランクインしていません。"], own


def board_seen(record) -> tuple[str, list[str], str | None]:
    embed = record.embeds[0]
    lines = embed["description"].splitlines()
    if "…" in lines:
        return embed["title"], lines[:lines.index("…")], lines[lines.index("…") + 1]
    return embed["title"], lines, None


POINTS_NOTES = {
    "first": "**+{}**（この問題の最初に採点された回答です）",
    "not_first": "ポイントはこの問題の最初に採点された回答で決まります（{} 点）",
    "revealed": "模範解答を表示した後の回答なので、ポイントはつきません",
    "public": "模範解答がスレッドで公開された後の回答なので、ポイントはつきません",
    "unjudged": "採点されなかったのでポイントはつきません",
}


def counted(record, row: Row, points: str = "first", number: int | None = None, score: int | None = None) -> None:
    """The receipt of an answer that counted: the streak after it (the day's row: nothing later that day
    changes it), the score, and the points it earned or why none."""
    seen = text(record)
    assert record.ephemeral and "日替わり問題への回答を記録しました" in seen, seen
    assert f"連続 {row.current} 回 ・ フリーズ {row.freezes} 個" in seen, (row, seen)
    assert POINTS_NOTES[points].format(score if number is None else number) in field(record, "ポイント (points)"), seen
    if score is not None:
        assert f"**{score} / 100**" in field(record, "自動採点 (score)"), seen


async def test_ten_days_two_servers_three_members(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    users = {"alice": fake.alice, "bob": fake.add_user("bob", global_name="Bob"),
             "carol": fake.add_user("carol", global_name="Carol")}
    order = list(users)
    assert [int(u["id"]) for u in users.values()] == sorted(int(u["id"]) for u in users.values())
    tokyo, tokyo_channel = fake.guild_id, int(fake.add_channel(fake.guild_id, "daily")["id"])
    fake.add_member(tokyo, users["bob"])
    ny = fake.add_guild("NY study group", owner=fake.owner).id
    ny_channel = int(fake.add_channel(ny, "daily")["id"])
    fake.add_member(ny, users["bob"])
    fake.add_member(ny, users["carol"])
    servers = {"tokyo": (tokyo, tokyo_channel), "new_york": (ny, ny_channel)}
    members = {"tokyo": {"alice", "bob"}, "new_york": {"bob", "carol"}}

    async def as_(member: str, server: str, command: str, options=None, **kw):
        guild, channel = servers[server]
        return await fake.slash(command, options, user=users[member], guild_id=guild, channel_id=channel, **kw)

    async def check_day(day: int) -> None:
        for server, (_, channel) in servers.items():
            rows = EXPECTED[server][day]
            month, date_ = next(iter(rows.values())).open_date.split("/")
            assert f"{month}月{date_}日" in message_text(daily_posts(fake, channel)[-1])  # the open question
            for viewer in sorted(members[server]):
                row = rows[viewer]
                mine = await as_(viewer, server, "streak")
                assert mine.ephemeral and f"{NAMES[viewer]} の連続記録" in mine.embeds[0]["title"]
                assert streak_seen(mine) == (row.current, row.best, row.answered, row.freezes, row.open), (
                    day, server, viewer)
                for period in ("week", "month", "all"):
                    for by in BY:
                        board = await as_(viewer, server, "leaderboard", {"period": period, "by": by})
                        assert board.ephemeral
                        assert board_seen(board) == expected_board(rows, order, period, by, viewer), (
                            day, server, viewer, period, by)
            assert {m for m, r in rows.items() if r.open != "left"} == members[server], (day, server)

    # 11/25 23:02:30 in Tokyo, 09:02:30 in New York: set up after both servers' 09:00. The sweep's 5-minute
    # grid starts here too, so a post at 09:00 sharp can only be the slot's own timer
    with time_machine.travel(at(NEW_YORK, 11, 25, 9, 2) + timedelta(seconds=30), tick=False) as traveller:
        bot = make_timed_bot(tmp_path / "bot.sqlite3", grader=ScriptedGrader())
        clock = Timeline(traveller, bot)
        async with running(fake, bot):
            scheduler = bot.daily_scheduler
            await setup_daily(fake, tokyo_channel, "09:00", "Asia/Tokyo", reveal_time="21:00")
            await setup_daily(fake, ny_channel, "09:00", "America/New_York", guild=ny)
            # the timers are armed at the next posting time, in each server's own zone
            assert scheduler.next_run_time(tokyo) == at(TOKYO, 11, 26, 9)
            assert scheduler.next_run_time(ny) == at(NEW_YORK, 11, 26, 9)
            await clock.to(at(TOKYO, 11, 26, 8, 58))  # the sweep has run every 5 minutes; nothing is owed yet
            assert daily_posts(fake, tokyo_channel) == []
            tokyo_posts, ny_posts = [], []

            for day in range(10):
                today = START + timedelta(days=day)
                m, d = today.month, today.day
                tomorrow = today + timedelta(days=1)
                tk, nyr = EXPECTED["tokyo"][day], EXPECTED["new_york"][day]

                # -- Tokyo 09:00 (00:00 UTC): the timer posts
                if day == 4:  # carol joins Tokyo on Monday morning
                    fake.add_member(tokyo, users["carol"])
                    members["tokyo"].add("carol")
                if day == 7:  # carol leaves Tokyo (the bot has no member events: nothing tells it)
                    fake.remove_member(tokyo, users["carol"])
                    members["tokyo"].discard("carol")
                await clock.to(at(TOKYO, m, d, 9))
                if day == 2:
                    assert len(daily_posts(fake, tokyo_channel)) == 2  # paused: not posted
                else:
                    tk_post = daily_posts(fake, tokyo_channel)[-1]
                    assert f"{m}月{d}日" in message_text(tk_post) and tk_post not in tokyo_posts
                    tokyo_posts.append(tk_post)
                    assert scheduler.next_run_time(tokyo) == at(TOKYO, tomorrow.month, tomorrow.day, 9)

                # -- Tokyo 09:05: answers
                await clock.to(at(TOKYO, m, d, 9, 5))
                if day not in (2, 3):
                    counted(await answer_daily(fake, tk_post, users["alice"], f"50 アリスの {day} 日目"), tk["alice"],
                            score=50)
                if day == 1:  # a better second answer is practice: the first scored one gave the points
                    counted(await answer_daily(fake, tk_post, users["alice"], "90 もっと良い回答"), tk["alice"],
                            "not_first", 50, score=90)
                if day == 0:  # bob uses /answer right after the post: it answers the daily question
                    counted(await as_("bob", "tokyo", "answer", {"text": "english bagging reduces variance"}),
                            tk["bob"], "unjudged")
                    counted(await as_("bob", "tokyo", "answer", {"text": "70 ボブの回答"}), tk["bob"], score=70)
                elif day == 3:  # bob opens the model answer first
                    asked = await fake.click(tk_post, custom_ids(tk_post)[1], user=users["bob"])
                    assert asked.ephemeral and "ポイントはつかなくなります" in text(asked)  # asked once first
                    show = next(i for i in ids(asked) if i.startswith("study:reveal-ok:"))
                    revealed = await fake.click(asked, show, user=users["bob"])
                    assert revealed.callback_type == 7 and "模範解答" in text(revealed)
                    await clock.to(at(TOKYO, m, d, 9, 6))
                    counted(await as_("bob", "tokyo", "answer", {"text": "70 見てから"}), tk["bob"], "revealed",
                            score=70)
                elif day == 8:  # bob draws a practice question (another level) and answers that instead, by its id
                    other = "senior" if "ジュニア (junior)" in message_text(tk_post) else "junior"
                    drawn = field(await as_("bob", "tokyo", "question", {"level": other}), "ID").strip("`")
                    practice = await as_("bob", "tokyo", "answer", {"text": "30 練習です", "question": drawn})
                    assert "回答を記録しました (answer saved)" in text(practice) and "日替わり" not in text(practice)
                    assert f"`{drawn}`" in text(practice)  # the receipt names the question it went to
                elif day != 2:
                    counted(await as_("bob", "tokyo", "answer", {"text": f"70 ボブの {day} 日目"}), tk["bob"], score=70)
                if day in (4, 5, 6):
                    counted(await answer_daily(fake, tk_post, users["carol"], f"80 キャロルの {day} 日目"), tk["carol"],
                            score=80)

                # -- Tokyo 12:00 on 11/28: resumed (the day's 09:00 passed while paused: not owed)
                if day == 2:
                    await clock.to(at(TOKYO, m, d, 12))
                    status = await fake.slash("daily", subcommand="status", user=fake.owner, channel_id=tokyo_channel)
                    resumed = await fake.slash("daily", subcommand="resume", user=fake.owner, channel_id=tokyo_channel)
                    assert "一時停止中 (paused)" in text(status)
                    assert "11月29日(日) 09:00 (JST)" in text(resumed)
                    assert scheduler.next_run_time(tokyo) == at(TOKYO, 11, 29, 9)

                # -- New York 00:30 on 12/1 (05:30 UTC): carol answers 11/30's question after local midnight
                if day == 5:
                    await clock.to(at(NEW_YORK, 12, 1, 0, 30))
                    counted(await answer_daily(fake, ny_posts[-1], users["carol"], "40 夜中の回答"), nyr["carol"],
                            score=40)

                # -- Tokyo 21:00 (12:00 UTC): the timer posts the model answer in the thread
                if day != 2:
                    await clock.to(at(TOKYO, m, d, 20, 59))
                    assert model_answer(fake, tk_post) == []
                    await clock.to(at(TOKYO, m, d, 21))
                    assert "模範解答" in message_text(model_answer(fake, tk_post)[0]), day
                if day == 1:  # paused at 22:00: no timer until resumed
                    await clock.to(at(TOKYO, m, d, 22))
                    paused = await fake.slash("daily", subcommand="pause", user=fake.owner, channel_id=tokyo_channel)
                    assert "一時停止中" in text(paused) and scheduler.next_run_time(tokyo) is None

                # -- New York 09:00 (14:00 UTC): the timer shows the last answer, then posts
                if day == 5:  # someone took Send Messages away: the day is skipped
                    fake.deny_bot(ny_channel)
                    await fake.flush()
                await clock.to(at(NEW_YORK, m, d, 9))
                if day == 5:
                    fake.set_overwrite(ny_channel, fake.app_id, type=1)
                    await fake.flush()
                    assert len(daily_posts(fake, ny_channel)) == 5
                    status = await fake.slash("daily", subcommand="status", user=fake.owner, guild_id=ny,
                                              channel_id=ny_channel)
                    assert "12月1日(火): ボットにチャンネルへの投稿権限がありません" in field(status, "スキップした日と理由")
                    # no next question, so 11/30's stays open and its model answer private (README: once the next is out)
                    assert model_answer(fake, ny_posts[-1]) == []
                else:
                    ny_post = daily_posts(fake, ny_channel)[-1]
                    assert f"{m}月{d}日" in message_text(ny_post) and ny_post not in ny_posts
                    if ny_posts:
                        assert "模範解答" in message_text(model_answer(fake, ny_posts[-1])[0])
                    ny_posts.append(ny_post)
                assert scheduler.next_run_time(ny) == at(NEW_YORK, tomorrow.month, tomorrow.day, 9)

                # -- New York 09:05: answers
                await clock.to(at(NEW_YORK, m, d, 9, 5))
                if day not in (4, 5):
                    counted(await answer_daily(fake, ny_post, users["carol"], f"40 キャロルの {day} 日目"), nyr["carol"],
                            score=40)
                if day == 4:  # bob's answer to yesterday's question, after today's post: practice
                    late = await answer_daily(fake, ny_posts[-2], users["bob"], "70 昨日の分です")
                    assert "練習として保存しました" in text(late) and "ポイント (points)" not in text(late)
                if day not in (3, 4, 5):
                    counted(await answer_daily(fake, ny_post, users["bob"], f"70 ボブの {day} 日目 (NY)"), nyr["bob"],
                            score=70)

                # -- Tokyo 00:30 on Monday 11/30 (15:30 UTC): alice answers Sunday's question, still open
                if day == 3:
                    await clock.to(at(TOKYO, 11, 30, 0, 30))
                    counted(await answer_daily(fake, tokyo_posts[-1], users["alice"], "50 日付が変わってから"),
                            tk["alice"], "public", score=50)

                # -- New York 18:00 on 12/1: bob answers 11/30's question (no post came today: still open)
                if day == 5:
                    await clock.to(at(NEW_YORK, 12, 1, 18))
                    counted(await answer_daily(fake, ny_posts[-1], users["bob"], "70 まだ間に合う"), nyr["bob"],
                            score=70)

                # -- 23:30 UTC: what every member sees
                await clock.to(at(UTC, m, d, 23, 30))
                assert model_answer(fake, ny_posts[-1]) == []  # NY: no model answer before the next post
                await check_day(day)

            # the boards on the last day, Saturday 12/5, written out
            assert board_seen(await as_("alice", "tokyo", "leaderboard", {"period": "week"}))[1] == [
                "🥇 Alice — 6 回", "🥈 Bob — 5 回"]
            assert board_seen(await as_("alice", "tokyo", "leaderboard", {"period": "all", "by": "answers"}))[1] == [
                "🥇 Alice — 9 問", "🥈 Bob — 8 問", "🥉 Carol — 3 問"]  # carol left, and is still listed
            assert board_seen(await as_("bob", "tokyo", "leaderboard", {"period": "month", "by": "points"}))[1] == [
                "🥇 Bob — 280 点", "🥈 Alice — 250 点", "🥉 Carol — 160 点"]
            assert board_seen(await as_("carol", "new_york", "leaderboard", {"period": "all"}))[1] == [
                "🥇 Carol — 9 回", "🥈 Bob — 5 回"]
            assert board_seen(await as_("carol", "new_york", "leaderboard", {"period": "week"}))[1] == [
                "🥇 Bob — 5 回", "🥇 Carol — 5 回"]
            # someone with no answers sees the top and their own line beneath it
            owner_view = await fake.slash("leaderboard", {"period": "all"}, user=fake.owner, channel_id=tokyo_channel)
            shared = await as_("carol", "new_york", "leaderboard", {"period": "week", "share": True})
            other = await as_("alice", "tokyo", "streak", {"member": fake.user(users["bob"])})
            with pytest.raises(ValueError, match="not a member"):  # Discord refuses a member who left
                await as_("carol", "tokyo", "streak")
    assert owner_view.ephemeral and board_seen(owner_view)[2] == "あなた: ランク外（0 回）"
    assert not shared.ephemeral and "Carol — 5 回" in text(shared)
    assert other.ephemeral and "Bob の連続記録" in text(other) and field(other, "現在の連続") == "🔥 8 回"
    assert len(daily_posts(fake, tokyo_channel)) == 9 and len(daily_posts(fake, ny_channel)) == 9
