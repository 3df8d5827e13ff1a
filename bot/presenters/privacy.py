"""What /privacy export and /privacy forget show: what is stored, the confirmation, what was deleted."""
from __future__ import annotations

from bot.presenters.cards import Card

# a member's tables (db.privacy.MEMBER_TABLES) as members read them
STORED = {
    "answers": "回答 (answers, with scores and feedback)",
    "draws": "出題の記録 (questions drawn)",
    "reveals": "模範解答を開いた記録 (reveals)",
    "hints": "ヒントを見た記録 (hints)",
    "review_cards": "復習カード (review schedule)",
    "review_log": "復習の評価 (recall ratings)",
    "streaks": "連続記録・フリーズ (streak, freezes)",
    "board_stats": "ランキングの集計 (leaderboard rows, points)",
    "members": "表示名 (display name)",
    "milestones": "連続記録の節目 (streak milestones reached)",
    "milestone_grants": "節目のロール (milestone roles given)",
    "reminders": "リマインダーの設定 (reminder settings)",
    "reminder_log": "リマインダーの送信記録 (reminders sent)",
}
CONFIRM_LABEL = "確認 (confirm)"
CANCEL_LABEL = "キャンセル (cancel)"


def stored_lines(counts: dict[str, int]) -> str:
    return "\n".join(f"{label}: {counts.get(table, 0)}" for table, label in STORED.items())


def whose(name: str | None, own: bool) -> str:
    if own:
        return "あなた"
    return f"{name} さん" if name else "そのメンバー"


def export_card(counts: dict[str, int], filename: str) -> Card:
    return Card(
        title="あなたのデータ (your data)",
        description=(f"このサーバーに保存されているあなたのデータを `{filename}` にまとめました（JSON）。"
                     "あなた以外には見えません。 (Everything stored about you in this server, only to you.)"),
        fields=(("保存されている件数 (rows stored)", stored_lines(counts)),),
        footer="削除するには /privacy forget (to delete it)",
    )


def nothing_stored_card(name: str | None, own: bool) -> Card:
    return Card(title="保存されているデータはありません (nothing stored)",
                description=f"このサーバーには{whose(name, own)}のデータは保存されていません。 (Nothing to delete.)")


def forget_prompt_card(name: str | None, own: bool, counts: dict[str, int], minutes: int) -> Card:
    return Card(
        title=f"{whose(name, own)}のデータを削除しますか？ (forget {'your' if own else 'their'} data?)",
        description=(f"このサーバーに保存されている{whose(name, own)}の回答・出題と復習の記録・連続記録・ポイント・表示名を"
                     "すべて削除します（ランキングからも外れます）。ほかのサーバーのデータはそのままです。**元に戻せません。**"
                     + ("先に /privacy export で保存できます。" if own else "")
                     + " (Deletes everything stored in this server; other servers are untouched. It cannot be undone.)"),
        fields=(("削除されるもの (to be deleted)", stored_lines(counts)),),
        footer=f"「{CONFIRM_LABEL}」で削除します（{minutes} 分以内）。 Confirm within {minutes} minutes.",
        kind="error",
    )


def forgotten_card(name: str | None, own: bool, deleted: dict[str, int]) -> Card:
    return Card(
        title="削除しました (forgotten)",
        description=(f"このサーバーに保存されていた{whose(name, own)}のデータを削除しました。ランキングにももう載りません。"
                     " (Deleted from this server; the leaderboards no longer count it.)"),
        fields=(("削除した件数 (rows deleted)", stored_lines(deleted)),),
    )


def cancelled_card() -> Card:
    return Card(title="キャンセルしました (cancelled)", description="何も削除していません。 (Nothing was deleted.)")
