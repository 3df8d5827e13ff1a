"""A token bucket that hands out send times: at most `rate` a second after an initial `burst`.

Pure: the caller passes the time (any monotonic seconds) and waits itself. Each `reserve` books the next
free instant, so callers are served in the order they asked and nobody is woken only to find the
tokens gone (a generic cell rate algorithm: `_free_at` is when the bucket is next empty-handed).
"""
from __future__ import annotations


class TokenBucket:
    def __init__(self, rate: float, burst: int = 1):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.burst = burst
        self._slack = (burst - 1) * self.interval  # how far ahead of the steady pace a burst may run
        self._free_at = float("-inf")

    def reserve(self, now: float, tokens: int = 1) -> float:
        """Book `tokens` sends; returns the instant (>= now) the first may go, the rest following at the pace."""
        at = max(now, self._free_at - self._slack)
        self._free_at = max(self._free_at, now) + tokens * self.interval
        return at

    def hold(self, until: float) -> None:
        """Nothing goes before `until` (Discord said stop), and the pace resumes then without a burst."""
        self._free_at = max(self._free_at, until + self._slack)

    def delay(self, now: float) -> float:
        """How long a send asked for now would wait (0 when a token is free)."""
        return max(0.0, self._free_at - self._slack - now)
