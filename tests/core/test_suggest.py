"""Did-you-mean: option names, levels, categories, timezones from city, country and abbreviation, clock times."""
from __future__ import annotations

import pytest

from bot.core.daily import InvalidDailySetting, check_reveal_time, parse_hhmm
from bot.core.suggest import closest
from bot.core.zones import guess_zone, parse_clock


@pytest.mark.parametrize("typed, names, expected", [
    ("levle", ("level", "category"), ["level"]),
    ("ＬＥＶＥＬ", ("level", "category"), ["level"]),
    ("categry", ("level", "category"), ["category"]),
    ("jnuior", ("junior", "senior"), ["junior"]),
    ("sen", ("junior", "senior"), ["senior"]),
    ("beginner", ("junior", "senior"), []),  # nothing close: the levels are listed instead
    ("統計", ("統計と確率", "MLアルゴリズムと理論"), ["統計と確率"]),
    ("", ("level",), []),
])
def test_closest_names(typed, names, expected):
    assert closest(typed, names) == expected


@pytest.mark.parametrize("typed, zone", [
    ("Asia/Tokyo", "Asia/Tokyo"), ("asia/tokyo", "Asia/Tokyo"), ("Tokyo", "Asia/Tokyo"), ("tokyo", "Asia/Tokyo"),
    ("JST", "Asia/Tokyo"), ("Japan", "Asia/Tokyo"), ("日本", "Asia/Tokyo"), ("東京", "Asia/Tokyo"),
    ("NYC", "America/New_York"), ("New York", "America/New_York"), ("new_york", "America/New_York"),
    ("London", "Europe/London"), ("PST", "America/Los_Angeles"), ("ＪＳＴ", "Asia/Tokyo"), ("Seoul", "Asia/Seoul"),
])
def test_a_city_country_or_abbreviation_names_one_zone(typed, zone):
    guess = guess_zone(typed)
    assert (guess.zone, guess.candidates) == (zone, ())
    assert guess.exact == (typed == zone)


@pytest.mark.parametrize("typed, some", [("CST", {"America/Chicago", "Asia/Shanghai"}), ("USA", {"America/New_York"}),
                                         ("Tokio", {"Asia/Tokyo"}), ("Londn", {"Europe/London"})])
def test_an_ambiguous_or_misspelt_zone_offers_candidates(typed, some):
    guess = guess_zone(typed)
    assert guess.zone is None and some <= set(guess.candidates) and len(guess.candidates) <= 5


def test_nonsense_offers_nothing():
    assert guess_zone("xyzzy") == guess_zone("") == guess_zone("../etc") and guess_zone("xyzzy").zone is None


@pytest.mark.parametrize("typed, hhmm", [
    ("9:00", "09:00"), ("09:00", "09:00"), ("０９：００", "09:00"), ("9時", "09:00"), ("21時30分", "21:30"),
    ("9時半", "09:30"), ("午後9時", "21:00"), ("午前0時", "00:00"), ("9pm", "21:00"), ("12am", "00:00"),
    ("9:30 PM", "21:30"), ("0930", "09:30"), ("23:59", "23:59"),
])
def test_clock_times_as_typed(typed, hhmm):
    assert parse_clock(typed) == hhmm == parse_hhmm(typed)


@pytest.mark.parametrize("typed", ["25:00", "9:75", "morning", "", "午後13時", "13pm", "24時"])
def test_not_a_clock_time(typed):
    assert parse_clock(typed) is None
    with pytest.raises(InvalidDailySetting, match="HH:MM"):
        parse_hhmm(typed)


def test_reveal_time_equal_to_time_is_refused_with_a_sentence():
    with pytest.raises(InvalidDailySetting, match="同じ"):
        check_reveal_time("09:00", "09:00")
    check_reveal_time("09:00", "21:00")
    check_reveal_time("09:00", None)
