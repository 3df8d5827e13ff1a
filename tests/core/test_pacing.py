import pytest

from bot.core.pacing import TokenBucket


def test_sends_asked_at_once_are_spread_at_the_rate_in_the_order_asked():
    bucket = TokenBucket(rate=40)
    assert [bucket.reserve(10.0) for _ in range(4)] == pytest.approx([10.0, 10.025, 10.05, 10.075])


def test_a_burst_goes_at_once_then_the_pace_holds():
    bucket = TokenBucket(rate=10, burst=3)
    assert [bucket.reserve(0.0) for _ in range(5)] == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


def test_an_idle_bucket_does_not_save_up_more_than_its_burst():
    bucket = TokenBucket(rate=10, burst=2)
    bucket.reserve(0.0)
    assert [bucket.reserve(100.0) for _ in range(3)] == pytest.approx([100.0, 100.0, 100.1])


def test_several_tokens_push_the_next_send_back_by_as_many_intervals():
    bucket = TokenBucket(rate=10)
    assert bucket.reserve(0.0, tokens=3) == 0.0
    assert bucket.reserve(0.0) == pytest.approx(0.3)


def test_a_hold_stops_every_send_until_it_ends_then_resumes_at_the_pace_without_a_burst():
    bucket = TokenBucket(rate=10, burst=3)
    bucket.hold(5.0)
    assert bucket.delay(1.0) == pytest.approx(4.0)
    assert [bucket.reserve(1.0) for _ in range(3)] == pytest.approx([5.0, 5.1, 5.2])


def test_a_hold_already_over_changes_nothing():
    bucket = TokenBucket(rate=10)
    bucket.hold(1.0)
    assert bucket.delay(2.0) == 0.0
    assert bucket.reserve(2.0) == 2.0


def test_nonsense_rates_are_refused():
    with pytest.raises(ValueError):
        TokenBucket(rate=0)
    with pytest.raises(ValueError):
        TokenBucket(rate=5, burst=0)
