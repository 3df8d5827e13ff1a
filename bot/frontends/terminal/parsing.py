"""A typed line to a command name and its options, the way Discord's slash-command box reads them.

`/question junior MLアルゴリズムと理論` and `/question level:junior category:MLアルゴリズムと理論` give the
same options; `/answer question:junior-03 本文…` names the question and answers it (an id, a time or a
timezone given by name is one word). Positional words fill the options in order and the last one takes the rest of the line, so
`/answer` keeps a whole sentence (spaces, colons and all). Full-width `／`, `：` and spaces from a Japanese
input method work too, and option values that are choices or ids are folded to half-width (`ｗｅｅｋ`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.commands.practice import echoed, fold
from bot.commands.spec import Command, MemberRef
from bot.core.suggest import closest

_WORD = re.compile(r"(\S+)\s*(.*)", re.S)
_NAME = r"[A-Za-zＡ-Ｚａ-ｚ_＿]+"
_KEY = re.compile(rf"({_NAME})[:：]")
_NEXT_KEY = re.compile(rf"\s({_NAME})[:：]")
_MENTION = re.compile(r"<@!?\d+>")

# ids and times, compared as half-width; free text (answers, names, categories) stays as typed
ID_OPTIONS = frozenset({"question", "time", "timezone", "reveal_time"})
MEMBER_OPTIONS = frozenset({"member"})
__all__ = ["echoed", "fold"]


def member_id(name: str) -> int:
    """The same name always gets the same id (across runs), so its history in the database stays its own."""
    digest = hashlib.blake2b(fold(" ".join(name.split())).encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big") + 1000  # never one of the small constant ids of the simulated server


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


@dataclass
class Options:
    """A command's parsed options, and what the line held that they do not use (so it is never dropped unsaid)."""

    values: dict[str, str] = field(default_factory=dict)
    discord_only: list[str] = field(default_factory=list)  # option names that mean something only in Discord
    skipped: list[str] = field(default_factory=list)  # unknown `name:value` pairs and extra words, as typed


def parse_for(command: Command, rest: str) -> Options:
    """A command's options as the table defines them: by position up to the one that takes the rest of
    the line (an answer), after it only by name; Discord-only ones are set aside with a note."""
    here = [o for o in command.options if o.terminal]
    cut = next((n + 1 for n, o in enumerate(here) if o.rest), len(here))
    values = parse(rest, tuple(o.name for o in here[:cut]), tuple(o.name for o in here[cut:]),
                   tuple(o.name for o in command.options if not o.terminal),
                   free=next((o.name for o in here if o.rest), None))
    choices = {o.name for o in command.options if o.choices}
    values.values = {k: fold(v) if k in choices else v for k, v in values.values.items()}
    return values


def misnamed(command: Command, options: Options) -> str | None:
    """A set-aside `name:value` whose name is a typo of one of the command's options (`levle:junior`): the
    command is not run without it, or it would silently do something else (a random level)."""
    names = [o.name for o in command.options if o.terminal]
    for word in options.skipped:
        match = _KEY.match(word)
        near = closest(match.group(1), names, limit=1) if match else []
        if match and near:
            return (f"{echoed(match.group(1))} は不明なオプションです。{near[0]} のことですか？ 例: /{command.name} "
                    f"{near[0]}:{echoed(word[match.end():])} (unknown option {echoed(match.group(1))}: did you mean {near[0]}?)")
    return None


_LAST = object()


def parse(rest: str, params: tuple[str, ...], keywords: tuple[str, ...] = (),
          discord_only: tuple[str, ...] = (), *, free: Any = _LAST) -> Options:
    """Options by name (`name:value`) or by position.

    `params` may be given by position, in order, the last one free taking everything left (an answer may
    hold `Bagging: …`) up to a Discord-only option; `keywords` only by name. By name, the free option's
    value runs to the next option not given yet, any other's to the next `name:` of any kind.
    `discord_only` options and unknown `name:value` pairs (value: one word) are set aside, as are words
    after the last option. Empty values are left out. `free` names the option that may hold `name:` text
    of its own (default: the last of `params`); None: unknown `name:value` pairs are always set aside.
    """
    names = {fold(n): n for n in (*params, *keywords)}
    ignorable = {fold(n): n for n in discord_only}
    free_param = (params[-1] if params else None) if free is _LAST else free
    found = Options()
    text = rest.strip()
    while text:
        match = _KEY.match(text)
        word = fold(match.group(1)) if match else None
        key = names.get(word) if word else None
        waiting = [p for p in params if p not in found.values]
        if match and key is not None and key not in found.values:
            taken = set(found.values) | {key}

            def ends_free_text(w: str, taken: set[str] = taken) -> bool:
                return (w in names and names[w] not in taken) or w in ignorable

            if key in ID_OPTIONS:  # one word (an id, a time, a zone): `/answer question:junior-03 本文…`
                value, text = first_word(text[match.end():])
            else:
                value, text = _until(text[match.end():], ends_free_text if key == free_param else None)
            found.values[key] = value.strip()
        elif match and (word in ignorable or waiting[:1] != [free_param]):
            # not an option here and no free text to take it: set aside with its one-word value (`#general`, `true`)
            value, text = first_word(text[match.end():])
            if word in ignorable:
                found.discord_only.append(ignorable[word])
            else:
                found.skipped.append(match.group(0) + value)
        elif not waiting:
            extra, text = first_word(text)
            found.skipped.append(extra)
        elif len(waiting) == 1:
            value, text = _until(text, lambda w: w in ignorable)
            found.values[waiting[0]] = value.strip()
        else:
            found.values[waiting[0]], text = first_word(text)
    found.values = {k: v for k, v in found.values.items() if v}
    return found


def _until(text: str, ends: Callable[[str], bool] | None) -> tuple[str, str]:
    """`text` up to the next ` name:` for which `ends(name)` (any name when `ends` is None), and the rest."""
    for match in _NEXT_KEY.finditer(text):
        if ends is None or ends(fold(match.group(1))):
            return text[: match.start()], text[match.start():].strip()
    return text, ""


def arguments(values: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """Ids and times folded to half-width; `member:@花子` is the member named 花子. Returns the values and a
    problem, if any."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in ID_OPTIONS:
            out[name] = unicodedata.normalize("NFKC", value)
        elif name in MEMBER_OPTIONS:
            if _MENTION.search(value):
                return values, (f"ターミナルではメンション（{echoed(value)}）ではなく名前で指定します。例: 花子 "
                                "(use a member's name here, not a mention)")
            named = " ".join(value.lstrip("@＠").split())
            if named:
                out[name] = MemberRef(member_id(named), named)
        else:
            out[name] = value
    return {k: v for k, v in out.items() if v}, None
