"""Did-you-mean: the known names nearest to what a member typed (option names, levels, categories).

Comparison is on folded text (full-width to half-width, case-insensitive), so `ＬＥＶＥＬ` and `Level` are
`level`. Nothing here decides what to do with a suggestion: the command layer says it to the member.
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

CUTOFF = 0.6  # difflib's ratio below which a name is not offered (levle/level 0.8, beginner/senior 0.43)
MARGIN = 0.1  # a second name is offered only if nearly as close as the best


def folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def closest(typed: str, candidates: Iterable[str], limit: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """The candidates a typo most likely meant, best first: an exact folded match alone; else those that
    start with or contain what was typed (at least 2 characters), then the nearest by spelling."""
    names = list(dict.fromkeys(candidates))
    wanted = folded(typed)
    if not wanted:
        return []
    by_fold = {folded(n): n for n in names}
    if wanted in by_fold:
        return [by_fold[wanted]]
    found: list[str] = []
    if len(wanted) >= 2:
        found += [n for n in names if folded(n).startswith(wanted)]
        found += [n for n in names if wanted in folded(n) and n not in found]
    found += [by_fold[f] for f in _nearest(wanted, list(by_fold), cutoff) if by_fold[f] not in found]
    return found[:limit]


def _nearest(wanted: str, names: list[str], cutoff: float) -> list[str]:
    """By spelling, best first, only those nearly as close as the best (jnuior: junior, not also senior)."""
    scored = sorted(((difflib.SequenceMatcher(None, wanted, n).ratio(), n) for n in names), key=lambda s: -s[0])
    best = scored[0][0] if scored else 0.0
    return [n for ratio, n in scored if ratio >= cutoff and ratio >= best - MARGIN]
