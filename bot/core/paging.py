"""Splitting long Markdown into pages that fit a limit, never cutting silently.

A page break inside a fenced code block closes the fence on one page and reopens it on the next,
so every page still renders as code. Room for that closing fence is kept on every page, so no page
is ever longer than the limit.
"""
from __future__ import annotations

import re

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def shorten(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 1 characters and an ellipsis: shortened visibly, never silently. For
    what is shown only in part on purpose (a title, a quoted input), not for content, which is paged."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_markdown(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pager = _Pager(limit)
    for line in text.split("\n"):
        pager.add_line(line)
    return pager.finish()


class _Pager:
    def __init__(self, limit: int):
        self.limit = limit
        self.pages: list[str] = []
        self.lines: list[str] = []
        self.size = 0  # len("\n".join(self.lines))
        self.fence: tuple[str, str] | None = None  # (closing marker, reopening line) of the open code block
        self.opened_at = -1  # index in self.lines of the line that opened self.fence on this page

    def add_line(self, line: str) -> None:
        after = self._fence_after(line)
        # a page must stay closable (closing fence included) whichever state this line leaves
        closing = max(_closing(self.fence), _closing(after))
        reopen = len(self.fence[1]) + 1 if self.fence else 0
        for piece in _hard_split(line, self.limit - reopen - closing):
            if self.lines and self.size + 1 + len(piece) + closing > self.limit:
                self._flush()
            self.size += len(piece) + (1 if self.lines else 0)
            self.lines.append(piece)
        if after is not None and self.fence is None:
            self.opened_at = len(self.lines) - 1
        self.fence = after

    def _fence_after(self, line: str) -> tuple[str, str] | None:
        """The open code block after `line` (CommonMark fences; absurdly long fence lines count as text)."""
        match = FENCE.match(line)
        if match is None or len(line) > self.limit // 4:
            return self.fence
        marker, info = match.groups()
        if self.fence is None:
            opens = not (marker[0] == "`" and "`" in info)
            return (marker, marker + info.strip()) if opens else None
        closes = marker[0] == self.fence[0][0] and len(marker) >= len(self.fence[0]) and not info.strip()
        return None if closes else self.fence

    def _flush(self) -> None:
        if self.fence and self.opened_at == len(self.lines) - 1:
            self.lines.pop()  # the block starts on the next page, which reopens it anyway
            self._emit("\n".join(self.lines))
        else:
            self._emit("\n".join(self.lines) + ("\n" + self.fence[0] if self.fence else ""))
        self.lines = [self.fence[1]] if self.fence else []
        self.size = len(self.lines[0]) if self.lines else 0
        self.opened_at = 0 if self.fence else -1

    def _emit(self, body: str) -> None:
        if body.strip():
            self.pages.append(body)

    def finish(self) -> list[str]:
        if self.lines:
            self._emit("\n".join(self.lines))
        return self.pages


def _closing(fence: tuple[str, str] | None) -> int:
    return len(fence[0]) + 1 if fence else 0


def _hard_split(line: str, width: int) -> list[str]:
    width = max(width, 1)
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]
