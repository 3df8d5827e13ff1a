"""The terminal chat loop: read a line, run its command from bot.commands.table, show the reply.

One simulated server and channel; the member typing is a name (switch with /as) with a stable user id.
"""
from __future__ import annotations

import asyncio
import contextlib
import difflib
import logging
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import build_services
from bot.commands.spec import Action, AnswerBox, Command, Invocation, Reply
from bot.commands.table import COMMANDS, command
from bot.core.errors import InvalidAnswer, StudyError
from bot.core.safe_text import storable
from bot.frontends.terminal.parsing import (
    Options,
    arguments,
    echoed,
    first_word,
    fold,
    member_id,
    misnamed,
    parse_for,
    split_command,
)
from bot.frontends.terminal.render import PlainRenderer, RichRenderer, printable
from bot.frontends.terminal.surface import TerminalSurface
from bot.presenters.cards import UNEXPECTED_ERROR, Card, error_card
from bot.services import Services, Study

log = logging.getLogger(__name__)

CONSOLE_GUILD_ID = 1  # the one simulated server (Discord's ids are far larger, so no real server collides)
CONSOLE_CHANNEL_ID = 1
NO_SUCH_MEMBER = ("{name} さんはこのサーバーでまだ問題を引いたことも回答したこともありません（名前の綴りを確かめてください）。"
                  " (No member of that name has practised here yet.)")
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


class LineReader:
    """Lines from the member: `input()` with line editing on a real terminal, else readline() on the stream."""

    def __init__(self, stdin: TextIO, stdout: TextIO, interactive: bool):
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive
        self.pending: list[str] = []  # lines given back, to be read again
        self.use_input = interactive and stdin is sys.stdin and stdout is sys.stdout
        if self.use_input:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (arrow keys, history and Japanese editing for input())

    def read(self, prompt: str = "") -> str | None:
        """One line without its newline; None at the end of input. Ctrl-C raises KeyboardInterrupt. Code points
        that cannot be stored or printed (lone surrogates, from a stream decoded with surrogateescape) are U+FFFD."""
        if self.pending:
            return self.pending.pop(0)
        if self.use_input:
            try:
                return storable(input(prompt))
            except EOFError:
                self.stdout.write("\n")
                return None
        if self.interactive and prompt:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = self.stdin.readline()
        return storable(line.rstrip("\r\n")) if line else None

    def unread(self, line: str) -> None:
        """The next read returns `line` (already typed, so without a prompt)."""
        self.pending.insert(0, line)


def as_services(study: Study | Services) -> Services:
    return study if isinstance(study, Services) else build_services(study)


@dataclass(frozen=True)
class Shown:
    """A reply as the terminal shows it: notes, cards, then button hints."""

    cards: tuple[Card, ...] = ()
    hints: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    error: bool = False
    paged: bool = False
    texts: tuple[tuple[str, str], ...] = ()  # (file name, text) of the reply's attachments, printed as they are


class QuitConsole(Exception):
    """Raised by /quit: the session ends."""


class Conversation:
    """The terminal's transport: a typed line to a command of bot.commands.table, its Reply to what is shown."""

    def __init__(self, services: Services, member: Member, reader: LineReader, show: Callable[[Shown], None], *,
                 interactive: bool, guild_id: int = CONSOLE_GUILD_ID, channel_id: int = CONSOLE_CHANNEL_ID):
        self.services = services
        self.surface = TerminalSurface(services.daily, services.study.outputs_dir)
        self.member, self.reader, self.interactive = member, reader, interactive
        self.guild_id, self.channel_id = guild_id, channel_id
        self.pages: list[Card] = []  # the rest of a paged reply, for /next
        self.page_hints: tuple[tuple[str, str], ...] = ()  # that reply's hints, shown with its last page
        self._show = show

    @property
    def user_id(self) -> int:
        return self.member.user_id

    @property
    def display_name(self) -> str:
        return self.member.name

    def invocation(self) -> Invocation:
        return Invocation(self.services, self.surface, self.user_id, self.display_name, self.guild_id, self.channel_id)

    def handle(self, line: str) -> Shown:
        """Run one typed line. Raises QuitConsole for /quit."""
        parts = split_command(line)
        if parts is None:
            return Shown(notes=(NOT_A_COMMAND,), error=True)
        name, rest = parts
        own = OWN_COMMANDS.get(name)
        if own is not None:
            return own(self, rest.strip())
        command, rest = find(name, rest)
        if command is None:
            return self._unknown(name)
        options = parse_for(command, rest)
        args, problem = arguments(options.values)
        problem = problem or misnamed(command, options)
        if problem:
            return Shown(notes=(problem,), error=True)
        named = args.get("member")
        if named is not None and named.user_id != self.user_id and not self.services.study.knows_member(self.guild_id, named.user_id):
            return Shown(notes=(NO_SUCH_MEMBER.format(name=echoed(named.name)),), error=True)
        if options.discord_only or options.skipped:
            self._show(Shown(notes=_set_aside(options)))
        return self.run(command, args)

    def run(self, command: Command, args: dict[str, Any]) -> Shown:
        try:
            reply: Reply = asyncio.run(_awaited(command.handler(self.invocation(), args)))
            if reply.ask is not None:
                return self._answer_box(reply.ask)
            return self.shown(reply)
        except InvalidAnswer as error:
            return self._kept(error)
        except StudyError as error:
            return Shown((error_card(error.message),))
        except Exception:
            log.exception("unexpected error in /%s (member %s)", command.name, self.member.name)
            return Shown((error_card(UNEXPECTED_ERROR),))

    def _answer_box(self, box: AnswerBox) -> Shown:
        """Discord's modal: several lines, then the same command with the text."""
        text = self.ask(f"回答 (answer): {box.title}")
        if text is None:
            return Shown(notes=("回答を取り消しました。 (Answer cancelled.)",))
        if box.post_id:
            return self.run(command("daily answer"), {"post": box.post_id, "text": text})
        return self.run(command("answer"), {"question": box.question_id, "text": text})

    @staticmethod
    def _kept(error: InvalidAnswer) -> Shown:
        """A rejected answer goes to a file, as Discord attaches it, so nothing typed is lost."""
        card = error_card(error.message)
        if error.text and error.text.strip():
            kept = save_file(error.text.encode("utf-8"), "studybot-answer.txt")
            card = replace(card, fields=(("あなたの回答の保存先 (your text)", str(kept)),))
        return Shown((card,))

    def shown(self, reply: Reply) -> Shown:
        cards = reply.cards
        if reply.figure is not None:  # the terminal shows where the picture was saved
            path = save_png(reply.figure.draw())
            cards = tuple(replace(c, image=path) if c.image is not None and c.image.name == reply.figure.filename else c
                          for c in cards)
        notes = reply.notes
        for a in reply.attachments:  # Discord attaches the file; the terminal saves it and says where
            if not a.paste:
                notes += (f"ファイルを保存しました (file saved): {save_file(a.data, a.filename)}",)
        texts = tuple((a.filename, a.data.decode("utf-8", "replace")) for a in reply.attachments if a.paste)
        return Shown(cards, tuple(hint(a) for a in reply.actions), notes, reply.error, paged=bool(reply.pages_of),
                     texts=texts)

    def ask(self, heading: str) -> str | None:
        """Several lines (Discord's modal), ended by an empty line, the end of input or a command line;
        None if cancelled. A command line closes the box and runs next: what was typed is sent first;
        an empty box is an empty answer when piped, a change of mind at a terminal."""
        if self.interactive:
            self._show(Shown(notes=(heading, "複数行で書けます。空行で送信、/ で始まる行はコマンド、Ctrl-C で取り消し。 "
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
        self._show(Shown(notes=(f"{echoed(line.strip())} はコマンドなので回答欄を閉じました（{what[0]}）。 "
                                f"(A line starting with / is a command: {what[1]}.)",)))
        return "\n".join(lines) if lines or not self.interactive else None

    def first_page(self, shown: Shown) -> Shown:
        """A terminal shows a paged reply one page at a time: the rest waits for /next, its hints for the last page."""
        if not (shown.paged and self.interactive and len(shown.cards) > 1):
            return shown
        self.pages, self.page_hints = list(shown.cards[1:]), shown.hints
        return replace(shown, cards=shown.cards[:1], hints=_next_hint(self.pages))

    def next_page(self) -> Shown:
        if not self.pages:
            return Shown(notes=("次のページはありません。 (No more pages.)",))
        card = self.pages.pop(0)
        return Shown((card,), hints=_next_hint(self.pages) if self.pages else self.page_hints)

    def _unknown(self, name: str) -> Shown:
        subs = [c for c in COMMANDS if c.name.startswith(name + " ")]
        if subs:
            listed = "、".join(f"/{c.name}" for c in subs)
            return Shown(notes=(f"/{name} の後にサブコマンドを続けてください: {listed} (choose a subcommand)",), error=True)
        known = [c.name for c in COMMANDS] + list(OWN_COMMANDS)
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
        maybe = f"もしかして {' / '.join('/' + c for c in close)} ？ " if close else ""
        return Shown(notes=(f"/{echoed(name)} というコマンドはありません。{maybe}/help で一覧を表示します。 (Unknown command.)",),
                     error=True)


async def _awaited(work: Awaitable[Reply]) -> Reply:
    return await work


def find(name: str, rest: str) -> tuple[Command | None, str]:
    """The command a line names (a two-word subcommand first) and the text after its name."""
    second, after = first_word(rest)
    by_name = {c.name: c for c in COMMANDS}
    if second and f"{name} {fold(second)}" in by_name:
        return by_name[f"{name} {fold(second)}"], after
    return by_name.get(name), rest


def hint(action: Action) -> tuple[str, str]:
    """A button as the command that does the same here: ("Reveal", "/reveal")."""
    if action.typed:
        return action.label, action.typed
    if action.kind == "rate":
        return action.label, f"/rate {action.value} {action.question_id}"
    if action.kind == "answer_again":  # the terminal cannot fill its text box: the text is printed to paste
        return action.label or "Send again", "/answer （上の回答を貼り付けて / paste the text above）"
    if action.kind == "hint":
        return "Hint", "/hint"
    return ("Answer", "/answer") if action.kind in ("answer", "daily_answer") else ("Reveal", "/reveal")


def save_png(png: bytes) -> Path:
    return save_file(png, "studybot-stats.png")


def save_file(data: bytes, filename: str) -> Path:
    """A new file of its own in the temporary directory, named after `filename` (a chart, a reply's attachment,
    a refused answer): no fixed name that another user or a second terminal could read or replace, and
    readable by its owner only, as mkstemp makes it."""
    stem, dot, suffix = filename.partition(".")
    handle, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=dot + suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return Path(name)


def _next_page(conversation: Conversation, rest: str) -> Shown:
    return conversation.next_page()


def _switch_member(conversation: Conversation, rest: str) -> Shown:
    if not rest:
        name = conversation.display_name
        return Shown(notes=(f"今は {name} さんです。/as 名前 で切り替えます。 (You are {name}.)",))
    conversation.member = Member.named(rest)
    conversation.pages, conversation.page_hints = [], ()
    name = conversation.member.name
    return Shown(notes=(f"{name} さんとして操作します。 (Now acting as {name}.)",))


def _quit(conversation: Conversation, rest: str) -> Shown:
    raise QuitConsole()


# the terminal's own commands: transport (paging, who is typing, leaving), not study behaviour
OWN_COMMANDS: dict[str, Callable[[Conversation, str], Shown]] = {
    "next": _next_page, "as": _switch_member, "quit": _quit, "exit": _quit,
}


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


def _next_hint(rest: list[Card]) -> tuple[tuple[str, str], ...]:
    return (("Next 次へ", f"/next または Enter（残り {len(rest)} ページ）"),) if rest else ()


def greeting(member: str) -> list[str]:
    return [
        "studybot ターミナル版です（Discord なしで同じボットを使えます）。 This is studybot in the terminal.",
        "Discord につなぐには環境変数 DISCORD_TOKEN を設定して `make run` します（README の Connecting to Discord 参照）。",
        f"あなたは {member} さんです（/as 名前 で切り替え）。/help で使い方、/quit で終了。",
    ]


def run_console(study: Study | Services, *, member: str, stdin: TextIO, stdout: TextIO, interactive: bool,
                plain: bool | None = None, notices: Sequence[str] = (), width: int | None = None,
                guild_id: int = CONSOLE_GUILD_ID, channel_id: int = CONSOLE_CHANNEL_ID) -> int:
    """The chat loop until /quit or the end of input; returns the exit status (0).

    `study`: the Study (the other services are built over it, as bot.bootstrap.build_services does) or all Services.
    `interactive`: prompts, one reveal page at a time, Ctrl-C handling. `plain` (default: not interactive):
    text without colour or box drawing.
    """
    plain = not interactive if plain is None else plain
    renderer = PlainRenderer(stdout) if plain else RichRenderer(stdout, width=width)
    reader = LineReader(stdin, stdout, interactive)

    def show(shown: Shown) -> None:
        shown = conversation.first_page(shown)
        renderer.show(shown.notes, shown.cards, shown.hints, error=shown.error, texts=shown.texts)

    conversation = Conversation(as_services(study), Member.named(member or "you"), reader, show, interactive=interactive,
                                guild_id=guild_id, channel_id=channel_id)
    renderer.show([*greeting(conversation.display_name), *notices])
    while True:
        try:
            line = reader.read(f"{printable(conversation.display_name)}> " if interactive else "")
        except KeyboardInterrupt:
            renderer.show(["", "終了するには /quit か Ctrl-D。 (Type /quit to leave.)"])
            continue
        if line is None:
            break
        if not line.strip():
            if conversation.pages:
                show(conversation.next_page())
            continue
        try:
            shown = conversation.handle(line)
        except QuitConsole:
            break
        show(shown)
    if interactive:
        renderer.show(["またね！ (bye)"])
    return 0
