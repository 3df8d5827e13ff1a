"""Japanese localizations of command descriptions (Discord shows them to members whose client is in Japanese)."""
from __future__ import annotations

from discord import Locale, app_commands

JA = {
    "Draw a practice question you have not seen recently": "最近出ていない練習問題を出します",
    "junior or senior": "ジュニア (junior) かシニア (senior)",
    "a section of the question bank": "問題バンクのカテゴリ",
    "Answer your current question": "今の問題に回答します",
    "your answer (leave empty to open a text box)": "あなたの回答（空欄なら入力欄が開きます）",
    "Show the model answer, code and its real output (only to you)": "模範解答・コード・実行結果を自分だけに表示します",
    "a question id; empty for your current question": "問題 ID（空欄なら今の問題）",
    "What the bot does and every command": "ボットの使い方とコマンド一覧",
}


class JapaneseTranslator(app_commands.Translator):
    def __init__(self, extra: dict[str, str] | None = None):
        self.table = {**JA, **(extra or {})}

    async def translate(self, string: app_commands.locale_str, locale: Locale, context) -> str | None:
        if locale is Locale.japanese:
            return self.table.get(string.message)
        return None
