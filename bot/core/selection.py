"""Which question a member gets next: never-seen first, otherwise the ones seen longest ago."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def choose_question(candidates: Sequence[str], last_seen: Mapping[str, str], rng: random.Random) -> str | None:
    """`last_seen` maps question id to the ISO time the member last drew it."""
    if not candidates:
        return None
    unseen = sorted(q for q in candidates if q not in last_seen)
    if unseen:
        return rng.choice(unseen)
    by_age = sorted(candidates, key=lambda q: (last_seen[q], q))
    # the older half: recent questions do not come straight back, yet the choice stays varied
    return rng.choice(by_age[: max(1, len(by_age) // 2)])
