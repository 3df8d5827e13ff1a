"""Reading question files: YAML front matter plus a Markdown body whose fenced blocks are snippets.

Parsing never raises on bad content: it returns what it could read and a list of problems with line
numbers, so `studybot content check` can report every problem of every file at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.models import KeyPoint, Question, Snippet

# libyaml's safe loader when PyYAML was built with it: the same documents, parsed about ten times faster
# (every start-up reads the whole bank)
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*)$")
HIDDEN_ROLES = ("setup", "completion")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Block:
    """A fenced block as written, before hidden blocks are attached to their snippet."""

    language: str
    words: tuple[str, ...]
    attrs: dict[str, str]
    code: str
    line: int  # the line of the opening fence (1-based)


@dataclass
class ParsedFile:
    path: Path
    meta: dict[str, Any]  # the front matter as YAML read it
    meta_lines: dict[str, int]
    answer: str
    blocks: list[Block]
    problems: list[Problem] = field(default_factory=list)
    body_line: int = 1


def read_file(path: Path) -> ParsedFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ParsedFile(path, {}, {}, "", [], [Problem(path, 1, f"cannot read file: {exc}")])
    return parse_text(path, text)


def parse_text(path: Path, text: str) -> ParsedFile:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return ParsedFile(path, {}, {}, "", [], [Problem(path, 1, "missing front matter: the file must start with '---'")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return ParsedFile(path, {}, {}, "", [], [Problem(path, 1, "front matter is not closed by a '---' line")])
    parsed = ParsedFile(path, {}, {}, "", [], body_line=end + 2)
    parsed.meta, parsed.meta_lines = _read_meta(path, lines[1:end], parsed.problems)
    parsed.answer, parsed.blocks = _read_body(path, lines[end + 1 :], end + 2, parsed.problems)
    return parsed


def _read_meta(path: Path, lines: list[str], problems: list[Problem]) -> tuple[dict[str, Any], dict[str, int]]:
    key_lines: dict[str, int] = {}
    for offset, line in enumerate(lines):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            key_lines.setdefault(match.group(1), offset + 2)
    try:
        meta = yaml.load("\n".join(lines), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = mark.line + 2 if mark is not None else 2
        problems.append(Problem(path, at, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}"))
        return {}, key_lines
    if not isinstance(meta, dict):
        problems.append(Problem(path, 2, "front matter must be a mapping of fields"))
        return {}, key_lines
    return meta, key_lines


def _read_body(path: Path, lines: list[str], first_line: int, problems: list[Problem]) -> tuple[str, list[Block]]:
    prose: list[str] = []
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        fence, info = match.group(1), match.group(2)
        close = _find_close(lines, i + 1, fence)
        if close is None:
            problems.append(Problem(path, first_line + i, f"code block opened with {fence} is never closed"))
            break
        blocks.append(_block(info, "\n".join(lines[i + 1 : close]), first_line + i))
        i = close + 1
    answer = re.sub(r"\n{3,}", "\n\n", "\n".join(prose)).strip()
    return answer, blocks


def _find_close(lines: list[str], start: int, fence: str) -> int | None:
    for j in range(start, len(lines)):
        stripped = lines[j].rstrip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            return j
    return None


def _block(info: str, code: str, line: int) -> Block:
    words, attrs = [], {}
    parts = info.split()
    for part in parts[1:]:
        if "=" in part:
            key, _, value = part.partition("=")
            attrs[key] = value
        else:
            words.append(part)
    language = parts[0].lower() if parts else ""
    return Block(language, tuple(words), attrs, code, line)


def attach_hidden(parsed: ParsedFile) -> list[Snippet]:
    """Turn blocks into snippets: `setup`/`completion` blocks belong to the displayed snippet before them."""
    snippets: list[dict[str, Any]] = []
    for block in parsed.blocks:
        role = next((w for w in block.words if w in HIDDEN_ROLES), None)
        if role is None:
            snippets.append({"language": block.language, "code": block.code, "truncated": "truncated" in block.words,
                             "line": block.line})
            continue
        if not snippets:
            parsed.problems.append(Problem(parsed.path, block.line, f"a '{role}' block must follow the snippet it belongs to"))
            continue
        target = snippets[-1]
        if role in target:
            parsed.problems.append(Problem(parsed.path, block.line, f"the snippet above already has a '{role}' block"))
            continue
        target[role] = block.code
        if role == "setup" and block.attrs.get("stands-in"):
            target["stands_in"] = tuple(n for n in block.attrs["stands-in"].split(",") if n)
    return [Snippet(**s) for s in snippets]


def to_question(parsed: ParsedFile, snippets: list[Snippet]) -> Question:
    """Build the question from a file that passed validation."""
    meta = parsed.meta
    return Question(
        id=meta["id"],
        level=meta["level"],
        number=int(meta["number"]),
        category=str(meta["category"]),
        title=str(meta["title"]),
        answer=parsed.answer,
        snippets=tuple(snippets),
        rarity=_optional_text(meta.get("rarity")),
        difficulty=_optional_text(meta.get("difficulty")),
        source=str(meta["source"]),
        notes=tuple(str(n) for n in meta.get("notes") or ()),
        key_points=tuple(_key_point(k) for k in meta.get("key_points") or ()),
        limits={str(k): int(v) for k, v in (meta.get("limits") or {}).items()},
    )


def _optional_text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def _key_point(raw: Any) -> KeyPoint:  # a string or a mapping, as YAML read it
    if isinstance(raw, str):
        return KeyPoint(raw)
    return KeyPoint(str(raw["phrase"]), tuple(str(s) for s in raw.get("synonyms") or ()))
