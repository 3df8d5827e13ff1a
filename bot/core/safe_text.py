"""Text that members write, made storable and safe to show before it enters the services.

Answers keep every character a member meant (only code points that cannot be stored are replaced);
display names, which other members see, lose what can hide or reorder text and cannot ping anyone.
"""
from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# right-to-left overrides and isolates, LRM/RLM, the Arabic letter mark: they reorder what follows them
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# zero-width space, non-joiner, joiner, word joiner, invisible operators, BOM, Mongolian vowel separator
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
_HIDDEN_IN_NAMES = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")
_LINE_BREAKING = re.compile("[\n\r\t\v\f\x1c-\x1f\x85\u2028\u2029]+")  # not U+3000: 「山田　太郎」 keeps its space
# letters and symbols that draw as nothing: Hangul fillers, the blank Braille pattern, variation selectors
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5") | frozenset(map(chr, range(0xFE00, 0xFE10)))
# `<@123>`, `<@!123>`, `<@&456>`, `@everyone`, `@here` all need a plain '@'. The full-width '＠' reads the
# same to a person (and in Japanese text) but is no mention syntax anywhere Discord renders text (content,
# embeds, thread names), and unlike '@' + zero-width space it survives copying and is not itself one of
# the invisible characters names lose. allowed_mentions stops pings too; this also stops a name from
# *showing* as someone else's mention.
MENTION_AT, SAFE_AT = "@", "\uff20"


def storable(text: str) -> str:
    """`text` with every lone surrogate (a code point UTF-8 cannot encode, e.g. from undecodable input
    or a JSON escape `\\ud800`) replaced by U+FFFD; a surrogate pair becomes the character it encodes."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") or ch in _BLANK_LOOKING


def is_blank(text: str) -> bool:
    """Nothing a reader would see: whitespace, zero-width characters, BOM, bidi and other format controls."""
    return all(_invisible(ch) for ch in text)


def safe_name(name: str | None) -> str:
    """A display name as others may see it: storable, one line, without bidi controls, zero-width or
    control characters, and no mention syntax. "" when nothing visible is left (callers show a label)."""
    if not name:
        return ""
    name = _HIDDEN_IN_NAMES.sub("", storable(name))
    name = _LINE_BREAKING.sub(" ", name).strip()  # a newline or tab would break a leaderboard line
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    if is_blank(name):
        return ""
    return name.replace(MENTION_AT, SAFE_AT)
