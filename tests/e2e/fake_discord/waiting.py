"""Waiting without sleeping: every wait re-checks its condition on each change the fake notices (a
request, a gateway message) and at least every 20 ms, and fails after a short real-time timeout with a
:class:`~.model.HarnessTimeout` that says what happened.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .model import DEFAULT_TIMEOUT, HarnessTimeout, RecordedRequest, to_id

if TYPE_CHECKING:
    from .record import InteractionRecord


class WaitingMixin:
    """``wait_for``, ``wait_for_message``, ``wait_for_request`` and ``mark`` of :class:`FakeDiscord`."""

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], *, timeout: float = DEFAULT_TIMEOUT,
                       what: str = "a condition", record: InteractionRecord | None = None) -> Any:
        """Wait until ``predicate()`` is truthy and return its value, or raise :class:`HarnessTimeout`
        after ``timeout`` seconds.  The predicate is re-checked on every fake-side change (request,
        gateway message) and, for predicates on the bot's own state, at least every 20 ms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise HarnessTimeout(self._diagnose(what, record))
            if self._changed is None:
                self._changed = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.02))

    async def wait_for_message(self, channel: Any = None, *, check: Callable[[dict], bool] | None = None,
                               since: int = 0, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """First stored message (in ``channel`` if given; ephemeral ones included) whose index in
        creation order is >= ``since`` (see :meth:`mark`) and that passes ``check``."""
        cid = None if channel is None else to_id(channel)

        def find() -> dict[str, Any] | None:
            for m in list(self.messages.values())[since:]:
                if cid is not None and int(m["channel_id"]) != cid:
                    continue
                if check is None or check(m):
                    return m
            return None

        return await self.wait_for(find, timeout=timeout, what=f"a message in channel {cid}")

    def mark(self) -> int:
        """A position in the message history, for ``wait_for_message(since=...)``."""
        return len(self.messages)

    async def wait_for_request(self, method: str, path_regex: str, *, since: int = 0,
                               timeout: float = DEFAULT_TIMEOUT) -> RecordedRequest:
        """First recorded request (index >= ``since``) with ``method`` whose path fully matches the regex."""
        rx = re.compile(path_regex)

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if r.method == method.upper() and rx.fullmatch(r.path)
                         and r.status is not None), None)

        return await self.wait_for(find, timeout=timeout, what=f"a {method} {path_regex} request")
