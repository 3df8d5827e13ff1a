"""The `studybot` command line: its arguments, and the tools that need no front end (content, load, export, grade, backup)."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Config, load_config

if TYPE_CHECKING:  # the bank tools import what they need when they run
    from bot.core.models import Question, SnippetResult


def utc_now() -> datetime:
    return datetime.now(UTC)


def parser() -> argparse.ArgumentParser:
    # --config is accepted before or after the command (`studybot run --config x.toml`, as the README
    # writes it); SUPPRESS keeps a later, absent --config from erasing an earlier one
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="TOML settings (default: config.toml if present)")
    parser = argparse.ArgumentParser(prog="studybot", description="Daily ML interview practice for Discord.",
                                     parents=[common])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", parents=[common], help="the Discord bot when DISCORD_TOKEN is set, else the terminal front end")
    sub.add_parser("discord", parents=[common], help="the Discord bot (needs DISCORD_TOKEN)")
    console = sub.add_parser("console", parents=[common], help="the same bot in the terminal, without Discord")
    console.add_argument("--member", help="the member you are (default from config)")
    content = sub.add_parser("content", parents=[common], help="work on the question files")
    content_sub = content.add_subparsers(dest="action", required=True)
    content_sub.add_parser("check", parents=[common], help="validate every question file")
    runner = content_sub.add_parser("run", parents=[common], help="run changed Python snippets and store their output")
    runner.add_argument("--only", nargs="+", metavar="ID", help="only these question ids")
    runner.add_argument("--force", action="store_true", help="run even if the stored output is current")
    runner.add_argument("--twice", action="store_true", help="run twice and report output that differs")
    runner.add_argument("--unsandboxed", action="store_true",
                        help="when bubblewrap is unavailable: run the shipped bank without isolation (maintainers only)")
    sub.add_parser("load", parents=[common], help="load the question bank into SQLite")
    export = sub.add_parser("export", parents=[common], help="print the question bank")
    export.add_argument("--format", choices=["json"], default="json")
    grade = sub.add_parser("grade", parents=[common], help="score an answer read from stdin; prints JSON")
    grade.add_argument("question_id")
    backup = sub.add_parser("backup", parents=[common], help="copy the database to PATH, safely even while the bot runs")
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file to write (replaced if it exists)")
    return parser


def config_from(path: Path | None) -> Config:
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    return load_config(path)


def content(config: Config, args: argparse.Namespace) -> int:
    return content_check(config) if args.action == "check" else content_run(config, args)


def content_check(config: Config) -> int:
    from bot.content.check import read_bank

    questions, problems = read_bank(config.content_dir)
    for problem in problems:
        print(problem)
    print(f"{len(questions)} questions OK, {len(problems)} problem(s).", file=sys.stderr)
    return 1 if problems else 0


def content_run(config: Config, args: argparse.Namespace) -> int:
    from bot.content.check import read_bank
    from bot.content.runner import run_bank
    from bot.sandbox import Bubblewrap, find_sandbox

    sandbox: Bubblewrap | str | None = find_sandbox()
    if isinstance(sandbox, str):
        if not args.unsandboxed:
            print(f"{sandbox} (--unsandboxed runs the shipped bank without isolation, on its maintainers' word.)",
                  file=sys.stderr)
            return 2
        sandbox = None
    questions, problems = read_bank(config.content_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    only = set(args.only) if args.only else None
    outputs = config.content_dir / "outputs"
    results = run_bank(questions, outputs, sandbox=sandbox, only=only, force=args.force or args.twice)
    if args.twice:
        first = {k: _shown(r, outputs) for k, r in results.items()}
        again = run_bank(questions, outputs, sandbox=sandbox, only=only, force=True)
        differing = sorted(k for k in again if _shown(again[k], outputs) != first.get(k))
        for key in differing:
            print(f"{key}: output differs between two runs", file=sys.stderr)
        if differing:
            return 1
    failed = sorted(k for k, r in results.items() if r.status not in ("ok", "not_run", "skipped"))
    skipped = sorted(k for k, r in results.items() if r.status == "skipped")
    print(f"ran {len(results)} snippet(s); {len(failed)} did not finish ok" + (f": {', '.join(failed)}" if failed else ".")
          + (f" {len(skipped)} skipped for missing packages: {', '.join(skipped)}." if skipped else ""))
    return 1 if failed or problems else 0


def _shown(result: SnippetResult, outputs: Path) -> tuple[str, str, tuple[bytes, ...]]:
    """What a learner sees of a run: stdout, the displayed value, the figures' bytes."""
    return result.output, result.value, tuple((outputs / name).read_bytes() for name in result.figures)


def database_ready(config: Config, *, write: bool = True) -> bool:
    """Check the database before a command opens it (bot/bootstrap.py says what is wrong): warnings and the one
    sentence of a failure go to stderr. False: the command must stop (exit 2)."""
    from bot.bootstrap import StartupError, check_database

    try:
        warnings = check_database(config, write=write)
    except StartupError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return False
    for warning in warnings:
        print(f"studybot: {warning}", file=sys.stderr)
    return True


def load(config: Config, args: argparse.Namespace | None = None) -> int:
    import sqlite3

    from bot.services import load_bank
    from db.connection import open_database

    if not database_ready(config):
        return 2
    try:
        db = open_database(config.database)
    except (sqlite3.Error, OSError) as exc:
        print(f"studybot: The database {config.database} cannot be opened: {exc}.", file=sys.stderr)
        return 2
    result = load_bank(db, config.content_dir, utc_now())
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.report:
        r = result.report
        print(f"loaded into {config.database}: {r.added} added, {r.updated} updated, {r.unchanged} unchanged, {r.retired} retired")
    return 1 if result.problems else 0


def export(config: Config, args: argparse.Namespace | None = None) -> int:
    """The bank as JSON, read from the content files and their stored output (no database needed)."""
    from bot.content.check import read_bank
    from bot.content.runner import with_results

    questions, problems = read_bank(config.content_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    items = [_export_item(with_results(q, config.content_dir / "outputs")) for q in questions]
    json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 1 if problems else 0


def _export_item(q: Question) -> dict[str, Any]:
    from bot.core.models import SnippetResult

    snippets = []
    for s in q.snippets:
        r = s.result or SnippetResult("pending")  # with_results gave each one its stored result
        snippets.append({"language": s.language, "code": s.code, "setup": s.setup, "completion": s.completion,
                         "status": r.status, "output": shown_output(r), "stdout": r.output, "value": r.value,
                         "reason": r.reason, "seconds": r.seconds, "truncated": s.truncated, "figures": list(r.figures)})
    return {"id": q.id, "level": q.level, "number": q.number, "category": q.category, "title": q.title,
            "answer": q.answer, "snippets": snippets, "rarity": q.rarity, "difficulty": q.difficulty, "source": q.source,
            "notes": list(q.notes), "key_points": [asdict(k) for k in q.key_points]}


def shown_output(r: SnippetResult) -> str:
    """What a learner sees as the output, as text: stdout, then the last expression's value on a line of its
    own (as a notebook cell shows it), with no blank line between them."""
    if not r.value:
        return r.output
    return r.output + ("\n" if r.output and not r.output.endswith("\n") else "") + r.value


def grade_stdin(config: Config, args: argparse.Namespace) -> int:
    return grade(config, args.question_id, sys.stdin.read())


def grade(config: Config, question_id: str, text: str) -> int:
    """Feedback on an answer as JSON; works from the content files, before any `studybot load`."""
    from bot.content.check import read_bank

    questions, _ = read_bank(config.content_dir)
    if question_id not in {q.id for q in questions}:
        print(f"studybot: unknown question id '{question_id}' (see `studybot export`)", file=sys.stderr)
        return 2
    from bot.bootstrap import scorer_cache
    from bot.services.scorer_cache import load_or_fit  # numpy, and scikit-learn unless cached: only for a real question

    feedback = load_or_fit(questions, scorer_cache(config)).grade(question_id, text)
    print(json.dumps(feedback.as_json(), ensure_ascii=False))
    return 0


def backup(config: Config, args: argparse.Namespace) -> int:
    """A copy of the live database at PATH with SQLite's online backup API: safe while the bot runs."""
    import sqlite3

    from db.backup import LiveTarget, backup_database

    target: Path = args.path
    if target.is_dir():
        print(f"studybot: {target} is a directory: give the backup file's name, like {target / 'studybot-backup.sqlite3'}.",
              file=sys.stderr)
        return 2
    if not target.parent.is_dir():
        print(f"studybot: The directory {target.parent} does not exist: create it, or give the backup another path.", file=sys.stderr)
        return 2
    if not database_ready(config, write=False):
        return 2
    try:
        size = backup_database(config.database, target)
    except LiveTarget:
        print(f"studybot: {target} is the live database itself (or its -wal or -shm file): give another path for the backup.",
              file=sys.stderr)
        return 2
    except (sqlite3.Error, OSError) as exc:
        print(f"studybot: The backup of {config.database} to {target} failed: {' '.join(str(exc).split())}.", file=sys.stderr)
        return 2
    print(f"backed up {config.database} to {target} ({size:,} bytes)")
    return 0


# the subcommands that work on the bank without a front end, by name (bot/app.py runs the front ends)
BANK_TOOLS = {"content": content, "load": load, "export": export, "grade": grade_stdin, "backup": backup}
