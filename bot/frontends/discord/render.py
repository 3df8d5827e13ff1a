"""Cards to Discord embeds and files: the only place that knows how a Card looks in Discord."""
from __future__ import annotations

import discord

from bot.presenters.study import Card

INLINE_FIELD_CHARS = 40


def embed(card: Card) -> discord.Embed:
    result = discord.Embed(title=card.title, description=card.description or None, color=card.color)
    for name, value in card.fields:
        result.add_field(name=name, value=value, inline=len(value) <= INLINE_FIELD_CHARS)
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
