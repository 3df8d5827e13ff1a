"""Twenty-five days in New York, across the autumn clock change, through the fake Discord: the freeze cap.

The production scheduler posts at 09:00 and reveals at 21:00 local time by itself while time-machine
moves the wall clock (`Timeline.to`); on 11/1 the clocks go back (EDT, UTC-4 -> EST, UTC-5), so 09:00 is
13:00 UTC before it and 14:00 UTC from then on. alice answers 21 days running: a freeze at her 7th and
14th answers, and none more at her 21st (at most 2). She then misses three questions: the first two
misses spend her freezes (the streak stays at 21), the third ends it.
"""
from __future__ import annotations

import pytest
import time_machine

from .fake_discord import FakeDiscord, message_text
from .helpers import (
    NEW_YORK,
    UTC,
    ScriptedGrader,
    Timeline,
    answer_daily,
    at,
    daily_posts,
    field,
    make_timed_bot,
    running,
    setup_daily,
    streak_seen,
    text,
    thread_of,
)

pytestmark = pytest.mark.asyncio

# Hand-computed from the README's rules. One row a day, /streak read at 09:10 New York time, after
# alice's answer (if any). `utc`: the hour (UTC) of that day's 09:00 post and of the 21:00 reveal.
# /streak: current, best, answered, freezes, the open question answered; `next`: answers until the next
# freeze, or "max" while she holds 2.
DAYS = """
date  | utc post reveal | answers | cur best ans frz open | next
10/19 | 13 01           | yes     | 1   1    1   0   yes  | 6
10/20 | 13 01           | yes     | 2   2    2   0   yes  | 5
10/21 | 13 01           | yes     | 3   3    3   0   yes  | 4
10/22 | 13 01           | yes     | 4   4    4   0   yes  | 3
10/23 | 13 01           | yes     | 5   5    5   0   yes  | 2
10/24 | 13 01           | yes     | 6   6    6   0   yes  | 1
10/25 | 13 01           | yes     | 7   7    7   1   yes  | 7
10/26 | 13 01           | yes     | 8   8    8   1   yes  | 6
10/27 | 13 01           | yes     | 9   9    9   1   yes  | 5
10/28 | 13 01           | yes     | 10  10   10  1   yes  | 4
10/29 | 13 01           | yes     | 11  11   11  1   yes  | 3
10/30 | 13 01           | yes     | 12  12   12  1   yes  | 2
10/31 | 13 01           | yes     | 13  13   13  1   yes  | 1
11/1  | 14 02           | yes     | 14  14   14  2   yes  | max
11/2  | 14 02           | yes     | 15  15   15  2   yes  | max
11/3  | 14 02           | yes     | 16  16   16  2   yes  | max
11/4  | 14 02           | yes     | 17  17   17  2   yes  | max
11/5  | 14 02           | yes     | 18  18   18  2   yes  | max
11/6  | 14 02           | yes     | 19  19   19  2   yes  | max
11/7  | 14 02           | yes     | 20  20   20  2   yes  | max
11/8  | 14 02           | yes     | 21  21   21  2   yes  | max
11/9  | 14 02           | no      | 21  21   21  2   no   | max
11/10 | 14 02           | no      | 21  21   21  1   no   | 7
11/11 | 14 02           | no      | 21  21   21  0   no   | 7
11/12 | 14 02           | yes     | 1   21   22  0   yes  | 6
"""


def parse(table: str) -> list[tuple]:
    rows = []
    for line in table.strip().splitlines()[1:]:
        day, hours, answers, streak, next_ = [cell.split() for cell in line.split("|")]
        month, date_ = map(int, day[0].split("/"))
        cur, best, answered, freezes, open_ = streak
        rows.append((month, date_, *map(int, hours), answers[0] == "yes", (int(cur), int(best), int(answered),
                     int(freezes), open_), next_[0]))
    return rows


async def test_freezes_stop_at_two_and_the_timer_follows_the_clock_change(fake_discord: FakeDiscord, tmp_path):
    fake = fake_discord
    channel = int(fake.add_channel(fake.guild_id, "daily")["id"])
    guild = fake.guild_id
    with time_machine.travel(at(NEW_YORK, 10, 18, 9, 30), tick=False) as traveller:
        bot = make_timed_bot(tmp_path / "bot.sqlite3", grader=ScriptedGrader())
        clock = Timeline(traveller, bot)
        async with running(fake, bot):
            scheduler = bot.daily_scheduler
            await setup_daily(fake, channel, "09:00", "America/New_York", reveal_time="21:00")
            for n, (month, date_, post_hour, reveal_hour, answers, streak, next_freeze) in enumerate(parse(DAYS)):
                where = f"{month}/{date_}"
                slot = at(NEW_YORK, month, date_, 9)
                assert slot.hour == post_hour and scheduler.next_run_time(guild) == slot, where  # in UTC
                await clock.to(slot)
                post = daily_posts(fake, channel)[-1]
                assert len(daily_posts(fake, channel)) == n + 1 and f"{month}月{date_}日" in message_text(post), where
                await clock.to(at(NEW_YORK, month, date_, 9, 5))
                if answers:
                    receipt = await answer_daily(fake, post, fake.alice, f"60 {where} の回答")
                    assert f"連続 {streak[0]} 回 ・ フリーズ {streak[3]} 個" in text(receipt), where
                await clock.to(at(NEW_YORK, month, date_, 9, 10))
                mine = await fake.slash("streak", channel_id=channel)
                assert streak_seen(mine) == streak, where
                note = "上限（2 個）" if next_freeze == "max" else f"あと {next_freeze} 回の回答で 1 個獲得"
                assert field(mine, "フリーズ (freeze)") == f"{streak[3]} 個 ・ {note}", where

                reveal = at(NEW_YORK, month, date_, 21)
                assert reveal.hour == reveal_hour, where
                await clock.to(at(NEW_YORK, month, date_, 20, 59))
                # only her 7-day milestone is congratulated in the thread before the reveal (issue 13)
                assert [message_text(m) for m in thread_of(fake, post)] == (
                    [f"🔥 7 回連続 達成！ (7-day streak)\n<@{fake.alice['id']}>（Alice）さんが日替わり問題に 7 回連続で回答しました。"
                     "おめでとうございます！ (7 daily questions in a row. Congratulations!)"] if where == "10/25" else []), where
                await clock.to(reveal)  # the reveal timer, at 21:00 local whatever the offset
                assert "模範解答" in message_text(thread_of(fake, post)[1 if where == "10/25" else 0]), where
                if (month, date_) == (10, 31):  # the night the clocks go back
                    status = await fake.slash("daily", subcommand="status", user=fake.owner, channel_id=channel)
                    assert "11月1日(日) 09:00 (EST)" in text(status)
                    assert scheduler.next_run_time(guild) == at(UTC, 11, 1, 14)
    assert len(daily_posts(fake, channel)) == 25
