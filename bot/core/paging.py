"""Splitting long Markdown into pages that fit a limit, never cutting silently.

A page break inside a fenced code block closes the fence on one page and reopens it on the next,
so every page still renders as code.
"""
from __future__ import annotations

import re

FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


def split_markdown(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pages: list[str] = []
    current: list[str] = []
    size = 0
    fence: tuple[str, str] | None = None  # (fence, info) of the block we are inside

    def flush() -> None:
        nonlocal current, size
        body = "\n".join(current)
        if fence:
            body += "\n" + fence[0]
        if body.strip():
            pages.append(body)
        current = [fence[0] + fence[1]] if fence else []
        size = len(current[0]) + 1 if current else 0

    for line in text.split("\n"):
        reserve = len(fence[0]) + 1 if fence else 0
        for piece in _hard_split(line, limit - reserve - 16):
            if size + len(piece) + reserve + 4 > limit and current:
                flush()
            current.append(piece)
            size += len(piece) + 1
        match = FENCE.match(line)
        if match:
            fence = None if fence else (match.group(1), match.group(2))
    if current:
        pages.append("\n".join(current))
    return pages


def _hard_split(line: str, width: int) -> list[str]:
    width = max(width, 1)
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]
