"""Japanese localizations of command descriptions (Discord shows them to members whose client is in Japanese)."""
from __future__ import annotations

from discord import Locale, app_commands
from discord.app_commands import TranslationContextLocation

JA = {
    "Draw a practice question you have not seen recently": "最近出ていない練習問題を出します",
    "junior or senior": "ジュニア (junior) かシニア (senior)",
    "a section of the question bank": "問題バンクのカテゴリ",
    "Answer a question (default: today's daily question until you answer it, else your last one)":
        "問題に回答します（省略時は未回答の今日の日替わり問題、なければ最後に引いた問題）",
    "which question (default: your current question)": "どの問題か（省略時は今の問題）",
    "One more key point of a question, only to you (lowers a daily answer's points)":
        "問題のキーポイントを 1 つずつ自分だけに表示します（日替わり問題のポイントが下がります）",
    "your answer (leave empty to open a text box)": "あなたの回答（空欄なら入力欄が開きます）",
    "Show the model answer, code and its real output (only to you)": "模範解答・コード・実行結果を自分だけに表示します",
    "a question id; empty for your current question": "問題 ID（空欄なら今の問題）",
    "What the bot does and every command": "ボットの使い方とコマンド一覧",
    # /daily, /streak, /leaderboard
    "The daily question: set up, status, pause, resume, post now, milestones (server managers)":
        "日替わり問題の設定・状況・一時停止・再開・すぐ投稿・連続記録の節目（サーバー管理者）",
    "Post a daily question in a channel at a set time": "毎日決まった時刻にチャンネルへ問題を投稿します",
    "the channel for the daily question": "日替わり問題を投稿するチャンネル",
    "posting time, HH:MM (24 h) in the timezone": "投稿時刻（24時間表記 HH:MM、タイムゾーンの時刻）",
    "IANA timezone, e.g. Asia/Tokyo": "IANA タイムゾーン（例: Asia/Tokyo）",
    "junior, senior or mixed questions": "ジュニア・シニア・ミックス（mixed）のどれか",
    "HH:MM to post the model answer in the thread (default: when the next question is out)":
        "模範解答をスレッドに公開する時刻 HH:MM（省略時は次の問題が出た時）",
    "a role to ping with each daily post (only that role is pinged)": "日替わり問題の投稿で通知するロール（通知はこのロールだけ）",
    "stop pinging a role with the daily post": "投稿時のロール通知をやめる",
    "Congratulate 7, 30 and 100 streaks in the thread, and give a role per milestone":
        "7・30・100 回連続をスレッドでお祝いし、節目ごとにロールを付けます",
    "congratulate in the daily thread: on or off": "日替わり問題のスレッドでお祝いする（on / off）",
    "the milestone the role is for": "ロールを付ける節目（連続回数）",
    "the role members hold while their streak is at least that long": "連続がその回数以上続く間メンバーに付けるロール",
    "take the role away from that milestone": "その節目のロール設定を外す",
    "A DM when your streak is at risk or reviews are due, at your time":
        "連続記録が途切れそうなとき・復習の期限が来たときに DM で知らせます",
    "remind me when my streak is at risk: on or off": "連続記録が途切れそうなときに知らせる（on / off）",
    "remind me when reviews are due: on or off": "復習の期限が来たときに知らせる（on / off）",
    "HH:MM in the server's daily-question timezone (default 20:00)": "時刻 HH:MM（日替わり問題のタイムゾーン、省略時 20:00）",
    "Settings, next post, recent posts and why a day was skipped": "設定・次回の投稿・最近の投稿とスキップの理由",
    "Pause the daily question": "日替わり問題を一時停止します",
    "Resume the daily question (paused days are not posted afterwards)": "日替わり問題を再開します（止まっていた日の分は投稿しません）",
    "Post today's daily question now": "今日の問題をすぐに投稿します",
    "Your daily-question streak and freezes (only to you)": "日替わり問題の連続記録とフリーズ（自分だけに表示）",
    "another member's streak (still only shown to you)": "ほかのメンバーの記録（これも自分だけに表示）",
    "The server's daily-question leaderboard": "サーバーの日替わり問題ランキング",
    "week, month or all time": "週・月・全期間",
    "current streak, number of answers, or points (first scored answer to each, before any reveal)":
        "連続記録・回答数・ポイント（各問題の、模範解答を見る前の最初に採点された回答の点）",
    "Your questions due for review (only to you)": "復習の時期が来た問題を自分だけに出します",
    "Your progress chart (only to you)": "学習の記録のグラフを自分だけに表示します",
    "whose chart (default: you)": "誰のグラフか（省略するとあなた）",
    "post it in the channel for everyone (default: only you)": "チャンネルに公開する（省略時は自分だけ）",
    # /privacy
    "Your data in this server: export it or delete it": "このサーバーでのあなたのデータの書き出し・削除",
    "Everything the bot stores about you in this server, as a file (only to you)":
        "このサーバーに保存されているあなたのデータをファイルで受け取ります（自分だけに表示）",
    "Delete your data in this server (asks to confirm)": "このサーバーのあなたのデータを削除します（確認あり）",
    "server managers: a member who has left the server (default: you)": "サーバー管理者のみ: サーバーを抜けたメンバー（省略するとあなた）",
}


# the fixed choices of options (Literal values): shown in Japanese, the value sent stays the English word
CHOICES_JA = {
    "junior": "ジュニア (junior)", "senior": "シニア (senior)", "mixed": "ミックス (mixed)",
    "week": "週 (week)", "month": "月 (month)", "all": "全期間 (all)",
    "streak": "連続記録 (streak)", "answers": "回答数 (answers)", "points": "ポイント (points)",
    "on": "オン (on)", "off": "オフ (off)", "7": "7 回", "30": "30 回", "100": "100 回",
}


class JapaneseTranslator(app_commands.Translator):
    def __init__(self, extra: dict[str, str] | None = None):
        self.table = {**JA, **(extra or {})}

    async def translate(self, string: app_commands.locale_str, locale: Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale is not Locale.japanese:
            return None
        if context.location is TranslationContextLocation.choice_name:  # never command names such as /streak
            return CHOICES_JA.get(string.message)
        return self.table.get(string.message)
