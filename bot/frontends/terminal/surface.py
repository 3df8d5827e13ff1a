"""What the terminal can do for a command (bot.commands.spec.Surface): it is the simulated server's one
channel, it has no timer, and what the daily question 'posts' is shown right here."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.core.daily import DailyPost, InvalidDailySetting, parse_timezone
from bot.core.models import Question
from bot.presenters.cards import Card
from bot.presenters.progress import daily_post_card, daily_reveal_pages
from bot.services import daily as svc
from bot.services.daily import PostedMessage

T = TypeVar("T")
OWN_HELP = (
    ("/next（または Enter）", "模範解答の次のページを表示します。 Show the next page."),
    ("/as NAME", "別のメンバーとして操作します（ターミナル版のみ）。 Act as another member (terminal only)."),
    ("/quit（または Ctrl-D）", "終了します。 Leave."),
)


def machine_timezone() -> str:
    """The IANA name of this machine's timezone (TZ, /etc/timezone, /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    local = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in local:
        candidates.append(local.split("zoneinfo/", 1)[1])
    for name in candidates:
        try:
            return parse_timezone(name)
        except InvalidDailySetting:
            continue
    return "UTC"


class TerminalDailyChannel:
    """A DailyChannel that prints: what it 'posts' is kept as cards for the reply."""

    def __init__(self, daily: svc.Daily, outputs_dir: Path | None):
        self.daily, self.outputs_dir = daily, outputs_dir
        self.cards: list[Card] = []

    async def find_post(self, post: DailyPost) -> PostedMessage | None:
        return None  # the terminal keeps no history: a left intent of today is shown again, a past day's dropped

    async def send_post(self, post: DailyPost, question: Question) -> PostedMessage:
        self.cards.append(daily_post_card(post, question, self.daily.settings(post.guild_id), here=True))
        return PostedMessage(post.id)

    async def make_thread(self, post: DailyPost, question: Question) -> PostedMessage:
        return PostedMessage(post.id, post.id)  # never asked: the terminal has no threads, so none is owed

    async def send_reveal(self, post: DailyPost, question: Question, sent: svc.PagesSent) -> None:
        pages = daily_reveal_pages(post, question, self.outputs_dir)
        self.cards += pages[post.pages_revealed:]
        sent(len(pages))


class TerminalSurface:
    posts_on_schedule = False
    has_buttons = False

    def __init__(self, daily: svc.Daily, outputs_dir: Path | None):
        self.channel = TerminalDailyChannel(daily, outputs_dir)

    def daily_channel(self) -> TerminalDailyChannel:
        return self.channel

    async def exclusive(self, guild_id: int, run: Callable[[], Awaitable[T]]) -> T:
        return await run()  # one person at one terminal: nothing runs beside it

    def reschedule(self, guild_id: int) -> None:
        pass  # no timer here

    async def channel_problems(self, channel_id: int) -> tuple[tuple[str, str], ...]:
        return ()  # the terminal is the channel

    def default_timezone(self) -> str:
        return machine_timezone()

    def own_help(self) -> tuple[tuple[str, str], ...]:
        return OWN_HELP

    def shown_here(self) -> tuple[Card, ...]:
        shown, self.channel.cards = tuple(self.channel.cards), []
        return shown

    def manages_server(self) -> bool:
        return True  # the one person at the terminal runs the simulated server (as /daily setup shows)

    async def in_server(self, guild_id: int, user_id: int) -> bool | None:
        return None  # members are names typed with /as: there is no member list to ask
