"""Discord's global rate limit, off unless asked for: :attr:`FakeDiscord.global_limit` requests a second
(a sliding one-second window over the bot's REST requests; interaction callbacks and webhooks are
exempt, as on Discord), and :meth:`~RateLimitMixin.refuse_next` to answer chosen requests 429 on purpose.

A refused request is answered the way Discord does, which is what discord.py needs to wait and retry
rather than take it for a Cloudflare ban: content type exactly ``application/json``, body
``{"message", "retry_after", "global"}``, headers ``Retry-After`` (whole seconds), ``X-RateLimit-Global``,
``X-RateLimit-Scope``, ``X-RateLimit-Limit/Remaining/Reset/Reset-After`` and ``Via``. It is recorded in
:attr:`FakeDiscord.requests` with status 429 (:meth:`~RateLimitMixin.refused` lists them).
"""
from __future__ import annotations

import json
import math
import time
from collections import deque
from dataclasses import dataclass

from aiohttp import web

from .model import RecordedRequest

EXEMPT = ("/interactions/", "/webhooks/")


@dataclass
class _Refusal:
    times: int
    retry_after: float
    is_global: bool
    operation_id: str | None  # None: any request


def rate_limited(retry_after: float, *, is_global: bool, limit: int) -> web.Response:
    body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": is_global}
    headers = {
        "Content-Type": "application/json",  # exactly: discord.py parses no other
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "Via": "1.1 google",  # without it discord.py takes a 429 for a Cloudflare ban and does not retry
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)


class RateLimitMixin:
    global_limit: int | None
    requests: list[RecordedRequest]
    _window: deque[float]
    _refusals: list[_Refusal]

    def refuse_next(self, times: int = 1, *, operation_id: str | None = None, retry_after: float = 0.05,
                    is_global: bool = True) -> None:
        """The next `times` requests (of `operation_id`, e.g. ``create_message``, or any) are answered 429."""
        self._refusals.append(_Refusal(times, retry_after, is_global, operation_id))

    def refused(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.status == 429]

    def _rate_limit(self, path: str, rec: RecordedRequest) -> web.Response | None:
        """The 429 for this request, or None to serve it (it then counts towards the window)."""
        if path.startswith(EXEMPT):
            return None
        for refusal in self._refusals:
            if refusal.times > 0 and refusal.operation_id in (None, rec.operation_id):
                refusal.times -= 1
                return self._refuse(rec, refusal.retry_after, refusal.is_global)
        if self.global_limit is None:
            return None
        now, window = time.monotonic(), self._window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.global_limit:
            return self._refuse(rec, window[0] + 1.0 - now, True)
        window.append(now)
        return None

    def _refuse(self, rec: RecordedRequest, retry_after: float, is_global: bool) -> web.Response:
        rec.status = 429
        return rate_limited(retry_after, is_global=is_global, limit=self.global_limit or 50)
