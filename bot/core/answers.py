"""Rules for a member's free-text answer."""
from __future__ import annotations

from bot.core.errors import InvalidAnswer
from bot.core.safe_text import is_blank, storable

MAX_ANSWER_CHARS = 4000  # Discord's limit for a modal's paragraph field
EMPTY_ANSWER = "回答が空です。考えたことを一言でも書いてから送ってください。 (The answer is empty.)"


def clean_answer(text: str | None) -> str:
    """The answer as it is saved: code points that cannot be stored replaced (bot.core.safe_text.storable),
    surrounding whitespace dropped. Only invisible characters (zero-width spaces, BOM, bidi controls,
    whitespace) count as empty."""
    kept = storable(text or "")  # what the member gets back, too, if it is refused
    cleaned = kept.strip()
    if is_blank(cleaned):
        raise InvalidAnswer(EMPTY_ANSWER, None)  # nothing visible to give back
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(
            f"回答が長すぎます（{len(cleaned)} 文字）。{MAX_ANSWER_CHARS} 文字以内にまとめてください。"
            f"書いた文章は失われないよう添付ファイルで返します。 (Answer over {MAX_ANSWER_CHARS} characters.)", kept
        )
    return cleaned
