"""The terminal front end: the same bot without Discord, as errbot's text backend serves the same plugins.

Members type the Discord slash commands; each runs the same handler from bot.commands.table as in Discord,
and this package only reads lines and prints what comes back.
"""
from __future__ import annotations

import io
import random
import sys
from typing import TextIO

from bot.bootstrap import StartupError, build_services, open_study, utc_now
from bot.config import Config
from bot.frontends.terminal.parsing import member_id
from bot.frontends.terminal.render import PlainRenderer, RichRenderer, card_text
from bot.frontends.terminal.session import CONSOLE_CHANNEL_ID, CONSOLE_GUILD_ID, Conversation, Member, run_console
from bot.services import BankLoad, Clock

__all__ = [
    "CONSOLE_CHANNEL_ID", "CONSOLE_GUILD_ID", "Conversation", "Member", "PlainRenderer", "RichRenderer", "bank_notices",
    "card_text", "console_main", "member_id", "run_console",
]

MAX_PROBLEMS_SHOWN = 3


def bank_notices(loaded: BankLoad) -> list[str]:
    """A few lines on what the bank load gave; content problems in brief."""
    lines = []
    if loaded.report is not None:
        r = loaded.report
        lines.append(f"問題 {r.added + r.updated + r.unchanged} 問を読み込みました。 (questions loaded)")
    if loaded.problems:
        files = len({p.path for p in loaded.problems})
        lines.append(f"⚠ 問題ファイル {files} 個に不備があり（{len(loaded.problems)} 件）、そのファイルは読み込んでいません。"
                     "`studybot content check` で確認してください。 (content problems)")
        lines += [f"  {p}" for p in loaded.problems[:MAX_PROBLEMS_SHOWN]]
        if len(loaded.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  …ほか {len(loaded.problems) - MAX_PROBLEMS_SHOWN} 件")
    return lines


def console_main(config: Config, member: str | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 clock: Clock = utc_now, rng: random.Random | None = None, *, interactive: bool | None = None,
                 plain: bool | None = None, width: int | None = None) -> int:
    """`studybot console`: open the study as the Discord bot does, chat until /quit or the end of input.

    `interactive` defaults to whether stdin is a terminal; piped input gives plain output. Returns the exit status.
    """
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")  # invalid UTF-8 piped in is read as U+FFFD, never a traceback
    if interactive is None:
        interactive = _isatty(stdin)
    loads: list[BankLoad] = []
    try:
        study = open_study(config, clock=clock, rng=rng, on_load=loads.append)
    except StartupError as exc:
        print("\n".join(_startup_failure(exc, loads, config)), file=stdout)
        return 2
    try:
        return run_console(build_services(study), member=member or config.console_member, stdin=stdin, stdout=stdout,
                           interactive=interactive, plain=plain, notices=bank_notices(loads[0]), width=width)
    finally:
        study.db.close()


def _startup_failure(error: StartupError, loads: list[BankLoad], config: Config) -> list[str]:
    """The one sentence, in Japanese when the bank had no valid question (with its first problems)."""
    if not loads or loads[0].report is not None:
        return [f"studybot: {error}"]
    return [f"studybot: {config.content_dir / 'questions'} に有効な問題がありません。`studybot content check` で確認してください。 "
            "(No valid questions.)", *(f"  {problem}" for problem in loads[0].problems[:MAX_PROBLEMS_SHOWN])]


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
