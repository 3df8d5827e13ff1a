"""Validation of question files: every rule carries a message an admin can act on."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from bot.content.files import ParsedFile, Problem, attach_hidden, read_file, to_question
from bot.core.models import LEVELS, Question, Snippet
from bot.sandbox.limits import setting_problems

REQUIRED = ("id", "level", "number", "category", "title", "source")
KNOWN = set(REQUIRED) | {"rarity", "difficulty", "notes", "key_points", "limits"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def question_files(content_dir: Path) -> list[Path]:
    return sorted((content_dir / "questions").glob("*.md"))


def read_bank(content_dir: Path) -> tuple[list[Question], list[Problem]]:
    """Every valid question and every problem found; a broken file never hides the good ones."""
    questions: list[Question] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    files = question_files(content_dir)
    if not files:
        problems.append(Problem(content_dir / "questions", 0, "no question files (*.md) found"))
    for path in files:
        parsed = read_file(path)
        snippets = attach_hidden(parsed) if not parsed.problems else []
        file_problems = parsed.problems + _check_meta(parsed) + _check_snippets(parsed, snippets)
        qid = parsed.meta.get("id")
        if isinstance(qid, str) and qid in seen:
            file_problems.append(Problem(path, parsed.meta_lines.get("id", 2), f"duplicate id '{qid}' (also in {seen[qid].name})"))
        elif isinstance(qid, str):
            seen[qid] = path
        problems.extend(file_problems)
        if not file_problems:
            questions.append(to_question(parsed, snippets))
    return questions, problems


def _check_meta(parsed: ParsedFile) -> list[Problem]:
    if parsed.problems:
        return []
    meta, path = parsed.meta, parsed.path

    def at(key: str) -> int:
        return parsed.meta_lines.get(key, 1)

    problems = [Problem(path, 1, f"missing required field '{key}'") for key in REQUIRED if meta.get(key) in (None, "")]
    problems += [Problem(path, at(key), f"unknown field '{key}' (known: {', '.join(sorted(KNOWN))})") for key in meta if key not in KNOWN]
    qid = meta.get("id")
    if qid is not None and not (isinstance(qid, str) and ID_PATTERN.match(qid)):
        problems.append(Problem(path, at("id"), f"id '{qid}' must be lower-case letters, digits and '-'"))
    elif isinstance(qid, str) and path.stem != qid:
        problems.append(Problem(path, at("id"), f"file name '{path.name}' does not match id '{qid}' (expected {qid}.md)"))
    level = meta.get("level")
    if level is not None and level not in LEVELS:
        problems.append(Problem(path, at("level"), f"unknown level '{level}' (use one of: {', '.join(LEVELS)})"))
    number = meta.get("number")
    if number is not None and not (isinstance(number, int) and not isinstance(number, bool) and number > 0):
        problems.append(Problem(path, at("number"), f"number must be a positive whole number, not '{number}'"))
    for key in ("rarity", "difficulty"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            problems.append(Problem(path, at(key), f"{key} must be text or null"))
    if meta.get("notes") is not None and not (isinstance(meta["notes"], list) and all(isinstance(n, str) for n in meta["notes"])):
        problems.append(Problem(path, at("notes"), "notes must be a list of sentences"))
    problems += _check_key_points(parsed)
    problems += _check_limits(parsed)
    if not parsed.answer:
        problems.append(Problem(path, parsed.body_line, "the model answer (the Markdown body) is empty"))
    return problems


def _check_limits(parsed: ParsedFile) -> list[Problem]:
    limits, line = parsed.meta.get("limits"), parsed.meta_lines.get("limits", 1)
    if limits is None:
        return []
    if not isinstance(limits, dict):
        return [Problem(parsed.path, line, "limits must be a mapping, e.g. {seconds: 60, memory_mb: 2048}")]
    return [Problem(parsed.path, line, message) for message in setting_problems(limits)]


def _check_key_points(parsed: ParsedFile) -> list[Problem]:
    points = parsed.meta.get("key_points")
    if points is None:
        return []
    line = parsed.meta_lines.get("key_points", 1)
    if not isinstance(points, list):
        return [Problem(parsed.path, line, "key_points must be a list")]
    problems = []
    for n, point in enumerate(points, 1):
        ok = isinstance(point, str) or (
            isinstance(point, dict)
            and isinstance(point.get("phrase"), str)
            and isinstance(point.get("synonyms", []), list)
            and set(point) <= {"phrase", "synonyms"}
        )
        if not ok:
            problems.append(Problem(parsed.path, line, f"key point {n} must be a phrase or {{phrase: ..., synonyms: [...]}}"))
    return problems


def _check_snippets(parsed: ParsedFile, snippets: list[Snippet]) -> list[Problem]:
    problems = []
    for snippet in snippets:
        if not snippet.language:
            problems.append(Problem(parsed.path, snippet.line, "code block has no language (write e.g. ```python)"))
            continue
        if snippet.truncated:
            continue
        error = syntax_error(snippet)
        if error:
            line, message = error
            problems.append(Problem(parsed.path, snippet.line + line, message))
    return problems


def syntax_error(snippet: Snippet) -> tuple[int, str] | None:
    """(line within the block, message) when the snippet's language can be parsed here and fails."""
    if snippet.language == "python":
        for label, source in (("setup", snippet.setup), ("code", snippet.code)):
            try:
                compile(source, f"<{label}>", "exec")
            except SyntaxError as exc:
                where = "in its setup block" if label == "setup" else ""
                return (exc.lineno or 1) if label == "code" else 0, f"Python does not compile {where}: {exc.msg}".replace("  ", " ")
    elif snippet.language in ("yaml", "yml"):
        try:
            list(yaml.safe_load_all(snippet.code))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return (mark.line + 1 if mark else 1), f"YAML does not parse: {getattr(exc, 'problem', exc)}"
    elif snippet.language == "toml":
        try:
            tomllib.loads(snippet.code)
        except tomllib.TOMLDecodeError as exc:
            return 1, f"TOML does not parse: {exc}"
    return None
