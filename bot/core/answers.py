"""Rules for a member's free-text answer."""
from __future__ import annotations

from bot.core.errors import InvalidAnswer

MAX_ANSWER_CHARS = 4000  # Discord's limit for a modal's paragraph field


def clean_answer(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidAnswer("回答が空です。考えたことを一言でも書いてから送ってください。 (The answer is empty.)", text)
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(
            f"回答が長すぎます（{len(cleaned)} 文字）。{MAX_ANSWER_CHARS} 文字以内にまとめてください。"
            f"書いた文章は失われないよう添付ファイルで返します。 (Answer over {MAX_ANSWER_CHARS} characters.)", text
        )
    return cleaned
