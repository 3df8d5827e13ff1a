"""An answer that could not be saved, given back to the member who wrote it.

The text comes back inside the card as a code block when it is short (nothing in it is read as Markdown
or mentions, and it copies as written), else as a text file. Either way it is where the front end can
find it again: Discord's "send again" button reads it back from the message it sits under
(`text_in_card`, or the file named KEPT_FILENAME), so the member's words survive a restart too.
"""
from __future__ import annotations

import re

from bot.presenters.cards import Card

KEPT_FILENAME = "your_answer.txt"
INLINE_CHARS = 1000  # longer answers come back as a file: a screenful of code block is hard to copy on a phone
_FENCE = "```"
_BLOCK = re.compile(r"```\n(.*)\n```\Z", re.S)
AGAIN_LABEL = "もう一度送る (send again)"
AGAIN_HOW = "「もう一度送る」で、この文章が入った回答欄が開きます。 (Send again opens the answer box with this text.)"
PASTE_HOW = "下の文章をコピーして `/answer` で送り直せます。 (Copy the text below and send it again with /answer.)"


def fits_inline(text: str) -> bool:
    """Short, and without a code fence of its own that would end the block early."""
    return len(text) <= INLINE_CHARS and _FENCE not in text


def as_file(text: str, *, has_buttons: bool) -> bool:
    """Whether the text goes back as the file KEPT_FILENAME. Always without buttons (the terminal): it prints
    an attached text as it is, outside any panel, so it copies without borders."""
    return not (has_buttons and fits_inline(text))


def not_saved_card(message: str, text: str, *, has_buttons: bool) -> Card:
    """`message` (why it was not saved), how to send it again, and the text itself when it is not a file."""
    parts = [message, AGAIN_HOW if has_buttons else PASTE_HOW]
    if not as_file(text, has_buttons=has_buttons):
        parts.append(f"{_FENCE}\n{text}\n{_FENCE}")
    elif has_buttons:
        parts.append(f"（{len(text)} 文字のため、添付ファイル `{KEPT_FILENAME}` で返します。 (attached as a file)）")
    return Card(title="回答を保存できませんでした (answer not saved)", description="\n\n".join(parts), kind="error")


def text_in_card(description: str) -> str | None:
    """The text not_saved_card put inline, or None when it went to the file."""
    match = _BLOCK.search(description)
    return match.group(1) if match else None
