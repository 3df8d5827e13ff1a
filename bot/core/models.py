"""The study domain's plain data: questions, their snippets and the snippets' stored results."""
from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("junior", "senior")


@dataclass(frozen=True)
class SnippetResult:
    """What running a snippet gave (or why it was not run)."""

    # ok | error (it raised or exited non-zero) | timeout | limit (memory, processes or output cap) |
    # skipped (its packages are not installed here) | not_run (not Python) | pending (not run yet)
    status: str
    output: str = ""  # stdout
    value: str = ""  # the value of the last expression, shown after stdout as a notebook cell would
    stderr: str = ""
    reason: str = ""
    seconds: float | None = None
    exit_code: int | None = None
    figures: tuple[str, ...] = ()  # file names under content/outputs/
    versions: dict[str, str] = field(default_factory=dict)
    stands_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snippet:
    language: str
    code: str
    setup: str = ""
    completion: str = ""
    truncated: bool = False
    stands_in: tuple[str, ...] = ()
    line: int = 0  # where the snippet starts in its content file
    result: SnippetResult | None = None

    @property
    def runnable(self) -> bool:
        return self.language == "python"


@dataclass(frozen=True)
class KeyPoint:
    phrase: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    level: str
    number: int
    category: str
    title: str
    answer: str
    snippets: tuple[Snippet, ...]
    rarity: str | None
    difficulty: str | None
    source: str
    notes: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    limits: dict[str, int] = field(default_factory=dict)  # what its snippets may use, within the sandbox's ceiling
