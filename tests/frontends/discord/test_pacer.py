"""The daily pacer with an injected clock: its pace, Discord's global 429 holding it, the trace hook."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.frontends.discord.pacer import DAILY_RATE, GLOBAL_LIMIT, Pacer, is_global, retry_after

GLOBAL_429 = {"Retry-After": "2", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", "Via": "1.1 google"}


class StillClock:
    """Time stands still; each sleep is recorded as the instant the sleeper would wake."""

    def __init__(self, now: float = 100.0):
        self.now = now
        self.woke: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.woke.append(self.now + seconds)
        await asyncio.sleep(0)


def test_the_daily_rate_leaves_headroom_under_discords_limit_and_timers_follow_it():
    assert DAILY_RATE < GLOBAL_LIMIT
    assert Pacer(rate=40).spacing == timedelta(seconds=0.05)  # a post and its thread per turn


@pytest.mark.asyncio
async def test_requests_asked_at_once_go_one_interval_apart_in_order():
    clock = StillClock()
    pacer = Pacer(rate=40, clock=clock, sleep=clock.sleep)
    await asyncio.gather(*(pacer.slot() for _ in range(5)))
    # the first goes at once (no sleep); the others at the pace
    assert clock.woke == pytest.approx([100.025, 100.05, 100.075, 100.1])


@pytest.mark.asyncio
async def test_turns_woken_late_by_a_held_up_loop_are_booked_again_not_taken_at_once():
    clock = StillClock()

    async def held_up(seconds: float) -> None:  # each sleeper wakes when the loop is free again: at 102
        clock.woke.append(clock.now + seconds)
        await asyncio.sleep(0)
        clock.now = max(clock.now, 102.0)

    pacer = Pacer(rate=40, clock=clock, sleep=held_up)
    await asyncio.gather(*(pacer.slot() for _ in range(4)))
    # booked at 100.025..100.075, all woken at 102 (late): booked again, one goes at 102, then one an interval
    assert clock.woke[:3] == pytest.approx([100.025, 100.05, 100.075])
    assert sorted(clock.woke[3:]) == pytest.approx([102.025, 102.05])


@pytest.mark.asyncio
async def test_a_global_429_holds_every_request_for_its_retry_after_and_a_route_429_does_not():
    clock = StillClock()
    pacer = Pacer(rate=40, clock=clock, sleep=clock.sleep)
    pacer.saw(429, {**GLOBAL_429, "X-RateLimit-Global": "", "X-RateLimit-Scope": "shared"})  # one route's bucket
    pacer.saw(200, {})
    await pacer.slot()
    assert clock.woke == [] and pacer.global_429s == 0
    pacer.saw(429, GLOBAL_429)
    await pacer.slot()
    await pacer.slot()
    assert pacer.global_429s == 1
    assert clock.woke == pytest.approx([102.0, 102.025])


@pytest.mark.asyncio
async def test_pause_sits_out_a_retry_after_and_zero_does_not_sleep():
    clock = StillClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    await pacer.pause(0)
    await pacer.pause(1.5)
    assert clock.woke == [101.5]


def test_headers_are_read_leniently():
    assert retry_after({"Retry-After": "3"}) == 3.0 and retry_after({}) == 1.0 and retry_after({"Retry-After": "soon"}) == 1.0
    assert is_global({"X-RateLimit-Global": "true"}) and is_global({"X-RateLimit-Scope": "global"})
    assert not is_global({"X-RateLimit-Scope": "user"})


@pytest.mark.asyncio
async def test_the_trace_hook_sees_a_global_429_on_any_request_of_the_session():
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"message": "You are being rate limited.", "retry_after": 2, "global": True},
                                 status=429, headers=GLOBAL_429)

    app = web.Application()
    app.router.add_get("/anything", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    clock = StillClock()
    pacer = Pacer(rate=40, clock=clock, sleep=clock.sleep)
    try:
        async with (aiohttp.ClientSession(trace_configs=[pacer.trace_config()]) as session,
                    session.get(f"http://127.0.0.1:{port}/anything") as response):
            assert response.status == 429
    finally:
        await runner.cleanup()
    await pacer.slot()
    assert pacer.global_429s == 1 and clock.woke == pytest.approx([102.0])
