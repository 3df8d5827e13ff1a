"""Cards to Discord embeds and files: the only place that knows how a Card looks in Discord."""
from __future__ import annotations

import discord

from bot.presenters.cards import Card, ChannelRef, FieldValue

INLINE_FIELD_CHARS = 40


def text(value: FieldValue) -> str:
    return f"<#{value.channel_id}>" if isinstance(value, ChannelRef) else value


def description(card: Card) -> str | None:
    small = f"-# {card.small_print}" if card.small_print else ""
    return "\n".join(part for part in (card.description, small) if part) or None


def embed(card: Card) -> discord.Embed:
    result = discord.Embed(title=card.title, description=description(card), color=card.color)
    for name, value in card.fields:
        shown = text(value)
        result.add_field(name=name, value=shown, inline=len(shown) <= INLINE_FIELD_CHARS)
    if card.footer:
        result.set_footer(text=card.footer)
    if card.image is not None:
        result.set_image(url=f"attachment://{card.image.name}")
    return result


def files(card: Card) -> list[discord.File]:
    """The attachments a card needs (its figure), opened fresh for each send."""
    if card.image is None or not card.image.exists():
        return []
    return [discord.File(card.image, filename=card.image.name)]
