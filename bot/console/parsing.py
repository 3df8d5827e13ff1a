"""A typed line to a command name and its options, the way Discord's slash-command box reads them.

`/question junior MLアルゴリズムと理論` and `/question level:junior category:MLアルゴリズムと理論` give the
same options. Positional words fill the options in order and the last one takes the rest of the line, so
`/answer` keeps a whole sentence (spaces, colons and all). Full-width `／`, `：` and spaces from a Japanese
input method work too.
"""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"(\S+)\s*(.*)", re.S)
_KEY = re.compile(r"([A-Za-z_]+)[:：]")


def fold(text: str) -> str:
    """For comparing names: full-width to half-width, case-insensitive."""
    return unicodedata.normalize("NFKC", text).casefold()


def split_command(line: str) -> tuple[str, str] | None:
    """`/Question  junior` -> ("question", "junior"); None when the line is not a command."""
    text = line.strip()
    if not text or text[0] not in "/／":
        return None
    match = _WORD.match(text[1:])
    return (fold(match.group(1)), match.group(2)) if match else ("", "")


def first_word(text: str) -> tuple[str, str]:
    match = _WORD.match(text.strip())
    return (match.group(1), match.group(2)) if match else ("", "")


def parse_options(rest: str, params: tuple[str, ...], keywords: tuple[str, ...] = ()) -> dict[str, str]:
    """Options by name (`name:value`, the value runs to the next `name:`) or by position.

    `params` may be given by position, in order, the last one free taking everything left; `keywords`
    only by name. Empty values are left out; extra words after the last option are ignored.
    """
    names = {n.casefold(): n for n in (*params, *keywords)}
    values: dict[str, str] = {}
    text = rest.strip()
    while text:
        match = _KEY.match(text)
        key = names.get(match.group(1).casefold()) if match else None
        if key is not None and key not in values:
            value, text = _until_next_key(text[match.end():], names, set(values) | {key})
            values[key] = value.strip()
            continue
        free = [p for p in params if p not in values]
        if not free:
            break
        if len(free) == 1:
            values[free[0]] = text.strip()
            break
        values[free[0]], text = first_word(text)
    return {k: v for k, v in values.items() if v}


def _until_next_key(text: str, names: dict[str, str], taken: set[str]) -> tuple[str, str]:
    for match in re.finditer(r"\s([A-Za-z_]+)[:：]", text):
        key = names.get(match.group(1).casefold())
        if key is not None and key not in taken:
            return text[: match.start()], text[match.start():].strip()
    return text, ""
