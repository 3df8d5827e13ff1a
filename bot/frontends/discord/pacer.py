"""The daily question's pace towards Discord: every request of the daily fan-out waits its turn here.

Discord lets a bot make 50 requests a second in all (interaction responses aside) and answers the rest
429; discord.py sleeps those out and gives up after five tries, so 1,000 servers posting at one minute
lost most of their posts to the 5-minute retry and many threads for good. The Pacer books every daily
request (channel lookup, post, thread, history, reveal) on one TokenBucket at DAILY_RATE, in the order
asked. A global 429 on any request of the bot, seen through discord.py's aiohttp trace hook
(`trace_config`, passed as the client's `http_trace`), holds the pace for its Retry-After. Per-route
buckets stay discord.py's job: it reads their X-RateLimit headers and waits on each route itself.
Interaction responses never come here: Discord does not count them, and they have a 3-second deadline.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import aiohttp

from bot.core.pacing import TokenBucket

log = logging.getLogger(__name__)

GLOBAL_LIMIT = 50.0  # Discord's global limit for a bot, requests a second
# 90% of it: the tenth left over is for what the bot sends meanwhile outside the fan-out (a command's own
# lookups; interaction responses are not counted). Not lower: at 1,000 servers the fan-out takes
# requests / DAILY_RATE, and the goal is 1.25x the time at the full 50/s (50/45 = 1.11 leaves room).
DAILY_RATE = 0.9 * GLOBAL_LIMIT
DAILY_BURST = 1  # evenly spaced: a burst on top of the pace could cross 50 in a one-second window
REQUESTS_PER_POST = 2  # the message, then its thread


def retry_after(headers: Mapping[str, str], default: float = 1.0) -> float:
    """Seconds Discord asks to wait (Retry-After); `default` if it does not say."""
    try:
        return max(0.0, float(headers.get("Retry-After", default)))
    except ValueError:
        return default


def is_global(headers: Mapping[str, str]) -> bool:
    return headers.get("X-RateLimit-Global", "").lower() == "true" or headers.get("X-RateLimit-Scope") == "global"


class Pacer:
    """`clock` (monotonic seconds) and `sleep` are injected: tests run the pace without waiting."""

    def __init__(self, rate: float = DAILY_RATE, burst: int = DAILY_BURST, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.rate = rate
        self._bucket = TokenBucket(rate, burst)
        self._clock = clock
        self._sleep = sleep
        self.global_429s = 0  # seen on any request of the bot (the log says when)

    @property
    def spacing(self) -> timedelta:
        """How far apart the daily timers of servers sharing a minute fire: one post (and thread) per turn."""
        return timedelta(seconds=REQUESTS_PER_POST / self.rate)

    async def slot(self, tokens: int = 1) -> None:
        """Wait for the turn of the next `tokens` requests; call right before making them. A turn woken
        late (the loop was held up) is booked again: the requests whose turns passed meanwhile would
        otherwise all go at once, over the limit."""
        at = await self._wait_turn(tokens)
        if self._clock() - at > self._bucket.interval:
            await self._wait_turn(tokens)

    async def _wait_turn(self, tokens: int) -> float:
        now = self._clock()
        at = self._bucket.reserve(now, tokens)
        if at > now:
            await self._sleep(at - now)
        return at

    async def pause(self, seconds: float) -> None:
        """Sit out a route's own 429 before asking for a turn again."""
        if seconds > 0:
            await self._sleep(seconds)

    def hold(self, seconds: float) -> None:
        self._bucket.hold(self._clock() + seconds)

    def saw(self, status: int, headers: Mapping[str, str]) -> None:
        """A response of any request of the bot: a global 429 holds every daily request for its Retry-After."""
        if status == 429 and is_global(headers):
            self.global_429s += 1
            wait = retry_after(headers)
            log.warning("Discord's global rate limit was hit: daily posts wait %.2f s", wait)
            self.hold(wait)

    def trace_config(self) -> aiohttp.TraceConfig:
        """For discord.py's `http_trace`: every response the bot gets passes `saw`."""
        async def on_request_end(session: aiohttp.ClientSession, context: SimpleNamespace,
                                 params: aiohttp.TraceRequestEndParams) -> None:
            self.saw(params.response.status, params.response.headers)

        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(on_request_end)
        return trace
