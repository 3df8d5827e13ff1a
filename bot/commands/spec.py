"""The command layer's vocabulary: what a command is, what it may use and what it gives back.

Why a declarative table: each command's options, rules, service calls and cards are written once
(bot/commands/practice.py, daily.py, review.py), and every front end reads the same table. The Discord
front end registers slash commands whose names and descriptions come from it and whose callbacks only
turn an interaction into an `Invocation`; the terminal parses a typed line against the same options.
Either way the handler runs, and the front end renders the `Reply` it returns. errbot's text backend
does the same for chat plugins; keeping the options as data also lets one test compare /help, the
README and what Discord syncs.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from bot.core.errors import StudyError
from bot.presenters.cards import Card
from bot.services import Services
from bot.services.daily import DailyChannel

T = TypeVar("T")
NOT_IN_A_SERVER = "このコマンドはサーバー内で使ってください（DM では使えません）。 (Use this command in a server, not in DMs.)"


@dataclass(frozen=True)
class Option:
    name: str
    description: str  # English, for Discord (bot/frontends/discord/translations.py gives the Japanese)
    choices: tuple[str, ...] = ()
    required: bool = False
    rest: bool = False  # free text taking the rest of a typed line, colons and all (an answer)
    terminal: bool = True  # False: means something only in Discord (a channel, share): the terminal notes and ignores it

    @property
    def usage(self) -> str:
        return self.name if self.required else f"[{self.name}]"


@dataclass(frozen=True)
class MemberRef:
    """A member named in an option: Discord resolves a mention, the terminal a typed name."""

    user_id: int
    name: str


@dataclass(frozen=True)
class Action:
    """A button under a reply (Discord) or the command that does the same (terminal hint)."""

    # answer | reveal | hint | rate | daily_answer | daily_reveal | forget | forget_cancel | answer_again |
    # reveal_confirm | reveal_cancel
    kind: str
    question_id: str = ""
    value: str = ""  # a rating for `rate`; for `forget`, whose data and when it was asked (bot.commands.privacy)
    label: str = ""
    post_id: int = 0  # for daily_answer / daily_reveal
    typed: str = ""  # what to type in the terminal instead, when it is not the usual command for the kind


@dataclass(frozen=True)
class AnswerBox:
    """Open a text box for an answer: Discord's modal, the terminal's multi-line input."""

    question_id: str
    title: str
    post_id: int = 0  # an answer to this daily post (its Answer button)
    text: str = ""  # already in the box: an answer that could not be saved, to send again


@dataclass(frozen=True)
class Figure:
    """A picture drawn for the reply: `draw` is slow, so Discord runs it off the event loop."""

    filename: str
    draw: Callable[[], bytes]


@dataclass(frozen=True)
class Attachment:
    """A file that goes with the reply. Discord attaches it; the terminal prints a text the member will paste
    again (`paste`, e.g. an answer that could not be saved) and saves any other file and says where."""

    filename: str
    data: bytes
    paste: bool = False


@dataclass(frozen=True)
class Reply:
    cards: tuple[Card, ...] = ()
    actions: tuple[Action, ...] = ()
    pages_of: str = ""  # the cards are this question's reveal pages: Discord pages them, the terminal shows them in turn
    public: bool = False  # seen by the channel; otherwise only by the member who asked
    notes: tuple[str, ...] = ()  # short lines before the cards
    error: bool = False  # the notes report a problem
    ask: AnswerBox | None = None
    figure: Figure | None = None
    attachments: tuple[Attachment, ...] = ()


class Surface(Protocol):
    """What a command may ask of the front end it runs in."""

    posts_on_schedule: bool  # Discord's timer posts the daily question; the terminal posts it when asked
    has_buttons: bool  # Discord rates recall with buttons; the terminal with /rate

    def daily_channel(self) -> DailyChannel: ...

    async def exclusive(self, guild_id: int, run: Callable[[], Awaitable[T]]) -> T: ...

    def reschedule(self, guild_id: int) -> None: ...

    async def channel_problems(self, channel_id: int) -> tuple[tuple[str, str], ...]:
        """Warnings (name, text) about a channel the daily question would use: gone, missing permissions."""
        ...

    def default_timezone(self) -> str: ...

    def own_help(self) -> tuple[tuple[str, str], ...]:
        """/help lines for the front end's own commands (the terminal's /next, /as, /quit)."""
        ...

    def shown_here(self) -> tuple[Card, ...]:
        """What the daily channel showed in this conversation since the last call (the terminal is its own channel)."""
        ...

    def manages_server(self) -> bool:
        """The member asking may manage the server (Discord's Manage Server; the terminal's one person may)."""
        ...

    async def in_server(self, guild_id: int, user_id: int) -> bool | None:
        """Whether that user is a member of the server now; None when the front end has no member list."""
        ...


@dataclass
class Invocation:
    """Who runs a command, where, and with which services."""

    services: Services
    surface: Surface
    user_id: int
    display_name: str
    guild_id: int | None = None
    channel_id: int | None = None

    def guild(self) -> int:
        if self.guild_id is None:
            raise StudyError(NOT_IN_A_SERVER)
        return self.guild_id


Args = Mapping[str, Any]
Handler = Callable[[Invocation, Args], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    name: str  # what follows the slash; a subcommand is two words: "daily setup"
    summary: str  # English, Discord's description
    help: str  # /help's line
    handler: Handler
    options: tuple[Option, ...] = ()
    in_discord: bool = True  # False: a button there (rating), a command only in the terminal
    slow: bool = False  # Discord answers "thinking…" first (charts, posting)
    managers: bool = False  # Discord shows it only to members with Manage Server
    in_dms: bool = False

    @property
    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(o.usage for o in self.options)])

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)
