"""The card: what members see, as plain data that each front end renders (Discord: an embed; terminal: a panel).

Cards carry structure, not markup: a channel is a `ChannelRef` (Discord links it, the terminal names
itself) and the small print under a description is `small_print` (Discord's `-#` line, a dim line in a
terminal). Every card fits Discord's embed limits.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.paging import shorten

DESCRIPTION_LIMIT = 4096
PAGE_BUDGET = 3900  # a page's description, closing fences included (split_markdown keeps to it), below 4096
SMALL_PRINT_LIMIT = 150  # fits beside PAGE_BUDGET within DESCRIPTION_LIMIT
FIELD_LIMIT = 1024
TITLE_LIMIT = 256
FIELD_COUNT_LIMIT = 25
MESSAGE_LIMIT = 6000  # title, description, fields and footer of all of a message's embeds together
COLORS = {"question": 0x5865F2, "reveal": 0x57F287, "info": 0xFEE75C, "error": 0xED4245}
UNEXPECTED_ERROR = "申し訳ありません、予期しないエラーが発生しました。記録を残しました。 (Sorry, something went wrong; it has been logged.)"


@dataclass(frozen=True)
class ChannelRef:
    """A channel of the server, shown as a link in Discord."""

    channel_id: int

    def __len__(self) -> int:  # what Discord counts for `<#id>`
        return len(str(self.channel_id)) + 3


FieldValue = str | ChannelRef


@dataclass(frozen=True)
class Card:
    title: str
    description: str = ""
    fields: tuple[tuple[str, FieldValue], ...] = ()
    footer: str = ""
    kind: str = "info"
    image: Path | None = None  # a PNG to attach and show in the card
    small_print: str = ""  # one line in small type under the description (run time, versions)

    @property
    def color(self) -> int:
        return COLORS[self.kind]


def title_text(text: str) -> str:
    return shorten(text, TITLE_LIMIT)


def small(text: str) -> str:
    return shorten(" ".join(text.split()), SMALL_PRINT_LIMIT)


def card_size(card: Card) -> int:
    """What Discord counts towards a message's 6000 characters (the small print is a line of the description)."""
    small_print = len(card.small_print) + 4 if card.small_print else 0
    return (len(card.title) + len(card.description) + small_print + len(card.footer)
            + sum(len(n) + len(v) for n, v in card.fields))


def error_card(message: str) -> Card:
    return Card(title="できませんでした (could not do that)", description=message, kind="error")
