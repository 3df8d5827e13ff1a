"""The terminal chat loop: read a line, run its command through the registry, show the reply.

One simulated server and channel; the member typing is a name (switch with /as) with a stable user id.
"""
from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TextIO

from bot.core.errors import StudyError
from bot.frontends.terminal.commands import Command, QuitConsole, Registry, Reply, as_reply, default_registry
from bot.frontends.terminal.parsing import Options, echoed, fold, normalise, parse, split_command
from bot.frontends.terminal.render import PlainRenderer, RichRenderer, printable
from bot.presenters.study import UNEXPECTED_ERROR, error_card
from bot.services import Services, Study

log = logging.getLogger(__name__)

CONSOLE_GUILD_ID = 1  # the one simulated server (Discord's ids are far larger, so no real server collides)
CONSOLE_CHANNEL_ID = 1
NOT_A_COMMAND = ("コマンドは / で始めます。回答なら `/answer あなたの回答`、使い方は /help。 "
                 "(Commands start with /, e.g. /answer your text.)")


@dataclass(frozen=True)
class Member:
    name: str
    user_id: int

    @classmethod
    def named(cls, name: str) -> Member:
        name = " ".join(name.split())
        return cls(name, member_id(name))


def member_id(name: str) -> int:
    """The same name always gets the same id (across runs), so its history in the database stays its own."""
    digest = hashlib.blake2b(fold(" ".join(name.split())).encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big") + 1000  # never one of the small constant ids above


class LineReader:
    """Lines from the member: `input()` with line editing on a real terminal, else readline() on the stream."""

    def __init__(self, stdin: TextIO, stdout: TextIO, interactive: bool):
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive
        self.pending: list[str] = []  # lines given back, to be read again
        self.use_input = interactive and stdin is sys.stdin and stdout is sys.stdout
        if self.use_input:
            try:
                import readline  # noqa: F401  (arrow keys, history and Japanese editing for input())
            except ImportError:
                pass

    def read(self, prompt: str = "") -> str | None:
        """One line without its newline; None at the end of input. Ctrl-C raises KeyboardInterrupt."""
        if self.pending:
            return self.pending.pop(0)
        if self.use_input:
            try:
                return input(prompt)
            except EOFError:
                self.stdout.write("\n")
                return None
        if self.interactive and prompt:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    def unread(self, line: str) -> None:
        """The next read returns `line` (already typed, so without a prompt)."""
        self.pending.insert(0, line)


def as_services(study: Study | Services) -> Services:
    if isinstance(study, Services):
        return study
    from bot.bootstrap import build_services

    return build_services(study)


class Context:
    """What a command handler may use: the services, who is typing, the terminal."""

    def __init__(self, study: Study | Services, registry: Registry, member: Member, reader: LineReader,
                 show: Callable[[Reply], None], *, interactive: bool, guild_id: int = CONSOLE_GUILD_ID,
                 channel_id: int = CONSOLE_CHANNEL_ID):
        self.services = as_services(study)
        self.study = self.services.study
        self.answering = self.services.answering
        self.registry = registry
        self.member = member
        self.reader = reader
        self.interactive = interactive
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.pages: list = []  # the rest of a paged reply, for /next
        self.page_buttons: tuple[tuple[str, str], ...] = ()  # that reply's buttons, shown with its last page
        self._show = show

    @property
    def user_id(self) -> int:
        return self.member.user_id

    @property
    def display_name(self) -> str:
        return self.member.name

    def switch_member(self, name: str) -> Member:
        self.member = Member.named(name)
        self.pages, self.page_buttons = [], ()
        return self.member

    def ask(self, heading: str) -> str | None:
        """Several lines (Discord's modal), ended by an empty line, the end of input or a command line;
        None if cancelled. A command line closes the box and runs next: what was typed is sent first;
        an empty box is an empty answer when piped, a change of mind at a terminal."""
        if self.interactive:
            self._show(Reply(notes=(heading, "複数行で書けます。空行で送信、/ で始まる行はコマンド、Ctrl-C で取り消し。 "
                                             "(Empty line sends, a / line is a command, Ctrl-C cancels.)")))
        lines: list[str] = []
        try:
            while (line := self.reader.read("│ ")) is not None and line.strip():
                if split_command(line) is not None:
                    self.reader.unread(line)
                    return self._closed_by_command(line, lines)
                lines.append(line)
        except KeyboardInterrupt:
            return None
        return "\n".join(lines)

    def _closed_by_command(self, line: str, lines: list[str]) -> str | None:
        if lines:
            what = f"ここまでの {len(lines)} 行を回答として送ります", "your answer so far is sent"
        elif self.interactive:
            what = "回答は取り消します", "the answer is cancelled"
        else:
            what = "回答は空です", "the answer is empty"
        self._show(Reply(notes=(f"{echoed(line.strip())} はコマンドなので回答欄を閉じました（{what[0]}）。 "
                                f"(A line starting with / is a command: {what[1]}.)",)))
        return "\n".join(lines) if lines or not self.interactive else None

    def first_page(self, reply: Reply) -> Reply:
        """A terminal shows a paged reply one page at a time: the rest waits for /next, its buttons for the last page."""
        if not (reply.paged and self.interactive and len(reply.cards) > 1):
            return reply
        self.pages, self.page_buttons = list(reply.cards[1:]), reply.buttons
        return replace(reply, cards=reply.cards[:1], buttons=_next_hint(self.pages))

    def next_page(self) -> Reply:
        if not self.pages:
            return Reply(notes=("次のページはありません。 (No more pages.)",))
        card = self.pages.pop(0)
        return Reply((card,), buttons=_next_hint(self.pages) if self.pages else self.page_buttons)

    def handle(self, line: str) -> Reply:
        """Run one typed line. Raises QuitConsole for /quit."""
        parts = split_command(line)
        if parts is None:
            return Reply(notes=(NOT_A_COMMAND,), error=True)
        name, rest = parts
        command, rest = self.registry.find(name, rest)
        if command is None:
            return self._unknown(name)
        if not command.available:
            return Reply(notes=(f"/{command.name}: {command.unavailable}",))
        options = parse(rest, command.params, command.keywords, command.discord_only)
        args, problem = normalise(options.values)
        if problem:
            return Reply(notes=(problem,), error=True)
        if options.discord_only or options.skipped:
            self._show(Reply(notes=_set_aside(options)))
        try:
            return as_reply(command.handler(self, args))
        except StudyError as error:
            return Reply((error_card(error.message),))
        except QuitConsole:
            raise
        except Exception:
            log.exception("unexpected error in /%s (member %s)", command.name, self.member.name)
            return Reply((error_card(UNEXPECTED_ERROR),))

    def _unknown(self, name: str) -> Reply:
        subs = self.registry.subcommands(name)
        if subs:
            names = "、".join(f"/{c.name}" for c in subs)
            return Reply(notes=(f"/{name} の後にサブコマンドを続けてください: {names} (choose a subcommand)",), error=True)
        close = self.registry.close_to(name)
        maybe = f"もしかして {' / '.join('/' + c for c in close)} ？ " if close else ""
        return Reply(notes=(f"/{echoed(name)} というコマンドはありません。{maybe}/help で一覧を表示します。 (Unknown command.)",),
                     error=True)


def _set_aside(options: Options) -> tuple[str, ...]:
    """What a line held that the command does not use, so nothing typed is dropped unsaid."""
    notes = []
    if options.discord_only:
        names = "、".join(f"{name}:" for name in options.discord_only)
        notes.append(f"{names} はターミナルでは不要です（無視しました）。 (Discord only; ignored here.)")
    if options.skipped:
        words = "、".join(f"`{echoed(word)}`" for word in options.skipped)
        notes.append(f"使えないオプションや余分な語を無視しました: {words} (ignored: unknown options or extra words)")
    return tuple(notes)


def _next_hint(rest: list) -> tuple[tuple[str, str], ...]:
    return (("Next 次へ", f"/next または Enter（残り {len(rest)} ページ）"),) if rest else ()


def greeting(member: str) -> list[str]:
    return [
        "studybot ターミナル版です（Discord なしで同じボットを使えます）。 This is studybot in the terminal.",
        "Discord につなぐには環境変数 DISCORD_TOKEN を設定して `make run` します（README の Connecting to Discord 参照）。",
        f"あなたは {member} さんです（/as 名前 で切り替え）。/help で使い方、/quit で終了。",
    ]


def run_console(study: Study | Services, *, member: str, stdin: TextIO, stdout: TextIO, interactive: bool,
                plain: bool | None = None, commands: Iterable[Command] = (), registry: Registry | None = None,
                notices: Sequence[str] = (), width: int | None = None,
                guild_id: int = CONSOLE_GUILD_ID, channel_id: int = CONSOLE_CHANNEL_ID) -> int:
    """The chat loop until /quit or the end of input; returns the exit status (0).

    `study`: the Study (the other services are built over it, as bot.bootstrap.build_services does) or all Services.

    `interactive`: prompts, one reveal page at a time, Ctrl-C handling. `plain` (default: not interactive):
    text without colour or box drawing. `commands` are added to (or replace entries of) the default registry.
    """
    registry = registry if registry is not None else default_registry()
    for command in commands:
        registry.add(command)
    plain = not interactive if plain is None else plain
    renderer = PlainRenderer(stdout) if plain else RichRenderer(stdout, width=width)
    reader = LineReader(stdin, stdout, interactive)

    def show(reply: Reply) -> None:
        reply = ctx.first_page(reply)
        renderer.show(reply.notes, reply.cards, reply.buttons, error=reply.error)

    ctx = Context(study, registry, Member.named(member or "you"), reader, show, interactive=interactive,
                  guild_id=guild_id, channel_id=channel_id)
    renderer.show([*greeting(ctx.display_name), *notices])
    while True:
        try:
            line = reader.read(f"{printable(ctx.display_name)}> " if interactive else "")
        except KeyboardInterrupt:
            renderer.show(["", "終了するには /quit か Ctrl-D。 (Type /quit to leave.)"])
            continue
        if line is None:
            break
        if not line.strip():
            if ctx.pages:
                show(ctx.next_page())
            continue
        try:
            reply = ctx.handle(line)
        except QuitConsole:
            break
        show(reply)
    if interactive:
        renderer.show(["またね！ (bye)"])
    return 0
