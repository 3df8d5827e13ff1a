from __future__ import annotations

import random

from bot.core.selection import choose_question


def test_never_seen_first_then_the_oldest_half():
    rng = random.Random(1)
    assert choose_question([], {}, rng) is None
    assert choose_question(["a", "b"], {"a": "2026-01-01"}, rng) == "b"
    seen = {"a": "2026-01-04", "b": "2026-01-01", "c": "2026-01-03", "d": "2026-01-02"}
    picks = {choose_question(list(seen), seen, random.Random(s)) for s in range(50)}
    assert picks == {"b", "d"}
