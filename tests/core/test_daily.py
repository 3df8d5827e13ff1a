"""Daily question rules: settings validation, local dates, DST-correct slots, the question cycle."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.boards import month_key, period_label, week_key
from bot.core.daily import (
    THREAD_RETRY_DELAYS,
    DailySettings,
    InvalidDailySetting,
    choose_daily_question,
    is_due,
    local_date,
    next_slot,
    parse_hhmm,
    parse_level,
    parse_timezone,
    retry_delay,
    reveal_instant,
    slot_instant,
)

UTC = UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def settings(**kw) -> DailySettings:
    base = {"guild_id": 1, "channel_id": 2, "post_time": "09:00", "timezone": "Europe/Berlin", "level": "mixed"}
    return DailySettings(**{**base, **kw})


@pytest.mark.parametrize("text, expected", [("9:05", "09:05"), ("09:00", "09:00"), (" 23:59 ", "23:59"), ("0:00", "00:00")])
def test_hhmm_is_normalised(text, expected):
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "nine", "", "09:00:00"])
def test_bad_times_are_refused_in_japanese(text):
    with pytest.raises(InvalidDailySetting, match="HH:MM"):
        parse_hhmm(text)


@pytest.mark.parametrize("name", ["Asia/Tokyo", "Europe/Berlin", "America/New_York", "UTC"])
def test_iana_timezones_are_accepted(name):
    assert parse_timezone(name) == name


@pytest.mark.parametrize("name", ["JST+9", "Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "localtime"])
def test_unknown_timezones_are_refused(name):
    with pytest.raises(InvalidDailySetting, match="IANA"):
        parse_timezone(name)


def test_levels():
    assert parse_level("mixed") == "mixed"
    with pytest.raises(InvalidDailySetting):
        parse_level("expert")


def test_local_date_is_the_servers_date():
    instant = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert local_date(instant, ZoneInfo("Asia/Tokyo")) == date(2026, 11, 26)
    assert local_date(instant, NEW_YORK) == date(2026, 11, 25)


def test_the_slot_keeps_local_time_across_dst():
    assert slot_instant(date(2026, 3, 28), "09:00", BERLIN) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert slot_instant(date(2026, 3, 29), "09:00", BERLIN) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert slot_instant(date(2026, 10, 31), "09:00", NEW_YORK) == datetime(2026, 10, 31, 13, 0, tzinfo=UTC)
    assert slot_instant(date(2026, 11, 1), "09:00", NEW_YORK) == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


def test_skipped_and_repeated_local_times():
    # 02:30 does not exist on 29 March in Berlin: the slot is 03:30 CEST, where APScheduler fires too
    assert slot_instant(date(2026, 3, 29), "02:30", BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice on 25 October: the first one
    assert slot_instant(date(2026, 10, 25), "02:30", BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_next_slot_is_strictly_after_now_and_crosses_dst():
    before = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # exactly Saturday's slot
    assert next_slot(before, "09:00", BERLIN) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert next_slot(before - timedelta(seconds=1), "09:00", BERLIN) == before


def test_due_from_the_slot_and_not_before_setup():
    s = settings()
    slot = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert not is_due(slot - timedelta(minutes=5), s)
    assert not is_due(slot - timedelta(milliseconds=1), s)  # a timer waking early posts nothing
    assert is_due(slot, s) and is_due(slot + timedelta(hours=10), s)
    assert not is_due(slot + timedelta(hours=2), settings(active_since=slot + timedelta(hours=1)))
    assert is_due(slot + timedelta(days=1), settings(active_since=slot + timedelta(hours=1)))


def test_reveal_is_the_first_reveal_time_after_the_post():
    s = settings(post_time="09:00", reveal_time="21:00")
    assert reveal_instant(date(2026, 11, 25), s) == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    s = settings(post_time="21:00", reveal_time="09:00")
    assert reveal_instant(date(2026, 11, 25), s) == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert reveal_instant(date(2026, 11, 25), settings()) is None


def test_a_cycle_shows_every_question_once_then_starts_again():
    candidates = [f"q{i}" for i in range(5)]
    rng = random.Random(3)
    shown, cycle, used, last = [], 0, set(), None
    for _ in range(10):
        qid, new_cycle = choose_daily_question(candidates, cycle, used, last, rng)
        if new_cycle != cycle:
            used = set()
        cycle, last = new_cycle, qid
        used.add(qid)
        shown.append((cycle, qid))
    assert sorted(q for c, q in shown if c == 1) == candidates
    assert sorted(q for c, q in shown if c == 2) == candidates
    assert shown[4][1] != shown[5][1]  # a new cycle does not open with the question just shown
    assert choose_daily_question([], 0, set(), None, rng) is None



def test_periods_follow_the_iso_week_and_month():
    assert week_key(date(2026, 11, 25)) == "2026-W48"
    assert week_key(date(2027, 1, 1)) == "2026-W53"  # the ISO year of a New Year's Friday
    assert month_key(date(2027, 1, 1)) == "2027-01"
    assert period_label("2026-W48") == "2026年 第48週 (11/23〜11/29)"
    assert period_label("2026-11") == "2026年11月"


# zones whose DST change is at or around midnight (APScheduler's CronTrigger lost days in several), a
# 30-minute change (Lord Howe), and the usual ones
DST_ZONES = ["America/New_York", "Asia/Beirut", "America/Santiago", "America/Havana", "America/Nuuk",
             "Australia/Lord_Howe", "Pacific/Chatham", "Europe/Berlin", "Asia/Tokyo"]


@pytest.mark.parametrize("zone_name", DST_ZONES)
@pytest.mark.parametrize("hhmm", ["00:00", "00:30", "02:30", "23:30"])
def test_every_local_day_has_exactly_one_slot_on_that_day(zone_name, hhmm):
    zone = ZoneInfo(zone_name)
    at, by_day = datetime(2026, 1, 1, tzinfo=UTC), {}
    while at < datetime(2027, 1, 1, tzinfo=UTC):
        at = next_slot(at, hhmm, zone)
        by_day.setdefault(local_date(at, zone), []).append(at)
    days = [date(2026, 1, 2) + timedelta(days=n) for n in range(362)]
    assert [d for d in days if len(by_day.get(d, [])) != 1] == []


def test_a_skipped_hour_at_midnight_stays_on_its_day():
    beirut, nuuk = ZoneInfo("Asia/Beirut"), ZoneInfo("America/Nuuk")
    # Beirut skips 00:00-01:00 on 29 March: 00:30 is 01:30 EEST, still the 29th
    assert slot_instant(date(2026, 3, 29), "00:30", beirut) == datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    # Nuuk skips 23:00-24:00 on 28 March: 23:30 falls before the change, not on the 29th
    assert local_date(slot_instant(date(2026, 3, 28), "23:30", nuuk), nuuk) == date(2026, 3, 28)
    # New York's midnight right after its spring change (APScheduler jumped from 8 to 10 March)
    ny = ZoneInfo("America/New_York")
    assert next_slot(datetime(2026, 3, 8, 5, 0, tzinfo=UTC), "00:00", ny) == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_setup_after_the_slot_owes_nothing_today_exactly_as_the_next_slot_says():
    slot = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    for since in (slot, slot + timedelta(seconds=30)):
        assert not is_due(since + timedelta(minutes=5), settings(active_since=since))
        assert next_slot(since, "09:00", BERLIN) == slot + timedelta(days=1)
    since = slot - timedelta(seconds=30)
    assert is_due(slot, settings(active_since=since)) and next_slot(since, "09:00", BERLIN) == slot


def test_retries_back_off():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 9)] == [timedelta(minutes=m) for m in (5, 15, 60, 60, 60)]
    # a missing thread is tried again sooner: the question is out and members are already answering
    assert [retry_delay(n, THREAD_RETRY_DELAYS) for n in (1, 2, 3, 9)] == [timedelta(minutes=m) for m in (1, 5, 15, 15)]


def test_an_echoed_timezone_is_cut_short():
    with pytest.raises(InvalidDailySetting) as refused:
        parse_timezone("A" * 5000 + "`")
    assert len(str(refused.value)) < 200 and "A" * 49 + "…" in str(refused.value)
    with pytest.raises(InvalidDailySetting, match="IANA"):
        parse_timezone("America")  # a directory of zones, not one
