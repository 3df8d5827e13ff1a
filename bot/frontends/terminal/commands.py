"""The terminal's commands: a registry of entries, each a thin handler over the services and presenters.

A handler gets the session's `Context` (the services, who is typing, the terminal) and the parsed
options, and returns what to show: a `Reply`, a `Card`, a list of Cards, a one-line note (str) or None.
`StudyError`s it lets through are shown as the error card, exactly as in Discord.

Adding a command (the Discord-only features plug in the same way)::

    registry.add(Command("streak", handler=lambda ctx, args: streak_card(progress.streak(ctx.guild_id, ctx.user_id)),
                         help="連続日数を表示します。 Your streak."))

An entry with the same name replaces the old one (in its place in /help); an entry without a handler is
listed under "not in the terminal" and answers with its `unavailable` text.
"""
from __future__ import annotations

import difflib
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Union

from bot.core.errors import InvalidAnswer, NoQuestionsLeft, UnknownQuestion
from bot.frontends.terminal import daily, review
from bot.frontends.terminal.parsing import echoed, first_word, fold
from bot.presenters.feedback import answered_card
from bot.presenters.study import HELP_COMMANDS, LEVEL_NAMES, Card, error_card, help_card, question_card, reveal_pages

if TYPE_CHECKING:
    from bot.frontends.terminal.session import Context


@dataclass(frozen=True)
class Reply:
    """What one command shows: optional notes, cards, then button hints."""

    cards: tuple[Card, ...] = ()
    buttons: tuple[tuple[str, str], ...] = ()  # (label, command): shown as "[Answer] /answer"
    paged: bool = False  # the cards are pages of one message: an interactive terminal shows one at a time
    notes: tuple[str, ...] = ()
    error: bool = False  # the notes are an error (red in a terminal)


Result = Union[Reply, Card, Sequence[Card], str, None]
Handler = Callable[["Context", dict[str, str]], Result]


@dataclass(frozen=True)
class Command:
    name: str  # what follows the slash; a subcommand is two words: "daily now"
    handler: Handler | None = None  # None: listed in /help as not in the terminal; answers with `unavailable`
    params: tuple[str, ...] = ()  # by position (the last takes the rest of the line) or as name:value
    keywords: tuple[str, ...] = ()  # only as name:value
    usage: str = ""  # for /help; default: presenters.HELP_COMMANDS' entry of the same command, else "/name"
    help: str = ""  # for /help; default: presenters.HELP_COMMANDS' text
    unavailable: str = ""  # why it cannot run here (shown when typed and in /help)
    aliases: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return self.handler is not None

    def help_entry(self) -> tuple[str, str]:
        usage, text = _standard_help().get(self.name, (f"/{self.name}", ""))
        return self.usage or usage, self.help or text

    @property
    def discord_only(self) -> tuple[str, ...]:
        """The Discord command's options that mean nothing here (`channel`, `share`): accepted with a note."""
        ours = {*self.params, *self.keywords}
        return tuple(option for option in _discord_options().get(self.name, ()) if option not in ours)


def _split_usage(usage: str) -> tuple[str, tuple[str, ...]]:
    """"/daily setup channel time [reveal_time]" -> ("daily setup", ("channel", "time", "reveal_time"))."""
    words = usage.lstrip("/").split()
    n = 0
    while n < len(words) and re.fullmatch(r"[a-z]+", words[n]) and not (n and words[n] in _OPTION_WORDS):
        n += 1
    return " ".join(words[:n]), tuple(word.strip("[]") for word in words[n:])


def _standard_help() -> dict[str, tuple[str, str]]:
    """By command name: "/daily setup channel time …" is "daily setup", "/question [level]" is "question"."""
    return {_split_usage(usage)[0]: (usage, text) for usage, text in HELP_COMMANDS}


def _discord_options() -> dict[str, tuple[str, ...]]:
    """The options of each Discord command, as HELP_COMMANDS lists them."""
    return dict(_split_usage(usage) for usage, _ in HELP_COMMANDS)


# option names written bare in HELP_COMMANDS' usages (after the command's own words)
_OPTION_WORDS = {"channel", "time", "timezone", "level", "category", "text", "question", "member", "period", "by", "share"}


def as_reply(result: Result) -> Reply:
    if result is None:
        return Reply()
    if isinstance(result, Reply):
        return result
    if isinstance(result, Card):
        return Reply((result,))
    if isinstance(result, str):
        return Reply(notes=(result,))
    return Reply(tuple(result))


class Registry:
    """Commands by name, in the order /help lists them."""

    def __init__(self, commands: Iterable[Command] = ()):
        self._commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> Command:
        """Add or replace (by name) a command; returns it."""
        name = " ".join(fold(command.name).split())
        self._commands[name] = replace(command, name=name)
        return self._commands[name]

    def command(self, name: str, **options) -> Callable[[Handler], Handler]:
        """Decorator form of add: `@registry.command("stats", help="...")`."""
        def decorate(handler: Handler) -> Handler:
            self.add(Command(name, handler, **options))
            return handler
        return decorate

    def get(self, name: str) -> Command | None:
        name = fold(name)
        if name in self._commands:
            return self._commands[name]
        return next((c for c in self._commands.values() if name in c.aliases), None)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def find(self, name: str, rest: str) -> tuple[Command | None, str]:
        """The command a line names (a two-word subcommand first) and the text after its name."""
        second, after = first_word(rest)
        if second:
            command = self.get(f"{name} {fold(second)}")
            if command is not None:
                return command, after
        return self.get(name), rest

    def subcommands(self, name: str) -> list[Command]:
        return [c for c in self if c.name.startswith(fold(name) + " ")]

    def close_to(self, name: str) -> list[str]:
        names = [c.name for c in self] + [a for c in self for a in c.aliases]
        return difflib.get_close_matches(fold(name), names, n=2, cutoff=0.6)


ANSWER_REVEAL = (("Answer", "/answer"), ("Reveal", "/reveal"))
NOT_YET = "ターミナル版ではまだ使えません（Discord 版で準備中）。 (Not in the terminal yet.)"


def _level(text: str) -> str | None:
    wanted = fold(text)
    for level, label in LEVEL_NAMES.items():
        if wanted in (level, fold(label), fold(label.split()[0])):
            return level
    return None


def _category(ctx: Context, level: str | None, text: str) -> str:
    """The category a member means, as Discord's autocomplete would pick it: exact, or the one that contains it."""
    if text in ctx.study.categories(level):
        return text
    hits = ctx.study.categories(level, containing=text)
    return hits[0] if len(hits) == 1 else text


def question(ctx: Context, args: dict[str, str]) -> Result:
    level, category = args.get("level"), args.get("category")
    if level is not None and _level(level) is None:
        if category is not None:
            return Reply(notes=(f"level は junior か senior（ジュニア／シニア）です: {echoed(level)} (level must be junior or senior)",),
                         error=True)
        level, category = None, level  # `/question 高度な機械学習`: a category without a level
    level = _level(level) if level else None
    if category:
        category = _category(ctx, level, category)
    try:
        q = ctx.study.draw(ctx.guild_id, ctx.user_id, level, category, display_name=ctx.display_name)
    except NoQuestionsLeft as error:
        card = error_card(error.message)
        if category:
            names = "\n".join(f"- {c}" for c in ctx.study.categories(level))
            card = replace(card, fields=(("カテゴリ (categories)", names),))
        return card
    return Reply((question_card(q),), buttons=ANSWER_REVEAL)


def answer(ctx: Context, args: dict[str, str]) -> Result:
    """The current question (the daily one once it is posted, see bot.services.answering); an answer to the
    open daily question counts for the streak."""
    text, question_id = args.get("text"), None
    if text is None:  # like Discord's modal: a text box for the current question
        q = ctx.answering.current(ctx.guild_id, ctx.user_id)
        text = ctx.ask(f"回答 (answer): {q.title}")
        if text is None:
            return "回答を取り消しました。 (Answer cancelled.)"
        question_id = q.id
    try:
        answered = ctx.answering.answer(ctx.guild_id, ctx.user_id, text, question_id=question_id, display_name=ctx.display_name)
    except InvalidAnswer as error:
        if not text.strip():
            raise
        return replace(error_card(error.message), fields=(("あなたの回答の保存先 (your text)", str(_keep(text))),))
    return Reply((answered_card(answered),), buttons=(("Reveal", "/reveal"),))


def _keep(text: str) -> str:
    """A rejected answer goes to a file, as Discord attaches it, so nothing typed is lost."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="studybot-answer-", suffix=".txt", delete=False) as f:
        f.write(text)
    return f.name


def reveal(ctx: Context, args: dict[str, str]) -> Result:
    question_id = args.get("question")
    if question_id:
        try:
            question_id = ctx.study.question(question_id).id
        except UnknownQuestion:
            found = ctx.study.suggest(question_id, 10)
            if len(found) != 1:
                if not found:
                    raise
                lines = "\n".join(f"- `{qid}` {title}" for qid, title in found)
                return Card("候補 (matching questions)", f"{lines}\n\n`/reveal ID` で選んでください。", kind="info")
            question_id = found[0][0]
    q = ctx.answering.reveal(ctx.guild_id, ctx.user_id, question_id)
    return Reply(tuple(reveal_pages(q, ctx.study.outputs_dir)), paged=True, buttons=review.rate_hints(q.id))


def show_help(ctx: Context, args: dict[str, str]) -> Result:
    here = tuple(c.help_entry() for c in ctx.registry if c.available)
    elsewhere: dict[str, list[tuple[str, str]]] = {}  # by the reason, so each reason is written once
    for c in ctx.registry:
        if not c.available:
            elsewhere.setdefault(c.unavailable or NOT_YET, []).append(c.help_entry())
    card = help_card(commands=here, sections=tuple((reason, tuple(entries)) for reason, entries in elsewhere.items()))
    return replace(card, footer="オプションは `/question level:junior category:…` の形でも書けます。"
                                " Options also work as name:value, like in Discord.")


def next_page(ctx: Context, args: dict[str, str]) -> Result:
    return ctx.next_page()


def switch_member(ctx: Context, args: dict[str, str]) -> Result:
    name = args.get("name")
    if not name:
        return f"今は {ctx.display_name} さんです。/as 名前 で切り替えます。 (You are {ctx.display_name}.)"
    member = ctx.switch_member(name)
    return f"{member.name} さんとして操作します (now acting as {member.name}, user id {member.user_id})。"


class QuitConsole(Exception):
    """Raised by /quit: the session ends."""


def quit_console(ctx: Context, args: dict[str, str]) -> Result:
    raise QuitConsole()


BUILTIN = (
    Command("question", question, params=("level", "category")),
    Command("answer", answer, params=("text",)),
    Command("reveal", reveal, params=("question",)),
    Command("help", show_help),
    Command("next", next_page, usage="/next（または Enter）", help="模範解答の次のページを表示します。 Show the next page."),
    Command("as", switch_member, params=("name",), usage="/as NAME",
            help="別のメンバーとして操作します（ターミナル版のみ）。 Act as another member (terminal only)."),
    Command("quit", quit_console, aliases=("exit",), usage="/quit（または Ctrl-D）", help="終了します。 Leave."),
)

# The daily question, streaks and leaderboards (bot/frontends/terminal/daily.py).
DAILY = daily.commands()

# Spaced review and the progress chart (bot/frontends/terminal/review.py).
REVIEW = review.commands()


def default_registry(extra: Iterable[Command] = ()) -> Registry:
    """The built-in commands, the Discord features' entries, then `extra` (which may replace any of them)."""
    registry = Registry(BUILTIN + DAILY + REVIEW)
    for command in extra:
        registry.add(command)
    return registry
